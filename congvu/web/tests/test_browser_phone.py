"""A phone (360 px wide): no page scrolls sideways, the header stays small and the task page
shows its actions before anything else."""

from __future__ import annotations

import pytest

from congvu.tasks import actions as A
from congvu.web.tests.browser import screenshot, sign_in
from congvu.web.tests.tasks_helpers import assign

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("flushable_log"),
]

WIDTH, HEIGHT = 360, 740


def _overflow(page) -> int:  # type: ignore[no-untyped-def]
    return int(page.evaluate("document.documentElement.scrollWidth - window.innerWidth"))


def test_lists_and_dashboards_fit_a_phone_and_the_header_is_compact(page, org):
    task = assign(org, title="Rà soát dự toán chi thường xuyên năm 2027", coordinators=("so_b",))
    A.do_accept(task, org.gd_a)
    page.set_viewport_size({"width": WIDTH, "height": HEIGHT})
    sign_in(page, "gd_a")
    for url in (
        "/don-vi/",
        f"/don-vi/{org.so_a.pk}/",
        "/viec/",
        "/viec/?qua_han=1&sap_xep=han",
        "/phat-hien/",
        "/tim-kiem/?q=du+toan+2027",
        "/thong-bao/",
    ):
        page.goto(url)
        assert _overflow(page) <= 0, (url, _overflow(page))
    header = page.evaluate("document.querySelector('header.top').getBoundingClientRect().height")
    assert header <= 140, header


def test_the_task_page_shows_its_actions_above_the_fold_on_a_phone(page, org):
    task = assign(org, title="Rà soát dự toán chi thường xuyên năm 2027", coordinators=("so_b",))
    page.set_viewport_size({"width": WIDTH, "height": HEIGHT})
    sign_in(page, "gd_a")
    page.goto(f"/viec/{task.pk}/")
    assert _overflow(page) <= 0
    heading = page.get_by_role("heading", name="Thao tác")
    box = heading.bounding_box()
    assert box is not None and box["y"] + box["height"] <= HEIGHT, box
    accept = page.locator("#act-accept summary, #act-accept button").first
    accept_box = accept.bounding_box()
    assert accept_box is not None and accept_box["y"] < HEIGHT, accept_box
    screenshot(page, "phone-task")
