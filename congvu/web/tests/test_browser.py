"""End-to-end checks in a real browser: few and fast (the suite runs twice in CI)."""

from __future__ import annotations

import pytest

from congvu.web.tests.browser import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("flushable_log"),
]


def test_a_specialist_signs_in_and_lands_on_their_inbox(page, org):
    page.goto("/")
    assert "/dang-nhap/" in page.url
    sign_in(page, "alice")
    assert page.get_by_role("heading", name="Việc của tôi").is_visible()
    assert page.get_by_role("navigation", name="Điều hướng chính").is_visible()
    page.get_by_role("button", name="EN").click()
    assert page.get_by_role("heading", name="My work").is_visible()
    page.get_by_role("button", name="VI").click()
    assert page.get_by_role("heading", name="Việc của tôi").is_visible()


def test_a_specialist_cannot_open_another_units_page_by_url(page, org):
    sign_in(page, "alice")
    response = page.goto(f"/to-chuc/don-vi/{org.b1.pk}/")
    assert response is not None and response.status == 403
    assert page.get_by_role("heading", name="Không có quyền truy cập").is_visible()


def test_the_layout_fits_a_360px_screen(page, org):
    from congvu.tasks import actions as A

    task = A.do_assign(
        assigner=org.lanh_dao,
        title="Rà soát thủ tục",
        lead_unit=org.so_a,
        lead_person=org.gd_a,
        working_days=5,
        source_number="1713/UBND-NCKSTTHC",
    )
    page.set_viewport_size({"width": 360, "height": 740})
    sign_in(page, "lanh_dao")
    for url in (
        "/lich-lam-viec/?nam=2025",
        f"/viec/{task.pk}/",
        "/viec/giao/",
        "/toan-tinh/",
        "/",
        "/to-chuc/",
    ):
        page.goto(url)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, url
    # keyboard: the skip link is the first stop and jumps to the content
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
