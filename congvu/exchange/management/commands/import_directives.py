"""Import directives from a CSV or XLSX sheet, one document per row, all or nothing.

    manage.py import_directives FILE --by USER [--working-days N] [--dry-run]

Columns: Số ký hiệu, Ngày văn bản, Mã cơ quan ban hành, Trích yếu, Mã đơn vị nhận (agency
codes separated by ";"), and optionally Hạn xử lý, Người ký. The checks of import_edxml apply.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from congvu.exchange import importer
from congvu.exchange.management.commands._common import person_named, read_file
from congvu.lib.errors import ActionError
from congvu.lib.sheets import SheetLimits


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--by", required=True)
        parser.add_argument("--working-days", type=int, default=importer.DEFAULT_WORKING_DAYS)
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        person = person_named(options["by"])
        data = read_file(path, SheetLimits.from_settings().max_file_bytes)
        try:
            plans = importer.plan_sheet(data, path.name)
            if options["dry_run"]:
                self.stdout.write(f"{len(plans)} văn bản hợp lệ (không ghi).")
                return
            directives = importer.do_import(person, plans, working_days=options["working_days"])
        except ActionError as exc:
            raise CommandError(f"{path.name}: {exc.message} Không ghi gì.") from exc
        tasks = importer.tasks_of(directives)
        self.stdout.write(f"Đã nhập {len(directives)} văn bản, tạo {len(tasks)} nhiệm vụ.")
