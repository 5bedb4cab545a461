"""A province's log spells the mapping's labels and reason values its own way: Unicode form,
case, spaces, old or new tone placement. They still match, read from real CSV and TOML files
through the loader and ``congvu analyze``; what users read keeps the source's spelling."""

from __future__ import annotations

import json
import unicodedata

import polars as pl
import pytest

from congvu_analytics import cli
from congvu_analytics import schema as s
from congvu_analytics.io.errors import MappingError
from congvu_analytics.io.loader import load_log
from congvu_analytics.io.mapping import load_mapping
from congvu_analytics.textkey import label_key, near_spelling, text_key

HEADER = "ma_hs,buoc,thoi_diem,can_bo,ma_ly_do"

MAPPING = """
[columns]
case = "ma_hs"
activity = "buoc"
timestamp = "thoi_diem"
actor = "can_bo"
reason_code = "ma_ly_do"

[timestamps]
format = "%d/%m/%Y %H:%M"
timezone = "Asia/Ho_Chi_Minh"

[activities]
"Tiếp nhận" = "accept"
"Hoà giải" = "work"
"Trình Ủy ban" = "submit"
"Tạm dừng" = "pause"
"Cho ý kiến" = "opinion_given"
"Trả kết quả" = "complete"

[reasons]
"Sai thẩm quyền" = "misrouted"
"Chờ ý kiến Uỷ ban" = "dependency"

[[acknowledge]]
mark = "pause"
set = "reviewed"
by_label = "Cho ý kiến"
by_reason = "Xác nhận vướng mắc"
"""

NFD = unicodedata.normalize("NFD", "Tiếp nhận")
ROWS = f"""
HS1,{NFD},03/03/2025 08:00,cv1,
HS1,Hòa giải,04/03/2025 08:00,cv1,
HS1,Trình Uỷ ban,05/03/2025 08:00,cv1,
HS1,TRẢ KẾT QUẢ,06/03/2025 08:00,cv1,
HS2,Tiếp  nhận,03/03/2025 08:00,cv2,
HS2,Tạm dừng,04/03/2025 08:00,cv2,SAI  THẨM QUYỀN
HS2,CHO Ý KIẾN,05/03/2025 08:00,ld1,XÁC NHẬN VƯỚNG MẮC
HS2,Tạm dừng,06/03/2025 08:00,cv2,{unicodedata.normalize("NFD", "chờ ý kiến ủy ban")}
HS2,Lưu  hồ sơ,07/03/2025 08:00,cv2,Lý do khác
HS2,Lưu  hồ sơ,08/03/2025 08:00,cv2,Lý do khác
HS2, Trả kết quả ,09/03/2025 08:00,cv2,
"""


def write(path, text):
    path.write_text(text.lstrip("\n"), encoding="utf-8")
    return path


@pytest.fixture
def files(tmp_path):
    log = write(tmp_path / "log.csv", HEADER + "\n" + ROWS.lstrip("\n"))
    return log, write(tmp_path / "m.toml", MAPPING)


def events(files):
    log, mapping = files
    return load_log(log, load_mapping(mapping)).events.sort(s.CASE_ID, s.TIMESTAMP)


def codes(files, case_id):
    return events(files).filter(pl.col(s.CASE_ID) == case_id).get_column(s.ACTIVITY).to_list()


def test_an_nfd_label_finds_the_nfc_key(files):
    assert codes(files, "HS1")[0] == "accept"


def test_an_upper_case_label_finds_its_key(files):
    assert codes(files, "HS1")[3] == "complete"


def test_old_and_new_tone_placement_are_one_label(files):
    # "Hòa" (old) in the log, "Hoà" (new) in the mapping; "Uỷ" (new) in the log, "Ủy" (old) in
    # the mapping.
    assert codes(files, "HS1")[1:3] == ["work", "submit"]


def test_doubled_and_surrounding_spaces_do_not_matter(files):
    assert codes(files, "HS2")[0] == "accept"
    assert codes(files, "HS2")[-1] == "complete"


def test_the_evidence_keeps_the_label_as_the_source_wrote_it(files):
    labels = events(files).filter(pl.col(s.CASE_ID) == "HS1").get_column(s.ACTIVITY_LABEL)
    assert labels.to_list() == [NFD, "Hòa giải", "Trình Uỷ ban", "TRẢ KẾT QUẢ"]


def test_reason_values_are_matched_by_the_same_key(files):
    hs2 = events(files).filter(pl.col(s.CASE_ID) == "HS2")
    assert hs2.get_column(s.REASON_CODE).to_list()[1:4] == [
        "misrouted",
        "Xác nhận vướng mắc",  # the rule's spelling: a source code kept, compared by key
        "dependency",
    ]


def test_an_acknowledgement_rule_finds_its_answer_in_any_spelling(files):
    pauses = events(files).filter(pl.col(s.ACTIVITY) == "pause")
    assert pauses.get_column(s.REVIEWED).to_list()[0] is True


def test_unknown_labels_and_reasons_are_listed_as_the_source_spells_them(files, tmp_path, capsys):
    log, mapping = files
    out = tmp_path / "out"
    rc = cli.main(["analyze", str(log), "--mapping", str(mapping), "--out", str(out), "--quiet"])
    assert rc == 0
    report = json.loads((out / "load_report.json").read_text(encoding="utf-8"))
    assert report["unknown_labels"] == {"Lưu  hồ sơ": 2}
    assert report["unknown_reasons"] == {"Lý do khác": 2}
    assert "'Lưu  hồ sơ': 2" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("section", "first", "second"),
    [
        ("activities", '"Hòa giải" = "work"', '"Hoà  Giải" = "pause"'),
        ("reasons", '"Sai thẩm quyền" = "misrouted"', '"SAI THẨM QUYỀN" = "dependency"'),
    ],
)
def test_two_keys_that_are_one_text_with_different_codes_are_refused(
    tmp_path, capsys, section, first, second
):
    head = MAPPING.split("[activities]", maxsplit=1)[0]
    table = f"[{section}]\n{first}\n{second}\n"
    if section == "reasons":
        table = '[activities]\n"Tiếp nhận" = "accept"\n\n' + table
    mapping = write(tmp_path / "trung.toml", head + table)
    with pytest.raises(MappingError) as refused:
        load_mapping(mapping)
    message = str(refused.value)
    assert "trung.toml" in message
    for key in (first, second):
        assert repr(key.split(" = ")[0].strip('"')) in message
    log = write(tmp_path / "log.csv", HEADER + "\nHS1,Tiếp nhận,03/03/2025 08:00,cv1,\n")
    out = tmp_path / "out"
    rc = cli.main(["analyze", str(log), "--mapping", str(mapping), "--out", str(out), "--quiet"])
    assert rc == 2
    assert "trung.toml" in capsys.readouterr().err
    assert not out.exists()


def test_two_spellings_of_one_label_with_the_same_rule_are_accepted(tmp_path):
    head = MAPPING.split("[activities]", maxsplit=1)[0]
    mapping = write(
        tmp_path / "m.toml", head + '[activities]\n"Hòa giải" = "work"\n"Hoà giải" = "work"\n'
    )
    assert list(load_mapping(mapping).activities) == ["hoà giải"]


def test_the_key_is_nfc_casefolded_single_spaced_with_the_new_tone_placement():
    assert text_key(unicodedata.normalize("NFD", "  KHỎE\u00a0 mạnh ")) == "khoẻ mạnh"
    assert text_key("Thủy") == text_key("thuỷ") == "thuỷ"
    assert text_key("hoàn") == "hoàn"  # closed syllables already carry it on the second vowel
    assert label_key("Chờ|Công  dân ") == label_key("chờ | công dân") == "chờ | công dân"


@pytest.mark.parametrize(
    ("a", "b", "near"),
    [
        ("tiếp nhận", "tiếp nhân", True),  # one mark
        ("tiếp nhận", "tiep nhan", True),  # typed without marks
        ("đôn đốc", "don doc", True),  # đ as d
        ("xac_nhan_vuong_mac", "xac_nhan_vuong_mach", True),
        ("bước 1", "bước 2", False),  # numbered items, not a typo
        ("hủy", "hoàn thành", False),
        ("khac", "khac", False),  # the same key is no near miss
    ],
)
def test_near_spelling_takes_marks_and_a_letter_or_two_for_a_typo(a, b, near):
    assert near_spelling(a, b) is near
