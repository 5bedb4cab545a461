"""In-app notifications: the task events addressed to a person or to a unit they belong to."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Max, Q, QuerySet
from django.utils.translation import gettext as _

from congvu.org.models import Membership, Person
from congvu.tasks.events import TaskEventType as E
from congvu.tasks.models import TaskEvent
from congvu.web.models import NotificationCursor

PERSONAL = (
    E.ASSIGNED,
    E.TRANSFERRED,
    E.RETURNED,
    E.LEAD_REASSIGNED,
    E.REWORK_REQUESTED,
    E.REMINDED,
    E.OPINION_REQUESTED,
    E.EXTENSION_REQUESTED,
    E.EXTENSION_GRANTED,
    E.EXTENSION_REFUSED,
)
TO_UNIT = (E.COORDINATION_REQUESTED,)


def _events_for(person: Person, unit_ids: Iterable[int] | None = None) -> QuerySet[TaskEvent]:
    # A list, not a subquery: PostgreSQL plans "… OR target_unit_id IN (subquery)" as a
    # sequential scan of the whole log (0.5 s per page at 2 million events); with the ids
    # inlined both sides of the OR use their indexes. Pages pass the ids they already have
    # (Access.member_unit_ids), so this costs no query.
    if unit_ids is None:
        unit_ids = (
            Membership.objects.current().filter(person=person).values_list("unit_id", flat=True)
        )
    units = sorted(unit_ids)
    return TaskEvent.objects.filter(
        Q(type__in=PERSONAL, target_person=person) | Q(type__in=TO_UNIT, target_unit_id__in=units)
    ).exclude(actor=person)


@dataclass(frozen=True)
class Notification:
    task_id: int
    at: datetime
    text: str
    read: bool


def _text(ev: TaskEvent) -> str:
    title = ev.task.title
    kind = ev.type
    if kind == E.ASSIGNED:
        return _("Nhiệm vụ mới: %(t)s") % {"t": title}
    if kind == E.COORDINATION_REQUESTED:
        return _("Đề nghị phối hợp: %(t)s") % {"t": title}
    if kind == E.REMINDED:
        return _("Đôn đốc: %(t)s") % {"t": title}
    if kind == E.OPINION_REQUESTED:
        return _("Xin ý kiến: %(t)s") % {"t": title}
    return f"{E(kind).label}: {title}"


def notifications_for(person: Person) -> list[Notification]:
    cursor = (
        NotificationCursor.objects.filter(person=person)
        .values_list("last_seen_event_id", flat=True)
        .first()
        or 0
    )
    events = _events_for(person).select_related("task").order_by("-id")[:200]
    return [Notification(ev.task_id, ev.at, _text(ev), ev.pk <= cursor) for ev in events]


def unread_count(person: Person, unit_ids: Iterable[int] | None = None) -> int:
    cursor = (
        NotificationCursor.objects.filter(person=person)
        .values_list("last_seen_event_id", flat=True)
        .first()
        or 0
    )
    return _events_for(person, unit_ids).filter(pk__gt=cursor).count()


@transaction.atomic
def mark_read(person: Person) -> None:
    last = _events_for(person).aggregate(m=Max("id"))["m"] or 0
    NotificationCursor.objects.update_or_create(
        person=person, defaults={"last_seen_event_id": last}
    )
