"""'Việc của tôi': what waits on this person, overdue first."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q

from congvu.org.models import Person, today
from congvu.org.permissions import Access
from congvu.tasks.events import TaskEventType as E
from congvu.tasks.models import CLOSED, Coordination, Status, Task, TaskEvent
from congvu.web.taskquery import with_countdowns, with_names

LIMIT = 20  # per section; the full lists are on the paginated task list


@dataclass
class Inbox:
    to_accept: list[Task] = field(default_factory=list)
    in_progress: list[Task] = field(default_factory=list)
    coordination: list[Coordination] = field(default_factory=list)
    opinions: list[TaskEvent] = field(default_factory=list)
    to_decide: list[Task] = field(default_factory=list)
    # congvu.detection due process: findings to explain, findings to decide.
    to_explain: list[Any] = field(default_factory=list)
    to_review: list[Any] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return True


def build_inbox(person: Person, access: Access) -> Inbox:
    box = Inbox()
    mine = with_names(Task.objects.filter(lead_person=person))
    accept = mine.filter(status=Status.ASSIGNED).order_by("deadline", "pk")
    box.counts["to_accept"] = accept.count()
    box.to_accept = with_countdowns(list(accept[:LIMIT]))
    working = mine.filter(
        status__in=(Status.IN_PROGRESS, Status.PAUSED, Status.SUBMITTED)
    ).order_by("deadline", "pk")
    box.counts["in_progress"] = working.count()
    # Ordered by deadline, so overdue work (the earliest deadlines) comes first.
    box.in_progress = with_countdowns(list(working[:LIMIT]))
    coord = (
        Coordination.objects.filter(answered_at__isnull=True, unit_id__in=access.member_unit_ids)
        .exclude(task__status__in=CLOSED)
        .select_related("task", "unit")
        .order_by("due", "pk")
    )
    box.counts["coordination"] = coord.count()
    box.coordination = list(coord[:LIMIT])
    day = today()
    for c in box.coordination:
        c.overdue = c.due < day  # type: ignore[attr-defined]
    asked = list(
        TaskEvent.objects.filter(type=E.OPINION_REQUESTED, target_person=person)
        .exclude(task__status__in=CLOSED)
        .select_related("task", "actor")
        .order_by("at")
    )
    if asked:
        given = {
            (task_id, (payload or {}).get("request_seq"))
            for task_id, payload in TaskEvent.objects.filter(
                type=E.OPINION_GIVEN, task_id__in={e.task_id for e in asked}
            ).values_list("task_id", "payload")
        }
        asked = [e for e in asked if (e.task_id, e.seq) not in given]
    box.counts["opinions"] = len(asked)
    box.opinions = asked[:LIMIT]
    decide = with_names(
        Task.objects.filter(
            Q(assigner=person)
            | Q(assigner_unit_id__in=access.act_unit_ids & access.member_unit_ids),
            status__in=(Status.SUBMITTED, Status.DECLINED, Status.RETURNED),
        )
    ).order_by("deadline", "pk")
    box.counts["to_decide"] = decide.count()
    box.to_decide = with_countdowns(list(decide[:LIMIT]))
    from congvu.web import features

    if features.detection_enabled():
        from congvu.detection.models import FindingReview

        S = FindingReview.Status
        reviews = FindingReview.objects.select_related("finding", "explainer", "reviewer_unit")
        explain = reviews.filter(explainer=person, status=S.OPEN).order_by("explanation_due", "pk")
        box.to_explain = list(explain[:LIMIT])
        review = (
            reviews.filter(
                reviewer_unit_id__in=access.act_unit_ids, status__in=(S.OPEN, S.EXPLAINED)
            )
            .exclude(explainer=person)
            .order_by("explanation_due", "pk")
        )
        box.to_review = list(review[:LIMIT])
    return box
