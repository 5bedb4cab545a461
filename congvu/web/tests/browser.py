"""Playwright against Debian's Chromium (never a downloaded browser build) and live_server.

Browser tests are marked @pytest.mark.browser. Outside CI they skip when /usr/bin/chromium is
missing; in CI (CI=true) a missing browser is a failure, so they cannot silently stop running.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from congvu.testing import MISSING_PACKAGE, PASSWORD

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# README pictures are refreshed only on request (`make screenshots`): an ordinary test run must
# not rewrite tracked files.
SCREENSHOTS = (
    Path(__file__).resolve().parents[3] / "docs" / "screenshots"
    if os.getenv("CONGVU_SCREENSHOTS")
    else Path(tempfile.gettempdir()) / "congvu-screenshots"
)


@pytest.fixture(scope="session")
def chromium() -> Iterator[object]:
    if not CHROMIUM.exists():
        if os.getenv("CI"):
            pytest.fail("/usr/bin/chromium is missing: .ci/run installs Debian's chromium package")
        pytest.skip(f"{MISSING_PACKAGE} chromium")
    # Playwright's sync API runs an event loop in this thread; the ORM calls made by the test
    # itself (fixtures, assertions) are still synchronous and safe.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        yield browser
        browser.close()


def new_page(chromium, base_url: str, width: int = 1280, height: int = 860):  # type: ignore[no-untyped-def]
    context = chromium.new_context(
        base_url=base_url,
        locale="vi-VN",
        timezone_id="Asia/Ho_Chi_Minh",
        viewport={"width": width, "height": height},
    )
    context.set_default_timeout(10_000)
    return context.new_page()


@pytest.fixture
def page(chromium, live_server):  # type: ignore[no-untyped-def]
    pg = new_page(chromium, live_server.url)
    yield pg
    pg.context.close()


@pytest.fixture
def browser_as(chromium, live_server):  # type: ignore[no-untyped-def]
    """browser_as("gd_a") → a page in its own browser context, signed in as that person."""
    pages = []

    def open_as(username: str):  # type: ignore[no-untyped-def]
        pg = new_page(chromium, live_server.url)
        sign_in(pg, username)
        pages.append(pg)
        return pg

    yield open_as
    for pg in pages:
        pg.context.close()


def sign_in(page, username: str) -> None:  # type: ignore[no-untyped-def]
    page.goto("/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(lambda url: "/dang-nhap/" not in url)


def screenshot(page, name: str, *, full_page: bool = False) -> Path:  # type: ignore[no-untyped-def]
    """A PNG for the README, kept under 300 KB."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    assert path.stat().st_size < 300_000, f"{path.name} is {path.stat().st_size} bytes"
    return path


LOG_TABLES = ["tasks_taskevent", "tasks_logcheckpoint", "tasks_checkpointhead"]


@pytest.fixture
def flushable_log(transactional_db):  # type: ignore[no-untyped-def]
    """Let the flush after a transactional (live_server) test empty the append-only log.

    PostgreSQL: the flush TRUNCATEs, which the triggers allow in maintenance mode. SQLite: the
    flush DELETEs, which the triggers refuse, so the log tables are emptied here first with
    the triggers lifted for that moment (the same SQL as migration tasks/0002).
    """
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SET congvu.maintenance = 'on'")
    yield
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cur:
        for table in LOG_TABLES:
            cur.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")
            cur.execute(f"DELETE FROM {table}")
            cur.execute(
                f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
                f"BEGIN SELECT RAISE(ABORT, 'append-only table {table}: DELETE refused'); END"
            )
