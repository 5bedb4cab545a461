"""Calendar, work week and detection parameters chosen on the command line."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from datetime import UTC, date, datetime

import polars as pl
import pytest

from congvu_analytics.detect import DetectionParams
from congvu_analytics.detect._common import working_day_ordinal
from congvu_analytics.io.errors import LogError
from congvu_analytics.io.params import load_params, params_from_dict, params_to_dict
from congvu_analytics.workdays import make_calendar, parse_workweek

from .test_cli_meaning import analyze, files  # noqa: F401 - the fixture is used by name


def write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def test_a_dutch_calendar_has_dutch_holidays_and_no_vietnamese_ones():
    nl = make_calendar("NL", years=(2011, 2011))
    assert not nl.is_working_day(date(2011, 4, 25))  # Easter Monday
    assert nl.is_working_day(date(2011, 4, 12))  # Hùng Kings' day in Vietnam that year
    assert not make_calendar("vn").is_working_day(date(2011, 4, 12))


def test_calendar_none_counts_every_day_and_a_work_week_can_be_declared():
    every = make_calendar("none", years=(2024, 2024))
    assert every.working_days_between(date(2024, 1, 1), date(2024, 1, 31)) == 30
    six = make_calendar("vn", workweek="mon-sat", years=(2024, 2024))
    assert six.is_working_day(date(2024, 3, 9))  # a Saturday
    assert parse_workweek("sun-thu") == {6, 0, 1, 2, 3}
    assert parse_workweek("t2-t6") == {0, 1, 2, 3, 4}


def test_an_unknown_calendar_or_work_week_is_refused_in_vietnamese():
    with pytest.raises(ValueError, match="Lịch 'XX' không tồn tại"):
        make_calendar("XX")
    with pytest.raises(ValueError, match="Tuần làm việc không hợp lệ: 'monday-fri'"):
        parse_workweek("monday-fri")


def test_dates_before_2010_are_not_clamped_when_the_calendar_covers_the_log():
    cal = make_calendar("NL", years=(2000, 2001))
    stamps = pl.Series(
        [datetime(2000, 1, 3, 9, tzinfo=UTC), datetime(2000, 2, 14, 9, tzinfo=UTC)]
    ).dt.cast_time_unit("us")
    ordinals = pl.select(working_day_ordinal(pl.lit(stamps), cal)).to_series()
    assert ordinals[1] - ordinals[0] == cal.working_days_between(
        date(2000, 1, 3), date(2000, 2, 14)
    )
    assert ordinals[1] - ordinals[0] == 30


def test_params_file_sets_any_field_and_the_effective_values_are_reported(tmp_path):
    path = write(tmp_path / "p.toml", 'min_cases = 25\nz = 2.5\n[unit_types]\nSO = "so"\n')
    params = load_params(path)
    assert params.min_cases == 25 and params.z == 2.5
    assert params_to_dict(params)["unit_types"] == {"SO": "so"}
    assert params_to_dict(params)["min_hits"] == DetectionParams().min_hits  # default kept


def test_the_relevance_floor_is_set_from_a_params_file(tmp_path):
    assert load_params(write(tmp_path / "p.toml", "relevance_ratio = 2.5\n")).relevance_ratio == 2.5


def test_params_may_sit_under_a_detection_table(tmp_path):
    path = write(tmp_path / "p.toml", "[detection]\nidle_days = 15\n")
    assert load_params(path).idle_days == 15


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("min_case = 5\n", "Tham số không tồn tại: min_case"),
        ("min_cases = -2\n", "min_cases = -2: không được âm"),
        ("min_cases = 2.5\n", "min_cases = 2.5: cần một số nguyên"),
        ("pause_share = 1.5\n", "pause_share = 1.5: là một tỉ lệ"),
        ("z = nan\n", "z = nan: cần một số hữu hạn"),
        ('[unit_levels]\nSO = "cao"\n', "unit_levels.SO = 'cao': cần kiểu int"),
        ("relevance_ratio = 0.5\n", "relevance_ratio = 0.5: cần một số hữu hạn >= 1"),
        ("min_cases = \n", "không phải TOML hợp lệ"),
    ],
)
def test_a_bad_params_file_is_refused_naming_the_key(tmp_path, text, expected):
    path = write(tmp_path / "p.toml", text)
    with pytest.raises(LogError) as info:
        load_params(path)
    assert expected in str(info.value) and str(path) in str(info.value)


def test_the_cli_writes_the_calendar_and_effective_params_to_the_load_report(files):  # noqa: F811
    tmp, log, mapping, units, _people = files
    params = write(tmp / "p.toml", "min_cases = 5\n")
    out = tmp / "out"
    rc = analyze(
        log, "--mapping", mapping, "--units", units, "--params", params,
        "--calendar", "none", "--out", out,
    )  # fmt: skip
    assert rc == 0
    load = json.loads((out / "load_report.json").read_text(encoding="utf-8"))
    assert load["calendar"] == {
        "name": "none", "country": None, "working_weekdays": [0, 1, 2, 3, 4, 5, 6],
        "years": [2025, 2026], "timezone": "Asia/Ho_Chi_Minh",
    }  # fmt: skip
    assert load["params"]["min_cases"] == 5
    # Peers by unit type and tiers from the units table, since the params file does not set them.
    assert load["params"]["unit_types"]["STP"] == "so"
    assert load["params"]["unit_levels"]["UBND"] == 3


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--calendar", "atlantis"], "Lịch 'atlantis' không tồn tại"),
        (["--workweek", "fri-funday"], "Tuần làm việc không hợp lệ"),
        (["--params", "DIR"], "là một thư mục"),
        (["--params", "BAD"], "Tham số không tồn tại: zz"),
    ],
)
def test_bad_settings_exit_2_and_write_nothing(files, capsys, args, expected):  # noqa: F811
    tmp, log, mapping, _units, _people = files
    (tmp / "DIR").mkdir()
    write(tmp / "BAD", "zz = 1\n")
    args = [str(tmp / a) if a in ("DIR", "BAD") else a for a in args]
    out = tmp / "out"
    assert analyze(log, "--mapping", mapping, *args, "--out", out) == 2
    assert not out.exists()
    err = capsys.readouterr().err
    assert err.startswith("Lỗi:") and expected in err


@dataclasses.dataclass(frozen=True)
class OtherParams:
    """A parameters dataclass with the field kinds the detectors' parameters may grow."""

    days: int = 3
    share: float = 0.5
    strict: bool = False
    behaviours: tuple[str, ...] = ("stalling",)
    levels: Mapping[str, int] | None = None


def test_every_field_kind_is_read_and_checked():
    got = params_from_dict(
        {"days": 5, "strict": True, "behaviours": ["fear", "stalling"], "levels": {"SO": 2}},
        cls=OtherParams,
    )
    assert got == OtherParams(5, 0.5, True, ("fear", "stalling"), {"SO": 2})
    with pytest.raises(LogError, match="behaviours = 'fear': cần một danh sách str"):
        params_from_dict({"behaviours": "fear"}, cls=OtherParams)
    with pytest.raises(LogError, match="strict = 1: cần true hoặc false"):
        params_from_dict({"strict": 1}, cls=OtherParams)
