from __future__ import annotations

import io
from datetime import date

from django.db import transaction

from congvu.demo.tasks import generate_task_history
from congvu.tasks.events import TaskEventType as E
from congvu.tasks.models import TaskEvent
from congvu.tasks.verify import verify_log


def signature() -> list[tuple[object, ...]]:
    return list(
        TaskEvent.objects.order_by("at", "type", "seq").values_list(
            "seq", "type", "at", "actor__code", "target_unit__code", "reason_code", "reason_text"
        )
    )


def generate(out: io.StringIO | None = None, end: date = date(2025, 3, 31)) -> int:
    return generate_task_history(
        seed=7, start=date(2025, 1, 1), end=end, people_scale=0.2, stdout=out
    )


def test_it_generates_a_sealed_history_with_the_planted_patterns(org):
    out = io.StringIO()
    n = generate(out)
    assert n == TaskEvent.objects.count() > 100, out.getvalue()
    assert verify_log().ok
    types = set(TaskEvent.objects.values_list("type", flat=True))
    for t in (
        E.TRANSFERRED,
        E.COORDINATION_DEEMED_AGREED,
        E.EXTENSION_GRANTED,
        E.PAUSE_REVIEWED,
        E.OPINION_GIVEN,
        E.SUBTASK_CREATED,
        E.COMPLETED,
        E.PAUSED,
    ):
        assert t in types, (t, out.getvalue())
    assert TaskEvent.objects.filter(reason_code="misrouted").exists()
    assert TaskEvent.objects.filter(payload__within_authority=True).exists()
    assert not TaskEvent.objects.filter(at__date__gt=date(2025, 3, 31)).exists()
    text = out.getvalue()
    assert "Hành vi được cài sẵn" in text and "None" not in text, text


def test_the_same_seed_gives_the_same_history(org):
    with transaction.atomic():
        generate(end=date(2025, 1, 31))
        first = signature()
        transaction.set_rollback(True)
    assert not TaskEvent.objects.exists()
    generate(end=date(2025, 1, 31))
    assert signature() == first
