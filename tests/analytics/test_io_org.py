"""The organisation tables: read, checked at the boundary, compared with the log."""

from __future__ import annotations

from datetime import UTC, date, datetime

import polars as pl
import pytest

from congvu_analytics import org as o
from congvu_analytics import schema as s
from congvu_analytics.io.errors import LogError
from congvu_analytics.io.org import load_org, org_coverage

UNITS = """unit,name,type,parent,head,level
UBND,UBND tỉnh,ubnd_tinh,,ct,3
STP,Sở Tư pháp,so,UBND,gd_stp,2
STP.P1,Phòng Hành chính tư pháp,phong,STP,tp1,1
XA1,UBND xã 1,xa,UBND,,1
"""

PEOPLE = """person,name,unit,position,start_date
ct,Chủ tịch,UBND,chu_tich,2020-01-01
gd_stp,Giám đốc,STP,giam_doc,
tp1,Trưởng phòng,STP.P1,truong_phong,01/07/2025
cv1,Chuyên viên,STP.P1,chuyen_vien,2024-03-15
"""


def write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def tables(tmp_path, units=UNITS, people=PEOPLE):
    return write(tmp_path / "units.csv", units), write(tmp_path / "people.csv", people)


def test_it_reads_both_tables_into_the_org_schema(tmp_path):
    loaded = load_org(*tables(tmp_path))
    assert loaded.org.units.schema == pl.Schema(o.UNITS_SCHEMA)
    assert loaded.org.people.schema == pl.Schema(o.PEOPLE_SCHEMA)
    stp = loaded.org.units.filter(pl.col(o.UNIT_ID) == "STP").row(0, named=True)
    assert stp == {
        "unit": "STP",
        "name": "Sở Tư pháp",
        "type": "so",
        "parent": "UBND",
        "head": "gd_stp",
        "level": 2,
        "valid_to": None,
        "successor": None,
    }
    assert loaded.org.people.get_column(o.START_DATE).to_list() == [
        date(2020, 1, 1),
        None,
        date(2025, 7, 1),
        date(2024, 3, 15),
    ]
    assert loaded.warnings == []


def test_columns_may_have_the_provinces_own_names(tmp_path):
    units = write(tmp_path / "dv.csv", "ma_dv;loai;cap_tren\nSO;so;\nP1;phong;SO\n")
    people = write(tmp_path / "cb.csv", "ma_cb;don_vi;chuc_vu\nA;P1;chuyen_vien\n")
    loaded = load_org(
        units,
        people,
        unit_columns={"unit": "ma_dv", "type": "loai", "parent": "cap_tren"},
        people_columns={"person": "ma_cb", "unit": "don_vi", "position": "chuc_vu"},
        delimiter=";",
    )
    assert loaded.org.units.get_column(o.UNIT_PARENT).to_list() == [None, "SO"]
    assert loaded.org.people.get_column(o.POSITION).to_list() == ["chuyen_vien"]
    assert loaded.org.units.get_column(o.UNIT_HEAD).null_count() == 2


def refused(tmp_path, units=UNITS, people=PEOPLE, **kwargs):
    with pytest.raises(LogError) as info:
        load_org(*tables(tmp_path, units, people), **kwargs)
    return info.value


def test_a_duplicate_unit_code_is_refused_naming_both_lines(tmp_path):
    err = refused(tmp_path, units=UNITS + "STP,Sở khác,so,UBND,,2\n")
    assert err.line == 6 and err.path.endswith("units.csv")
    assert "'STP' bị trùng trong bảng đơn vị (các dòng 3, 6)" in str(err)


def test_a_duplicate_person_is_refused(tmp_path):
    err = refused(tmp_path, people=PEOPLE + "cv1,Chuyên viên khác,STP,chuyen_vien,\n")
    assert err.path.endswith("people.csv") and err.line == 6


def test_an_unknown_parent_unit_is_refused_naming_the_row(tmp_path):
    err = refused(
        tmp_path,
        units=UNITS.replace(
            "STP.P1,Phòng Hành chính tư pháp,phong,STP", "STP.P1,Phòng,phong,SO_TP"
        ),
    )
    assert err.line == 4 and err.column == "parent"
    assert "'SO_TP' không có trong bảng đơn vị" in str(err)


def test_a_cycle_of_parents_is_refused_showing_the_cycle(tmp_path):
    cyclic = UNITS.replace("UBND,UBND tỉnh,ubnd_tinh,,", "UBND,UBND tỉnh,ubnd_tinh,STP.P1,")
    err = refused(tmp_path, units=cyclic)
    assert "vòng: UBND → STP.P1 → STP → UBND" in str(err)
    assert err.path.endswith("units.csv")


def test_a_unit_that_is_its_own_parent_is_a_cycle(tmp_path):
    err = refused(tmp_path, units=UNITS.replace("XA1,UBND xã 1,xa,UBND", "XA1,UBND xã 1,xa,XA1"))
    assert "vòng: XA1 → XA1" in str(err) and err.line == 5


def test_levels_numbered_from_the_top_are_refused_with_the_inversion_to_declare(tmp_path):
    """A province that numbers tiers from the top (1 = province), read without the inversion,
    makes a department "above" its province: refused at the first such unit's line."""
    from_top = UNITS.replace(",ct,3", ",ct,1").replace(",gd_stp,2", ",gd_stp,2")
    from_top = from_top.replace(",tp1,1", ",tp1,3").replace("UBND,,1", "UBND,,2")
    with pytest.raises(LogError) as err:
        load_org(*tables(tmp_path, units=from_top))
    assert err.value.line == 3 and err.value.column == "level"
    assert "'STP' có cấp 2 cao hơn đơn vị cấp trên 'UBND' (cấp 1)" in str(err.value)
    assert '[org.unit_values] level = { "1" = "3"' in str(err.value)
    inverted = {o.UNIT_LEVEL: {"1": "3", "2": "2", "3": "1"}}
    loaded = load_org(*tables(tmp_path, units=from_top), unit_values=inverted)
    assert loaded.org.units.get_column(o.UNIT_LEVEL).to_list() == [3, 2, 1, 2]


def test_a_person_in_an_unknown_unit_is_refused(tmp_path):
    err = refused(tmp_path, people=PEOPLE + "cv9,Chuyên viên,STP.P9,chuyen_vien,\n")
    assert err.path.endswith("people.csv") and err.line == 6 and err.column == "unit"
    assert "'STP.P9' không có trong bảng đơn vị" in str(err)


def test_bad_level_bad_date_missing_key_and_missing_declared_column_are_refused(tmp_path):
    assert "Cấp 'ba' không phải số nguyên" in str(
        refused(tmp_path, units=UNITS.replace(",ct,3", ",ct,ba"))
    )
    assert "Ngày '31/02/2025' không hợp lệ" in str(
        refused(tmp_path, people=PEOPLE.replace("01/07/2025", "31/02/2025"))
    )
    err = refused(tmp_path, units=UNITS.replace("XA1,", ","))
    assert "Thiếu mã" in str(err) and err.line == 5
    err = refused(tmp_path, unit_columns={"type": "loai_don_vi"})
    assert "thiếu cột 'loai_don_vi'" in str(err) and err.column == "loai_don_vi"


def test_a_directory_or_a_missing_file_is_refused(tmp_path):
    (tmp_path / "dir").mkdir()
    with pytest.raises(LogError, match="là một thư mục"):
        load_org(tmp_path / "dir", None)
    with pytest.raises(LogError, match="Không tìm thấy tệp bảng cán bộ"):
        load_org(None, tmp_path / "none.csv")


def test_a_head_missing_from_the_people_table_is_a_warning(tmp_path):
    loaded = load_org(*tables(tmp_path, units=UNITS.replace(",ct,3", ",ct_cu,3")))
    assert loaded.warnings == [
        "1 đơn vị có thủ trưởng không có trong bảng cán bộ: 'UBND' (dòng 2)."
    ]


def test_units_and_people_of_the_log_missing_from_the_tables_are_reported(tmp_path):
    org = load_org(*tables(tmp_path)).org
    t = datetime(2025, 3, 3, tzinfo=UTC)
    events = s.conform(
        pl.DataFrame(
            {
                "event_id": ["1", "2", "3"],
                "case_id": ["C", "C", "C"],
                "activity": ["assign", "transfer", "complete"],
                "timestamp": [t, t, t],
                "actor": ["ct", "cv1", "cv_moi"],
                "unit": ["UBND", "STP.P1", "STP.P2"],
                "target_unit": ["STP.P1", "STP.P2", None],
            }
        ).lazy()
    ).collect()
    coverage = org_coverage(events, org, units=True, people=True)
    assert coverage.units_missing == {"STP.P2": 2}
    assert coverage.people_missing == {"cv_moi": 1}
    assert coverage.n_units == 3 and coverage.n_people == 3
    warnings = coverage.warnings()
    assert warnings[0].startswith("1/3 đơn vị trong nhật ký không có trong bảng đơn vị")
    assert "'STP.P2': 2" in warnings[0] and "'cv_moi': 1" in warnings[1]


# A reorganisation: STP.P2 merged into STP.P1 on 1/3/2025 (its last day 28/02/2025).
MERGED = (
    UNITS.replace(
        "unit,name,type,parent,head,level", "unit,name,type,parent,head,level,valid_to,successor"
    ).replace(",tp1,1\n", ",tp1,1,,\n")
    + "STP.P2,Phòng cũ,phong,STP,,1,28/02/2025,STP.P1\n"
)


def test_a_unit_ended_by_a_reorganisation_is_read_with_its_last_day_and_successor(tmp_path):
    loaded = load_org(*tables(tmp_path, units=MERGED))
    row = loaded.org.units.filter(pl.col(o.UNIT_ID) == "STP.P2").row(0, named=True)
    assert row["valid_to"] == date(2025, 2, 28) and row["successor"] == "STP.P1"
    assert loaded.org.units.filter(pl.col(o.UNIT_ID) == "STP")["successor"].item() is None


@pytest.mark.parametrize(
    ("change", "message", "column"),
    [
        ((",STP.P1\n", ",STP.P9\n"), "'STP.P2' có đơn vị kế thừa 'STP.P9' không có trong bảng", "successor"),
        ((",STP.P1\n", ",STP.P2\n"), "'STP.P2' không thể là đơn vị kế thừa của chính nó", "successor"),
        (("28/02/2025", "30/02/2025"), "Ngày '30/02/2025' không hợp lệ", "valid_to"),
        (("28/02/2025", ""), "thiếu ngày kết thúc hoạt động", "valid_to"),
    ],
)  # fmt: skip
def test_a_bad_successor_or_last_day_is_refused_naming_file_row_and_column(
    tmp_path, change, message, column
):
    err = refused(tmp_path, units=MERGED.replace(*change))
    assert message in str(err)
    assert err.path.endswith("units.csv") and err.line == 6 and err.column == column


def test_a_cycle_of_successors_is_refused_showing_the_cycle(tmp_path):
    cyclic = MERGED.replace(",tp1,1,,\n", ",tp1,1,28/02/2025,STP.P2\n")
    err = refused(tmp_path, units=cyclic)
    assert "Đơn vị kế thừa tạo thành vòng: STP.P1 → STP.P2 → STP.P1" in str(err)
    assert err.line == 4
