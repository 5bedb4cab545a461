"""The province's working-day calendar: the `holidays` package plus the adjustment table.

`get_calendar()` is what every deadline computation calls. The calendar is cached in-process
and rebuilt when the adjustment table changes (a cheap fingerprint query per call).
"""

from __future__ import annotations

import threading
from datetime import date, datetime, timedelta

from django.db import connection

from congvu.workdays.models import CalendarAdjustment
from congvu_analytics.workdays import WorkCalendar, build_calendar

_lock = threading.Lock()
_cached: tuple[tuple[object, ...], WorkCalendar] | None = None


def _fingerprint() -> tuple[object, ...]:
    # Plain SQL (compared for equality only, whatever type the backend returns): it runs on
    # every deadline computation.
    table = CalendarAdjustment._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*), MAX(updated_at) FROM {table}")  # noqa: S608 - table name from model metadata
        row = cursor.fetchone()
    return tuple(row)


def get_calendar() -> WorkCalendar:
    global _cached  # noqa: PLW0603 - a process-wide cache is the point
    key = _fingerprint()
    cached = _cached
    if cached is not None and cached[0] == key:
        return cached[1]
    with _lock:
        rows = CalendarAdjustment.objects.in_force().values_list("day", "is_working_day", "reason")
        cal = build_calendar(rows)
        _cached = (key, cal)
        return cal


def add_working_days(start: date | datetime, n: int) -> date:
    return get_calendar().add_working_days(start, n)


def working_days_between(start: date | datetime, end: date | datetime) -> int:
    return get_calendar().working_days_between(start, end)


def due_day(deadline: date) -> date:
    """The last day of a time limit ending on `deadline`: the deadline itself, or the next
    working day when it falls on a day off (Civil Code 2015 Art. 148)."""
    return get_calendar().next_working_day(deadline)


def overdue_cutoff(day: date) -> date:
    """Work whose deadline is on or before this date is overdue on `day`: the last working day
    before `day`. A deadline on Saturday is not overdue on Monday (it ends with Monday), only
    from Tuesday: `due_day(deadline) < day` ⟺ `deadline <= overdue_cutoff(day)`."""
    cal = get_calendar()
    d = day - timedelta(days=1)
    while not cal.is_working_day(d):
        d -= timedelta(days=1)
    return d
