"""The ND 335 inputs and the appeal in a browser: the person records a catalogue product, the
head records a failed quality review and confirms its objective cause, and after finalisation
the person appeals in time and the head resolves it with a written reason — under the CSP."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from congvu.evaluation import actions as EA
from congvu.evaluation.models import Appeal, Evaluation, ProductIssue, ProductRecord
from congvu.evaluation.tests.helpers import sheet
from congvu.org.models import Membership
from congvu.testing import make_person

JOB = "Chuyên viên quản lý ngân sách"


@pytest.fixture
def rule_sets(transactional_db):  # type: ignore[no-untyped-def]
    """An earlier transactional test's flush removed the rule sets seeded by migration 0002."""
    import importlib

    from django.apps import apps

    importlib.import_module("congvu.evaluation.migrations.0002_seed_rule_sets").seed(apps, None)


pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("flushable_log", "rule_sets"),
]


def _watch_csp(page, violations: list[str]) -> None:  # type: ignore[no-untyped-def]
    page.on(
        "console",
        lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
    )


def test_products_issue_cause_and_appeal_in_the_browser(org, browser_as):  # type: ignore[no-untyped-def]
    Membership.objects.filter(person=org.alice).update(job_position=JOB)
    EA.do_add_catalog_item(
        job_position=JOB,
        code="DT",
        name="Dự toán ngân sách",
        coefficient=Decimal("2.5"),
        valid_from=date(2026, 1, 1),
        actor=org.noi_vu,
    )
    e = EA.do_open_evaluation(org.alice, Evaluation.Kind.MONTH, 2026, 10)
    url = f"/danh-gia/can-bo/{org.alice.pk}/?ky={e.pk}"
    violations: list[str] = []

    person = browser_as("alice")
    _watch_csp(person, violations)
    person.goto(url)
    person.locator("#add-product > summary").click()
    person.get_by_label("Sản phẩm trong danh mục").select_option(
        label="Dự toán ngân sách — hệ số 2,50, tính theo sản phẩm"
    )
    person.get_by_label("Số lượng giao").fill("4")
    person.get_by_label("Số lượng hoàn thành").fill("4")
    person.get_by_role("button", name="Ghi nhận sản phẩm").click()
    person.get_by_text("Đã ghi nhận sản phẩm.").wait_for()
    product = ProductRecord.objects.get(evaluation=e)
    assert product.coefficient == Decimal("2.5")

    head = browser_as("tp_a1")
    _watch_csp(head, violations)
    head.goto(url)
    row = head.locator(f"#sp-{product.pk}")
    row.locator("summary", has_text="Ghi nhận lỗi").click()
    row.get_by_label("Loại lỗi").select_option("quality")
    row.get_by_label("Ngày phát sinh").fill("2026-10-15")
    row.get_by_label("Ghi chú").fill("Sai số liệu chi thường xuyên")
    row.get_by_role("button", name="Ghi nhận lỗi").click()
    head.get_by_text("Đã ghi nhận lỗi của sản phẩm").wait_for()
    issue = ProductIssue.objects.get(product=product)

    box = head.locator(f"#loi-{issue.pk}")
    box.locator("summary", has_text="Xem xét nguyên nhân khách quan").click()
    box.get_by_label("Nguyên nhân được xác nhận").fill(
        "Số liệu của Kho bạc gửi chậm, đã được Sở xác nhận"
    )
    box.get_by_role("button", name="Xác nhận nguyên nhân khách quan").click()
    head.get_by_text("Đã xác nhận nguyên nhân khách quan").first.wait_for()
    issue.refresh_from_db()
    assert issue.is_excused and issue.objective_cause_confirmed_by == org.tp_a1

    EA.do_self_assess(e, actor=org.alice, sheet=sheet(4))
    EA.do_propose(e, actor=org.tp_a1, sheet=sheet(4))
    # Issue #18: the head of the agency (the Sở director) decides and finalises, and the level
    # above him (the provincial chairman) answers the appeal, never the one who decided.
    EA.do_decide(e, actor=org.gd_a)
    EA.do_finalise([e], actor=org.gd_a)
    make_person(org, "chu_tich", "Phan Văn Chủ", org.root, role="head", category="can_bo")

    person.goto(url)
    person.get_by_text("Hạn kiến nghị").wait_for()
    person.get_by_label("Nội dung kiến nghị").fill("Đề nghị xem xét lại điểm tiêu chí chung")
    person.get_by_role("button", name="Gửi kiến nghị").click()
    person.get_by_text("Đã gửi kiến nghị về kết quả đánh giá.").wait_for()

    above = browser_as("chu_tich")
    _watch_csp(above, violations)
    above.goto("/danh-gia/kien-nghi/")
    above.get_by_role("link", name=org.alice.full_name).click()
    above.get_by_label("Không chấp nhận, giữ nguyên kết quả").check()
    above.get_by_label("Lý do, kết quả giải quyết").fill(
        "Điểm tiêu chí chung đã được tập thể thống nhất"
    )
    above.get_by_role("button", name="Giải quyết kiến nghị").click()
    above.get_by_text("Đã giải quyết kiến nghị.").wait_for()
    appeal = Appeal.objects.get()
    assert appeal.status == Appeal.Status.REJECTED
    assert appeal.resolution == "Điểm tiêu chí chung đã được tập thể thống nhất"
    assert violations == []
