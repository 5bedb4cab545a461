"""mappings/province_vn.toml on a small export of the kind a province hands over (the test
province's foreign export has this shape: congvu_analytics.sim.export)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest

from congvu_analytics import cli
from congvu_analytics import schema as s
from congvu_analytics.io.loader import load_log
from congvu_analytics.io.mapping import load_mapping

MAPPING = Path(__file__).resolve().parents[2] / "mappings" / "province_vn.toml"

EVENTS = """\
ma_thao_tac,ma_nhiem_vu,thao_tac,thoi_gian,nguoi_thuc_hien,don_vi_thuc_hien,nguoi_nhan,don_vi_nhan,ma_ly_do,han_xu_ly,y_kien,ma_sang_kien
1,NV1,Giao việc,02/03/2026 08:00:00,GD,STP,TP,STP.P1,,20/03/2026 23:59:59,,
2,NV1,Tiếp nhận,02/03/2026 09:00:00,TP,STP.P1,,,,,,
3,NV1,Tạm dừng,03/03/2026 09:00:00,TP,STP.P1,,,vuong_mac_phap_ly,,,
4,NV1,Cho ý kiến,04/03/2026 09:00:00,GD,STP,TP,STP.P1,xac_nhan_vuong_mac,,,
5,NV1,Tiếp tục,16/03/2026 09:00:00,TP,STP.P1,,,,,,
6,NV1,Đề nghị phối hợp,17/03/2026 09:00:00,TP,STP.P1,,STC,cho_phoi_hop,19/03/2026 23:59:59,,
7,NV1,Trả lời phối hợp,18/03/2026 09:00:00,KT,STC,TP,STP.P1,,,dong_y,
8,NV1,Xin ý kiến,18/03/2026 10:00:00,TP,STP.P1,GD,STP,xin_huong_dan,,,
9,NV1,Cho ý kiến,18/03/2026 11:00:00,GD,STP,TP,STP.P1,thuoc_tham_quyen,,,
10,NV1,Hoàn thành,19/03/2026 09:00:00,TP,STP.P1,,,,,,
11,NV2,Giao việc,02/03/2026 08:00:00,GD,STP,TP,STP.P1,,20/03/2026 23:59:59,,DX-7
12,NV2,Từ chối,02/03/2026 10:00:00,TP,STP.P1,GD,STC,sai_tham_quyen,,,DX-7
13,NV3,Giao việc,02/03/2026 08:00:00,GD,STP,TP,STP.P1,,20/03/2026 23:59:59,,
14,NV3,Tiếp nhận,02/03/2026 09:00:00,TP,STP.P1,,,,,,
15,NV3,Trả lại,03/03/2026 09:00:00,TP,STP.P1,GD,STP,de_nghi_cap_tren_quyet_dinh,,,
"""
UNITS = """\
ma_don_vi,ten_don_vi,loai_don_vi,ma_don_vi_cap_tren,nguoi_dung_dau,cap
UBND,Ủy ban nhân dân tỉnh,UBND tỉnh,,CT,1
STP,Sở Tư pháp,"Sở, ban, ngành",UBND,GD,2
STC,Sở Tài chính,"Sở, ban, ngành",UBND,,2
STP.P1,Phòng Văn bản,Phòng chuyên môn,STP,TP,3
"""
PEOPLE = """\
ma_can_bo,ho_ten,ma_don_vi,chuc_vu,ngay_nhan_nhiem_vu
CT,Chủ tịch,UBND,Chủ tịch UBND tỉnh,11/04/2021
GD,Giám đốc,STP,Giám đốc,01/07/2025
TP,Trưởng phòng,STP.P1,Trưởng phòng,15/01/2020
KT,Kế toán,STC,Chuyên viên,15/01/2020
"""


@pytest.fixture
def export(tmp_path):
    (tmp_path / "events.csv").write_text(EVENTS, encoding="utf-8")
    (tmp_path / "units.csv").write_text(UNITS, encoding="utf-8")
    (tmp_path / "people.csv").write_text(PEOPLE, encoding="utf-8")
    return tmp_path


def test_the_province_mapping_recovers_what_the_app_would_have_recorded(export):
    loaded = load_log(export / "events.csv", load_mapping(MAPPING))
    ev = loaded.events.sort(pl.col(s.EVENT_ID).cast(pl.Int32))
    assert ev.get_column(s.REASON_CODE).to_list()[2] == "legal_obstacle"
    assert ev.get_column(s.REASON_CODE).to_list()[11] == "misrouted"
    assert ev.get_column(s.REVIEWED).to_list()[2] is True
    assert ev.get_column(s.SUBJECT_AUTHORITY).to_list()[7] is True
    assert ev.get_column(s.REF_EVENT_ID).to_list()[6] == "6"
    assert ev.get_column(s.POSITION).to_list()[6] == "agree"
    # The export writes a deadline as the end of its day, 20/03/2026 23:59:59 Vietnam time.
    assert ev.get_column(s.DUE).to_list()[0] == datetime(2026, 3, 20, 16, 59, 59, tzinfo=UTC)
    assert ev.filter(pl.col(s.CASE_ID) == "NV2").get_column(s.PROTECTED).to_list() == [True, True]
    assert ev.filter(pl.col(s.CASE_ID) == "NV1").get_column(s.PROTECTED).to_list() == [False] * 10
    # "Đề nghị cấp trên quyết định" on a return: asking the superior to decide (fear's
    # push_upward), which buck-passing's return_rate leaves out.
    assert ev.get_column(s.REASON_CODE).to_list()[14] == "escalate"
    assert loaded.report.unknown_reasons == {} and loaded.report.unknown_labels == {}


def test_the_org_tables_load_with_the_sources_names_and_tiers_turned_upward(export, capsys):
    out = export / "out"
    rc = cli.main(
        [
            "analyze", str(export / "events.csv"), "--mapping", str(MAPPING),
            "--units", str(export / "units.csv"), "--people", str(export / "people.csv"),
            "--out", str(out), "--format", "json", "--quiet",
        ]
    )  # fmt: skip
    assert rc == 0, capsys.readouterr().err
    load = json.loads((out / "load_report.json").read_text(encoding="utf-8"))
    assert load["org"] == {
        "units": 4, "people": 4, "log_units_missing": {}, "log_people_missing": {}
    }  # fmt: skip
    assert load["params"]["unit_levels"] == {"UBND": 3, "STP": 2, "STC": 2, "STP.P1": 1}
    assert load["params"]["unit_types"]["STP.P1"] == "Phòng chuyên môn"
