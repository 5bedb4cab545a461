"""``congvu analyze`` with the province's organisation tables, reason tables and
acknowledgement rules: the real detector suite on small real files."""

from __future__ import annotations

import json

import pytest

from congvu_analytics import cli

from .test_io_org import PEOPLE, UNITS
from .test_mapping_meaning import ACK, HEADER, MAPPING, ROWS


def write(path, text):
    path.write_text(text.lstrip("\n"), encoding="utf-8")
    return path


@pytest.fixture
def files(tmp_path):
    log = write(tmp_path / "log.csv", HEADER + "\n" + ROWS.lstrip("\n"))
    mapping = write(tmp_path / "m.toml", MAPPING + ACK)
    units = write(tmp_path / "units.csv", UNITS + "SO,Sở,so,UBND,,2\nPHONG1,P1,phong,SO,,1\n")
    people = write(tmp_path / "people.csv", PEOPLE)
    return tmp_path, log, mapping, units, people


def analyze(*args):
    return cli.main(["analyze", *map(str, args), "--quiet", "--format", "json"])


def test_it_reads_the_org_tables_and_reports_what_the_log_has_that_they_lack(files, capsys):
    tmp, log, mapping, units, people = files
    out = tmp / "out"
    assert (
        analyze(log, "--mapping", mapping, "--units", units, "--people", people, "--out", out) == 0
    )
    load = json.loads((out / "load_report.json").read_text(encoding="utf-8"))
    assert load["org"]["units"] == 6 and load["org"]["people"] == 4
    assert load["org"]["log_units_missing"] == {"PHONG2": 2, "PHONG3": 1}
    assert load["org"]["log_people_missing"] == {"ld1": 5, "cv2": 1}
    assert load["acknowledged"] == {
        "reviewed=true": 1,
        "within_authority=true": 1,
        "within_authority=false": 1,
    }
    assert load["coordination_answers_paired"] == 1
    assert load["unknown_reasons"] == {"ly_do_la": 2}
    err = capsys.readouterr().err
    assert "2/4 đơn vị trong nhật ký không có trong bảng đơn vị" in err


def test_the_mapping_can_name_the_org_tables_relative_to_itself(files):
    tmp, log, _mapping, units, people = files
    (tmp / "org").mkdir()
    units.rename(tmp / "org" / "dv.csv")
    people.rename(tmp / "org" / "cb.csv")
    text = '[org]\nunits = "org/dv.csv"\npeople = "org/cb.csv"\n'
    with_org = write(tmp / "m2.toml", MAPPING + ACK + text)
    out = tmp / "out"
    assert analyze(log, "--mapping", with_org, "--out", out) == 0
    load = json.loads((out / "load_report.json").read_text(encoding="utf-8"))
    assert load["org"]["units"] == 6


@pytest.mark.parametrize(
    ("broken", "expected"),
    [
        ("units", "vòng: UBND → XA1 → UBND"),
        ("people", "'NOWHERE' không có trong bảng đơn vị"),
        ("mapping", "[reasons] 'x' = 'khong_ro'"),
        ("log_dir", "là một thư mục"),
        ("mapping_dir", "là một thư mục"),
        ("units_duplicate", "units.csv, dòng 8, cột 'unit'] Mã 'STP' bị trùng"),
        ("units_parent", "units.csv, dòng 4, cột 'parent'] Đơn vị 'STP.P1' có đơn vị cấp trên"),
        ("ack_label", "by_label = 'Trả lời lãnh đạo' không có trong [activities]"),
        ("label_collision", "'HOÀN  THÀNH' và 'Hoàn thành' là cùng một nhãn"),
    ],
)
def test_bad_input_exits_2_with_a_message_and_writes_nothing(files, capsys, broken, expected):
    tmp, log, mapping, units, people = files
    if broken == "units":
        write(units, UNITS.replace("UBND,UBND tỉnh,ubnd_tinh,,", "UBND,UBND tỉnh,ubnd_tinh,XA1,"))
    elif broken == "people":
        write(people, PEOPLE + "x,X,NOWHERE,chuyen_vien,\n")
    elif broken == "mapping":
        write(mapping, MAPPING.replace("[reasons]\n", '[reasons]\nx = "khong_ro"\n'))
    elif broken == "units_duplicate":
        write(units, units.read_text(encoding="utf-8") + "STP,Sở khác,so,UBND,,2\n")
    elif broken == "units_parent":
        write(
            units,
            UNITS.replace("STP.P1,Phòng Hành chính tư pháp,phong,STP", "STP.P1,P,phong,SO_TP"),
        )
    elif broken == "ack_label":
        write(
            mapping,
            MAPPING + ACK.replace('by_label = "Cho ý kiến"', 'by_label = "Trả lời lãnh đạo"'),
        )
    elif broken == "label_collision":
        write(
            mapping,
            MAPPING.replace("[activities]\n", '[activities]\n"HOÀN  THÀNH" = "cancel"\n') + ACK,
        )
    elif broken == "log_dir":
        log.unlink()
        log.mkdir()
    else:
        mapping.unlink()
        mapping.mkdir()
    out = tmp / "out"
    rc = analyze(log, "--mapping", mapping, "--units", units, "--people", people, "--out", out)
    assert rc == 2
    assert not out.exists()
    err = capsys.readouterr().err
    assert err.startswith("Lỗi:") and expected in err and "Traceback" not in err
    assert [p.name for p in tmp.iterdir() if p.name.startswith(".out")] == []
