"""Restore a backup made by `manage.py backup`, then verify every seal of the event log.

The current database is replaced. Checksums are checked first and a backup sealed with a
different key is refused, so nothing is overwritten by a damaged or foreign archive.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from congvu.ops.backup import BackupError, restore_backup


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", type=Path)
        parser.add_argument("--allow-other-key", action="store_true")
        parser.add_argument("--yes", action="store_true", help="Không hỏi lại.")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["yes"]:
            raise CommandError(
                "Khôi phục sẽ thay thế toàn bộ dữ liệu hiện tại; chạy lại với --yes để xác nhận."
            )
        try:
            report = restore_backup(options["archive"], allow_other_key=options["allow_other_key"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Đã khôi phục bản sao lưu lúc {report.manifest['created_at']}: {report.events} sự kiện."
        )
        if not report.verified:
            for p in report.problems[:20]:
                self.stderr.write(p)
            raise CommandError("Nhật ký sự kiện KHÔNG toàn vẹn sau khi khôi phục.")
        self.stdout.write(self.style.SUCCESS("Kiểm tra niêm phong nhật ký: toàn vẹn."))
