"""Importing incoming documents: edXML packages and CSV/XLSX sheets, all or nothing."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from congvu.exchange import codes, importer
from congvu.exchange.edxml import read_package
from congvu.exchange.models import AgencyCode, ImportedDocument
from congvu.exchange.report import report_package
from congvu.exchange.tests.samples import CODES, PDF, give_codes, package
from congvu.lib.errors import ActionError
from congvu.org.models import today
from congvu.tasks import actions as A
from congvu.tasks.models import Directive, Task, TaskEvent

pytestmark = pytest.mark.django_db


def _nothing_written() -> None:
    assert not Directive.objects.exists()
    assert not Task.objects.exists()
    assert not TaskEvent.objects.exists()
    assert not ImportedDocument.objects.exists()


def _refused(data: bytes) -> str:
    with pytest.raises(ActionError) as exc:
        importer.do_import(_actor(), [importer.plan_edxml(data)])
    _nothing_written()
    return exc.value.message


_ORG = {}


def _actor():  # type: ignore[no-untyped-def]
    return _ORG["org"].lanh_dao


@pytest.fixture
def coded(org, settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"
    give_codes(org)
    _ORG["org"] = org
    return org


def test_a_package_becomes_a_directive_and_one_task_per_receiving_unit(coded):
    org = coded
    day = today() - timedelta(days=2)
    [directive] = importer.do_import(org.lanh_dao, [importer.plan_edxml(package(issued_on=day))])
    assert (directive.number, directive.issued_on, directive.unit) == ("125/UBND-KT", day, org.root)
    assert directive.file.read() == PDF
    tasks = importer.tasks_of([directive])
    assert {(t.lead_unit, t.lead_person) for t in tasks} == {
        (org.so_a, org.gd_a),
        (org.so_b, org.gd_b),
    }
    for t in tasks:  # through do_assign: a sealed first event, the directive as source
        assert t.source_number == "125/UBND-KT" and t.seq == 1 and t.head_seal
        assert t.events.get().type == 101
    doc = ImportedDocument.objects.get()
    assert (doc.sender_code, doc.signer) == (CODES["root"], "Phó Chủ tịch Nguyễn Văn Lãnh")
    assert doc.package.read() == package(issued_on=day)  # every attachment kept


def test_the_due_date_of_the_package_is_the_deadline(coded):
    due = today() + timedelta(days=30)
    plan = importer.plan_edxml(package(due=f"{due:%Y/%m/%d}"))
    importer.do_import(coded.lanh_dao, [plan])
    assert set(Task.objects.values_list("deadline", flat=True)) == {due}


def test_malformed_xml_is_refused_and_nothing_written(coded):
    assert "không phải XML hợp lệ" in _refused(b"<edXML:edXMLEnvelope><unclosed>")


def test_entities_and_dtds_are_refused(coded):
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><edXMLEnvelope>&lol2;</edXMLEnvelope>'
    )
    assert "DTD" in _refused(bomb)
    external = (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
        b"<edXMLEnvelope>&e;</edXMLEnvelope>"
    )
    assert "DTD" in _refused(external)


def test_an_unknown_agency_code_is_named(coded):
    message = _refused(package(receivers=(CODES["so_a"], "000.00.99.H12")))
    assert "000.00.99.H12" in message and "không thuộc đơn vị nào" in message


def test_a_duplicate_document_is_refused(coded):
    data = package(issued_on=today() - timedelta(days=1))
    importer.do_import(coded.lanh_dao, [importer.plan_edxml(data)])
    with pytest.raises(ActionError) as exc:
        importer.plan_edxml(data)
    assert "đã được nhập" in exc.value.message and "125/UBND-KT" in exc.value.message
    assert Task.objects.count() == 2


def test_missing_fields_are_all_named(coded):
    message = _refused(package(number="", subject="", signer=""))
    for part in ("Code/CodeNumber", "Subject", "SignerInfo/FullName"):
        assert part in message


def test_a_receiving_unit_without_a_head_is_named(coded):
    codes.set_code(coded.a2, "000.12.01.H12", coded.a2.valid_from)
    message = _refused(package(receivers=(CODES["so_a"], "000.12.01.H12")))
    assert "Phòng Đầu tư" in message and "người đứng đầu" in message


def test_a_person_who_keeps_no_register_of_the_sender_may_not_import(coded):
    with pytest.raises(ActionError):
        importer.do_import(coded.alice, [importer.plan_edxml(package())])
    _nothing_written()


def test_codes_are_read_on_the_document_date_when_units_merge(coded):
    org = coded
    change = today() - timedelta(days=10)
    codes.set_code(org.so_b, "000.00.14.H12", change)
    old = AgencyCode.objects.get(code=CODES["so_b"])
    assert old.valid_to == change - timedelta(days=1)
    # A package dated before the change still reaches Sở Xây dựng by its old code.
    plan = importer.plan_edxml(package(issued_on=change - timedelta(days=3)))
    assert org.so_b in [r.unit for r in plan.receivers]
    with pytest.raises(ActionError, match=r"000\.00\.13\.H12"):
        importer.plan_edxml(package(issued_on=change + timedelta(days=1)))


def test_code_format_is_checked(coded):
    with pytest.raises(ActionError, match="định dạng"):
        codes.set_code(coded.xa, "H12-XA", today())


def test_the_command_imports_a_file(coded, tmp_path, capsys):
    path = tmp_path / "goi-tin.xml"
    path.write_bytes(package(issued_on=today() - timedelta(days=1)))
    call_command("import_edxml", str(path), "--by", "lanh_dao")
    assert "đã tạo 2 nhiệm vụ" in capsys.readouterr().out
    with pytest.raises(CommandError, match="đã được nhập"):
        call_command("import_edxml", str(path), "--by", "lanh_dao")
    bad = tmp_path / "hong.xml"
    bad.write_bytes(b"not xml at all")
    with pytest.raises(CommandError, match="Không ghi gì"):
        call_command("import_edxml", str(bad), "--by", "lanh_dao")
    assert Task.objects.count() == 2


HEADER = ["Số ký hiệu", "Ngày văn bản", "Mã cơ quan ban hành", "Trích yếu", "Mã đơn vị nhận"]


def _rows(day: date) -> list[list[str]]:
    return [
        HEADER,
        ["10/KH-UBND", f"{day:%d/%m/%Y}", CODES["root"], "Kế hoạch chuyển đổi số", CODES["so_a"]],
        [
            "11/CV-UBND",
            f"{day:%d/%m/%Y}",
            CODES["root"],
            "Rà soát đầu tư công",
            f"{CODES['so_a']}; {CODES['so_b']}",
        ],
    ]


def test_a_csv_sheet_imports_every_row(coded, tmp_path):
    rows = _rows(today() - timedelta(days=1))
    path = tmp_path / "van-ban.csv"
    path.write_text("\n".join(",".join(f'"{c}"' for c in r) for r in rows), encoding="utf-8")
    call_command("import_directives", str(path), "--by", "lanh_dao")
    assert Directive.objects.count() == 2 and Task.objects.count() == 3


def test_an_xlsx_sheet_with_one_bad_row_writes_nothing(coded, tmp_path):
    rows = _rows(today() - timedelta(days=1))
    rows.append(["12/CV-UBND", "32/13/2026", CODES["root"], "Sai ngày", CODES["so_a"]])
    rows.append(["13/CV-UBND", f"{today():%d/%m/%Y}", CODES["root"], "", "000.00.77.H12"])
    wb = Workbook()
    for r in rows:
        wb.active.append(r)
    path = tmp_path / "van-ban.xlsx"
    wb.save(path)
    with pytest.raises(ActionError) as exc:
        importer.plan_sheet(path.read_bytes(), path.name)
    assert "Dòng 4" in exc.value.message and "Dòng 5" in exc.value.message
    assert "Trích yếu" in exc.value.message
    _nothing_written()


def test_the_report_package_goes_back_to_the_issuer(coded):
    org = coded
    day = today() - timedelta(days=1)
    [directive] = importer.do_import(org.lanh_dao, [importer.plan_edxml(package(issued_on=day))])
    task = Task.objects.get(directive=directive, lead_unit=org.so_a)
    with pytest.raises(ActionError, match="đã được duyệt"):
        report_package(task)
    A.do_accept(task, org.gd_a)
    A.do_submit(task, org.gd_a, result="Đã rà soát 120 thủ tục, đề xuất bãi bỏ 8.")
    A.do_approve(task, org.lanh_dao)
    task.refresh_from_db()
    back = read_package(report_package(task))
    assert back.sender.code == CODES["so_a"]
    assert [r.code for r in back.receivers] == [CODES["root"]]
    assert back.content == "Đã rà soát 120 thủ tục, đề xuất bãi bỏ 8."
    assert back.signer.endswith("Trần Thị Giang")


def test_a_race_on_the_same_document_is_a_refusal_not_an_error(coded):
    """Two clerks confirm the same package: the second one's check ran before the first import
    committed (simulated by skipping it); the register's own check refuses it. (Truly
    simultaneous commits meet the unique constraints, which do_import reports the same way.)"""
    day = today() - timedelta(days=1)
    plan = importer.plan_edxml(package(issued_on=day))
    importer.do_import(coded.lanh_dao, [importer.plan_edxml(package(issued_on=day))])
    from unittest import mock

    with (
        mock.patch.object(importer, "_check", return_value=(plan, [])),
        pytest.raises(ActionError, match="đã vào sổ"),
    ):
        importer.do_import(coded.lanh_dao, [plan])
    assert Task.objects.count() == 2


def test_the_code_and_subscriber_commands(org, capsys):
    from congvu.exchange.models import Subscriber

    call_command("set_agency_code", "STC", "000.00.12.h12", "--from", "2024-01-01")
    call_command("set_agency_code", "STC", "000.00.15.H12", "--from", "2025-07-01")
    call_command("set_agency_code", "--list")
    out = capsys.readouterr().out
    assert "000.00.12.H12\t01/01/2024–30/06/2025" in out and "000.00.15.H12\t01/07/2025–nay" in out
    with pytest.raises(CommandError, match="đang là của Sở Tài chính"):
        call_command("set_agency_code", "SXD", "000.00.15.H12")
    call_command(
        "add_subscriber", "Hệ thống chỉ đạo", "https://example.invalid/hook", "--kinds", "101,205"
    )
    sub = Subscriber.objects.get()
    assert sub.kinds == [101, 205] and sub.secret in capsys.readouterr().out
