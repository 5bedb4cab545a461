"""The province's working-day calendar: the `holidays` package plus the adjustment table.

`get_calendar()` is what every deadline computation calls. The calendar is cached in-process
and rebuilt when the adjustment table changes (a cheap fingerprint query per call).
"""

from __future__ import annotations

import threading
from datetime import date, datetime

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
        rows = CalendarAdjustment.objects.values_list("day", "is_working_day", "reason")
        cal = build_calendar(rows)
        _cached = (key, cal)
        return cal


def add_working_days(start: date | datetime, n: int) -> date:
    return get_calendar().add_working_days(start, n)


def working_days_between(start: date | datetime, end: date | datetime) -> int:
    return get_calendar().working_days_between(start, end)
