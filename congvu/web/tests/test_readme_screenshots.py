"""README pictures from the demo province (`make screenshots`): the inbox, a task timeline, the
province dashboard and its hand-over network, as the people of the demo would see them.
Skipped in ordinary runs."""

from __future__ import annotations

import os

import pytest

from congvu.web.tests.browser import SCREENSHOTS, new_page, screenshot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not os.getenv("CONGVU_SCREENSHOTS"), reason="only under make screenshots"),
]


def sign_in_demo(page, username):  # type: ignore[no-untyped-def]
    from congvu.demo.province import DEMO_PASSWORD

    page.goto("/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(lambda url: "/dang-nhap/" not in url)


def test_readme_screenshots_from_the_demo_province(chromium, live_server, flushable_log):
    from django.core.management import call_command
    from django.db.models import Count

    from congvu.tasks.models import Task

    # The same province `make run` builds.
    call_command("seed_demo", "--people", "1500", verbosity=0)

    # The inbox of the person with the most open work.
    busy = (
        Task.objects.filter(status__in=["assigned", "in_progress", "paused"])
        .values("lead_person__user__username")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    assert busy is not None
    page = new_page(chromium, live_server.url, width=1280, height=900)
    sign_in_demo(page, busy["lead_person__user__username"])
    page.goto("/")
    screenshot(page, "inbox", full_page=False)

    page.context.close()

    leader = new_page(chromium, live_server.url, width=1280, height=900)
    sign_in_demo(leader, "chutich")
    # A task with a long history: its timeline.
    busiest = Task.objects.annotate(n=Count("events")).order_by("-n", "pk").first()
    assert busiest is not None
    leader.goto(f"/viec/{busiest.pk}/")
    leader.locator("text=Diễn biến xử lý").first.scroll_into_view_if_needed()
    screenshot(leader, "task-timeline")
    leader.set_viewport_size({"width": 1280, "height": 1500})
    leader.goto("/toan-tinh/")
    screenshot(leader, "province-dashboard")
    # The hand-over network sits below the ranking: its own picture (the period chosen, the
    # drawing, the table with its returns), labels readable.
    net = leader.locator("section[aria-labelledby=h-net]")
    net.scroll_into_view_if_needed()
    path = SCREENSHOTS / "handover-network.png"
    net.screenshot(path=str(path))
    assert path.stat().st_size < 300_000
    leader.context.close()
