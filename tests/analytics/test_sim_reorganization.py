"""The test province's optional reorganisation (``SimConfig.reorganized``): merged divisions
hand every open case to their successor on the effective day and leave the log; the province
is otherwise the one the seed gives."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import polars as pl
import pytest

from congvu_analytics.sim import Province, generate
from congvu_analytics.sim.export import events_export, readme

ACT = pl.col("activity")


@pytest.fixture(scope="module")
def plain() -> Province:
    return generate(5, "tiny", tasks=3_000)


@pytest.fixture(scope="module")
def merged() -> Province:
    return generate(5, "tiny", tasks=3_000, reorganized=6)


def _effective(province: Province) -> datetime:
    last = province.org.units.filter(pl.col("successor").is_not_null())["valid_to"].max()
    assert isinstance(last, type(datetime.now().date()))
    day = last + timedelta(days=1)
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def test_the_option_off_gives_the_province_the_seed_always_gave(plain: Province) -> None:
    again = generate(5, "tiny", tasks=3_000, reorganized=0)
    assert again.events.equals(plain.events)
    assert not plain.truth_people["groups"].list.contains("reorganised").any()


def test_merged_divisions_hand_every_open_case_to_their_successor_and_leave_the_log(
    merged: Province,
) -> None:
    units = merged.org.units.filter(pl.col("successor").is_not_null())
    assert units.height == 6
    successor = dict(units.select("unit", "successor").iter_rows())
    effective = _effective(merged)
    e = merged.events
    # Nothing names a merged division once the day has begun, but its hand-overs at 07:30.
    later = e.filter(
        (pl.col("timestamp") >= effective)
        & (pl.col("unit").is_in(list(successor)) | pl.col("target_unit").is_in(list(successor)))
    )
    assert later.filter(pl.col("reason_code") != "reorganization").height == 0
    moves = e.filter(pl.col("reason_code") == "reorganization")
    assert moves.height > 0 and (moves["activity"] == "transfer").all()
    assert all(successor[u] == t for u, t in moves.select("unit", "target_unit").iter_rows())
    # The holder moves with the case; the people of merged divisions belong to the successor.
    assert (moves["actor"] == moves["target_actor"]).all()
    people = merged.org.people
    assert people.filter(pl.col("unit").is_in(list(successor))).height == 0
    group = merged.truth_people.filter(pl.col("groups").list.contains("reorganised"))["person"]
    assert set(moves["actor"]) <= set(group)


def test_before_the_effective_day_the_log_is_the_seeds_own(
    plain: Province, merged: Province
) -> None:
    effective = _effective(merged)
    before = [p.events.filter(pl.col("timestamp") < effective) for p in (plain, merged)]
    assert before[0].equals(before[1])


def test_the_export_writes_the_source_reason_or_none() -> None:
    named = generate(5, "tiny", tasks=3_000, reorganized=6)
    codes = events_export(named).filter(pl.col("ma_thao_tac").is_not_null())
    assert "sap_xep_to_chuc" in codes["ma_ly_do"].to_list()
    assert "sap_xep_to_chuc" in readme(named)
    blank = generate(5, "tiny", tasks=3_000, reorganized=6, reorg_blank=True)
    assert blank.events.filter(pl.col("reason_code") == "reorganization").height == 0
    assert (
        blank.events.filter(pl.col("event_id").str.ends_with("-R01"))["reason_code"].null_count()
        == blank.events.filter(pl.col("event_id").str.ends_with("-R01")).height
    )
