"""A finding about alice with its review, for the privacy and oversight tests."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from congvu.detection.models import DetectionRun, Finding, FindingReview
from congvu.detection.review import open_review


def finding_about_alice(org, key: str = "privacy-1") -> tuple[Finding, FindingReview]:  # type: ignore[no-untyped-def]
    now = timezone.now()
    run = DetectionRun.objects.create(
        period="2026-Q1",
        period_start=date(2026, 1, 1),
        period_end=date(2026, 3, 31),
        state=DetectionRun.State.DONE,
        started_at=now,
    )
    f = Finding.objects.create(
        key=key,
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
        sentence="Chuyển qua lại nhiệm vụ giữa hai phòng 4 lần.",
        engine_finding_id="x",
        first_run=run,
        last_run=run,
        first_seen_at=now,
        updated_at=now,
    )
    return f, open_review(f)
