"""Phiếu theo dõi nhiệm vụ: the task page prints a PDF in administrative form with the
motto, the issuing unit, the task, its lead, the coordinating units and their deadlines, and
every step with who took it and why (issue #15); a person who cannot see the task gets 404."""

from __future__ import annotations

import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest

from congvu.org import actions as org_actions
from congvu.org.models import today
from congvu.tasks import actions as A
from congvu.testing import MISSING_PACKAGE
from congvu.web.tests.tasks_helpers import assign

needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason=f"{MISSING_PACKAGE} poppler-utils (pdftotext)"
)


def _text(pdf: bytes, tmp_path: Path) -> str:
    src = tmp_path / "sheet.pdf"
    src.write_bytes(pdf)
    out = subprocess.run(["pdftotext", str(src), "-"], check=True, capture_output=True)
    return " ".join(out.stdout.decode().split())


def _task(org):  # type: ignore[no-untyped-def]
    due = today() + timedelta(days=3)
    task = assign(
        org,
        title="Rà soát dự toán chi thường xuyên năm 2027",
        coordinators=("so_b",),
        coord_due=due,
    )
    A.do_accept(task, org.gd_a)
    A.do_report_progress(task, org.gd_a, percent=40, text="Đã tổng hợp số liệu của 12 phòng")
    A.do_remind(task, org.lanh_dao, text="Đề nghị đẩy nhanh tiến độ")
    return task, due


@needs_poppler
def test_the_lead_prints_the_sheet_with_motto_task_coordinators_and_steps(signed_in, org, tmp_path):
    task, due = _task(org)
    response = signed_in("gd_a").get(f"/viec/{task.pk}/phieu.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "phieu-theo-doi-nhiem-vu" in response["Content-Disposition"]
    assert response.content.startswith(b"%PDF")
    text = _text(response.content, tmp_path)
    for expected in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "ỦY BAN NHÂN DÂN TỈNH",  # the issuing unit (its name wraps in the header)
        "PHIẾU THEO DÕI NHIỆM VỤ",
        "Rà soát dự toán chi thường xuyên năm 2027",
        "Trần Thị Giang",  # the lead
        "Sở Xây dựng",  # the coordinating unit
        due.strftime("%d/%m/%Y"),  # its deadline
        "Đã tổng hợp số liệu của 12 phòng",  # a step's reason
        "Đề nghị đẩy nhanh tiến độ",
        "Nguyễn Văn Lãnh",  # the reminder's actor
    ):
        assert expected in text, expected


@needs_poppler
def test_a_step_taken_under_delegation_says_for_whom_on_the_sheet(signed_in, org, tmp_path):
    task = assign(org, unit="so_b", lead="gd_b", title="Việc của tỉnh giao Sở Xây dựng")
    A.do_accept(task, org.gd_b)
    A.do_submit(task, org.gd_b, result="Báo cáo")
    org_actions.delegate(
        org.lanh_dao,
        org.gd_a,
        valid_from=today(),
        valid_to=today() + timedelta(days=3),
        reason="Đi công tác nước ngoài",
        by=org.lanh_dao,
    )
    A.do_approve(task, org.gd_a)
    text = _text(signed_in("gd_b").get(f"/viec/{task.pk}/phieu.pdf").content, tmp_path)
    # The cell wraps where the page's width says: check the words, not the line breaks.
    assert "Trần Thị Giang thực hiện theo ủy quyền của Nguyễn Văn Lãnh" in text.replace("- ", "")


def test_the_sheet_is_in_vietnamese_even_for_an_english_reader(signed_in, org, client, tmp_path):
    task, _due = _task(org)
    signed_in("gd_a")
    client.cookies["django_language"] = "en"
    response = client.get(f"/viec/{task.pk}/phieu.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    if shutil.which("pdftotext"):
        assert "Tiếp nhận" in _text(response.content, tmp_path)


def test_a_person_who_cannot_see_the_task_gets_404(signed_in, org):
    task, _due = _task(org)
    assert signed_in("charlie").get(f"/viec/{task.pk}/phieu.pdf").status_code == 404
    assert signed_in("gd_b").get(f"/viec/{task.pk}/phieu.pdf").status_code == 200  # coordinates
    assert signed_in("gd_a").get("/viec/999999/phieu.pdf").status_code == 404


def test_the_task_page_links_to_the_sheet(signed_in, org):
    task, _due = _task(org)
    body = signed_in("gd_a").get(f"/viec/{task.pk}/").content.decode()
    assert f'href="/viec/{task.pk}/phieu.pdf"' in body
