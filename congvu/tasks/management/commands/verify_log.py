"""Verify the sealed event log: every seal, every sequence, every signed checkpoint.

Exit status 0 if the log is intact, 1 otherwise. Also compares every Task row with the replay,
the checkpoints with the anchor file outside the database (--anchor), and fails on a log
with events older than the checkpoint interval and no checkpoint. The first bad event is named first; with
-v 2 every broken chain is listed. Needs settings.LOG_SEAL_KEY (the key is not in the DB).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from congvu.tasks.anchor import anchor_path
from congvu.tasks.verify import verify_configured


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--no-cache-check",
            action="store_true",
            help="Skip comparing the Task rows (cached and sealed columns) with the replay.",
        )
        parser.add_argument(
            "--anchor",
            nargs="?",
            const="",
            default=None,
            metavar="TEP",
            help="Compare the checkpoints with the anchor file (default: settings.LOG_ANCHOR, "
            "env CONGVU_LOG_ANCHOR). Without the option the configured file is used if it exists.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        configured = anchor_path()
        if options["anchor"] is None:  # not asked: use the configured file once it exists
            anchor = configured if configured is not None and configured.exists() else None
        elif options["anchor"] == "":
            if configured is None:
                raise CommandError(
                    "Chưa cấu hình tệp neo (CONGVU_LOG_ANCHOR); hãy nêu --anchor TEP."
                )
            anchor = configured
        else:
            anchor = Path(options["anchor"])
        result = verify_configured(check_cache=not options["no_cache_check"], anchor=anchor)
        summary = (
            f"{result.events} sự kiện, {result.chains} chuỗi, {result.checkpoints} mốc "
            f"kiểm tra"
            + (f" ({result.anchored} đối chiếu với tệp neo {anchor})" if anchor else "")
            + f", {result.seconds:.1f} s"
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
