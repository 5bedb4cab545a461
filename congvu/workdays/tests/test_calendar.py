"""The working-day calendar on real 2024–2026 dates (Labour Code 2019 Art. 112, PM swap
decisions, Civil Code 2015 Art. 147–148 counting)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from congvu.workdays.calendar import add_working_days, get_calendar, working_days_between
from congvu.workdays.models import CalendarAdjustment
from congvu_analytics.workdays import WorkCalendar

VN = ZoneInfo("Asia/Ho_Chi_Minh")
cal = WorkCalendar()


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2024, 1, 1), False),  # Tết Dương lịch
        (date(2024, 2, 8), False),  # Tết Giáp Thìn: 8/2–14/2/2024
        (date(2024, 2, 14), False),
        (date(2024, 2, 15), True),
        (date(2024, 4, 18), False),  # Giỗ Tổ 10/3 âm lịch
        (date(2024, 4, 29), False),  # swapped day off (work Sat 4/5/2024)
        (date(2024, 5, 4), True),  # make-up Saturday
        (date(2024, 9, 2), False),
        (date(2024, 9, 3), False),
        (date(2025, 1, 27), False),  # Tết Ất Tỵ 25/1–2/2/2025
        (date(2025, 1, 31), False),
        (date(2025, 2, 3), True),
        (date(2025, 4, 7), False),  # Giỗ Tổ 2025
        (date(2025, 4, 26), True),  # make-up Saturday for Fri 2/5
        (date(2025, 5, 2), False),
        (date(2025, 9, 1), False),
        (date(2025, 9, 2), False),
        (date(2026, 2, 16), False),  # Tết Bính Ngọ 14/2–22/2/2026
        (date(2026, 2, 20), False),
        (date(2026, 2, 23), True),
        (date(2026, 4, 26), False),  # Giỗ Tổ on a Sunday...
        (date(2026, 4, 27), False),  # ...observed on Monday
        (date(2026, 4, 30), False),
        (date(2026, 5, 1), False),
        (date(2026, 3, 7), False),  # an ordinary Saturday
        (date(2026, 3, 9), True),  # an ordinary Monday
    ],
)
def test_it_knows_vietnamese_days_off(day, working):
    assert cal.is_working_day(day) is working


def test_the_first_day_is_not_counted():
    # Assigned Monday 9/3/2026, 1 working day: due end of Tuesday.
    assert cal.add_working_days(date(2026, 3, 9), 1) == date(2026, 3, 10)
    assert cal.add_working_days(date(2026, 3, 9), 5) == date(2026, 3, 16)


def test_it_skips_tet_2026():
    # Thursday 12/2/2026 + 3 working days: Fri 13/2, then Tết until Sun 22/2, Mon 23/2, Tue 24/2.
    assert cal.add_working_days(date(2026, 2, 12), 3) == date(2026, 2, 24)


def test_it_counts_the_make_up_saturday_of_2025():
    # Friday 25/4/2025 + 1 = Saturday 26/4 (a working day by swap).
    assert cal.add_working_days(date(2025, 4, 25), 1) == date(2025, 4, 26)
    # ...and Fri 2/5 is off: Tue 29/4 + 1 = Mon 5/5 (30/4, 1/5 holidays, 2/5 swapped off).
    assert cal.add_working_days(date(2025, 4, 29), 1) == date(2025, 5, 5)


def test_a_period_starting_on_a_day_off_counts_from_the_next_working_day():
    # Assigned on Sunday 8/3/2026: Mon 9/3 is day 1.
    assert cal.add_working_days(date(2026, 3, 8), 1) == date(2026, 3, 9)


def test_a_deadline_on_a_day_off_ends_at_the_end_of_the_next_working_day():
    end = cal.deadline_end(date(2026, 9, 2))  # Quốc khánh, Wednesday
    assert end == datetime(2026, 9, 3, 23, 59, 59, tzinfo=VN)
    assert cal.deadline_end(date(2026, 3, 7)).date() == date(2026, 3, 9)  # Saturday -> Monday


def test_counting_between_two_instants_is_the_inverse_of_adding():
    start = date(2024, 12, 20)
    for n in (1, 5, 10, 22, 60, 250):
        assert cal.working_days_between(start, cal.add_working_days(start, n)) == n


def test_it_counts_working_days_in_whole_years():
    def year(y):
        return cal.working_days_between(date(y - 1, 12, 31), date(y, 12, 31))

    # 2025: 261 weekdays - 11 weekday holidays (1/1, 27–31/1, 7/4, 30/4, 1/5, 2/5, 1/9, 2/9 = 12)
    # + 1 make-up Saturday = 250.
    assert year(2025) == 250
    assert year(2024) == 251


def test_instants_are_read_in_vietnam_time():
    # 17:30 UTC on Friday 13/3/2026 is already Saturday 00:30 in Hà Nội.
    fri_evening_utc = datetime(2026, 3, 13, 17, 30, tzinfo=ZoneInfo("UTC"))
    mon = datetime(2026, 3, 16, 9, 0, tzinfo=VN)
    assert cal.working_days_between(fri_evening_utc, mon) == 1


def test_naive_instants_are_refused():
    with pytest.raises(ValueError, match="múi giờ"):
        cal.working_days_between(datetime(2026, 3, 9, 8, 0), date(2026, 3, 10))


def test_negative_periods_count_backwards():
    # Two working days before Monday 23/2/2026 (after Tết): Thu 12/2? No: Fri 13/2 and Thu 12/2.
    assert cal.add_working_days(date(2026, 2, 23), -2) == date(2026, 2, 12)


def test_dates_outside_the_precomputed_span_still_work():
    far = WorkCalendar(first_year=2025, last_year=2025)
    assert far.add_working_days(date(2030, 1, 4), 1) == date(2030, 1, 7)
    assert far.working_days_between(date(2024, 12, 31), date(2025, 1, 2)) == 1


@pytest.mark.django_db
def test_the_adjustment_table_wins_over_the_package():
    # The package lists 24/11/2026 as "Ngày Văn hóa Việt Nam"; a province that has not received
    # the decision marks it as a working day, and declares Friday 27/11 off.
    assert not get_calendar().is_working_day(date(2026, 11, 24))
    CalendarAdjustment.objects.create(
        day=date(2026, 11, 24), is_working_day=True, reason="Chưa ban hành"
    )
    CalendarAdjustment.objects.create(
        day=date(2026, 11, 27), is_working_day=False, reason="Nghỉ bù"
    )
    assert get_calendar().is_working_day(date(2026, 11, 24))
    assert add_working_days(date(2026, 11, 26), 1) == date(2026, 11, 30)
    assert working_days_between(date(2026, 11, 23), date(2026, 11, 30)) == 4
    assert get_calendar().describe(date(2026, 11, 27)).reason == "Nghỉ bù"


@pytest.mark.django_db
def test_the_new_year_2026_swap_is_seeded():
    """Văn bản 12729/VPCP-KGVX: off Friday 2/1/2026, work Saturday 10/1/2026 (data
    migration 0002; the package knows swaps only up to 2024)."""
    rows = dict(CalendarAdjustment.objects.values_list("day", "decision_ref"))
    assert rows[date(2026, 1, 2)] == rows[date(2026, 1, 10)] == "12729/VPCP-KGVX"
    c = get_calendar()
    assert not c.is_working_day(date(2026, 1, 2)) and c.is_working_day(date(2026, 1, 10))
    # Wednesday 31/12/2025 + 1 working day → Monday 5/1/2026 (1/1 holiday, 2/1 swapped).
    assert add_working_days(date(2025, 12, 31), 1) == date(2026, 1, 5)


@pytest.mark.django_db
def test_a_saturday_deadline_is_overdue_only_after_the_next_working_day():
    from congvu.workdays.calendar import due_day, overdue_cutoff

    assert due_day(date(2026, 3, 7)) == date(2026, 3, 9)
    assert overdue_cutoff(date(2026, 3, 9)) == date(2026, 3, 6)  # Saturday 7/3 not overdue
    assert overdue_cutoff(date(2026, 3, 10)) == date(2026, 3, 9)
