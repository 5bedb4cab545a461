"""Write a signed checkpoint of the event log: the heads of every chain changed since the last
checkpoint, their Merkle root and an HMAC signature chained to the previous checkpoint.

Run it periodically (cron, e.g. every 10 minutes); the events written after the last
checkpoint are the residual window described in docs/event-log.md. Print the signature to a
place outside the database (mail, ticket, paper) to also protect the checkpoints' own tail.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from congvu.tasks.verify import CheckpointRefusedError, create_checkpoint


class Command(BaseCommand):
    help = __doc__

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            cp = create_checkpoint()
        except CheckpointRefusedError as exc:
            raise CommandError(f"Không tạo mốc kiểm tra: {exc}") from exc
        if cp is None:
            self.stdout.write("Không có sự kiện mới kể từ mốc kiểm tra trước.")
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Mốc kiểm tra #{cp.pk}: {cp.head_count} chuỗi thay đổi, tổng {cp.total_events} sự kiện"
                f" / {cp.total_tasks} nhiệm vụ; chữ ký {cp.signature}"
            )
        )
