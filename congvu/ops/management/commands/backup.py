"""Take a consistent backup: database, uploaded files, and the seal key's fingerprint (never
the key). Writes congvu-backup-<time>.tar.gz into --out."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from congvu.ops.backup import BackupError, create_backup


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", type=Path, default=Path("var/backups"))

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            path = create_backup(options["out"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"Đã sao lưu: {path} ({path.stat().st_size:,} byte)"))
