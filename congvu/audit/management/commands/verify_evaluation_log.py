"""Recompute every seal of the audit log (evaluation, findings, legal, org, calendar: the name
is kept from when it held only evaluation steps); exit non-zero if any chain is broken."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from congvu.audit.log import verify
from congvu.audit.models import AuditEvent


class Command(BaseCommand):
    help = __doc__

    def handle(self, *args: Any, **options: Any) -> None:
        breaks = verify()
        for b in breaks:
            self.stderr.write(f"{b.subject}#{b.subject_id} sự kiện {b.seq}: {b.problem}")
        if breaks:
            raise CommandError(f"Nhật ký đánh giá bị sai lệch ở {len(breaks)} vị trí.")
        n = AuditEvent.objects.count()
        self.stdout.write(self.style.SUCCESS(f"Nhật ký đánh giá nguyên vẹn: {n} sự kiện."))
