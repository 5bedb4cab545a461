"""Báo cáo tiến độ thực hiện nhiệm vụ của đơn vị (issue #15): from the unit dashboard, for a
period, an XLSX with typed cells and a PDF in administrative form; the figures are those of
tasks counted by hand here; whoever cannot see the unit's dashboard cannot get its report."""

from __future__ import annotations

import io
import shutil
import subprocess
from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from congvu.org.models import today
from congvu.tasks import actions as A
from congvu.tasks.models import Status
from congvu.testing import MISSING_PACKAGE
from congvu.web.tests.tasks_helpers import assign

needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason=f"{MISSING_PACKAGE} poppler-utils (pdftotext)"
)


def _ago(days: int) -> datetime:
    return timezone.now() - timedelta(days=days)


def _tasks(org):  # type: ignore[no-untyped-def]
    """Sở Tài chính in the period: one on time, one late, one overdue, one in progress; and
    two that do not count (assigned before the period; another Sở's)."""
    on_time = A.do_assign(
        assigner=org.lanh_dao,
        title="Tổng hợp quyết toán ngân sách quý III",
        lead_unit=org.units["a1"],
        lead_person=org.tp_a1,
        working_days=10,
        source_number="12/UBND-TH",
        at=_ago(40),
    )
    A.do_accept(on_time, org.tp_a1, at=_ago(39))
    A.do_submit(on_time, org.tp_a1, result="Đã tổng hợp", at=_ago(38))
    A.do_approve(on_time, org.lanh_dao, at=_ago(37))
    on_time.refresh_from_db()
    if on_time.status != Status.COMPLETED:
        A.do_complete(on_time, org.lanh_dao, at=_ago(37))
    late = A.do_assign(
        assigner=org.lanh_dao,
        title="Rà soát dự toán chi thường xuyên năm 2027",
        lead_unit=org.units["a1"],
        lead_person=org.alice,
        working_days=5,
        source_number="13/UBND-TH",
        at=_ago(40),
    )
    A.do_accept(late, org.alice, at=_ago(39))
    A.do_submit(late, org.alice, result="Đã rà soát")
    A.do_approve(late, org.lanh_dao)
    late.refresh_from_db()
    if late.status != Status.COMPLETED:
        A.do_complete(late, org.lanh_dao)
    overdue = A.do_assign(
        assigner=org.lanh_dao,
        title="Đánh giá hiệu quả đầu tư công năm 2026",
        lead_unit=org.units["a2"],
        lead_person=org.bob,
        working_days=5,
        source_number="14/UBND-TH",
        at=_ago(40),
    )
    assign(org, unit="so_a", lead="gd_a", title="Xây dựng kế hoạch tài chính 5 năm")
    A.do_assign(
        assigner=org.lanh_dao,
        title="Việc giao trước kỳ báo cáo",
        lead_unit=org.units["a1"],
        lead_person=org.alice,
        working_days=5,
        source_number="15/UBND-TH",
        at=_ago(100),
    )
    assign(org, unit="so_b", lead="gd_b", title="Việc của Sở Xây dựng")
    return overdue


def _url(org, fmt: str) -> str:  # type: ignore[no-untyped-def]
    start = today() - timedelta(days=60)
    return f"/don-vi/{org.units['so_a'].pk}/bao-cao/?tu={start}&den={today()}&dinh_dang={fmt}"


def test_the_xlsx_counts_the_tasks_by_division_and_person_with_typed_cells(signed_in, org):
    from openpyxl import load_workbook

    overdue = _tasks(org)
    response = signed_in("gd_a").get(_url(org, "xlsx"))
    assert response.status_code == 200
    assert "bao-cao-tien-do" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    summary = {r[0]: r[1] for r in book["Tổng hợp"].iter_rows(min_row=2, values_only=True)}
    assert summary["Số nhiệm vụ nhận"] == 4
    assert summary["Hoàn thành đúng hạn"] == 1
    assert summary["Hoàn thành quá hạn"] == 1
    assert summary["Quá hạn chưa hoàn thành"] == 1
    assert summary["Đang thực hiện"] == 1
    divisions = {
        r[0]: list(r[1:]) for r in book["Theo phòng, đơn vị"].iter_rows(min_row=2, values_only=True)
    }
    assert divisions == {
        "Phòng Ngân sách": [2, 1, 1, 0, 0],
        "Phòng Đầu tư": [1, 0, 0, 1, 0],
        "Sở Tài chính (trực tiếp)": [1, 0, 0, 0, 1],
    }
    people = {
        r[0]: list(r[1:]) for r in book["Theo người chủ trì"].iter_rows(min_row=2, values_only=True)
    }
    assert people == {
        "Phạm Minh Tâm": [1, 1, 0, 0, 0],
        "Hoàng Thị An": [1, 0, 1, 0, 0],
        "Vũ Văn Bình": [1, 0, 0, 1, 0],
        "Trần Thị Giang": [1, 0, 0, 0, 1],
    }
    sheet = book["Nhiệm vụ quá hạn"]
    assert [c.value for c in sheet[1]][:2] == ["Mã", "Tên nhiệm vụ"]
    rows = list(sheet.iter_rows(min_row=2))
    assert len(rows) == 1
    pk, title, _unit, person, assigned_on, deadline, days_late = rows[0]
    assert pk.value == overdue.pk and pk.data_type == "n"
    assert title.value == "Đánh giá hiệu quả đầu tư công năm 2026"
    assert person.value == "Vũ Văn Bình"
    assert assigned_on.is_date and deadline.is_date
    assert deadline.number_format == "dd/mm/yyyy"
    assert deadline.value.date() == overdue.deadline
    assert days_late.data_type == "n" and days_late.value == (today() - overdue.deadline).days
    assert book["Tổng hợp"]["B3"].is_date  # the period's start


@needs_poppler
def test_the_pdf_is_an_administrative_report_with_the_overdue_list(signed_in, org, tmp_path):
    _tasks(org)
    response = signed_in("gd_a").get(_url(org, "pdf"))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    src = tmp_path / "report.pdf"
    src.write_bytes(response.content)
    out = subprocess.run(["pdftotext", str(src), "-"], check=True, capture_output=True)
    text = " ".join(out.stdout.decode().split())
    for expected in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "SỞ TÀI CHÍNH",
        "BÁO CÁO",
        "nhận 4 nhiệm vụ",
        "hoàn thành đúng hạn 1, hoàn thành quá hạn 1",
        "DANH SÁCH NHIỆM VỤ QUÁ HẠN",
        "Đánh giá hiệu quả đầu tư công năm 2026",
        "Vũ Văn Bình",
    ):
        assert expected in text, expected


def test_the_dashboard_offers_the_report_for_the_month(signed_in, org):
    page = signed_in("gd_a").get(f"/don-vi/{org.units['so_a'].pk}/").content.decode()
    assert f"/don-vi/{org.units['so_a'].pk}/bao-cao/" in page
    assert f'value="{today():%Y-%m}-01"' in page


@pytest.mark.parametrize("who", ["alice", "gd_b", "charlie"])
def test_who_cannot_see_the_dashboard_cannot_get_the_report(signed_in, org, who):
    _tasks(org)
    assert signed_in(who).get(_url(org, "xlsx")).status_code == 403


def test_a_reversed_period_is_refused(signed_in, org):
    url = f"/don-vi/{org.units['so_a'].pk}/bao-cao/?tu=2026-05-01&den=2026-04-01"
    assert signed_in("gd_a").get(url).status_code == 400
