"""Reading tasks for the web pages: scope, search and the numbers shown next to a task."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db.models import QuerySet

from congvu.lib.text import fold
from congvu.org.models import today
from congvu.org.permissions import Access
from congvu.tasks.models import CLOSED, Task
from congvu.workdays.calendar import get_calendar
from congvu_analytics.workdays import WorkCalendar


def visible_tasks(access: Access) -> QuerySet[Task]:
    """Every task this person may read (the same rule as congvu.tasks.actions.can_see_task).

    The rule is an OR of five conditions. Written as one WHERE clause, PostgreSQL can only
    answer it with a sequential scan of the whole task table (125 ms at 500,000 tasks), so
    each condition is its own indexed lookup and the task ids are their UNION (~20 ms)."""
    if access.is_superuser:
        return Task.objects.all()
    units = access.read_unit_ids
    ids = Task.objects.order_by()
    parts = [
        ids.filter(lead_unit_id__in=units).values("pk"),
        ids.filter(assigner_unit_id__in=units).values("pk"),
        ids.filter(coordinations__unit_id__in=units).values("pk"),
    ]
    if access.person_id is not None:
        parts.append(ids.filter(lead_person_id=access.person_id).values("pk"))
        parts.append(ids.filter(assigner_id=access.person_id).values("pk"))
    return Task.objects.filter(pk__in=parts[0].union(*parts[1:]))


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
