"""Apply the register's retention periods: erase or anonymise what is past its period.

Each data category with a handler and a period (the register, /du-lieu-ca-nhan/so-dang-ky/)
is applied with the cutoff today − period; one sealed event records the run. Sealed logs stay
verifiable: they hold keyed hashes of the erasable fields. --dry-run counts without changing.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from congvu.privacy.retention import apply_retention


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        done = apply_retention(dry_run=options["dry_run"])
        for code, n in done.items():
            self.stdout.write(f"{code}: {n}")
        verb = "Sẽ xử lý" if options["dry_run"] else "Đã xử lý"
        self.stdout.write(self.style.SUCCESS(f"{verb} {sum(done.values())} bản ghi."))
