"""Read helpers for the web pages (privacy applied; the views log reads with privacy.record_read)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from congvu.evaluation import authority
from congvu.evaluation.actions import is_superior
from congvu.evaluation.models import Evaluation, EvaluationQuerySet, Proposal
from congvu.evaluation.privacy import visible_evaluations
from congvu.org.models import Person, Unit
from congvu.org.permissions import Access

S = Evaluation.Status


def my_evaluations(person: Person) -> EvaluationQuerySet:
    return Evaluation.objects.filter(person=person).select_related("unit", "rule_set")


def unit_year(
    unit: Unit, year: int, viewer: Person | None, access: Access | None = None
) -> EvaluationQuerySet:
    """A unit's year evaluations that the viewer may see, by name."""
    return (
        visible_evaluations(viewer, access)
        .years()
        .filter(unit=unit, year=year)
        .select_related("person", "rule_set")
        .order_by("person__full_name")
    )


def _my_step(person: Person, e: Evaluation) -> bool:
    """The waiting step is this person's: comments by a leader over the unit, the proposal by
    the proposer, the decision and finalisation by the decider (authority.py)."""
    if e.status in (S.PROPOSED, S.DECIDED):
        return authority.may(person, e, authority.DECIDE)
    if e.status == S.COMMENTED:
        return authority.may(person, e, authority.PROPOSE)
    return is_superior(person, e)


def awaiting(person: Person, access: Access | None = None) -> list[tuple[Evaluation, str]]:
    """What waits for this person: their own self-assessments, and as a superior the
    comments, proposals, decisions and finalisations of the people they direct."""
    out: list[tuple[Evaluation, str]] = [
        (e, "Tự đánh giá") for e in my_evaluations(person).filter(status=S.DRAFT).order_by("start")
    ]
    steps = {
        S.SELF_ASSESSED: "Ghi ý kiến tập thể / đề xuất",
        S.COMMENTED: "Đề xuất xếp loại",
        S.PROPOSED: "Quyết định xếp loại",
        S.DECIDED: "Chốt kết quả",
    }
    candidates = (
        visible_evaluations(person, access)
        .filter(status__in=list(steps))
        .exclude(person=person)
        .select_related("person", "unit", "rule_set")
        .order_by("start", "person__full_name")
    )
    out += [(e, steps[S(e.status)]) for e in candidates if _my_step(person, e)]
    return out


def visible_proposals(viewer: Person | None, access: Access | None = None) -> QuerySet[Proposal]:
    """Proposals about people whose evaluations the viewer may see (and their own)."""
    people = visible_evaluations(viewer, access).values("person_id")
    q = Q(person_id__in=people)
    if viewer is not None:
        q |= Q(person=viewer)
    return Proposal.objects.filter(q).select_related("person", "evaluation", "decided_by")
