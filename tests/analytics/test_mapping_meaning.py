"""What a foreign log means: reason tables, acknowledgement rules and answer pairing, read
through the loader from real CSV and TOML files."""

from __future__ import annotations

import polars as pl
import pytest

from congvu_analytics import schema as s
from congvu_analytics.io.errors import LogError, MappingError
from congvu_analytics.io.loader import LoadReport, load_log
from congvu_analytics.io.mapping import load_mapping

HEADER = "ma_hs,buoc,thoi_diem,can_bo,don_vi,den_don_vi,ma_ly_do"

MAPPING = """
[columns]
case = "ma_hs"
activity = "buoc"
timestamp = "thoi_diem"
actor = "can_bo"
unit = "don_vi"
target_unit = "den_don_vi"
reason_code = "ma_ly_do"

[timestamps]
format = "%d/%m/%Y %H:%M"
timezone = "Asia/Ho_Chi_Minh"

[activities]
"Giao việc" = "assign"
"Tạm dừng" = "pause"
"Tiếp tục" = "resume"
"Xin ý kiến" = "opinion_request"
"Cho ý kiến" = "opinion_given"
"Đề nghị phối hợp" = "coord_request"
"Trả lời phối hợp" = "coord_answer"
"Hoàn thành" = "complete"

[reasons]
sai_tham_quyen = "misrouted"
vuong_mac_phap_ly = "legal_obstacle"
cho_don_vi_khac = "dependency"
"""

ACK = """
[[acknowledge]]
mark = "pause"
set = "reviewed"
by_label = "Cho ý kiến"
by_reason = "xac_nhan_vuong_mac"
within_days = 10

[[acknowledge]]
set = "within_authority"
by_activity = "opinion_given"
by_reason = "trong_tham_quyen"

[[acknowledge]]
set = "within_authority"
value = false
by_activity = "opinion_given"
by_reason = "ngoai_tham_quyen"
"""

ROWS = """
HS1,Giao việc,03/03/2025 08:00,ld1,SO,PHONG1,
HS1,Tạm dừng,04/03/2025 08:00,cv1,PHONG1,,vuong_mac_phap_ly
HS1,Cho ý kiến,05/03/2025 08:00,ld1,SO,,xac_nhan_vuong_mac
HS1,Tiếp tục,20/03/2025 08:00,cv1,PHONG1,,
HS1,Xin ý kiến,21/03/2025 08:00,cv1,PHONG1,SO,
HS1,Cho ý kiến,22/03/2025 08:00,ld1,SO,,trong_tham_quyen
HS1,Xin ý kiến,23/03/2025 08:00,cv1,PHONG1,SO,
HS1,Cho ý kiến,24/03/2025 08:00,ld1,SO,,ngoai_tham_quyen
HS1,Đề nghị phối hợp,25/03/2025 08:00,cv1,PHONG1,PHONG2,
HS1,Trả lời phối hợp,26/03/2025 08:00,cv2,PHONG2,,
HS1,Đề nghị phối hợp,27/03/2025 08:00,cv1,PHONG1,PHONG3,
HS1,Hoàn thành,28/03/2025 08:00,cv1,PHONG1,,
HS2,Giao việc,03/03/2025 08:00,ld1,SO,PHONG1,
HS2,Tạm dừng,04/03/2025 08:00,cv1,PHONG1,,ly_do_la
HS2,Tạm dừng,05/03/2025 08:00,cv1,PHONG1,,ly_do_la
HS2,Tạm dừng,06/03/2025 08:00,cv1,PHONG1,,cho_don_vi_khac
"""


def write(path, text, encoding="utf-8"):
    path.write_text(text.lstrip("\n"), encoding=encoding)
    return path


def load(tmp_path, mapping_text=MAPPING + ACK, rows=ROWS):
    log = write(tmp_path / "log.csv", HEADER + "\n" + rows.lstrip("\n"))
    return load_log(log, load_mapping(write(tmp_path / "m.toml", mapping_text)))


def case(loaded, case_id):
    return loaded.events.filter(pl.col(s.CASE_ID) == case_id)


def test_source_reason_values_become_canonical_codes(tmp_path):
    loaded = load(tmp_path)
    reasons = case(loaded, "HS1").get_column(s.REASON_CODE).to_list()
    assert reasons[1] == "legal_obstacle"
    assert case(loaded, "HS2").get_column(s.REASON_CODE).to_list()[3] == "dependency"


def test_unknown_reason_values_are_listed_with_counts_and_kept(tmp_path):
    loaded = load(tmp_path)
    assert loaded.report.unknown_reasons == {"ly_do_la": 2}
    assert case(loaded, "HS2").get_column(s.REASON_CODE).to_list()[1] == "ly_do_la"
    assert any("'ly_do_la': 2" in w for w in loaded.report.warnings())


def test_unknown_reason_recodes_what_the_table_does_not_know(tmp_path):
    loaded = load(tmp_path, 'unknown_reason = "other"\n' + MAPPING + ACK)
    assert case(loaded, "HS2").get_column(s.REASON_CODE).to_list()[1] == "other"
    assert loaded.report.unknown_reasons == {"ly_do_la": 2}
    assert any("đã coi là 'other'" in w for w in loaded.report.warnings())


def test_acknowledgement_rules_set_reviewed_and_within_authority(tmp_path):
    hs1 = case(load(tmp_path), "HS1")
    assert hs1.get_column(s.REVIEWED).to_list()[1] is True
    assert hs1.get_column(s.SUBJECT_AUTHORITY).to_list()[4] is True
    assert hs1.get_column(s.SUBJECT_AUTHORITY).to_list()[6] is False


def test_the_load_report_counts_what_was_recovered(tmp_path):
    report = load(tmp_path).report
    assert report.acknowledged == {
        "reviewed=true": 1,
        "within_authority=true": 1,
        "within_authority=false": 1,
    }
    assert report.coordination_paired == 1


def test_without_rules_nothing_is_invented(tmp_path):
    hs1 = case(load(tmp_path, MAPPING), "HS1")
    assert hs1.get_column(s.REVIEWED).null_count() == hs1.height
    assert hs1.get_column(s.SUBJECT_AUTHORITY).null_count() == hs1.height


def test_coordination_answers_are_paired_and_unanswered_requests_stay_open(tmp_path):
    hs1 = case(load(tmp_path), "HS1")
    ids = hs1.get_column(s.EVENT_ID).to_list()
    refs = hs1.get_column(s.REF_EVENT_ID).to_list()
    assert refs[9] == ids[8]
    assert ids[10] not in refs


def test_unknown_labels_are_summarised_as_top_20_and_a_count():
    report = LoadReport(path="x", source_format="csv", mapping="m")
    report.unknown_labels = {f"nhãn {n:02d}": 100 - n for n in range(25)}
    (warning,) = report.warnings()
    assert "'nhãn 00': 100" in warning and "'nhãn 19': 81" in warning
    assert "nhãn 20" not in warning
    assert "và 5 giá trị khác (390 sự kiện)" in warning


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ('[reasons]\nsai = "wrong_place"\n', "[reasons] 'sai' = 'wrong_place'"),
        (
            '[[acknowledge]]\nset = "reviewed"\nby_label = "Trả lời lãnh đạo"\n',
            "by_label = 'Trả lời lãnh đạo' không có trong [activities]",
        ),
        (
            '[[acknowledge]]\nset = "reviewed"\nby_activity = "answer"\n',
            "by_activity = 'answer' không có trong schema.Activity",
        ),
        (
            '[[acknowledge]]\nset = "reviewed"\nmark = "opinion_request"\nby_activity = "approve"\n',
            "mark = 'opinion_request'",
        ),
        ('[[acknowledge]]\nset = "approved"\nby_activity = "approve"\n', "set = 'approved'"),
        ('[[acknowledge]]\nset = "reviewed"\n', "cần ít nhất một"),
        (
            '[[acknowledge]]\nset = "reviewed"\nby_activity = "approve"\nwithin = 3\n',
            "quy tắc thứ 1: khóa không được hỗ trợ within",
        ),
        ('unknown_reason = "khac"\n', "unknown_reason = 'khac'"),
    ],
)
def test_a_mapping_that_names_something_unknown_is_refused_with_the_key(tmp_path, extra, expected):
    if extra.startswith("[reasons]"):
        text = MAPPING.replace("[reasons]\n", extra, 1)
    elif extra.startswith("[["):
        text = MAPPING + extra
    else:  # a top-level key must come before the first table in TOML
        text = extra + MAPPING
    path = write(tmp_path / "m.toml", text)
    with pytest.raises(MappingError) as info:
        load_mapping(path)
    assert expected in str(info.value)
    assert str(path) in str(info.value)


def _line_of(text, needle, nth=1):
    hits = [n for n, line in enumerate(text.splitlines(), start=1) if line.strip() == needle]
    return hits[nth - 1]


@pytest.mark.parametrize(
    ("old", "new", "needle", "nth"),
    [
        ("[reasons]\n", '[reasons]\nx = "khong_ro"\n', 'x = "khong_ro"', 1),
        ('"Hoàn thành" = "complete"', '"Hoàn thành" = "finish"', '"Hoàn thành" = "finish"', 1),
        (
            'by_reason = "trong_tham_quyen"',
            'by_reason = "trong_tham_quyen"\nwithin_days = -1',
            "[[acknowledge]]",
            2,
        ),
    ],
)
def test_a_refusal_names_the_line_of_the_key_or_rule(tmp_path, old, new, needle, nth):
    text = (MAPPING + ACK).replace(old, new, 1)
    with pytest.raises(MappingError) as info:
        load_mapping(write(tmp_path / "m.toml", text))
    line = _line_of(text.lstrip("\n"), needle, nth)
    assert info.value.line == line
    assert f"m.toml, dòng {line}]" in str(info.value)


def test_two_spellings_of_one_label_with_different_codes_name_both_lines(tmp_path):
    text = MAPPING.replace("[activities]\n", '[activities]\n"HOÀN  THÀNH" = "cancel"\n')
    with pytest.raises(MappingError) as info:
        load_mapping(write(tmp_path / "m.toml", text))
    first = _line_of(text.lstrip("\n"), '"HOÀN  THÀNH" = "cancel"')
    second = _line_of(text.lstrip("\n"), '"Hoàn thành" = "complete"')
    assert f"(các dòng {first}, {second})" in str(info.value)


def test_a_mapping_that_is_a_directory_is_refused(tmp_path):
    with pytest.raises(MappingError, match="là một thư mục"):
        load_mapping(tmp_path)


def test_a_mapping_not_in_utf8_is_refused_naming_the_line(tmp_path):
    # "Giao việc" saved by an editor in a legacy code page: "ệ" as one byte, invalid in UTF-8.
    text = MAPPING.lstrip("\n")
    line = text[: text.index("Giao việc")].count("\n") + 1
    path = tmp_path / "m.toml"
    path.write_bytes(text.encode("utf-8").replace("ệ".encode(), b"\xd2", 1))
    with pytest.raises(MappingError, match=f"byte không hợp lệ ở dòng {line}"):
        load_mapping(path)


def test_a_log_that_is_a_directory_is_refused(tmp_path):
    mapping = load_mapping(write(tmp_path / "m.toml", MAPPING))
    (tmp_path / "log.csv").mkdir()
    with pytest.raises(LogError, match="là một thư mục"):
        load_log(tmp_path / "log.csv", mapping)


def test_a_bad_time_in_a_declared_format_is_named_with_its_line_and_column(tmp_path):
    rows = ROWS.replace("05/03/2025 08:00", "05/13/2025 08:00", 1)
    with pytest.raises(LogError) as info:
        load(tmp_path, rows=rows)
    err = info.value
    assert err.line == 4 and err.column == "thoi_diem"
    assert "'05/13/2025 08:00' theo định dạng '%d/%m/%Y %H:%M'" in str(err)


def test_a_bad_deadline_in_its_own_format_is_named_too(tmp_path):
    header = HEADER + ",han"
    rows = "\n".join(r + ("," if r else "") for r in ROWS.strip().splitlines())
    rows = rows.replace(
        "HS1,Giao việc,03/03/2025 08:00,ld1,SO,PHONG1,,",
        "HS1,Giao việc,03/03/2025 08:00,ld1,SO,PHONG1,,31/02/2025",
        1,
    )
    text = MAPPING.replace(
        'reason_code = "ma_ly_do"', 'reason_code = "ma_ly_do"\ndue = "han"'
    ).replace('format = "%d/%m/%Y %H:%M"', 'format = "%d/%m/%Y %H:%M"\ndue_format = "%d/%m/%Y"')
    (tmp_path / "log.csv").write_text(header + "\n" + rows + "\n", encoding="utf-8")
    (tmp_path / "m.toml").write_text(text, encoding="utf-8")
    with pytest.raises(LogError) as info:
        load_log(tmp_path / "log.csv", load_mapping(tmp_path / "m.toml"))
    assert info.value.line == 2 and info.value.column == "han"
    assert "'31/02/2025' theo định dạng '%d/%m/%Y'" in str(info.value)


@pytest.mark.parametrize("table", ["source", "reasons"])
def test_keep_reasons_written_under_a_table_is_refused_at_its_line(tmp_path, table):
    """TOML files a key written after [reasons] (or [source]) under that table: the reader
    is told to move it to the top instead of having it silently ignored or read as a reason."""
    text = MAPPING.replace(f"[{table}]\n", f'[{table}]\nkeep_reasons = ["xin_huong_dan"]\n')
    if table == "source":
        text = '[source]\nkeep_reasons = ["xin_huong_dan"]\n' + MAPPING
    path = write(tmp_path / "m.toml", text)
    with pytest.raises(MappingError) as err:
        load_mapping(path)
    assert f"[{table}] 'keep_reasons' là khóa cấp cao nhất" in str(err.value)
    assert err.value.line == (2 if table == "source" else 25)


def test_an_unknown_key_of_source_or_timestamps_is_refused(tmp_path):
    path = write(tmp_path / "m.toml", MAPPING.replace("[timestamps]\n", "[timestamps]\nzone = 1\n"))
    with pytest.raises(MappingError, match=r"\[timestamps\] khóa không được hỗ trợ zone"):
        load_mapping(path)
    path = write(tmp_path / "m.toml", '[source]\ndelimeter = ";"\n' + MAPPING)
    with pytest.raises(MappingError, match=r"\[source\] khóa không được hỗ trợ delimeter"):
        load_mapping(path)


def test_coordination_answers_with_untranslated_positions_are_warned(tmp_path):
    """The detectors read agree/disagree/none only: a source's raw "khong_ro" mapped without
    a lookup is not an unclear answer, and the report says so with counts."""
    mapping = MAPPING.replace(
        'reason_code = "ma_ly_do"', 'reason_code = "ma_ly_do"\nposition = "y_kien"'
    )
    rows = "".join(line + ",\n" for line in ROWS.strip().splitlines()).replace(
        "HS1,Trả lời phối hợp,26/03/2025 08:00,cv2,PHONG2,,,",
        "HS1,Trả lời phối hợp,26/03/2025 08:00,cv2,PHONG2,,,khong_ro",
    )
    log = write(tmp_path / "log.csv", HEADER + ",y_kien\n" + rows)
    loaded = load_log(log, load_mapping(write(tmp_path / "m.toml", mapping + ACK)))
    assert loaded.report.unknown_positions == {"khong_ro": 1}
    assert any(
        "không phải agree, disagree hay none ('khong_ro': 1)" in w for w in loaded.report.warnings()
    )


def test_a_mistyped_column_is_named_with_the_files_near_spelling_and_no_bookkeeping(tmp_path):
    mapping = MAPPING.replace('reason_code = "ma_ly_do"', 'reason_code = "ma_li_do"')
    log = write(tmp_path / "log.csv", HEADER + "\n" + ROWS.lstrip("\n"))
    with pytest.raises(MappingError) as err:
        load_log(log, load_mapping(write(tmp_path / "m.toml", mapping)))
    assert "cần: 'ma_li_do'" in str(err.value) and "Có phải 'ma_ly_do'?" in str(err.value)
    assert "__" not in str(err.value)
