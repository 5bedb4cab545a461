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
    for path in ("/", "/viec/giao/", "/toan-tinh/", "/to-chuc/", "/lich-lam-viec/"):
        page.goto(path)
    # An htmx request too: the unit picker's live search.
    page.goto("/viec/giao/")
    search = page.locator("input[type=search]").first
    search.fill("tai chinh")
    page.wait_for_timeout(600)
    assert violations == []
