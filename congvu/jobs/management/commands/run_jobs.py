"""Run the periodic jobs whose time slot is due: reminders, escalation, deemed-agree,
detection runs, period closing (each app registers its own in `<app>/jobs.py`).

Run it from a systemd timer every minute, or with --loop. Two copies at once are safe: each
(job, slot) is claimed in the database, and a run whose worker died is taken over.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from congvu.jobs.registry import REGISTRY, run_due
from congvu.jobs.report import describe


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--job", action="append", help="Chỉ chạy tác vụ này (lặp lại được).")
        parser.add_argument("--list", action="store_true", help="Liệt kê các tác vụ.")
        parser.add_argument("--loop", action="store_true", help="Chạy liên tục.")
        parser.add_argument("--interval", type=int, default=60, help="Giây giữa hai lượt (--loop).")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["list"]:
            for name, j in sorted(REGISTRY.items()):
                self.stdout.write(f"{name:<28} mỗi {j.every}  {j.description}")
            return
        unknown = set(options["job"] or ()) - set(REGISTRY)
        if unknown:
            raise CommandError(f"Không có tác vụ: {', '.join(sorted(unknown))}. Xem --list.")
        while True:
            for run in run_due(options["job"]):
                done = run.state == run.State.DONE
                style = self.style.SUCCESS if done else self.style.ERROR
                job = REGISTRY.get(run.job)
                name = f"{job.description} ({run.job})" if job else run.job
                outcome = describe(run.result) if done else run.error[-200:]
                self.stdout.write(style(f"{name}: {run.get_state_display().lower()}"))
                self.stdout.write(f"    {outcome}")
            if not options["loop"]:
                return
            time.sleep(options["interval"])
