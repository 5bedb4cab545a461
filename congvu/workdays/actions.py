"""The only code that writes CalendarAdjustment rows outside the admin (STYLE.md §7.1).

Each change names its actor and leaves a sealed audit event (subject "calendar", one chain per
row); a decision is revoked, never deleted, so the log and the row agree on what was decided.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from congvu.audit import log as audit
from congvu.workdays.models import CalendarAdjustment

if TYPE_CHECKING:
    from congvu.org.models import Person

audit.register("calendar", "Lịch làm việc", ("adjustment_set", "adjustment_revoked"))


@transaction.atomic
def set_adjustment(
    day: date,
    *,
    is_working_day: bool,
    reason: str,
    decision_ref: str = "",
    actor: Person | None = None,
) -> CalendarAdjustment:
    """Create or replace the decision for `day` (a revoked one comes back in force); submitting
    twice leaves one row."""
    row, _ = CalendarAdjustment.objects.select_for_update().update_or_create(
        day=day,
        defaults={
            "is_working_day": is_working_day,
            "reason": reason.strip(),
            "decision_ref": decision_ref.strip(),
            "revoked_at": None,
        },
    )
    audit.record(
        "calendar",
        row.pk,
        "adjustment_set",
        actor,
        {
            "day": day,
            "is_working_day": is_working_day,
            "reason": row.reason,
            "decision_ref": row.decision_ref,
        },
    )
    return row


@transaction.atomic
def remove_adjustment(day: date, *, actor: Person | None = None) -> bool:
    """Revoke the decision for `day`; False when there is none in force."""
    row = CalendarAdjustment.objects.select_for_update().in_force().filter(day=day).first()
    if row is None:
        return False
    row.revoked_at = timezone.now()
    row.save(update_fields=["revoked_at", "updated_at"])
    audit.record("calendar", row.pk, "adjustment_revoked", actor, {"day": day})
    return True
