"""Reading tasks for the web pages: scope, search and the numbers shown next to a task."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from django.db.models import QuerySet

from congvu.org.models import today
from congvu.org.permissions import Access
from congvu.tasks.models import CLOSED, Task
from congvu.tasks.visibility import Reader, conditions_q, visible_q
from congvu.workdays.calendar import get_calendar
from congvu_analytics.workdays import WorkCalendar


def visible_tasks(access: Access) -> QuerySet[Task]:
    """Every task this person may read, as one WHERE clause with an OR of the conditions:
    with an ORDER BY and a LIMIT, PostgreSQL walks the ordering's index and stops at the page
    (a few ms even at 500,000 tasks). Counting it means scanning the table: see
    `count_visible`."""
    if access.sees_everything:
        return Task.objects.all()
    return Task.objects.filter(visible_q(Reader.of(access)))


# Up to this many readable units, counting goes through the union of indexed look-ups.
UNION_COUNT_MAX_UNITS = 50


def count_visible(access: Access, narrow: Callable[[QuerySet[Task]], QuerySet[Task]]) -> int:
    """How many of the tasks `access` reads pass `narrow` (the page's filters).

    A narrow scope (a specialist, a division) counts each condition through its own index and
    unions the ids (~15 ms at 500,000 tasks, against ~130 ms for a scan of the OR); a scope of
    most of the province is cheaper to count by the scan."""
    if access.sees_everything or len(access.read_unit_ids) > UNION_COUNT_MAX_UNITS:
        return narrow(visible_tasks(access)).count()
    parts = [
        Task.objects.order_by().filter(c).values("pk") for c in conditions_q(Reader.of(access))
    ]
    if not parts:
        return 0
    return narrow(Task.objects.filter(pk__in=parts[0].union(*parts[1:]))).count()


def with_names(tasks: QuerySet[Task]) -> QuerySet[Task]:
    return tasks.select_related("lead_unit", "lead_person", "assigner", "assigner_unit")


def search_tasks(access: Access, query: str) -> QuerySet[Task]:
    """Tasks whose title, document number, issuer, excerpt or expected result contain every
    word of `query` (any order, accents ignored), best match first (congvu.web.search)."""
    from congvu.web.search import ranked

    scope = Task.objects.filter(pk__in=visible_tasks(access).order_by().values("pk"))
    return with_names(ranked(scope, query))


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
