"""Where evaluation steps are recorded.

Today: the EvaluationEvent audit table (append-only). When congvu.tasks lands with its sealed
TaskEvent log and a public append function, `record()` also appends there, so one tamper-evident
log holds task and evaluation history; EvaluationEvent remains the evaluation app's index.
"""

from __future__ import annotations

from typing import Any

from congvu.evaluation.models import Evaluation, EvaluationEvent
from congvu.org.models import Person


def record(
    subject: str,
    subject_id: int,
    kind: str,
    actor: Person | None,
    payload: dict[str, Any] | None = None,
    *,
    evaluation: Evaluation | None = None,
) -> EvaluationEvent:
    return EvaluationEvent.objects.create(
        subject=subject,
        subject_id=subject_id,
        evaluation=evaluation,
        kind=kind,
        actor=actor,
        payload=payload or {},
    )


def history(subject: str, subject_id: int) -> list[EvaluationEvent]:
    return list(
        EvaluationEvent.objects.filter(subject=subject, subject_id=subject_id).select_related(
            "actor"
        )
    )
