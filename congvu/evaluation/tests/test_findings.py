"""Confirmed detection findings count in evaluation; unconfirmed ones never do."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from django.utils import timezone

from congvu.detection.models import DetectionRun, Finding, FindingReview
from congvu.evaluation import actions
from congvu.evaluation.consequences import generate_year_proposals
from congvu.evaluation.models import Evaluation, Proposal
from congvu.evaluation.tests.helpers import scored_month

pytestmark = pytest.mark.django_db


CONFIRMED_AT = timezone.make_aware(datetime(2026, 4, 15, 10, 0))  # Wednesday


def _finding(  # type: ignore[no-untyped-def]
    org,
    status: str,
    *,
    key: str = "",
    period_end: date = date(2026, 3, 31),
    decided_at: datetime | None = CONFIRMED_AT,
    appeal_due: date | None = None,
) -> Finding:
    now = timezone.now()
    run = DetectionRun.objects.create(
        period="2026-Q1",
        period_start=date(2026, 1, 1),
        period_end=date(2026, 3, 31),
        state=DetectionRun.State.DONE,
        started_at=now,
    )
    f = Finding.objects.create(
        key=key or f"k-{status}",
        detector="ping_pong",
        behaviour=Finding.Behaviour.BUCK_PASSING,
        subject_type=Finding.SubjectType.PERSON,
        subject_code="ALICE",
        subject_person=org.alice,
        context_unit=org.a1,
        period="2026-Q1",
        period_start=date(period_end.year, 1, 1),
        period_end=period_end,
        strength=0.9,
        sample=6,
        sentence=f"Chuyển qua lại nhiệm vụ giữa hai phòng 4 lần ({status}).",
        engine_finding_id="x",
        first_run=run,
        last_run=run,
        first_seen_at=now,
        updated_at=now,
    )
    FindingReview.objects.create(
        finding=f,
        explainer=org.alice,
        reviewer_unit=org.a1,
        status=status,
        opened_at=now,
        explanation_due=date(2026, 4, 10),
        decided_at=decided_at,
        appeal_due=appeal_due,
    )
    return f


def test_a_confirmed_finding_is_evidence_in_the_heads_proposal(org) -> None:
    _finding(org, FindingReview.Status.CONFIRMED)
    _finding(org, FindingReview.Status.DISMISSED)
    e = scored_month(org.alice, org.tp_a1, 2, finalise=False)
    notes = [r for r in e.level_reasons if r.startswith("Phát hiện đã xác nhận")]
    assert len(notes) == 1 and "(confirmed)" in notes[0]
    assert e.total_score == 100  # evidence for the head, never an automatic deduction


def test_confirmed_findings_open_a_discipline_consideration_for_the_year(org) -> None:
    _finding(org, FindingReview.Status.UPHELD)
    scored_month(org.alice, org.tp_a1, 1)
    y = actions.do_open_evaluation(org.alice, Evaluation.Kind.YEAR, 2026)
    actions.do_self_assess(y, actor=org.alice)
    actions.do_record_collective_comments(y, actor=org.tp_a1, comments="Nhất trí")
    actions.do_propose(y, actor=org.tp_a1)
    actions.do_decide(y, actor=org.gd_a)
    actions.do_finalise([y], actor=org.gd_a, quota_override_reason="Một người")
    y.refresh_from_db()
    created = generate_year_proposals([y], today=date(2026, 12, 20))
    discipline = [p for p in created if p.kind == Proposal.Kind.DISCIPLINE]
    assert len(discipline) == 1
    p = discipline[0]
    assert "Điều 14" in p.legal_ground and "172/2025" in p.legal_ground
    # ND 172/2025: from the day the violation was confirmed (15/4/2026), not from the
    # year-end run: 90 days → 14/7; 150 days → Saturday 12/9, moved to Monday 14/9.
    assert (p.due_on, p.max_due_on) == (date(2026, 7, 14), date(2026, 9, 14))
    assert p.discipline_form == ""  # the competent level chooses the form


def test_a_finding_confirmed_after_the_first_run_still_gets_its_proposal(org) -> None:
    """The year-end run keyed one proposal per person-year, so a finding confirmed later was
    dropped. Now each final finding gets its own consideration, whenever it is confirmed."""
    from congvu.evaluation.consequences import finding_discipline_proposals

    _finding(org, FindingReview.Status.CONFIRMED, key="first")
    assert len(finding_discipline_proposals(date(2026, 12, 20))) == 1
    _finding(org, FindingReview.Status.UPHELD, key="later")
    later = finding_discipline_proposals(date(2026, 12, 28))
    assert len(later) == 1 and finding_discipline_proposals(date(2026, 12, 29)) == []


def test_only_findings_no_longer_open_to_appeal_and_not_time_barred_count(org) -> None:
    """A confirmation whose appeal deadline has not passed is not final; a violation older
    than the statute of limitations (5 years by default) is not proposed."""
    from congvu.evaluation.consequences import finding_discipline_proposals

    _finding(org, FindingReview.Status.CONFIRMED, key="open", appeal_due=date(2026, 4, 22))
    assert finding_discipline_proposals(date(2026, 4, 22)) == []
    assert len(finding_discipline_proposals(date(2026, 4, 23))) == 1
    _finding(
        org,
        FindingReview.Status.CONFIRMED,
        key="old",
        period_end=date(2020, 12, 31),
        decided_at=CONFIRMED_AT,
    )
    assert finding_discipline_proposals(date(2026, 5, 1)) == []
