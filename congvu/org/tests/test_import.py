"""Organisation import: every bad row is reported, and nothing is written unless all are valid."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from congvu.org.importer import import_org
from congvu.org.models import Membership, Person, Unit, UnitVersion
from congvu.testing import make_unit_types

UNITS = [
    [
        "Mã đơn vị",
        "Tên đơn vị",
        "Loại đơn vị",
        "Mã đơn vị cấp trên",
        "Hiệu lực từ",
        "Mã người đứng đầu",
    ],
    ["UBND", "Ủy ban nhân dân tỉnh Bình Minh", "ubnd_tinh", "", "01/07/2025", "CB001"],
    ["SNV", "Sở Nội vụ", "Sở và tương đương", "UBND", "01/07/2025", ""],
    ["SNV-TCBM", "Phòng Tổ chức bộ máy", "phong", "SNV", "01/07/2025", ""],
    ["XA-AN", "Ủy ban nhân dân xã An Bình", "ubnd_xa", "UBND", "01/07/2025", ""],
]
UNITS_ONLY = [row[:5] for row in UNITS]
PEOPLE = [
    [
        "Mã cán bộ",
        "Họ tên",
        "Phân loại",
        "Mã đơn vị",
        "Vai trò",
        "Chức vụ",
        "Kiêm nhiệm",
        "Tên đăng nhập",
    ],
    ["CB001", "Nguyễn Văn Minh", "Cán bộ", "UBND", "", "Chủ tịch", "", "chutich"],
    ["CB002", "Trần Thị Hoa", "Công chức", "SNV", "Người đứng đầu", "Giám đốc Sở", "", ""],
    ["CB003", "Lê Văn Hùng", "công chức", "SNV-TCBM", "chuyên viên", "Chuyên viên", "", ""],
    ["CB002", "Trần Thị Hoa", "Công chức", "XA-AN", "", "Kiêm nhiệm", "x", ""],
]


def write_xlsx(path: Path, units=UNITS, people=PEOPLE) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "don_vi"
    for r in units:
        ws.append(r)
    if people is not None:
        ws2 = wb.create_sheet("can_bo")
        for r in people:
            ws2.append(r)
    wb.save(path)
    return path


@pytest.fixture
def types(db):
    return make_unit_types()


def test_it_imports_a_valid_workbook(types, tmp_path):
    report = import_org(write_xlsx(tmp_path / "org.xlsx"), dry_run=False)
    assert report.ok, report.errors
    assert (report.units_created, report.people_created, report.memberships_created) == (4, 3, 4)
    assert Unit.objects.get(code="SNV-TCBM").parent.code == "SNV"
    assert Membership.objects.current().heads().get(unit__code="UBND").person.code == "CB001"
    hoa = Person.objects.get(code="CB002")
    assert hoa.primary_membership().unit.code == "SNV"
    assert hoa.memberships.count() == 2
    assert "chutich" in report.accounts_created


def test_a_dry_run_writes_nothing(types, tmp_path):
    report = import_org(write_xlsx(tmp_path / "org.xlsx"), dry_run=True)
    assert report.ok and report.units_created == 4
    assert not Unit.objects.exists() and not Person.objects.exists()


def test_it_reports_every_bad_row_and_writes_nothing(types, tmp_path):
    units = [
        *UNITS,
        ["SNV", "Sở Nội vụ (trùng)", "so", "UBND", "", ""],  # duplicate code
        ["P-X", "Phòng X", "phong", "KHONG-CO", "", ""],  # unknown parent
        ["C1", "Vòng 1", "phong", "C2", "", ""],  # cycle C1 -> C2 -> C1
        ["C2", "Vòng 2", "phong", "C1", "", ""],
        ["T1", "Loại lạ", "quan_huyen", "UBND", "", ""],  # unknown type (district tier abolished)
        ["D1", "Ngày sai", "phong", "UBND", "31/02/2025", ""],
    ]
    people = [
        *PEOPLE,
        ["CB004", "Phạm Văn Tư", "Công chức", "SNV-TCBM", "", "", "", ""],
        ["CB004", "Phạm Văn Tư", "Công chức", "XA-AN", "", "", "", ""],  # two primary units
        ["CB005", "Võ Thị Năm", "Công chức", "KHONG-CO", "", "", "", ""],  # unknown unit
        ["CB006", "Đỗ Văn Sáu", "nhân viên văn phòng", "SNV", "", "", "", ""],  # bad category
        ["CB007", "Hồ Văn Bảy", "Công chức", "SNV", "Người đứng đầu", "", "", ""],  # second head
    ]
    report = import_org(write_xlsx(tmp_path / "bad.xlsx", units, people), dry_run=False)
    messages = [str(e) for e in report.errors]
    text = "\n".join(messages)
    assert "mã đơn vị SNV bị trùng" in text
    assert "đơn vị cấp trên không tồn tại: KHONG-CO" in text
    assert "vòng lặp cấp trên" in text
    assert "loại đơn vị không tồn tại: 'quan_huyen'" in text
    assert "ngày không hợp lệ" in text
    assert "công tác chính thức ở 2 đơn vị" in text
    assert "đơn vị không tồn tại: KHONG-CO" in text
    assert "phân loại không hợp lệ" in text
    assert "nhiều hơn một người đứng đầu" in text
    assert any(e.row == 7 and e.column == "ma_don_vi_cap_tren" for e in report.errors)
    assert (
        not Unit.objects.exists()
        and not Person.objects.exists()
        and not UnitVersion.objects.exists()
    )


def test_a_head_named_on_the_units_sheet_must_be_a_member(types, tmp_path):
    units = [UNITS[0], ["UBND", "UBND tỉnh", "ubnd_tinh", "", "", "CB999"]]
    report = import_org(write_xlsx(tmp_path / "h.xlsx", units, PEOPLE[:1]), dry_run=False)
    assert [e.column for e in report.errors] == ["ma_nguoi_dung_dau"]
    assert not Unit.objects.exists()


def test_it_reads_a_csv_with_vietnamese_headers(types, tmp_path):
    path = tmp_path / "don_vi.csv"
    path.write_text("\n".join(";".join(r) for r in UNITS_ONLY), encoding="utf-8-sig")
    report = import_org(path, dry_run=False)
    assert report.ok, report.errors
    assert Unit.objects.count() == 4


def test_a_malformed_spreadsheet_gets_a_clear_message(types, tmp_path):
    path = tmp_path / "hong.xlsx"
    path.write_bytes(b"this is not a zip")
    report = import_org(path, dry_run=False)
    assert "không đọc được tệp Excel" in str(report.errors[0])
    latin = tmp_path / "latin.csv"
    latin.write_bytes("Ma don vi;Tên\nA;Sở Nội vụ\n".encode("cp1252", errors="replace"))
    assert "không phải UTF-8" in str(import_org(latin).errors[0])


def test_the_command_exits_non_zero_on_bad_rows(types, tmp_path):
    units = [UNITS[0], ["A", "Đơn vị A", "phong", "B", "", ""]]
    err = io.StringIO()
    with pytest.raises(CommandError, match="không có dữ liệu nào được ghi"):
        call_command("import_org", str(write_xlsx(tmp_path / "x.xlsx", units, None)), stderr=err)
    assert "dòng 2, cột ma_don_vi_cap_tren" in err.getvalue()


def test_re_importing_the_same_units_is_idempotent(types, tmp_path):
    path = write_xlsx(tmp_path / "org.xlsx", UNITS_ONLY, None)
    assert import_org(path, dry_run=False).units_created == 4
    again = import_org(path, dry_run=False)
    assert again.ok and again.units_created == 0 and again.units_unchanged == 4


def test_seed_unit_types_makes_a_fresh_database_ready_for_the_import(db, tmp_path):
    from django.core.management import call_command

    from congvu.org.models import UnitType

    call_command("seed_unit_types", verbosity=0)
    call_command("seed_unit_types", verbosity=0)  # idempotent
    assert UnitType.objects.filter(code__in=["ubnd_tinh", "so", "phong", "ubnd_xa"]).count() == 4
    units = [
        ["Mã đơn vị", "Tên đơn vị", "Loại đơn vị", "Mã đơn vị cấp trên"],
        ["UBND", "Ủy ban nhân dân tỉnh Bình Minh", "ubnd_tinh", ""],
        ["SNV", "Sở Nội vụ", "so", "UBND"],
    ]
    report = import_org(write_xlsx(tmp_path / "co-cau.xlsx", units=units, people=None))
    assert not report.errors and report.units_created == 2
