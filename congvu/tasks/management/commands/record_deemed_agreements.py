"""Record "deemed to agree" (Công điện 280/CĐ-TTg) for every coordination request still
unanswered after its due date. Idempotent: answered requests are skipped. Run daily."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand

from congvu.tasks.actions import record_deemed_agreements


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--as-of",
            type=date.fromisoformat,
            default=None,
            help="Ngày xét (YYYY-MM-DD), mặc định hôm nay.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        n = record_deemed_agreements(options["as_of"])
        self.stdout.write(self.style.SUCCESS(f"Đã ghi nhận {n} trường hợp coi như đồng ý."))
