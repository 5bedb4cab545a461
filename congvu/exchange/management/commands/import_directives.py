"""Import directives from a CSV or XLSX sheet, one document per row, all or nothing.

    manage.py import_directives FILE --by USER [--working-days N] [--dry-run]

Columns: Số ký hiệu, Ngày văn bản, Mã cơ quan ban hành, Trích yếu, Mã đơn vị nhận (agency
codes separated by ";"), and optionally Hạn xử lý, Người ký. The checks of import_edxml apply.
"""

from __future__ import annotations

from collections.abc import Sequence

from congvu.exchange import importer
from congvu.exchange.management.commands._common import ImportCommand
from congvu.lib.sheets import SheetLimits
from congvu.tasks.models import Directive, Task


class Command(ImportCommand):
    help = __doc__

    def max_bytes(self) -> int:
        return SheetLimits.from_settings().max_file_bytes

    def plan(self, data: bytes, name: str) -> list[importer.Plan]:
        return importer.plan_sheet(data, name)

    def checked(self, plans: Sequence[importer.Plan]) -> str:
        return f"{len(plans)} văn bản hợp lệ (không ghi)."

    def imported(
        self, plans: Sequence[importer.Plan], directives: Sequence[Directive], tasks: list[Task]
    ) -> str:
        return f"Đã nhập {len(directives)} văn bản, tạo {len(tasks)} nhiệm vụ."
