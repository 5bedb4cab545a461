"""Issue #15, "a browser scenario per role": the day of each role that the other browser
scenarios do not follow (the inspector, Sở Nội vụ, the administrator, the clerk, the
deputy), end to end in Chromium, asserting what was written or shown, not only that pages
load."""

from __future__ import annotations

import io

import pytest

from congvu.tasks import actions as A
from congvu.tasks.models import TaskEvent
from congvu.web.tests.browser import screenshot
from congvu.web.tests.tasks_helpers import assign
from congvu.web.tests.test_browser_csp_evaluation_pages import rule_sets  # noqa: F401 - fixture
from congvu.web.tests.test_browser_scenario import act

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


@pytest.mark.usefixtures("rule_sets")
def test_hr_decides_an_evaluation_proposal_and_reads_the_staffing_list(org, browser_as):
    from congvu.evaluation.models import Proposal
    from congvu.evaluation.tests.helpers import scored_month
    from congvu.org.models import today

    evaluation = scored_month(org.alice, org.tp_a1, 1)
    proposal = Proposal.objects.create(
        person=org.alice,
        evaluation=evaluation,
        kind=Proposal.Kind.TRAINING,
        year=today().year,
        source_key="browser-role-day",
        legal_ground="NĐ 335/2025/NĐ-CP",
        summary="Bồi dưỡng kỹ năng lập dự toán",
        opened_on=today(),
    )
    hr = browser_as("noi_vu")
    hr.goto("/danh-gia/de-xuat/")
    row = hr.locator(f"#de-xuat-{proposal.pk}")
    assert "Bồi dưỡng kỹ năng lập dự toán" in row.inner_text()
    assert "Hoàng Thị An" in row.inner_text()
    row.locator("summary", has_text="Quyết định").click()
    row.get_by_label("Chấp nhận", exact=True).check()
    row.get_by_label("Ý kiến quyết định (bắt buộc)").fill("Cử đi lớp bồi dưỡng quý tới")
    row.get_by_role("button", name="Ghi nhận quyết định").click()
    hr.wait_for_load_state()
    row.get_by_text("Đã chấp nhận").wait_for()
    proposal.refresh_from_db()
    assert (proposal.status, proposal.decided_by) == (Proposal.Status.ACCEPTED, org.noi_vu)
    assert proposal.decision_note == "Cử đi lớp bồi dưỡng quý tới"
    # The staffing list (tinh giản biên chế) and the province-wide dashboard are hers too.
    hr.goto("/tinh-gian/")
    assert hr.get_by_role("heading", name="Tinh giản biên chế và đơn vị yếu kém").is_visible()
    hr.goto("/toan-tinh/")
    assert hr.locator("main").get_by_text("Sở Tài chính").first.is_visible()
    screenshot(hr, "hr-day")


def test_the_administrator_edits_the_calendar_and_the_organisation(org, browser_as):
    from datetime import date, timedelta

    from congvu.audit.models import AuditEvent
    from congvu.org.models import Membership, Person, UnitVersion, today
    from congvu.workdays.models import CalendarAdjustment

    admin = browser_as("quan_tri")
    # A day off decided by the Prime Minister, entered in the calendar.
    year = today().year + 1
    admin.goto(f"/lich-lam-viec/?nam={year}")
    admin.locator('input[name="day"]').fill(f"24/11/{year}")
    admin.locator('input[name="reason"]').fill("Ngày Văn hóa Việt Nam")
    admin.locator('input[name="decision_ref"]').fill("1/QĐ-TTg")
    admin.get_by_role("button", name="Lưu", exact=True).click()
    admin.get_by_text(f"Đã lưu điều chỉnh lịch ngày 24/11/{year}.").wait_for()
    row = CalendarAdjustment.objects.get(day=date(year, 11, 24))
    assert (row.is_working_day, row.reason) == (False, "Ngày Văn hóa Việt Nam")
    # The organisation: rename a division from tomorrow, then add a new person to it.
    tomorrow = (today() + timedelta(days=1)).strftime("%d/%m/%Y")
    admin.goto(f"/to-chuc/don-vi/{org.a1.pk}/")
    rename = admin.locator("#admin-rename")
    rename.locator("summary").click()
    rename.locator('[name="rename-name"]').fill("Phòng Quản lý ngân sách")
    rename.locator('[name="rename-effective"]').fill(tomorrow)
    rename.locator('[name="rename-decision_ref"]').fill("12/QĐ-STC")
    rename.get_by_role("button", name="Đổi tên").click()
    admin.get_by_text("Đã đổi tên đơn vị").first.wait_for()
    current = UnitVersion.objects.get(unit=org.a1, valid_to__isnull=True)
    assert (current.name, current.decision_ref) == ("Phòng Quản lý ngân sách", "12/QĐ-STC")
    add = admin.locator("#admin-add_person")
    add.locator("summary").click()
    add.locator('[name="add_person-code"]').fill("CB-0999")
    add.locator('[name="add_person-full_name"]').fill("Lý Thị Mai")
    add.locator('[name="add_person-position_title"]').fill("Chuyên viên")
    add.get_by_role("button", name="Thêm cán bộ").click()
    admin.locator("main").get_by_text("Lý Thị Mai").first.wait_for()
    person = Person.objects.get(code="CB-0999")
    assert Membership.objects.current().get(person=person).unit == org.a1
    kinds = set(AuditEvent.objects.filter(actor=org.quan_tri).values_list("kind", flat=True))
    assert {"unit_renamed", "person_created", "membership_added"} <= kinds
    screenshot(admin, "admin-day")


def test_the_clerk_registers_a_directive_and_assigns_it_for_the_head(org, browser_as):
    from congvu.org import actions as org_actions
    from congvu.org.models import RoleGrant, today
    from congvu.tasks.models import Directive, Task
    from congvu.testing import ORG_START, make_person

    clerk = make_person(org, "van_thu", "Mai Thị Thư", None)
    org_actions.grant_role(clerk, RoleGrant.Role.CLERK, org.so_a, valid_from=ORG_START)
    page = browser_as("van_thu")
    page.goto("/van-ban/moi/")
    page.get_by_label("Sổ văn bản của đơn vị").select_option(str(org.so_a.pk))
    page.get_by_label("Số, ký hiệu").fill("7/STC-NS")
    page.get_by_label("Ngày văn bản").fill(today().strftime("%d/%m/%Y"))
    page.get_by_label("Cơ quan ban hành").fill("Sở Tài chính")
    page.get_by_label("Trích yếu").fill("Về việc lập dự toán ngân sách năm 2027")
    page.get_by_role("button", name="Vào sổ").click()
    page.wait_for_url("**/van-ban/*/")
    directive = Directive.objects.get()
    assert (directive.number, directive.unit) == ("7/STC-NS", org.so_a)
    # On the directive's page she assigns it, for the head, to a division found by name (the
    # unit picker offers a clerk the units her leader directs).
    page.get_by_label("Tên nhiệm vụ").fill("Lập dự toán ngân sách năm 2027")
    page.locator("#q-units").fill("ngan sach")
    page.locator("#results-units button", has_text="Phòng Ngân sách").click()
    page.get_by_role("spinbutton", name="Số ngày làm việc").fill("5")
    page.get_by_role("button", name="Giao việc").click()
    page.get_by_text("Lập dự toán ngân sách năm 2027").first.wait_for()
    task = Task.objects.get(directive=directive)
    assert (task.lead_unit, task.lead_person, task.assigner) == (org.a1, org.tp_a1, org.gd_a)
    # The head sees, on the task, that his clerk recorded it for him.
    head = browser_as("gd_a")
    head.goto(f"/viec/{task.pk}/")
    assert head.get_by_text(
        "Văn thư Mai Thị Thư thay mặt lãnh đạo Trần Thị Giang"
    ).first.is_visible()
    screenshot(page, "clerk-day")


def test_the_deputy_follows_up_an_overdue_task_and_prints_the_units_report(org, browser_as):
    from datetime import timedelta

    from django.utils import timezone

    from congvu.tasks.events import TaskEventType

    late = A.do_assign(
        assigner=org.gd_a,
        title="Thẩm định phương án đầu tư trường học",
        lead_unit=org.a2,
        lead_person=org.bob,
        working_days=3,
        source_number="21/STC-ĐT",
        at=timezone.now() - timedelta(days=20),
    )
    deputy = browser_as("pgd_a")
    deputy.goto("/don-vi/")
    deputy.wait_for_url(f"**/don-vi/{org.so_a.pk}/")
    overdue = deputy.locator("#h-overdue").locator("..")
    overdue.get_by_role("link", name="Thẩm định phương án đầu tư trường học").click()
    deputy.wait_for_url(f"**/viec/{late.pk}/")
    remind = act(deputy, "remind")
    remind.get_by_label("Nội dung đôn đốc").fill("Đề nghị hoàn thành trước thứ Sáu")
    remind.get_by_role("button", name="Đôn đốc").click()
    deputy.get_by_text("Đề nghị hoàn thành trước thứ Sáu").first.wait_for()
    event = TaskEvent.objects.get(task=late, type=TaskEventType.REMINDED)
    assert (event.actor, event.reason_text) == (org.pgd_a, "Đề nghị hoàn thành trước thứ Sáu")
    # The lead is told.
    lead = browser_as("bob")
    lead.goto("/thong-bao/")
    assert (
        lead.locator("main").get_by_text("Thẩm định phương án đầu tư trường học").first.is_visible()
    )
    # The unit's progress report as PDF, for the month's meeting.
    deputy.goto(f"/don-vi/{org.so_a.pk}/")
    with deputy.expect_response(lambda r: "dinh_dang=pdf" in r.url) as response:
        deputy.get_by_role("button", name="Tải PDF").click()  # opens in the browser, to print
    assert response.value.headers["content-type"] == "application/pdf"
    # The viewer replaces the body the page sees; the same URL, fetched, is the PDF itself.
    assert deputy.request.get(response.value.url).body().startswith(b"%PDF")
