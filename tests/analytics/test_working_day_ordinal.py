from __future__ import annotations

from datetime import UTC, datetime

import polars as pl

from congvu_analytics.detect._common import due_ordinal, working_day_ordinal
from congvu_analytics.workdays import WorkCalendar


def test_ordinal_differences_are_the_calendars_working_days() -> None:
    cal = WorkCalendar()
    # Around Tết 2025 (27/1-31/1 off), the 30/4-1/5 holidays, the 2/5 swap and the 26/4 make-up
    # Saturday; 17:30 UTC is already the next day in Vietnam.
    instants = [
        datetime(2025, 1, 24, 3, tzinfo=UTC),
        datetime(2025, 2, 3, 3, tzinfo=UTC),
        datetime(2025, 4, 25, 3, tzinfo=UTC),
        datetime(2025, 4, 26, 3, tzinfo=UTC),
        datetime(2025, 5, 5, 17, 30, tzinfo=UTC),
    ]
    frame = pl.DataFrame({"t": instants}).select(working_day_ordinal(pl.col("t"), cal).alias("wd"))
    wd = frame["wd"].to_list()
    for i in range(len(instants) - 1):
        assert wd[i + 1] - wd[i] == cal.working_days_between(instants[i], instants[i + 1])


def test_a_deadline_on_a_day_off_moves_to_the_next_working_day() -> None:
    cal = WorkCalendar()
    saturday = datetime(2025, 3, 8, 3, tzinfo=UTC)
    monday = datetime(2025, 3, 10, 3, tzinfo=UTC)
    frame = pl.DataFrame({"due": [saturday], "done": [monday]}).select(
        due_ordinal(pl.col("due"), cal).alias("due"),
        working_day_ordinal(pl.col("done"), cal).alias("done"),
    )
    assert frame["done"].item() - frame["due"].item() == 0  # done on Monday is on time
