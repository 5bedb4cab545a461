"""Confirmed detection findings count in evaluation; unconfirmed ones never do."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import timezone

from congvu.detection.models import DetectionRun, Finding, FindingReview
from congvu.evaluation import actions
from congvu.evaluation.consequences import generate_year_proposals
from congvu.evaluation.models import Evaluation, Proposal
from congvu.evaluation.tests.helpers import scored_month

pytestmark = pytest.mark.django_db


def _finding(org, status: str) -> Finding:  # type: ignore[no-untyped-def]
    now = timezone.now()
    run = DetectionRun.objects.create(
        period="2026-Q1",
        period_start=date(2026, 1, 1),
        period_end=date(2026, 3, 31),
        state=DetectionRun.State.DONE,
        started_at=now,
    )
    f = Finding.objects.create(
        key=f"k-{status}",
        detector="ping_pong",
        behaviour=Finding.Behaviour.BUCK_PASSING,
        subject_type=Finding.SubjectType.PERSON,
        subject_code="ALICE",
        subject_person=org.alice,
        context_unit=org.a1,
        period="2026-Q1",
        period_start=date(2026, 1, 1),
        period_end=date(2026, 3, 31),
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
    assert (p.due_on, p.max_due_on) == (date(2027, 3, 20), date(2027, 5, 19))
    assert p.discipline_form == ""  # the competent level chooses the form
