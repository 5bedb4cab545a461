"""Derived and optional columns in [columns]: constants, concatenation, lookup tables, case
attributes (a deadline written once per case) and columns some exports lack."""

from __future__ import annotations

from datetime import UTC, datetime

import polars as pl
import pytest

from congvu_analytics import schema as s
from congvu_analytics.io.errors import MappingError
from congvu_analytics.io.loader import load_log
from congvu_analytics.io.mapping import load_mapping

LOG = """so_hs,nam,buoc,ngay,nguoi,phong,han_hs
12,2024,Nhận,2024-03-04,an,mc,
12,2024,Xử lý,2024-03-05,binh,dc,2024-03-20
12,2024,Xong,2024-03-25,binh,dc,
12,2025,Nhận,2025-01-06,an,mc,
"""

BASE = """
[timestamps]
format = "%Y-%m-%d"
timezone = "Europe/Amsterdam"

[activities]
"Nhận" = "accept"
"Xử lý" = "work"
"Xong" = "complete"
"""

COLUMNS = """
[columns]
case = { concat = ["nam", "so_hs"], sep = "/" }
activity = "buoc"
timestamp = "ngay"
actor = "nguoi"
unit = { column = "phong", lookup = { mc = "Một cửa", dc = "Địa chính" } }
target_unit = { value = "UBND" }
due = { column = "han_hs", case_attribute = true }
reason_text = { column = "ghi_chu", optional = true }
"""


def load(tmp_path, columns=COLUMNS, log=LOG):
    (tmp_path / "log.csv").write_text(log, encoding="utf-8")
    (tmp_path / "m.toml").write_text(columns + BASE, encoding="utf-8")
    return load_log(tmp_path / "log.csv", load_mapping(tmp_path / "m.toml"))


def test_case_ids_can_be_concatenated_from_several_columns(tmp_path):
    events = load(tmp_path).events
    assert sorted(set(events.get_column(s.CASE_ID).to_list())) == ["2024/12", "2025/12"]


def test_a_lookup_table_translates_values_and_a_constant_fills_a_role(tmp_path):
    events = load(tmp_path).events.filter(pl.col(s.CASE_ID) == "2024/12")
    assert events.get_column(s.UNIT).to_list() == ["Một cửa", "Địa chính", "Địa chính"]
    assert set(events.get_column(s.TARGET_UNIT).to_list()) == {"UBND"}


def test_a_deadline_given_once_per_case_applies_to_every_event_of_the_case(tmp_path):
    events = load(tmp_path).events
    due_2024 = events.filter(pl.col(s.CASE_ID) == "2024/12").get_column(s.DUE).to_list()
    assert due_2024 == [datetime(2024, 3, 19, 23, tzinfo=UTC)] * 3  # local midnight, Amsterdam
    assert events.filter(pl.col(s.CASE_ID) == "2025/12").get_column(s.DUE).to_list() == [None]


def test_an_optional_column_missing_from_the_file_leaves_its_role_empty_and_says_so(tmp_path):
    loaded = load(tmp_path)
    assert loaded.events.get_column(s.REASON_TEXT).null_count() == loaded.events.height
    assert "Tệp không có cột tùy chọn 'ghi_chu': vai trò reason_text để trống." in (
        loaded.report.warnings()
    )


def test_an_optional_column_present_in_the_file_is_read(tmp_path):
    log = LOG.replace("han_hs\n", "han_hs,ghi_chu\n", 1).replace("\n12", ",x\n12").rstrip() + ",\n"
    loaded = load(tmp_path, log=log)
    assert loaded.events.get_column(s.REASON_TEXT).drop_nulls().to_list() == ["x", "x", "x"]
    assert loaded.report.notes == []


def test_a_required_column_missing_is_still_an_error_naming_it(tmp_path):
    columns = COLUMNS.replace('actor = "nguoi"', 'actor = "can_bo"')
    with pytest.raises(MappingError, match="'can_bo'"):
        load(tmp_path, columns=columns)


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ('unit = { column = "phong", map = {} }', "[columns] unit: khóa không được hỗ trợ map"),
        ('unit = { column = "phong", value = "x" }', "cần đúng một trong column, value, concat"),
        ('unit = { concat = "phong" }', "concat phải là danh sách tên cột"),
        ('unit = { value = "x", lookup = { a = "b" } }', "lookup cần 'column'"),
        ("unit = 3", "[columns] unit: cần tên cột hoặc một bảng"),
    ],
)
def test_a_malformed_column_entry_is_refused_naming_the_role(tmp_path, entry, expected):
    columns = COLUMNS.replace(
        'unit = { column = "phong", lookup = { mc = "Một cửa", dc = "Địa chính" } }', entry
    )
    (tmp_path / "m.toml").write_text(columns + BASE, encoding="utf-8")
    with pytest.raises(MappingError) as info:
        load_mapping(tmp_path / "m.toml")
    assert expected in str(info.value) and "m.toml" in str(info.value)


def test_a_log_without_people_or_units_says_why_nothing_can_be_found(tmp_path):
    columns = '[columns]\ncase = "so_hs"\nactivity = "buoc"\ntimestamp = "ngay"\n'
    loaded = load(tmp_path, columns=columns)
    assert any("không thể đánh giá ai" in w for w in loaded.report.warnings())


def test_a_log_with_units_but_no_people_says_only_units_can_be_assessed(tmp_path):
    columns = '[columns]\ncase = "so_hs"\nactivity = "buoc"\ntimestamp = "ngay"\nunit = "phong"\n'
    warnings = load(tmp_path, columns=columns).report.warnings()
    assert any("chỉ đánh giá được đơn vị" in w for w in warnings)
    assert not any("không thể đánh giá ai" in w for w in warnings)
