"""Import an incoming edXML package (QCVN 102:2016/BTTTT): one directive, one task per
receiving unit (led by its head), all or nothing.

    manage.py import_edxml FILE --by USER [--working-days N] [--dry-run]

USER (username or person code) is the leader or clerk of the sending unit who registers the
document; the package's DueDate is the deadline, else N working days (default 10).
"""

from __future__ import annotations

from collections.abc import Sequence

from congvu.exchange import importer
from congvu.exchange.edxml import MAX_PACKAGE_BYTES
from congvu.exchange.management.commands._common import ImportCommand
from congvu.tasks.models import Directive, Task


class Command(ImportCommand):
    help = __doc__

    def max_bytes(self) -> int:
        return MAX_PACKAGE_BYTES

    def plan(self, data: bytes, name: str) -> list[importer.Plan]:
        return [importer.plan_edxml(data)]

    def checked(self, plans: Sequence[importer.Plan]) -> str:
        (plan,) = plans
        return f"{plan.label}: {len(plan.receivers)} đơn vị (không ghi)."

    def imported(
        self, plans: Sequence[importer.Plan], directives: Sequence[Directive], tasks: list[Task]
    ) -> str:
        (plan,) = plans
        return f"{plan.label}: đã tạo {len(tasks)} nhiệm vụ."
