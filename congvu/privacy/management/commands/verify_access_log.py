"""Verify the sealed access log (who viewed whose data). Exit status 1 on any break."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from congvu.privacy.access import verify


class Command(BaseCommand):
    help = __doc__

    def handle(self, *args: Any, **options: Any) -> None:
        problems = verify()
        if not problems:
            self.stdout.write(self.style.SUCCESS("Nhật ký truy cập nguyên vẹn."))
            return
        for p in problems:
            self.stdout.write(f"  - {p.chain} #{p.seq}: {p.problem}")
        raise CommandError(f"Nhật ký truy cập đã bị can thiệp: {len(problems)} vấn đề.")
