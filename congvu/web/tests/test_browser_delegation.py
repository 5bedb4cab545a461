"""Ủy quyền in a real browser: the leader going on a mission delegates from the menu, his
delegate approves in his name and the timeline says so, then the leader, back early, ends it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from congvu.org.models import Delegation, today
from congvu.tasks import actions as A
from congvu.tasks.models import Status, Task
from congvu.web.tests.tasks_helpers import assign
from congvu.web.tests.test_browser_scenario import act

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("flushable_log"),
]


def test_a_leader_delegates_his_delegate_approves_and_the_leader_ends_it_early(org, browser_as):
    task = assign(org, unit="so_b", lead="gd_b", title="Việc của tỉnh giao Sở Xây dựng")
    A.do_accept(task, org.gd_b)
    A.do_submit(task, org.gd_b, result="Báo cáo kết quả rà soát")

    leader = browser_as("lanh_dao")
    leader.get_by_role("navigation", name="Điều hướng chính").get_by_role(
        "link", name="Ủy quyền"
    ).click()
    leader.wait_for_url("**/uy-quyen/")
    leader.get_by_label("Người được ủy quyền").select_option(label="Trần Thị Giang")
    leader.get_by_label("Từ ngày").fill(today().strftime("%d/%m/%Y"))
    leader.get_by_label("Đến ngày").fill((today() + timedelta(days=4)).strftime("%d/%m/%Y"))
    leader.get_by_label("Lý do").fill("Đi công tác nước ngoài")
    leader.get_by_role("button", name="Ủy quyền", exact=True).click()
    leader.get_by_text("Đã ủy quyền cho Trần Thị Giang").wait_for()
    assert leader.get_by_text("Đang hiệu lực").is_visible()

    deputy = browser_as("gd_a")
    deputy.goto(f"/viec/{task.pk}/")
    act(deputy, "approve").get_by_role("button", name="Phê duyệt kết quả").click()
    deputy.get_by_text("Trần Thị Giang thực hiện theo ủy quyền của Nguyễn Văn Lãnh").wait_for()
    assert Task.objects.get(pk=task.pk).status == Status.APPROVED

    leader.get_by_role("button", name="Kết thúc ủy quyền cho Trần Thị Giang").click()
    leader.get_by_text("Đã kết thúc ủy quyền cho Trần Thị Giang.").wait_for()
    assert leader.get_by_text("Đã thu hồi").is_visible()
    assert Delegation.objects.get().revoked_at is not None
    response = deputy.goto(f"/viec/{task.pk}/")
    assert response is not None and response.status == 404


def test_home_affairs_records_the_delegation_of_a_leader_who_is_away(org, browser_as):
    """The leader fell ill before he could delegate: Sở Nội vụ records it for him from the
    menu; the log names Sở Nội vụ as the actor and the delegate acts in his name."""
    from congvu.audit.models import AuditEvent

    task = assign(org, unit="so_b", lead="gd_b", title="Việc của tỉnh giao Sở Xây dựng")
    A.do_accept(task, org.gd_b)
    A.do_submit(task, org.gd_b, result="Báo cáo kết quả rà soát")

    hr = browser_as("noi_vu")
    hr.get_by_role("navigation", name="Điều hướng chính").get_by_role(
        "link", name="Ủy quyền"
    ).click()
    hr.wait_for_url("**/uy-quyen/thay-mat/")
    hr.get_by_label("Người ủy quyền", exact=True).select_option(label="Nguyễn Văn Lãnh (LANH_DAO)")
    hr.get_by_role("button", name="Chọn").click()
    hr.get_by_role("heading", name="Lập ủy quyền thay Nguyễn Văn Lãnh").wait_for()
    hr.locator("#id_to").select_option(label="Trần Thị Giang")
    hr.get_by_label("Đến ngày").fill((today() + timedelta(days=2)).strftime("%d/%m/%Y"))
    hr.get_by_label("Lý do").fill("Ốm đột xuất, báo qua điện thoại")
    hr.get_by_role("button", name="Ghi ủy quyền").click()
    hr.get_by_text("Đã ghi ủy quyền của Nguyễn Văn Lãnh cho Trần Thị Giang").wait_for()
    assert hr.get_by_role("cell", name="Hồ Thị Nga").is_visible()  # recorded by
    assert AuditEvent.objects.get(kind="delegation_given").actor == org.noi_vu

    deputy = browser_as("gd_a")
    deputy.goto(f"/viec/{task.pk}/")
    act(deputy, "approve").get_by_role("button", name="Phê duyệt kết quả").click()
    deputy.get_by_text("Trần Thị Giang thực hiện theo ủy quyền của Nguyễn Văn Lãnh").wait_for()
    assert Task.objects.get(pk=task.pk).status == Status.APPROVED
