from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from congvu.exchange import importer
from congvu.lib.errors import ActionError
from congvu.org.models import Person
from congvu.tasks.models import Directive, Task


def person_named(name: str) -> Person:
    person = Person.objects.filter(Q(user__username=name) | Q(code=name)).first()
    if person is None:
        raise CommandError(f"Không tìm thấy người {name!r}.")
    return person


def read_file(path: Path, limit: int) -> bytes:
    try:
        if path.stat().st_size > limit:  # before reading it into memory
            raise CommandError(f"{path.name}: tệp lớn hơn giới hạn {limit} byte.")
        return path.read_bytes()
    except OSError as exc:
        raise CommandError(f"Không đọc được tệp {path}: {exc}") from exc


class ImportCommand(BaseCommand):
    """FILE --by USER [--working-days N] [--dry-run]: read, check every document, then write
    all or nothing. A subclass says only how its file becomes plans and what to report."""

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--by", required=True)
        parser.add_argument("--working-days", type=int, default=importer.DEFAULT_WORKING_DAYS)
        parser.add_argument("--dry-run", action="store_true")

    def max_bytes(self) -> int:
        raise NotImplementedError

    def plan(self, data: bytes, name: str) -> list[importer.Plan]:
        raise NotImplementedError

    def checked(self, plans: Sequence[importer.Plan]) -> str:
        raise NotImplementedError

    def imported(
        self, plans: Sequence[importer.Plan], directives: Sequence[Directive], tasks: list[Task]
    ) -> str:
        raise NotImplementedError

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        person = person_named(options["by"])
        data = read_file(path, self.max_bytes())
        try:
            plans = self.plan(data, path.name)
            if options["dry_run"]:
                self.stdout.write(self.checked(plans))
                return
            directives = importer.do_import(person, plans, working_days=options["working_days"])
        except ActionError as exc:
            raise CommandError(f"{path.name}: {exc.message} Không ghi gì.") from exc
        tasks = importer.tasks_of(directives)
        self.stdout.write(self.imported(plans, directives, tasks))
