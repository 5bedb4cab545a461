"""A finding's due process in the browser, and where its confirmation counts: the subject
explains → the level above confirms → the finding shows as evidence on the superior's
evaluation page of that person (never as an automatic deduction)."""

from __future__ import annotations

import pytest

from congvu.evaluation import actions as EA
from congvu.evaluation.models import Evaluation
from congvu.tasks import actions as A
from congvu.web.tests.tasks_helpers import one_task_params, sent_back, to_construction


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


def test_a_confirmed_finding_reaches_the_evaluation_page(org, browser_as):  # type: ignore[no-untyped-def]
    from congvu.detection.actions import run_detection
    from congvu.detection.models import Finding

    task = sent_back(org)
    # It was Sở Xây dựng's work after all (sent again, accepted there): gd_b bounced it.
    to_construction(task, org, reason="Đúng chức năng của Sở Xây dựng")
    A.do_accept(task, org.gd_b)
    run_detection(params=one_task_params(), force=True)
    finding = Finding.objects.get(detector="ping_pong", subject_type="person")

    subject = browser_as("gd_b")
    subject.goto(f"/phat-hien/{finding.pk}/")
    step = subject.locator("#step-explain")
    if step.get_attribute("open") is None:
        step.locator("> summary").click()
    step.get_by_label("Nội dung giải trình").fill("Văn bản giao không ghi rõ đơn vị chủ trì.")
    step.get_by_role("button", name="Gửi").click()
    subject.get_by_text("Đã giải trình, chờ xem xét").first.wait_for()

    reviewer = browser_as("lanh_dao")
    reviewer.goto(f"/phat-hien/{finding.pk}/")
    step = reviewer.locator("#step-decide")
    if step.get_attribute("open") is None:
        step.locator("> summary").click()
    step.get_by_label("Xác nhận phát hiện").check()
    step.get_by_label("Lý do").fill(
        "Văn bản giao ghi rõ Sở Tài chính chủ trì, Sở Xây dựng phối hợp."
    )
    step.get_by_role("button", name="Gửi").click()
    reviewer.get_by_text("Đã xác nhận").first.wait_for()

    period_start = finding.period_start
    e = EA.do_open_evaluation(
        org.gd_b, Evaluation.Kind.MONTH, period_start.year, period_start.month
    )
    reviewer.goto(f"/danh-gia/can-bo/{org.gd_b.pk}/?ky={e.pk}")
    evidence = reviewer.locator("section[aria-labelledby=h-find]")
    evidence.get_by_role("link").first.wait_for()
    assert "Phát hiện đã xác nhận" in evidence.inner_text()
    # A colleague of the same level cannot open the page at all.
    colleague = browser_as("gd_a")
    response = colleague.goto(f"/danh-gia/can-bo/{org.gd_b.pk}/")
    assert response is not None and response.status == 404
