"""Import an incoming edXML package (QCVN 102:2016/BTTTT): one directive, one task per
receiving unit (led by its head), all or nothing.

    manage.py import_edxml FILE --by USER [--working-days N] [--dry-run]

USER (username or person code) is the leader or clerk of the sending unit who registers the
document; the package's DueDate is the deadline, else N working days (default 10).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from congvu.exchange import importer
from congvu.exchange.edxml import MAX_PACKAGE_BYTES
from congvu.exchange.management.commands._common import person_named, read_file
from congvu.lib.errors import ActionError


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
        data = read_file(path, MAX_PACKAGE_BYTES)
        try:
            plan = importer.plan_edxml(data)
            if options["dry_run"]:
                self.stdout.write(f"{plan.label}: {len(plan.receivers)} đơn vị (không ghi).")
                return
            directives = importer.do_import(person, [plan], working_days=options["working_days"])
        except ActionError as exc:
            raise CommandError(f"{path.name}: {exc.message} Không ghi gì.") from exc
        tasks = importer.tasks_of(directives)
        self.stdout.write(f"{plan.label}: đã tạo {len(tasks)} nhiệm vụ.")
