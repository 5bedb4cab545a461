"""Issue #15, part A, in a real browser: the assign form, approval, the inbox and the bell."""

from __future__ import annotations

import pytest

from congvu.tasks import actions as A
from congvu.tasks.models import Status, Task
from congvu.web.tests.tasks_helpers import assign
from congvu.web.tests.test_browser_scenario import act

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("flushable_log"),
]


def test_picking_a_person_leaves_the_page_still_and_the_first_click_assigns(org, browser_as):
    leader = browser_as("lanh_dao")
    leader.goto("/viec/giao/")
    leader.get_by_label("Số, ký hiệu văn bản").fill("1713/UBND-NCKSTTHC")
    leader.get_by_label("Tên nhiệm vụ").fill("Rà soát thủ tục cấp phép")
    # Enter in a pick-list search picks the first result; it does not submit the form.
    unit_search = leader.locator("#q-lead_unit")
    unit_search.fill("so tai chinh")
    leader.locator("#results-lead_unit button", has_text="Sở Tài chính").wait_for()
    unit_search.press("Enter")
    assert leader.locator("#picker-lead_unit .chosen .chip", has_text="Sở Tài chính").is_visible()
    assert leader.url.endswith("/viec/giao/")
    assert not Task.objects.exists()
    # Picking the person: the list empties and does not come back to shift the page.
    leader.locator("#q-lead_person").focus()
    leader.locator("#results-lead_person button", has_text="Trần Thị Giang").click()
    button = leader.get_by_role("button", name="Giao việc")
    before = button.bounding_box()
    leader.wait_for_timeout(600)  # longer than the picker's 250 ms search delay
    assert leader.locator("#results-lead_person li").count() == 0
    assert button.bounding_box() == before
    leader.get_by_role("spinbutton", name="Số ngày làm việc").fill("10")
    button.click()
    leader.wait_for_url("**/viec/*/")
    task = Task.objects.get()
    assert task.lead_person == org.gd_a and task.lead_unit == org.so_a


def test_choosing_the_person_fills_the_unit_and_errors_come_together(org, browser_as):
    head = browser_as("gd_a")
    head.goto("/viec/giao/")
    head.get_by_role("button", name="Giao việc").click()
    errors = head.locator(".errors")
    errors.first.wait_for()
    assert errors.count() >= 3  # title, directive, lead person, unit: on one page
    # A person found by name brings their unit with them.
    head.get_by_label("Tên nhiệm vụ").fill("Tổng hợp số liệu")
    head.get_by_label("Giao trực tiếp, không có văn bản").check()
    head.locator("#q-lead_person").fill("hoang thi an")
    head.locator("#results-lead_person button", has_text="Hoàng Thị An").click()
    assert head.locator("#picker-lead_unit .chip", has_text="Phòng Ngân sách").is_visible()
    head.get_by_role("spinbutton", name="Số ngày làm việc").fill("3")
    head.get_by_role("button", name="Giao việc").click()
    head.wait_for_url("**/viec/*/")
    assert Task.objects.get().lead_unit == org.a1


def test_the_lead_asks_a_superior_two_levels_up_and_the_assigner_decides(org, browser_as):
    task = assign(org, by="gd_a", unit="a1", lead="alice", days=5)
    A.do_accept(task, org.alice)
    specialist = browser_as("alice")
    specialist.goto(f"/viec/{task.pk}/")
    form = act(specialist, "request_opinion")
    form.locator("#q-request_opinion-superior").focus()
    form.locator(".pick-results button", has_text="Nguyễn Văn Lãnh").click()  # the province
    form.get_by_label("Nội dung xin ý kiến").fill("Xin ý kiến về phạm vi rà soát")
    form.get_by_role("button", name="Xin ý kiến cấp trên").click()
    specialist.get_by_text("Đã ghi nhận: Xin ý kiến cấp trên.").wait_for()
    # The province's leader finds it waiting on him, and a notification.
    leader = browser_as("lanh_dao")
    leader.goto("/")
    assert leader.locator("#wait-opinions").get_by_text(task.title).is_visible()
    assert leader.locator("#bell .badge").is_visible()


def test_the_assigner_reassigns_a_declined_task_to_the_proposed_unit(org, browser_as):
    task = assign(org, by="gd_a", unit="a1", lead="alice", days=5)
    A.do_decline(task, org.alice, reason="Thuộc Phòng Đầu tư", proposed_unit=org.a2)
    head = browser_as("gd_a")
    head.goto("/")
    decide = head.locator("#wait-sent_back")
    decide.get_by_role("link", name=task.title).click()
    # Not offered the lead's steps on his own task; the reassign form starts at the proposal.
    assert head.locator("#act-accept").count() == 0
    form = act(head, "reassign")
    assert form.locator(".chosen .chip", has_text="Phòng Đầu tư").is_visible()
    form.locator("#q-reassign-to_person").focus()
    form.locator(".pick-results button", has_text="Vũ Văn Bình").click()
    form.get_by_role("button", name="Đổi đơn vị, người chủ trì").click()
    head.get_by_text("Đã ghi nhận").wait_for()
    task.refresh_from_db()
    assert task.lead_unit == org.a2 and task.lead_person == org.bob


def test_an_approved_sub_task_shows_100_percent_and_the_parent_goes_up(org, browser_as):
    parent = assign(org, days=10)
    A.do_accept(parent, org.gd_a)
    child = assign(org, by="gd_a", unit="a1", lead="alice", days=5, parent=parent)
    A.do_accept(child, org.alice)
    A.do_report_progress(child, org.alice, percent=40, text="Đang tổng hợp")
    A.do_submit(child, org.alice, result="Bảng tổng hợp")
    head = browser_as("gd_a")
    head.goto("/")
    head.locator("#wait-submitted").get_by_role("link", name=child.title).click()
    act(head, "approve").get_by_role("button", name="Phê duyệt kết quả").click()
    head.get_by_text("Đã ghi nhận: Phê duyệt kết quả.").wait_for()
    assert head.get_by_text("100 %").first.is_visible()
    head.goto(f"/viec/{parent.pk}/")
    form = act(head, "submit")
    form.get_by_label("Kết quả thực hiện").fill("Báo cáo kết quả rà soát")
    form.get_by_role("button", name="Trình kết quả").click()
    head.get_by_text("Đã ghi nhận: Trình kết quả.").wait_for()
    assert Task.objects.get(pk=parent.pk).status == Status.SUBMITTED
    # The approved child now waits only for its closing, in the assigner's list.
    head.goto("/")
    assert head.locator("#wait-approved").get_by_text(child.title).is_visible()
