"""Issue #15, "a browser scenario per role": the day of each role that the other browser
scenarios do not follow (the inspector, Sở Nội vụ, the administrator), end to end in Chromium,
asserting what was written or shown, not only that pages load."""

from __future__ import annotations

import io

import pytest

from congvu.tasks import actions as A
from congvu.tasks.models import TaskEvent
from congvu.web.tests.browser import screenshot
from congvu.web.tests.tasks_helpers import assign

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("flushable_log"),
]


def test_the_inspector_checks_the_log_filters_a_task_and_exports_it(org, browser_as):
    from openpyxl import load_workbook

    task = assign(org, unit="a1", lead="alice", title="Kiểm kê tài sản công năm 2026")
    A.do_accept(task, org.alice)
    A.do_report_progress(task, org.alice, percent=30, text="Đã kiểm kê 3 kho")
    other = assign(org, unit="so_a", lead="gd_a", title="Lập kế hoạch vốn đầu tư")
    outside = assign(org, unit="so_b", lead="gd_b", title="Việc ngoài phạm vi thanh tra")

    inspector = browser_as("thanh_tra")
    inspector.goto("/thanh-tra/")
    trail = inspector.locator("table.stack tbody")
    assert trail.get_by_text("Kiểm kê tài sản công năm 2026").first.is_visible()
    assert trail.get_by_text("Lập kế hoạch vốn đầu tư").first.is_visible()
    assert trail.get_by_text(outside.title).count() == 0  # Sở Xây dựng is out of scope
    # The integrity check recomputes every seal of the log and says it is whole.
    inspector.get_by_role("button", name="Kiểm tra ngay").click()
    inspector.locator("#integrity .msg-success").wait_for()
    assert "Nhật ký nguyên vẹn" in inspector.locator("#integrity").inner_text()
    # Filter one task; the export holds exactly the events the page lists.
    inspector.get_by_label("Số nhiệm vụ").fill(str(task.pk))
    inspector.get_by_role("button", name="Lọc").click()
    inspector.wait_for_url(f"**nhiem_vu={task.pk}**")
    assert trail.get_by_text("Lập kế hoạch vốn đầu tư").count() == 0
    with inspector.expect_download() as download:
        inspector.get_by_role("link", name="XLSX (Excel)").click()
    book = load_workbook(io.BytesIO(download.value.path().read_bytes()))
    rows = list(book.active.iter_rows(min_row=2, values_only=True))
    assert len(rows) == TaskEvent.objects.filter(task=task).count() == 3
    assert {r[0] for r in rows} == {task.pk}  # the task number, a number
    assert other.pk not in {r[0] for r in rows}
    # Her scope's progress report, from the unit dashboard.
    inspector.goto(f"/don-vi/{org.so_a.pk}/")
    with inspector.expect_download() as download:
        inspector.get_by_role("button", name="Tải XLSX").click()
    summary = load_workbook(io.BytesIO(download.value.path().read_bytes()))["Tổng hợp"]
    figures = {r[0]: r[1] for r in summary.iter_rows(min_row=2, values_only=True)}
    assert figures["Số nhiệm vụ nhận"] == 2
    assert figures["Đang thực hiện"] == 2
    screenshot(inspector, "inspector-day")
