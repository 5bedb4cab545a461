"""Reading tasks for the web pages: scope, search and the numbers shown next to a task."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db.models import Q, QuerySet

from congvu.lib.text import fold
from congvu.org.models import today
from congvu.org.permissions import Access
from congvu.tasks.models import CLOSED, Task
from congvu.workdays.calendar import get_calendar
from congvu_analytics.workdays import WorkCalendar


def visible_tasks(access: Access) -> QuerySet[Task]:
    """Every task this person may read (the same rule as congvu.tasks.actions.can_see_task)."""
    if access.is_superuser:
        return Task.objects.all()
    q = Q(lead_unit_id__in=access.read_unit_ids) | Q(assigner_unit_id__in=access.read_unit_ids)
    if access.person_id is not None:
        q |= Q(lead_person_id=access.person_id) | Q(assigner_id=access.person_id)
    coordinated = Task.objects.filter(coordinations__unit_id__in=access.read_unit_ids).values("pk")
    return Task.objects.filter(q | Q(pk__in=coordinated))


def with_names(tasks: QuerySet[Task]) -> QuerySet[Task]:
    return tasks.select_related("lead_unit", "lead_person", "assigner", "assigner_unit")


def search_tasks(access: Access, query: str) -> list[Task]:
    """Tasks whose title, document number, issuer, excerpt or expected result contain `query`,
    accents ignored (the folded Task.search_text column; no unaccent() needed)."""
    needle = fold(query)
    matching = visible_tasks(access).filter(search_text__contains=needle).values("pk")
    return list(with_names(Task.objects.filter(pk__in=matching)).order_by("-assigned_at", "-pk"))


@dataclass(frozen=True)
class Countdown:
    """Working days left until a deadline (negative once overdue)."""

    days: int
    overdue: bool

    @property
    def late_days(self) -> int:
        return -self.days

    @property
    def css(self) -> str:
        if self.overdue:
            return "bad"
        return "warn" if self.days <= 2 else "ok"


def countdown(
    deadline: date, day: date | None = None, cal: WorkCalendar | None = None
) -> Countdown:
    day = day or today()
    cal = cal or get_calendar()
    if deadline >= day:
        return Countdown(cal.working_days_between(day, deadline), False)
    return Countdown(-cal.working_days_between(deadline, day), True)


def with_countdowns(tasks: Iterable[Task], day: date | None = None) -> list[Task]:
    """Set `.cd` (a Countdown, None once closed) on each task; one calendar look-up in all."""
    day = day or today()
    cal = get_calendar()
    out = list(tasks)
    for t in out:
        t.cd = countdown(t.deadline, day, cal) if t.status not in CLOSED else None  # type: ignore[attr-defined]
    return out
