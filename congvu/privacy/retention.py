"""Retention jobs: what is past its period (the register's DataCategory.retention_days) is
erased or anonymised; sealed logs stay verifiable because they seal hashes of the erasable
personal fields (access.py, audit.sealed_text), never the fields.

Each handler takes the cutoff (data older than it goes) and returns how many records it
changed. Handlers reach other apps' models by label so that this app imports nothing above it.
Official records (the task log, evaluations) are archives: their categories say "keep".
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from django.apps import apps
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from congvu.org.models import today
from congvu.privacy import audit
from congvu.privacy.access import erase_identities
from congvu.privacy.models import DataCategory, SubjectRequest


def _access_identities(cutoff: date) -> int:
    return erase_identities(cutoff)


def _finding_explanations(cutoff: date) -> int:
    """Explanations (giải trình) and attached documents of findings decided before the cutoff
    and dismissed, or of findings cleared by a later run: the text and the file go, the
    review's status, dates and decision stay."""
    FindingReview = apps.get_model("detection", "FindingReview")
    qs = FindingReview.objects.filter(decided_at__date__lt=cutoff, status="dismissed").exclude(
        explanation="", evidence=""
    )
    n = 0
    for review in qs:
        if review.evidence:
            review.evidence.delete(save=False)
        review.explanation = ""
        review.evidence = ""
        review.save(update_fields=["explanation", "evidence"])
        n += 1
    return n


def _subject_requests(cutoff: date) -> int:
    qs = SubjectRequest.objects.exclude(status=SubjectRequest.Status.OPEN).filter(
        answered_on__lt=cutoff
    )
    return int(qs.delete()[0])


def _circumstances(cutoff: date) -> int:
    """Personal circumstances kept for streamlining exclusions (pregnancy, maternity leave,
    young child: health and family data) ended before the cutoff."""
    if not apps.is_installed("congvu.staffing"):
        return 0
    Circumstance = apps.get_model("staffing", "Circumstance")
    return int(Circumstance.objects.filter(end__lt=cutoff).delete()[0])


HANDLERS: dict[str, Callable[[date], int]] = {
    "access_identities": _access_identities,
    "finding_explanations": _finding_explanations,
    "subject_requests": _subject_requests,
    "circumstances": _circumstances,
}


@transaction.atomic
def apply_retention(on: date | None = None, *, dry_run: bool = False) -> dict[str, int]:
    """Run every category's handler with its cutoff; one sealed event records the run."""
    on = on or today()
    done: dict[str, int] = {}
    # Only the register's activities in force on the day: a retired activity's rules stop.
    categories = DataCategory.objects.filter(
        Q(activity__valid_to__isnull=True) | Q(activity__valid_to__gte=on),
        activity__valid_from__lte=on,
    )
    for cat in categories.exclude(handler="").exclude(retention_days=None):
        if cat.action == DataCategory.Action.KEEP or cat.handler not in HANDLERS:
            continue
        assert cat.retention_days is not None
        cutoff = on - timedelta(days=cat.retention_days)
        done[cat.code] = HANDLERS[cat.handler](cutoff)
    if dry_run:
        transaction.set_rollback(True)
        return done
    audit.record(
        "privacy_retention",
        int(on.strftime("%Y%m%d")),
        "applied",
        None,
        {"on": on, "changed": done, "at": timezone.now()},
    )
    return done
