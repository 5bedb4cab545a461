"""A directive package imported from a file becomes tasks in the browser (issue #16)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from congvu.exchange.tests.samples import give_codes, package
from congvu.exchange.xmlsig import sign_package
from congvu.org.models import today
from congvu.tasks.models import Task
from congvu.web.tests.pki import P12_PASSWORD, TestCA

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("flushable_log"),
]


def test_a_leader_uploads_a_package_and_the_units_get_their_tasks(
    org, browser_as, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    give_codes(org)
    # The sending agency signs the package; Công Vụ trusts the agencies' CA.
    ca = TestCA()
    settings.SIGNING_P12 = str(ca.write_p12(ca.issue("Văn phòng UBND tỉnh"), tmp_path / "s.p12"))
    settings.SIGNING_P12_PASSWORD = P12_PASSWORD
    signed = sign_package(package(issued_on=today() - timedelta(days=1)))
    settings.SIGNING_P12 = ""
    settings.SIGNING_TRUST_ROOTS = [str(ca.write_root(tmp_path / "root.pem"))]
    path = tmp_path / "125-UBND-KT.xml"
    path.write_bytes(signed)

    page = browser_as("lanh_dao")
    page.goto("/viec/giao/")
    page.get_by_role("link", name="Nhập gói tin văn bản (edXML, CSV, XLSX)").click()
    page.wait_for_url("**/van-ban/nhap/")
    page.get_by_label("Gói tin edXML (.xml) hoặc bảng văn bản (.csv, .xlsx)").set_input_files(
        str(path)
    )
    page.get_by_role("button", name="Xem trước").click()
    page.get_by_role("heading", name="Xem trước văn bản nhập").wait_for()
    assert page.get_by_role("cell", name="Trần Thị Giang").is_visible()
    assert page.get_by_text("Hợp lệ, ký bởi Văn phòng UBND tỉnh").is_visible()
    assert not Task.objects.exists()
    page.get_by_role("button", name="Xác nhận nhập và giao việc").click()
    page.get_by_text("Đã nhập 1 văn bản, giao 2 nhiệm vụ.").wait_for()
    assert "/van-ban/" in page.url
    assert page.get_by_role("link", name="Về việc rà soát thủ tục hành chính năm 2026").count() == 2
    assert sorted(Task.objects.values_list("lead_unit__name", flat=True)) == [
        "Sở Tài chính",
        "Sở Xây dựng",
    ]
