"""The Content-Security-Policy (no inline script or style, nothing from elsewhere) breaks no
page: Chromium reports every violation on the console, and there must be none."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_pages_run_under_the_content_security_policy(browser_as, org, flushable_log):
    page = browser_as("lanh_dao")
    violations: list[str] = []
    page.on(
        "console",
        lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
    )
    response = page.goto("/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    for path in (
        "/",
        "/viec/giao/",
        "/toan-tinh/",
        "/to-chuc/",
        "/lich-lam-viec/",
        "/uy-quyen/",
        "/van-ban/nhap/",
    ):
        page.goto(path)
    # An htmx request too: the unit picker's live search.
    page.goto("/viec/giao/")
    search = page.locator("input[type=search]").first
    search.fill("tai chinh")
    page.wait_for_timeout(600)
    # The organisation forms of the unit page, as the administrator sees them.
    admin = browser_as("quan_tri")
    admin.on(
        "console",
        lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
    )
    admin.goto("/lien-thong/ma-dinh-danh/")
    admin.goto("/lien-thong/webhook/")
    admin.goto(f"/to-chuc/don-vi/{org.a1.pk}/")
    admin.get_by_text("Bố trí cán bộ (người đứng đầu, cấp phó, chuyên viên)").click()
    admin.goto("/tai-khoan/")
    admin.goto(f"/tai-khoan/can-bo/{org.alice.pk}/")
    admin.get_by_text("Đặt lại mật khẩu").first.click()
    assert violations == []
