"""Mapping onto the canonical schema and validation at the boundary (XES, CSV, Parquet)."""

from __future__ import annotations

from datetime import UTC, datetime

import polars as pl
import pytest

from congvu_analytics import schema as s
from congvu_analytics.io.errors import LogError, MappingError
from congvu_analytics.io.loader import load_log
from congvu_analytics.io.mapping import load_mapping, mapping_from_dict

from .xes_helpers import MAPPING, document, event, small_log, trace, write


def ev(name, ts, **extra):
    extra.setdefault("lifecycle__transition", "")
    extra.setdefault("org__group", "A")
    return event(name, ts, **extra)


@pytest.fixture
def mapping(tmp_path):
    return load_mapping(write(tmp_path / "m.toml", MAPPING))


def test_it_maps_labels_lifecycles_custody_and_level(tmp_path, mapping):
    loaded = load_log(write(tmp_path / "log.xes", small_log()), mapping)
    ev = loaded.events
    assert ev.columns == list(s.SCHEMA)
    c1 = ev.filter(pl.col(s.CASE_ID) == "C1")
    assert c1.get_column(s.ACTIVITY).to_list() == ["transfer", "work", "wait", "complete"]
    assert c1.get_column(s.ACTIVITY_LABEL).to_list()[2] == "Accepted | Wait - User"
    assert c1.get_column(s.REASON_CODE).to_list() == ["queued", None, "wait_user", None]
    assert c1.get_column(s.HOLDER_UNIT).to_list() == ["A", "B 2nd", "A", "A"]
    assert c1.get_column(s.LEVEL).to_list() == [1, 2, 1, 1]
    assert c1.get_column(s.EVENT_ID).to_list() == ["C1#1", "C1#2", "C1#3", "C1#4"]
    assert loaded.report.unknown_labels == {}


def test_it_lists_unknown_labels_with_counts(tmp_path, mapping):
    text = document(
        trace("C1", ev("Mystery", "2012-01-02T09:00:00Z"), ev("Mystery", "2012-01-02T10:00:00Z"))
    )
    loaded = load_log(write(tmp_path / "log.xes", text), mapping)
    assert loaded.report.unknown_labels == {"Mystery": 2}
    assert loaded.events.get_column(s.ACTIVITY).to_list() == ["other", "other"]
    assert "'Mystery': 2" in " ".join(loaded.report.warnings())


def test_strict_mode_makes_unknown_labels_an_error(tmp_path, mapping):
    text = document(trace("C1", ev("Mystery", "2012-01-02T09:00:00Z")))
    with pytest.raises(MappingError, match="Mystery"):
        load_log(write(tmp_path / "log.xes", text), mapping, strict=True)


def test_it_refuses_a_log_missing_a_mapped_column(tmp_path, mapping):
    text = document(
        trace("C1", event("Completed", "2012-01-02T09:00:00Z", lifecycle__transition=""))
    )
    with pytest.raises(MappingError, match="org:group") as info:
        load_log(write(tmp_path / "log.xes", text), mapping)
    assert info.value.column == "org:group"


def test_it_drops_exact_duplicates_and_says_how_many(tmp_path, mapping):
    same = ev("Completed", "2012-01-02T09:00:00Z")
    text = document(
        trace("C1", same, same, same, ev("Completed", "2012-01-02T09:00:00Z", org__group="B"))
    )
    loaded = load_log(write(tmp_path / "log.xes", text), mapping)
    assert loaded.report.duplicates_dropped == 2
    assert loaded.events.height == 2
    assert "Đã loại 2 sự kiện trùng lặp" in loaded.report.warnings()[0]


def test_it_sorts_events_out_of_order_and_counts_them(tmp_path, mapping):
    text = document(
        trace(
            "C1",
            ev("Completed", "2012-01-02T12:00:00Z"),
            event(
                "Queued",
                "2012-01-02T09:00:00Z",
                org__group="A",
                lifecycle__transition="Awaiting Assignment",
            ),
            event(
                "Accepted",
                "2012-01-02T10:00:00Z",
                org__group="A",
                lifecycle__transition="In Progress",
            ),
        )
    )
    loaded = load_log(write(tmp_path / "log.xes", text), mapping)
    assert loaded.report.out_of_order == 1
    assert loaded.events.get_column(s.ACTIVITY).to_list() == ["transfer", "work", "complete"]
    # ids keep the position in the file, so evidence can be found in the source
    assert loaded.events.get_column(s.EVENT_ID).to_list() == ["C1#2", "C1#3", "C1#1"]


def test_it_refuses_a_foreign_log_without_mapping(tmp_path):
    with pytest.raises(MappingError, match="--mapping"):
        load_log(write(tmp_path / "log.xes", small_log()))


def test_it_reads_the_web_apps_xes_export_without_mapping(tmp_path):
    text = document(
        trace(
            "T-1",
            event(
                "assign",
                "2025-03-03T09:00:00+07:00",
                org__resource="lan",
                org__group="Sở A",
                congvu__target_unit="Phòng B",
                congvu__holder_unit="Phòng B",
                congvu__activity_label="Giao việc",
            ),
            event(
                "transfer",
                "2025-03-04T09:00:00+07:00",
                org__resource="minh",
                org__group="Phòng B",
                congvu__target_unit="Phòng C",
                congvu__holder_unit="Phòng C",
                congvu__reason_code="competence",
                congvu__event_id="e-2",
            ),
        ),
        log_attrs={"congvu:schema": "1"},
    )
    loaded = load_log(write(tmp_path / "export.xes", text))
    ev = loaded.events
    assert loaded.report.native
    assert ev.get_column(s.ACTIVITY).to_list() == ["assign", "transfer"]
    assert ev.get_column(s.ACTIVITY_LABEL).to_list() == ["Giao việc", "transfer"]
    assert ev.get_column(s.EVENT_ID).to_list() == ["T-1#1", "e-2"]
    assert ev.get_column(s.HOLDER_UNIT).to_list() == ["Phòng B", "Phòng C"]
    assert ev.get_column(s.TIMESTAMP)[0] == datetime(2025, 3, 3, 2, 0, tzinfo=UTC)


def _canonical_rows() -> pl.DataFrame:
    frame = pl.DataFrame(
        {
            s.EVENT_ID: ["e1", "e2"],
            s.CASE_ID: ["T-1", "T-1"],
            s.ACTIVITY: ["assign", "complete"],
            s.ACTIVITY_LABEL: ["Giao việc", "Hoàn thành"],
            s.TIMESTAMP: [datetime(2025, 3, 3, 2, tzinfo=UTC), datetime(2025, 3, 5, 2, tzinfo=UTC)],
            s.UNIT: ["Sở Tư pháp", "Phòng Hành chính"],
        }
    )
    return s.conform(frame.lazy()).collect()


def test_it_reads_the_web_apps_parquet_export_without_mapping(tmp_path):
    path = tmp_path / "export.parquet"
    _canonical_rows().write_parquet(path)
    loaded = load_log(path)
    assert loaded.report.native
    assert loaded.events.equals(_canonical_rows())


def test_it_reads_the_web_apps_csv_export_without_mapping(tmp_path):
    path = tmp_path / "export.csv"
    _canonical_rows().write_csv(path)
    loaded = load_log(path)
    assert loaded.events.equals(_canonical_rows())


CSV_MAPPING = """
[source]
format = "csv"
delimiter = ";"

[columns]
case = "Mã hồ sơ"
activity = "Bước"
timestamp = "Thời điểm"
actor = "Cán bộ"
unit = "Đơn vị"

[timestamps]
format = "%d/%m/%Y %H:%M"
timezone = "Asia/Ho_Chi_Minh"

[custody]
actor = "Cán bộ"

[activities]
"Tiếp nhận" = "accept"
"Chuyển xử lý" = { code = "transfer", reason = "competence" }
"Hoàn thành" = "complete"
"""


def test_it_reads_vietnamese_csv_with_declared_format_and_zone(tmp_path):
    log = write(
        tmp_path / "nhatky.csv",
        "Mã hồ sơ;Bước;Thời điểm;Cán bộ;Đơn vị\n"
        "HS-01;Tiếp nhận;03/03/2025 08:30;Nguyễn Văn An;Phòng Tư pháp\n"
        "HS-01;Chuyển xử lý;04/03/2025 14:00;Trần Thị Bình;Phòng Tư pháp\n"
        "HS-01;Hoàn thành;05/03/2025 16:15;Lê Văn Cường;Phòng Nội vụ\n",
    )
    loaded = load_log(log, mapping_from_dict(__import__("tomllib").loads(CSV_MAPPING)))
    ev = loaded.events
    assert ev.get_column(s.TIMESTAMP)[0] == datetime(2025, 3, 3, 1, 30, tzinfo=UTC)
    assert ev.get_column(s.ACTOR).to_list() == ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường"]
    assert ev.get_column(s.HOLDER_ACTOR).to_list() == ev.get_column(s.ACTOR).to_list()
    assert ev.get_column(s.REASON_CODE).to_list() == [None, "competence", None]


def test_it_names_the_line_of_an_unparseable_csv_timestamp(tmp_path):
    log = write(
        tmp_path / "nhatky.csv",
        "Mã hồ sơ;Bước;Thời điểm;Cán bộ;Đơn vị\n"
        "HS-01;Tiếp nhận;03/03/2025 08:30;An;P1\n"
        "HS-02;Tiếp nhận;2025-13-45;Bình;P1\n",
    )
    with pytest.raises(LogError, match="2025-13-45") as info:
        load_log(log, mapping_from_dict(__import__("tomllib").loads(CSV_MAPPING)))
    assert info.value.line == 3
    assert info.value.trace == "HS-02"
    assert info.value.column == "Thời điểm"


def test_it_skips_blank_lines_and_keeps_the_lines_of_the_rows_after_them(tmp_path):
    # A file ending in two line breaks was refused: "line 5, no case id".
    mapping = mapping_from_dict(__import__("tomllib").loads(CSV_MAPPING))
    header = "Mã hồ sơ;Bước;Thời điểm;Cán bộ;Đơn vị\n"
    good = write(
        tmp_path / "trong.csv",
        header + "HS-01;Tiếp nhận;03/03/2025 08:30;An;P1\n\n"
        "HS-01;Hoàn thành;05/03/2025 16:15;An;P1\n\r\n\n",
    )
    assert load_log(good, mapping).events.get_column(s.ACTOR).to_list() == ["An", "An"]
    bad = write(
        tmp_path / "sai.csv",
        header + "HS-01;Tiếp nhận;03/03/2025 08:30;An;P1\n\nHS-02;Tiếp nhận;2025-13-45;Bình;P1\n",
    )
    with pytest.raises(LogError, match="2025-13-45") as info:
        load_log(bad, mapping)
    assert info.value.line == 4


def test_it_refuses_naive_csv_timestamps_when_no_zone_is_declared(tmp_path):
    text = CSV_MAPPING.replace('timezone = "Asia/Ho_Chi_Minh"\n', "")
    log = write(
        tmp_path / "nhatky.csv",
        "Mã hồ sơ;Bước;Thời điểm;Cán bộ;Đơn vị\nHS-01;Tiếp nhận;03/03/2025 08:30;An;P1\n",
    )
    with pytest.raises(LogError, match="không có múi giờ") as info:
        load_log(log, mapping_from_dict(__import__("tomllib").loads(text)))
    assert info.value.line == 2


def _zone_log(tmp_path, zone, *times):
    text = CSV_MAPPING.replace('"Asia/Ho_Chi_Minh"', f'"{zone}"')
    rows = "".join(f"HS-{i:02d};Tiếp nhận;{t};An;P1\n" for i, t in enumerate(times))
    log = write(tmp_path / "nhatky.csv", "Mã hồ sơ;Bước;Thời điểm;Cán bộ;Đơn vị\n" + rows)
    return load_log(log, mapping_from_dict(__import__("tomllib").loads(text)))


def test_a_fixed_offset_zone_gives_the_instants_of_the_zone_rules(tmp_path):
    # Asia/Ho_Chi_Minh is UTC+7 over the whole span: read by one offset, not value by value.
    events = _zone_log(tmp_path, "Asia/Ho_Chi_Minh", "31/12/2024 23:30", "01/07/2026 07:00")
    expected = (
        pl.Series([datetime(2024, 12, 31, 23, 30), datetime(2026, 7, 1, 7, 0)])
        .dt.replace_time_zone("Asia/Ho_Chi_Minh")
        .dt.convert_time_zone("UTC")
    )
    assert events.events.get_column(s.TIMESTAMP).sort().to_list() == expected.to_list()


def test_a_zone_that_changes_offset_inside_the_log_is_read_by_its_rules(tmp_path):
    # Berlin turns its clocks on 30/03/2025 and 26/10/2025: winter +1, summer +2; the hour
    # turned back (02:30 twice) is read as its earlier instant.
    events = _zone_log(
        tmp_path, "Europe/Berlin", "29/03/2025 12:00", "31/03/2025 12:00", "26/10/2025 02:30"
    ).events.get_column(s.TIMESTAMP)
    assert sorted(events.to_list()) == [
        datetime(2025, 3, 29, 11, 0, tzinfo=UTC),
        datetime(2025, 3, 31, 10, 0, tzinfo=UTC),
        datetime(2025, 10, 26, 0, 30, tzinfo=UTC),
    ]
    with pytest.raises(LogError, match="không tồn tại ở múi giờ Europe/Berlin"):
        _zone_log(tmp_path, "Europe/Berlin", "29/03/2025 12:00", "30/03/2025 02:30")


def test_a_quote_inside_free_text_is_kept_and_lines_stay_the_files(tmp_path):
    # Polars refuses the whole file; the csv module keeps the quote as text, a row of two
    # lines keeps the line it starts on, a short row has its missing fields empty.
    mapping = mapping_from_dict(__import__("tomllib").loads(CSV_MAPPING))
    header = "Mã hồ sơ;Bước;Thời điểm;Cán bộ;Đơn vị\n"
    rows = (
        'HS-01;Tiếp nhận;03/03/2025 08:30;Công văn "khẩn;P1\n'
        'HS-01;Chuyển xử lý;04/03/2025 14:00;"Trần\nThị Bình";P1\n'
        "HS-01;Hoàn thành;05/03/2025 16:15;Lê Văn Cường\n"
    )
    events = load_log(write(tmp_path / "a.csv", header + rows), mapping).events
    assert events.get_column(s.ACTOR).to_list() == [
        'Công văn "khẩn',
        "Trần\nThị Bình",
        "Lê Văn Cường",
    ]
    assert events.get_column(s.UNIT).to_list() == ["P1", "P1", None]
    bad = rows + "HS-02;Tiếp nhận;2025-13-45;An;P1\n"
    with pytest.raises(LogError, match="2025-13-45") as info:
        load_log(write(tmp_path / "b.csv", header + bad), mapping)
    assert info.value.line == 6
    long = rows + "HS-02;Tiếp nhận;03/03/2025 08:30;An;P1;thừa\n"
    with pytest.raises(LogError, match="6 trường, nhiều hơn 5 cột") as info:
        load_log(write(tmp_path / "c.csv", header + long), mapping)
    assert info.value.line == 6


def test_it_refuses_an_empty_csv(tmp_path):
    log = write(tmp_path / "nhatky.csv", "Mã hồ sơ;Bước;Thời điểm;Cán bộ;Đơn vị\n")
    with pytest.raises(LogError, match="rỗng"):
        load_log(log, mapping_from_dict(__import__("tomllib").loads(CSV_MAPPING)))


def test_it_refuses_a_mapping_with_an_unknown_activity_code(tmp_path):
    bad = MAPPING + '"Other" = "teleport"\n'
    with pytest.raises(MappingError, match="teleport"):
        load_mapping(write(tmp_path / "bad.toml", bad))


def test_it_refuses_a_mapping_that_is_not_toml(tmp_path):
    with pytest.raises(MappingError, match="TOML"):
        load_mapping(write(tmp_path / "bad.toml", "[columns\ncase = 1"))


def test_it_reads_text_flags_and_levels_in_a_native_csv(tmp_path):
    rows = _canonical_rows().with_columns(
        pl.Series(s.REVIEWED, ["true", "false"]), pl.Series(s.LEVEL, ["2", None])
    )
    path = tmp_path / "export.csv"
    rows.write_csv(path)
    ev = load_log(path).events
    assert ev.get_column(s.REVIEWED).to_list() == [True, False]
    assert ev.get_column(s.LEVEL).to_list() == [2, None]


def test_it_refuses_a_flag_that_is_not_true_or_false(tmp_path):
    rows = _canonical_rows().with_columns(pl.Series(s.PROTECTED, ["maybe", None]))
    path = tmp_path / "export.csv"
    rows.write_csv(path)
    with pytest.raises(LogError, match="maybe") as info:
        load_log(path)
    assert info.value.line == 2


def test_it_reads_a_csv_in_a_declared_legacy_encoding(tmp_path):
    text = CSV_MAPPING.replace('delimiter = ";"', 'delimiter = ";"\nencoding = "utf-16"')
    path = tmp_path / "nhatky.csv"
    path.write_text(
        "Mã hồ sơ;Bước;Thời điểm;Cán bộ;Đơn vị\nHS-01;Tiếp nhận;03/03/2025 08:30;Đỗ Thị Hương;P1\n",
        encoding="utf-16",
    )
    ev = load_log(path, mapping_from_dict(__import__("tomllib").loads(text))).events
    assert ev.get_column(s.ACTOR).to_list() == ["Đỗ Thị Hương"]
