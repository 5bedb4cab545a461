"""Run the detection engine over the sealed event log, one quarter at a time.

Without arguments: the current quarter. --all: every quarter that has tasks. A quarter with no
new events since its last run is skipped unless --force. Findings are evidence for review.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from congvu.detection.actions import periods_with_tasks, run_detection
from congvu.lib.errors import ActionError


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--period", action="append", help="Kỳ dạng 2026-Q3 (lặp lại được).")
        parser.add_argument("--all", action="store_true", help="Mọi quý có nhiệm vụ.")
        parser.add_argument(
            "--force", action="store_true", help="Chạy lại cả khi không có sự kiện mới."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        periods: list[str | None] = list(options["period"] or [])
        if options["all"]:
            periods = list(periods_with_tasks())
        if not periods:
            periods = [None]
        for period in periods:
            try:
                run = run_detection(period, force=options["force"])
            except ActionError as exc:
                raise CommandError(exc.message) from exc
            self.stdout.write(
                self.style.SUCCESS(
                    f"{run.period}: {run.events} sự kiện, {run.cases} nhiệm vụ — "
                    f"{run.findings_new} phát hiện mới, {run.findings_updated} cập nhật, "
                    f"{run.findings_cleared} không còn căn cứ."
                )
            )
