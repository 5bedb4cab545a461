"""Verify the sealed event log: every seal, every sequence, every signed checkpoint.

Exit status 0 if the log is intact, 1 otherwise. The first bad event is named first; with
-v 2 every broken chain is listed. Needs settings.LOG_SEAL_KEY (the key is not in the DB).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from congvu.tasks.verify import verify_log


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--no-cache-check",
            action="store_true",
            help="Skip comparing the Task table's cached chain length.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        result = verify_log(check_cache=not options["no_cache_check"])
        summary = (
            f"{result.events} sự kiện, {result.chains} chuỗi, {result.checkpoints} mốc "
            f"kiểm tra, {result.seconds:.1f} s"
        )
        if result.ok:
            self.stdout.write(self.style.SUCCESS(f"Nhật ký nguyên vẹn: {summary}."))
            return
        first = result.first_bad
        assert first is not None
        self.stdout.write(self.style.ERROR(f"Sự kiện hỏng đầu tiên: {first.message}"))
        if first.event_id is not None:
            self.stdout.write(
                f"  (task_id={first.task_id} seq={first.seq} event_id={first.event_id})"
            )
        if options["verbosity"] >= 2:
            for p in result.problems:
                self.stdout.write(f"  - [{p.kind}] {p.message}")
        raise CommandError(f"Nhật ký đã bị can thiệp: {len(result.problems)} vấn đề ({summary}).")
