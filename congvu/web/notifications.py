"""Notifications: who is told of each event, written once, for the bell and for e-mail.

Notifications are not stored: they are the sealed events themselves (task events, and the
due-process events of findings), addressed by the two tables below. The bell, the
notifications page and the e-mail job (congvu.notify.mail) all resolve recipients here, so an
event kind told to someone in the app is the same kind mailed to them.

Every task event kind has an entry (a test walks TaskEventType): either the people it asks to
act or tells an outcome, or SILENT with the reason nobody needs telling.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from congvu.org.models import Membership, Person
from congvu.tasks.events import TaskEventType as E
from congvu.tasks.models import Task, TaskEvent
from congvu.web import features
from congvu.web.models import NotificationCursor


class To(Enum):
    """Whom a task event is for, read from the event and its task."""

    TARGET = "target"  # the event's target person (new lead, superior asked, assigner asked…)
    UNIT = "unit"  # every member of the event's target unit (a coordination request)
    ASSIGNER = "assigner"  # the task's assigner
    LEAD = "lead"  # the task's lead person


@dataclass(frozen=True)
class Notice:
    to: tuple[To, ...]
    acts: bool  # True: asks the recipient to act; False: tells an outcome
    mail: str = ""  # the e-mail preference kind (congvu.notify.models.Preference)


def _act(*to: To, mail: str) -> Notice:
    return Notice(to, True, mail)


def _tell(*to: To, mail: str = "outcome") -> Notice:
    return Notice(to, False, mail)


SILENT = Notice((), False)

# Event kind → recipients. Kinds whose target unit is not an addressee (a decline's proposed
# unit, a pause's awaited unit) name the person instead.
RECIPIENTS: dict[E, Notice] = {
    E.ASSIGNED: _act(To.TARGET, mail="new_task"),
    E.ACCEPTED: _tell(To.ASSIGNER),
    E.DECLINED: _act(To.ASSIGNER, mail="decide"),
    E.TRANSFERRED: _act(To.TARGET, mail="new_task"),
    E.RETURNED: _act(To.TARGET, mail="new_task"),
    E.LEAD_REASSIGNED: _act(To.TARGET, mail="new_task"),
    E.PROGRESS_REPORTED: SILENT,  # shown on the task; a message per percent would drown the rest
    E.SUBMITTED: _act(To.ASSIGNER, mail="decide"),
    E.APPROVED: _tell(To.LEAD),
    E.REWORK_REQUESTED: _act(To.TARGET, mail="reminder"),
    E.COMPLETED: _tell(To.LEAD),
    E.CANCELLED: _tell(To.LEAD),
    E.DOCUMENT_ATTACHED: SILENT,  # part of a report or submission, which notifies on its own
    E.COORDINATION_REQUESTED: _act(To.UNIT, mail="coordination"),
    E.COORDINATION_ANSWERED: _tell(To.TARGET),
    E.COORDINATION_DEEMED_AGREED: _tell(To.LEAD),
    E.EXTENSION_REQUESTED: _act(To.TARGET, mail="decide"),
    E.EXTENSION_GRANTED: _tell(To.TARGET),
    E.EXTENSION_REFUSED: _tell(To.TARGET),
    E.PAUSED: _act(To.ASSIGNER, mail="decide"),  # the assigner reviews the pause's reason
    E.RESUMED: _tell(To.ASSIGNER),
    E.REMINDED: _act(To.TARGET, mail="reminder"),
    E.PAUSE_REVIEWED: _tell(To.LEAD),
    E.OPINION_REQUESTED: _act(To.TARGET, mail="opinion"),
    E.OPINION_GIVEN: _tell(To.TARGET),
    E.SUBTASK_CREATED: SILENT,  # the sub-task's own ASSIGNED event tells its lead
}


class FindingTo(Enum):
    EXPLAINER = "explainer"
    REVIEWERS = "reviewers"  # the leaders of the review's reviewer unit
    # The leaders of the review's appeal unit; at the top of the tree, where the competent
    # level is outside the system, Sở Nội vụ (HR), who records its decision.
    APPEAL = "appeal"


# Due-process step of a finding (congvu.detection.review, subject "finding") → recipients.
FINDING_RECIPIENTS: dict[str, tuple[tuple[FindingTo, ...], bool]] = {
    "opened": ((FindingTo.EXPLAINER,), True),
    "explained": ((FindingTo.REVIEWERS,), True),
    "confirmed": ((FindingTo.EXPLAINER,), False),
    "dismissed": ((FindingTo.EXPLAINER,), False),
    "appealed": ((FindingTo.APPEAL,), True),
    "appeal_upheld": ((FindingTo.EXPLAINER,), False),
    "appeal_overturned": ((FindingTo.EXPLAINER,), False),
}
FINDING_MAIL = "finding"


def kinds_to(to: To) -> list[int]:
    return [int(k) for k, n in RECIPIENTS.items() if to in n.to]


def recipients(events: Iterable[TaskEvent]) -> dict[int, set[int]]:
    """Event id → the ids of the people it is for (never its actor): the table above read
    for given events, in a few queries. The e-mail job uses it; the bell's query below is the
    same rule in SQL (a test holds the two together)."""
    events = list(events)
    task_ids = {ev.task_id for ev in events}
    tasks = dict(Task.objects.filter(pk__in=task_ids).values_list("pk", "assigner_id"))
    leads = dict(Task.objects.filter(pk__in=task_ids).values_list("pk", "lead_person_id"))
    unit_ids = {
        ev.target_unit_id
        for ev in events
        if ev.target_unit_id and To.UNIT in RECIPIENTS[E(ev.type)].to
    }
    members: dict[int, set[int]] = {}
    for unit_id, person_id in (
        Membership.objects.current()
        .filter(unit_id__in=unit_ids)
        .values_list("unit_id", "person_id")
    ):
        members.setdefault(unit_id, set()).add(person_id)
    out: dict[int, set[int]] = {}
    for ev in events:
        people: set[int] = set()
        for to in RECIPIENTS[E(ev.type)].to:
            if to is To.TARGET and ev.target_person_id:
                people.add(ev.target_person_id)
            elif to is To.UNIT and ev.target_unit_id:
                people |= members.get(ev.target_unit_id, set())
            elif to is To.ASSIGNER:
                people.add(tasks[ev.task_id])
            elif to is To.LEAD:
                people.add(leads[ev.task_id])
        if ev.actor_id is not None:
            people.discard(ev.actor_id)
        out[ev.pk] = people
    return out


def _leader_unit_ids(person: Person) -> list[int]:
    return Membership.objects.current().leaders().unit_ids_of(person)


def _union(parts: Sequence[QuerySet[Any]], since: datetime | None) -> QuerySet[Any]:
    # A UNION cannot be filtered afterwards: `since` filters every part.
    if since is not None:
        parts = [part.filter(at__gt=since) for part in parts]
    first, *rest = (p.order_by().values("pk", "at") for p in parts)
    return first.union(*rest)


def _task_events_for(
    person: Person, unit_ids: Iterable[int] | None = None, since: datetime | None = None
) -> QuerySet[Any]:
    """The task events addressed to `person` (pk, at), as one UNION of four indexed lookups
    (an OR across the joined task columns makes PostgreSQL scan the whole log)."""
    if unit_ids is None:
        unit_ids = (
            Membership.objects.current().filter(person=person).values_list("unit_id", flat=True)
        )
    # A list, not a subquery: "target_unit_id IN (subquery)" is planned as a sequential scan.
    units = sorted(unit_ids)
    base = TaskEvent.objects.exclude(actor=person)
    parts = [
        base.filter(type__in=kinds_to(To.TARGET), target_person=person),
        base.filter(type__in=kinds_to(To.UNIT), target_unit_id__in=units),
        base.filter(
            type__in=kinds_to(To.ASSIGNER),
            task_id__in=Task.objects.filter(assigner=person).values("pk"),
        ),
        base.filter(
            type__in=kinds_to(To.LEAD),
            task_id__in=Task.objects.filter(lead_person=person).values("pk"),
        ),
    ]
    return _union(parts, since)


def _finding_events_for(person: Person, since: datetime | None = None) -> QuerySet[Any] | None:
    if not features.detection_enabled():
        return None
    from congvu.audit.models import AuditEvent
    from congvu.detection.models import FindingReview
    from congvu.org.models import RoleGrant

    leads = _leader_unit_ids(person)
    is_hr = RoleGrant.objects.current().filter(person=person, role=RoleGrant.Role.HR).exists()

    def kinds(to: FindingTo) -> list[str]:
        return [k for k, (who, _acts) in FINDING_RECIPIENTS.items() if to in who]

    reviews = FindingReview.objects.values("pk")
    base = AuditEvent.objects.filter(subject="finding").exclude(actor=person)
    parts = [
        base.filter(
            kind__in=kinds(FindingTo.EXPLAINER),
            subject_id__in=reviews.filter(explainer=person),
        ),
        base.filter(
            kind__in=kinds(FindingTo.REVIEWERS),
            subject_id__in=reviews.filter(reviewer_unit_id__in=leads),
        ),
        base.filter(
            kind__in=kinds(FindingTo.APPEAL),
            subject_id__in=reviews.filter(appeal_unit_id__in=leads),
        ),
    ]
    if is_hr:
        parts.append(
            base.filter(
                kind__in=kinds(FindingTo.APPEAL),
                subject_id__in=reviews.filter(appeal_unit__isnull=True),
            )
        )
    return _union(parts, since)


@dataclass(frozen=True)
class Notification:
    at: datetime
    text: str
    url: str
    read: bool
    acts: bool
    task_id: int | None = None
    event_id: int | None = None  # the task event's id (None for a finding's step)


def _task_text(ev: TaskEvent) -> str:
    title = ev.task.title
    kind = ev.type
    if kind == E.ASSIGNED:
        text = _("Nhiệm vụ mới: %(t)s") % {"t": title}
    elif kind == E.COORDINATION_REQUESTED:
        text = _("Đề nghị phối hợp: %(t)s") % {"t": title}
    elif kind == E.REMINDED:
        text = _("Đôn đốc: %(t)s") % {"t": title}
    elif kind == E.OPINION_REQUESTED:
        text = _("Xin ý kiến: %(t)s") % {"t": title}
    else:
        text = f"{_(E(kind).label)}: {title}"
    if ev.actor is not None:
        text += f" — {ev.actor.full_name}"
    return text


FINDING_TEXT = {
    "opened": gettext_noop("Phát hiện cần giải trình"),
    "explained": gettext_noop("Giải trình chờ xem xét"),
    "confirmed": gettext_noop("Phát hiện được xác nhận"),
    "dismissed": gettext_noop("Phát hiện bị bác bỏ"),
    "appealed": gettext_noop("Khiếu nại chờ giải quyết"),
    "appeal_upheld": gettext_noop("Khiếu nại: giữ nguyên"),
    "appeal_overturned": gettext_noop("Khiếu nại: hủy phát hiện"),
}


def _seen_at(person: Person) -> datetime | None:
    return (
        NotificationCursor.objects.filter(person=person)
        .values_list("last_seen_at", flat=True)
        .first()
    )


def notifications_for(
    person: Person, limit: int = 200, since: datetime | None = None
) -> list[Notification]:
    """The newest notifications of `person`, newest first (by the events' time)."""
    seen = _seen_at(person)
    task_rows = list(_task_events_for(person, since=since).order_by("-at", "-pk")[:limit])
    events = TaskEvent.objects.select_related("task", "actor").in_bulk([r["pk"] for r in task_rows])
    out = [
        Notification(
            ev.at,
            _task_text(ev),
            reverse("web:task", args=[ev.task_id]),
            seen is not None and ev.at <= seen,
            RECIPIENTS[E(ev.type)].acts,
            ev.task_id,
            ev.pk,
        )
        for ev in (events[r["pk"]] for r in task_rows)
    ]
    finding_rows = _finding_events_for(person, since)
    if finding_rows is not None:
        from congvu.audit.models import AuditEvent
        from congvu.detection.models import FindingReview

        frows = list(finding_rows.order_by("-at", "-pk")[:limit])
        fevents = AuditEvent.objects.select_related("actor").in_bulk([r["pk"] for r in frows])
        reviews = FindingReview.objects.select_related("finding").in_bulk(
            {ev.subject_id for ev in fevents.values()}
        )
        for r in frows:
            ev = fevents[r["pk"]]
            review = reviews[ev.subject_id]
            text = f"{_(FINDING_TEXT[ev.kind])}: {review.finding.get_behaviour_display()}"
            out.append(
                Notification(
                    ev.at,
                    text,
                    reverse("web:finding", args=[review.finding_id]),
                    seen is not None and ev.at <= seen,
                    FINDING_RECIPIENTS[ev.kind][1],
                )
            )
    out.sort(key=lambda n: n.at, reverse=True)
    return out[:limit]


def unread_count(person: Person, unit_ids: Iterable[int] | None = None) -> int:
    seen = _seen_at(person)
    findings = _finding_events_for(person, seen)
    n = _task_events_for(person, unit_ids, seen).count()
    return n + (findings.count() if findings is not None else 0)


@transaction.atomic
def mark_read(person: Person, at: datetime | None = None) -> None:
    NotificationCursor.objects.update_or_create(
        person=person, defaults={"last_seen_at": at or timezone.now()}
    )
