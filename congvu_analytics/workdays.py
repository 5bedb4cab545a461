"""Vietnamese working-day calendar.

Working days are Monday to Friday minus the public holidays of the Labour Code 2019 Art. 112
(lunar ones included) as computed by the ``holidays`` package, then adjusted by a table of
yearly decisions that the package may not know yet: extra days off (a swapped Friday, a new
holiday) and make-up working days (a swapped Saturday), or a holiday the province does not
observe. The adjustments always win over the package, so an administrator can correct the
calendar without waiting for a package release.

Counting follows the Civil Code 2015 Art. 147-148: the day on which the period starts is not
counted, and a period whose last day is a day off ends at the end of the next working day.

This module is pure (no Django); the web app builds a :class:`WorkCalendar` from its table of
adjustments, and the analytics engine uses the same object on plain files.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays

VN_ZONE = "Asia/Ho_Chi_Minh"
VN_TZ = ZoneInfo(VN_ZONE)

# The calendar is materialised for this span; dates outside it still work (computed lazily
# year by year), the span only bounds the precomputed sorted lists used for fast counting.
_DEFAULT_FIRST_YEAR = 2010
_DEFAULT_LAST_YEAR = 2035


@dataclass(frozen=True)
class DayInfo:
    day: date
    working: bool
    reason: str


@dataclass
class WorkCalendar:
    """A working-day calendar.

    Args:
        overrides: date -> True (a working day, e.g. a make-up Saturday) or False (a day off),
            with precedence over the weekend rule and the ``holidays`` package.
        override_reasons: optional date -> text shown to users ("Nghỉ bù ...", "Làm bù ...").
        first_year, last_year: the span precomputed for fast counting.

    Examples:
        >>> cal = WorkCalendar()
        >>> cal.add_working_days(date(2025, 4, 25), 3)  # Fri; Sat 26/4 is a make-up day
        datetime.date(2025, 4, 29)
        >>> cal.is_working_day(date(2025, 5, 2))  # swapped day off
        False
    """

    overrides: Mapping[date, bool] = field(default_factory=dict)
    override_reasons: Mapping[date, str] = field(default_factory=dict)
    first_year: int = _DEFAULT_FIRST_YEAR
    last_year: int = _DEFAULT_LAST_YEAR
    # Public holidays of this country (a code the ``holidays`` package knows); None: none.
    country: str | None = "VN"
    # Days of the week (0 = Monday) that are not working days.
    weekend: frozenset[int] = frozenset({5, 6})
    # The zone whose local dates are the working days: an instant is a day of this zone
    # (a Dutch log's 23:30 UTC is already the next day in Amsterdam).
    timezone: str = VN_ZONE

    def __post_init__(self) -> None:
        self._years_loaded: set[int] = set()
        self._package: dict[date, str] = {}
        self._package_workdays: set[date] = set()

    def _ensure_year(self, year: int) -> None:
        if year in self._years_loaded:
            return
        if self.country is None:
            self._years_loaded.add(year)
            return
        language = "vi" if self.country == "VN" else None
        year_holidays = holidays.country_holidays(self.country, years=year, language=language)
        self._package.update(year_holidays.items())
        self._package_workdays |= {
            d for d in getattr(year_holidays, "weekend_workdays", set()) if d.year == year
        }
        self._years_loaded.add(year)

    # --- single days -----------------------------------------------------------------------
    def is_working_day(self, day: date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        self._ensure_year(day.year)
        if day in self._package_workdays:
            return True
        if day.weekday() in self.weekend:
            return False
        return day not in self._package

    def describe(self, day: date) -> DayInfo:
        """Why ``day`` is or is not a working day, in Vietnamese."""
        working = self.is_working_day(day)
        if day in self.overrides:
            reason = self.override_reasons.get(day) or (
                "Ngày làm việc theo quyết định điều chỉnh"
                if working
                else "Ngày nghỉ theo quyết định điều chỉnh"
            )
        elif day in self._package_workdays:
            reason = "Làm bù ngày thứ Bảy"
        elif day in self._package:
            reason = str(self._package.get(day))
        elif day.weekday() in self.weekend:
            reason = "Nghỉ cuối tuần"
        else:
            reason = "Ngày làm việc"
        return DayInfo(day, working, reason)

    def holidays_in(self, year: int) -> list[DayInfo]:
        """Every day of ``year`` that differs from the plain Monday-Friday week."""
        out: list[DayInfo] = []
        day = date(year, 1, 1)
        while day.year == year:
            info = self.describe(day)
            if info.working == (day.weekday() in self.weekend):
                out.append(info)
            day += timedelta(days=1)
        return out

    # --- precomputed span for counting ------------------------------------------------------
    @cached_property
    def _span(self) -> tuple[date, list[date]]:
        start = date(self.first_year, 1, 1)
        end = date(self.last_year, 12, 31)
        days: list[date] = []
        day = start
        while day <= end:
            if self.is_working_day(day):
                days.append(day)
            day += timedelta(days=1)
        return start, days

    @property
    def working_day_list(self) -> list[date]:
        """Sorted working days of the precomputed span (used by the vectorised analytics)."""
        return self._span[1]

    @property
    def non_working_weekdays(self) -> list[date]:
        """Monday-Friday days off in the span: the ``holidays`` list for numpy/polars counting."""
        start, working = self._span
        working_set = set(working)
        end = date(self.last_year, 12, 31)
        out = []
        day = start
        while day <= end:
            if day.weekday() not in self.weekend and day not in working_set:
                out.append(day)
            day += timedelta(days=1)
        return out

    @property
    def working_weekend_days(self) -> list[date]:
        """Saturdays/Sundays that are working days (make-up days) in the span."""
        return [d for d in self.working_day_list if d.weekday() in self.weekend]

    def _in_span(self, day: date) -> bool:
        return self.first_year <= day.year <= self.last_year

    # --- arithmetic -------------------------------------------------------------------------
    def next_working_day(self, day: date) -> date:
        """``day`` itself if it is a working day, else the first working day after it."""
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def add_working_days(self, start: date | datetime, n: int) -> date:
        """The date on which a period of ``n`` working days starting on ``start`` ends.

        The start day is not counted (Civil Code Art. 147), so a task assigned on a Monday with
        a 1-working-day deadline is due at the end of Tuesday. ``n`` = 0 gives the first working
        day on or after ``start``. Negative ``n`` counts backwards (for reminders "2 working days
        before the deadline").
        """
        day = _local_date(start, ZoneInfo(self.timezone))
        if n == 0:
            return self.next_working_day(day)
        if self._in_span(day):
            days = self.working_day_list
            if n > 0:
                idx = bisect.bisect_right(days, day) + n - 1
            else:
                idx = bisect.bisect_left(days, day) + n
            if 0 <= idx < len(days):
                return days[idx]
        step = 1 if n > 0 else -1
        remaining = abs(n)
        while remaining:
            day += timedelta(days=step)
            if self.is_working_day(day):
                remaining -= 1
        return day

    def working_days_between(self, start: date | datetime, end: date | datetime) -> int:
        """Working days after ``start`` up to and including ``end`` (negative if end < start).

        Instants are converted to dates in the calendar's zone first (Vietnam time by default). Equal dates give 0. This is the
        inverse of :meth:`add_working_days`: ``working_days_between(d, add_working_days(d, n))
        == n`` for n >= 1.
        """
        zone = ZoneInfo(self.timezone)
        a, b = _local_date(start, zone), _local_date(end, zone)
        if a == b:
            return 0
        if b < a:
            return -self.working_days_between(b, a)
        if self._in_span(a) and self._in_span(b):
            days = self.working_day_list
            return bisect.bisect_right(days, b) - bisect.bisect_right(days, a)
        count = 0
        day = a
        while day < b:
            day += timedelta(days=1)
            if self.is_working_day(day):
                count += 1
        return count

    def deadline_end(self, day: date) -> datetime:
        """End of the working day ``day`` (rolled to the next working day if it is a day off)."""
        due = self.next_working_day(day)
        return datetime.combine(due, time(23, 59, 59), tzinfo=ZoneInfo(self.timezone))

    def due_after(self, start: date | datetime, n: int) -> datetime:
        """The instant a period of ``n`` working days from ``start`` ends."""
        return self.deadline_end(self.add_working_days(start, n))


def _local_date(value: date | datetime, zone: ZoneInfo = VN_TZ) -> date:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError(
                f"Thời điểm {value.isoformat()} không có múi giờ; cần thời điểm có múi giờ (ví dụ +07:00)."
            )
        return value.astimezone(zone).date()
    return value


def build_calendar(adjustments: Iterable[tuple[date, bool, str]] = ()) -> WorkCalendar:
    """A calendar from (date, is_working_day, reason) adjustments."""
    overrides: dict[date, bool] = {}
    reasons: dict[date, str] = {}
    for day, working, reason in adjustments:
        overrides[day] = working
        if reason:
            reasons[day] = reason
    return WorkCalendar(overrides=overrides, override_reasons=reasons)


_DAY_NAMES = {
    "mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6,
    "t2": 0, "t3": 1, "t4": 2, "t5": 3, "t6": 4, "t7": 5, "cn": 6,
}  # fmt: skip


def parse_workweek(text: str) -> frozenset[int]:
    """Working weekdays from ``mon-fri``, ``sun-thu``, ``mon,tue,thu`` or ``t2-t7``
    (Vietnamese thứ Hai..Chủ nhật); a range may wrap around the week.

    Raises:
        ValueError: a day name that is not known, or no working day at all.
    """
    days: set[int] = set()
    for part in text.lower().replace(" ", "").split(","):
        ends = part.split("-")
        if len(ends) > 2 or not all(e in _DAY_NAMES for e in ends):
            raise ValueError(
                f"Tuần làm việc không hợp lệ: {part!r} (ví dụ: mon-fri, sun-thu, t2-t6, "
                "mon,tue,wed)."
            )
        first, last = _DAY_NAMES[ends[0]], _DAY_NAMES[ends[-1]]
        day = first
        days.add(day)
        while day != last:
            day = (day + 1) % 7
            days.add(day)
    return frozenset(days)


def make_calendar(
    name: str = "vn",
    *,
    workweek: str | None = None,
    years: tuple[int, int] | None = None,
    overrides: Mapping[date, bool] | None = None,
    timezone: str | None = None,
) -> WorkCalendar:
    """The calendar chosen by name, spanning ``years`` so that no date of a log is clamped.

    Args:
        name: ``vn`` (Vietnam, the default), ``none`` (calendar days: every day counts) or a
            country code of the ``holidays`` package (``NL``, ``IT``, ``BE``...).
        workweek: working weekdays (:func:`parse_workweek`); default Monday to Friday, every
            day for ``none``.
        years: the first and last year the calendar must cover (e.g. those of a log).
        overrides: date -> working day or not, above everything else (the app's swaps).
        timezone: the zone whose local dates are the working days (default Vietnam's).

    Raises:
        ValueError: an unknown calendar name, work week or zone (Vietnamese message).
    """
    key = name.strip()
    if key.lower() == "none":
        country = None
        weekend: frozenset[int] = frozenset()
    else:
        country = "VN" if key.lower() == "vn" else key.upper()
        if country not in holidays.list_supported_countries():
            raise ValueError(
                f"Lịch {name!r} không tồn tại: dùng vn, none hoặc mã quốc gia mà gói holidays "
                "hỗ trợ (ví dụ NL, IT, BE, DE, US)."
            )
        weekend = frozenset({5, 6})
    if workweek is not None:
        weekend = frozenset(range(7)) - parse_workweek(workweek)
    first, last = years or (_DEFAULT_FIRST_YEAR, _DEFAULT_LAST_YEAR)
    zone = timezone or VN_ZONE
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"Múi giờ {zone!r} không tồn tại (ví dụ: Europe/Amsterdam).") from exc
    return WorkCalendar(
        overrides=dict(overrides or {}),
        first_year=first,
        last_year=last,
        country=country,
        weekend=weekend,
        timezone=zone,
    )
