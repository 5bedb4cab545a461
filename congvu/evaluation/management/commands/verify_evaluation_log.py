"""Recompute every seal of the evaluation log; exit non-zero if any chain is broken."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from congvu.evaluation.eventlog import verify
from congvu.evaluation.models import EvaluationEvent


class Command(BaseCommand):
    help = __doc__

    def handle(self, *args: Any, **options: Any) -> None:
        breaks = verify()
        for b in breaks:
            self.stderr.write(f"{b.subject}#{b.subject_id} sự kiện {b.seq}: {b.problem}")
        if breaks:
            raise CommandError(f"Nhật ký đánh giá bị sai lệch ở {len(breaks)} vị trí.")
        n = EvaluationEvent.objects.count()
        self.stdout.write(self.style.SUCCESS(f"Nhật ký đánh giá nguyên vẹn: {n} sự kiện."))
