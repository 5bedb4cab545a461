"""The only code that writes CalendarAdjustment rows outside the admin (STYLE.md §7.1)."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from congvu.workdays.models import CalendarAdjustment


@transaction.atomic
def set_adjustment(
    day: date, *, is_working_day: bool, reason: str, decision_ref: str = ""
) -> CalendarAdjustment:
    """Create or replace the decision for `day`; submitting twice leaves one row."""
    row, _ = CalendarAdjustment.objects.update_or_create(
        day=day,
        defaults={
            "is_working_day": is_working_day,
            "reason": reason.strip(),
            "decision_ref": decision_ref.strip(),
        },
    )
    return row


@transaction.atomic
def remove_adjustment(day: date) -> bool:
    deleted, _ = CalendarAdjustment.objects.filter(day=day).delete()
    return deleted > 0
