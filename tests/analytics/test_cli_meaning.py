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
        # A typo in a mapping name that the log then lacks, while the log's spelling is
        # unknown: refused at the mapping's line, naming the log's spelling.
        ("label_typo", "m.toml, dòng 17] [activities] 'Tiếp tuc' không khớp nhãn nào"),
        ("label_without_marks", "m.toml, dòng 16] [activities] 'Tam dung' không khớp nhãn nào"),
        ("reason_typo", "m.toml, dòng 26] [reasons] 'vuong_mac_phap_li' không khớp mã lý do"),
        ("ack_reason_typo", "quy tắc thứ 1: by_reason 'xac_nhan_vuong_mach' không khớp"),
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
    elif broken == "label_typo":
        write(mapping, MAPPING.replace('"Tiếp tục" = "resume"', '"Tiếp tuc" = "resume"') + ACK)
    elif broken == "label_without_marks":
        write(mapping, MAPPING.replace('"Tạm dừng" = "pause"', '"Tam dung" = "pause"') + ACK)
    elif broken == "reason_typo":
        write(mapping, MAPPING.replace("vuong_mac_phap_ly =", "vuong_mac_phap_li =") + ACK)
    elif broken == "ack_reason_typo":
        write(mapping, MAPPING + ACK.replace('"xac_nhan_vuong_mac"', '"xac_nhan_vuong_mach"'))
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


def _warnings(out):
    return json.loads((out / "load_report.json").read_text(encoding="utf-8"))["warnings"]


def test_an_answer_code_no_acknowledgement_rule_reads_is_warned_even_when_kept(files):
    """keep_reasons silences "unknown reason", but a superior's answer code that no rule reads
    leaves the opinion requests it answers counted as fear: said in a warning."""
    tmp, log, _mapping, units, people = files
    without = ACK.split('[[acknowledge]]\nset = "within_authority"\nvalue = false')[0]
    mapping = write(tmp / "m2.toml", 'keep_reasons = ["ngoai_tham_quyen"]\n' + MAPPING + without)
    out = tmp / "out"
    assert (
        analyze(log, "--mapping", mapping, "--units", units, "--people", people, "--out", out) == 0
    )
    load = json.loads((out / "load_report.json").read_text(encoding="utf-8"))
    assert load["unknown_reasons"] == {"ly_do_la": 2}
    assert load["unacknowledged_answers"] == {"ngoai_tham_quyen": 1}
    assert load["flags"]["opinion_requests_outside_authority"] == 0
    text = " ".join(load["warnings"])
    assert "không quy tắc [[acknowledge]] nào dùng ('ngoai_tham_quyen': 1)" in text
    assert "2 lần xin ý kiến nhưng không lần nào được đánh dấu là việc ngoài thẩm quyền" in text


def test_pauses_never_reviewed_are_warned_and_a_full_mapping_is_not(files):
    tmp, log, mapping, units, people = files
    out = tmp / "out"
    assert (
        analyze(log, "--mapping", mapping, "--units", units, "--people", people, "--out", out) == 0
    )
    assert not [w for w in _warnings(out) if "[[acknowledge]]" in w]
    bare = write(tmp / "bare.toml", MAPPING)
    out2 = tmp / "out2"
    assert analyze(log, "--mapping", bare, "--units", units, "--people", people, "--out", out2) == 0
    text = " ".join(_warnings(out2))
    assert "4 lần tạm dừng nhưng không lần nào có kết quả xem xét" in text
    assert "'xac_nhan_vuong_mac': 1" in text


def test_org_tables_with_their_own_column_names_undeclared_say_where_to_declare_them(files, capsys):
    tmp, log, mapping, _units, people = files
    units = write(tmp / "dv.csv", "ma_don_vi,ten\nUBND,UBND tỉnh\n")
    out = tmp / "out"
    assert (
        analyze(log, "--mapping", mapping, "--units", units, "--people", people, "--out", out) == 2
    )
    err = capsys.readouterr().err
    assert "Bảng đơn vị thiếu cột 'unit'" in err
    assert "khai báo chúng trong [org.unit_columns] của tệp ánh xạ" in err
    assert "unit = 'ma_don_vi'" in err and not out.exists()


def test_a_mapping_declaring_org_tables_run_without_them_says_so(files):
    tmp, log, _mapping, _units, _people = files
    org = '[org.unit_columns]\nunit = "ma_don_vi"\n'
    mapping = write(tmp / "m2.toml", MAPPING + ACK + org)
    out = tmp / "out"
    assert analyze(log, "--mapping", mapping, "--out", out) == 0
    assert any("khai báo bảng tổ chức ([org]) nhưng không có bảng" in w for w in _warnings(out))
    load = json.loads((out / "load_report.json").read_text(encoding="utf-8"))
    assert load["org"] is None


def test_a_units_table_whose_successor_is_unknown_stops_the_analysis_with_no_output(files, capsys):
    tmp, log, mapping, _units, people = files
    units = write(
        tmp / "units.csv",
        UNITS.replace("unit,name,type,parent,head,level", "unit,name,type,parent,head,level,"
                      "valid_to,successor")
        + "PHONG1,P1,phong,STP,,1,30/06/2025,PHONG9\n",
    )  # fmt: skip
    out = tmp / "out"
    rc = analyze(log, "--mapping", mapping, "--units", units, "--people", people, "--out", out)
    assert rc == 2 and not out.exists()
    err = capsys.readouterr().err
    assert err.startswith("Lỗi:") and "units.csv" in err and "dòng 6" in err
    assert "'PHONG1' có đơn vị kế thừa 'PHONG9' không có trong bảng đơn vị" in err
