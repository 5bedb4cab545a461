"""The pages that feed the ND 335 task results and close the loop after finalisation: products
from the job position's catalogue, failed reviews and delays, objective causes (claimed,
rejected, confirmed from a reviewed legal obstacle), appeals in and out of time, and the
decisions on consequence proposals. Every refusal leaves the database as it was."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from congvu.audit.models import AuditEvent
from congvu.evaluation import actions
from congvu.evaluation.models import (
    Appeal,
    Evaluation,
    Level,
    ProductIssue,
    ProductRecord,
    Proposal,
)
from congvu.evaluation.tests.helpers import scored_month, sheet
from congvu.org.models import Membership
from congvu.testing import PASSWORD, make_person

JOB = "Chuyên viên quản lý ngân sách"


@pytest.fixture
def signed_in(org, client: Client) -> Callable[[str], Client]:  # type: ignore[no-untyped-def]
    def sign_in(key: str) -> Client:
        client.logout()
        assert client.login(username=key, password=PASSWORD)
        return client

    return sign_in


@pytest.fixture
def month(org) -> Evaluation:  # type: ignore[no-untyped-def]
    """Alice's March 2026 (ND 335), her job position with a two-item catalogue."""
    from datetime import date

    Membership.objects.filter(person=org.alice).update(job_position=JOB)
    for code, name, coef in (("DT", "Dự toán ngân sách", "2.5"), ("BC", "Báo cáo", "1")):
        actions.do_add_catalog_item(
            job_position=JOB,
            code=code,
            name=name,
            coefficient=Decimal(coef),
            valid_from=date(2026, 1, 1),
            actor=org.noi_vu,
        )
    return actions.do_open_evaluation(org.alice, Evaluation.Kind.MONTH, 2026, 3)


def _products(org, e: Evaluation):  # type: ignore[no-untyped-def]
    return reverse("evaluation:person_products", args=[org.alice.pk])


def test_the_person_records_a_catalogue_product_with_its_coefficient(org, signed_in, month):  # type: ignore[no-untyped-def]
    client = signed_in("alice")
    page = client.get(reverse("evaluation:person", args=[org.alice.pk])).content.decode()
    assert "Dự toán ngân sách — hệ số 2,50" in page, page[page.find("h-prod") :][:3000]
    item = actions.catalog_for(JOB, month.start)[1]
    response = client.post(
        _products(org, month),
        {
            "evaluation": month.pk,
            "step": "add",
            "catalog_item": item.pk,
            "assigned": "4",
            "completed": "3",
        },
    )
    assert response.status_code == 303
    p = ProductRecord.objects.get(evaluation=month)
    assert (p.name, p.coefficient, p.quantity_completed) == (item.name, item.coefficient, 3)
    assert AuditEvent.objects.filter(evaluation=month, kind="product_added").exists()


def test_bad_quantities_or_an_unknown_item_are_refused_and_nothing_is_written(
    org, signed_in, month
):  # type: ignore[no-untyped-def]
    client = signed_in("alice")
    url = _products(org, month)
    bad = [
        {"catalog_item": "", "name": "", "assigned": "1"},
        {"catalog_item": "", "name": "Tờ trình", "coefficient": "abc", "assigned": "1"},
        {"catalog_item": "", "name": "Tờ trình", "coefficient": "1", "assigned": "-2"},
        {"catalog_item": "99999", "assigned": "1"},
        {"catalog_item": "", "name": "Tờ trình", "coefficient": "1", "assigned": "1", "task": "7"},
    ]
    for body in bad:
        response = client.post(url, {"evaluation": month.pk, "step": "add", **body}, follow=True)
        assert response.status_code == 200
        assert "msg-error" in response.content.decode(), body
    assert not ProductRecord.objects.exists()
    assert not AuditEvent.objects.filter(kind="product_added").exists()


def test_a_colleague_gets_404_and_the_person_cannot_record_their_own_issue(org, signed_in, month):  # type: ignore[no-untyped-def]
    p = actions.do_add_product(
        month, actor=org.alice, name="Báo cáo", coefficient=Decimal(1), quantity_assigned=Decimal(1)
    )
    body = {
        "evaluation": month.pk,
        "step": "issue",
        "product": p.pk,
        "kind": "delay",
        "occurred_on": "2026-03-10",
    }
    assert signed_in("bob").post(_products(org, month), body).status_code == 404
    assert signed_in("alice").post(_products(org, month), body).status_code == 403
    assert not ProductIssue.objects.exists()


def test_the_head_records_a_delay_and_judges_the_cause_put_forward(org, signed_in, month):  # type: ignore[no-untyped-def]
    p = actions.do_add_product(
        month,
        actor=org.alice,
        name="Báo cáo",
        coefficient=Decimal(1),
        quantity_assigned=Decimal(1),
        quantity_completed=Decimal(1),
    )
    head = signed_in("tp_a1")
    url = _products(org, month)
    head.post(
        url,
        {
            "evaluation": month.pk,
            "step": "issue",
            "product": p.pk,
            "kind": "delay",
            "occurred_on": "2031-01-01",
        },
    )
    assert not ProductIssue.objects.exists()  # a date in the future is refused
    head.post(
        url,
        {
            "evaluation": month.pk,
            "step": "issue",
            "product": p.pk,
            "kind": "delay",
            "occurred_on": "2026-03-20",
            "note": "Nộp muộn 3 ngày",
        },
    )
    issue = ProductIssue.objects.get()
    person = signed_in("alice")
    person.post(
        url, {"evaluation": month.pk, "step": "claim", "issue": issue.pk, "cause": "Chờ số liệu"}
    )
    issue.refresh_from_db()
    assert issue.cause_status == "claimed"
    head = signed_in("tp_a1")
    response = head.post(
        url, {"evaluation": month.pk, "step": "reject", "issue": issue.pk}, follow=True
    )
    assert "Cần nêu lý do không xác nhận" in response.content.decode()
    head.post(
        url,
        {
            "evaluation": month.pk,
            "step": "reject",
            "issue": issue.pk,
            "reason": "Số liệu đã có từ đầu tháng",
        },
    )
    issue.refresh_from_db()
    assert (issue.cause_status, issue.is_excused) == ("rejected", False)
    actions.do_self_assess(month, actor=org.alice, sheet=sheet())
    actions.do_propose(month, actor=org.tp_a1, sheet=sheet())
    month.refresh_from_db()
    assert month.task_score == Decimal("64.16")  # 70 × (1 + 1 + 0.75)/3 = 64.166…
    kinds = set(AuditEvent.objects.filter(evaluation=month).values_list("kind", flat=True))
    assert {"product_issue", "objective_cause_claimed", "objective_cause_rejected"} <= kinds


def test_a_reviewed_legal_obstacle_on_the_task_is_confirmed_as_the_cause(org, signed_in, month):  # type: ignore[no-untyped-def]
    from congvu.tasks import actions as T
    from congvu.web.tests.tasks_helpers import assign

    task = assign(org, by="tp_a1", unit="a1", lead="alice")
    T.do_accept(task, org.alice)
    T.do_pause(
        task,
        org.alice,
        reason_code="legal_obstacle",
        reason="Hai thông tư quy định khác nhau về hồ sơ",
        regulation="Thông tư 01/2025/TT-BTC Điều 5",
    )
    T.do_review_pause(task, org.tp_a1, comment="Đúng là chồng chéo")
    p = actions.do_add_product(
        month,
        actor=org.alice,
        name="Báo cáo",
        coefficient=Decimal(1),
        quantity_assigned=Decimal(1),
        task=task,
    )
    issue = actions.do_record_product_issue(
        p, actor=org.tp_a1, kind="delay", occurred_on=month.start
    )
    head = signed_in("tp_a1")
    page = head.get(f"{reverse('evaluation:person', args=[org.alice.pk])}?ky={month.pk}")
    assert "Vướng mắc pháp lý đã được xác nhận" in page.content.decode()
    url = _products(org, month)
    body = {"evaluation": month.pk, "step": "confirm", "issue": issue.pk, "cause": "Chồng chéo"}
    head.post(url, {**body, "source": f"legal_obstacle:{task.pk + 1}"})
    issue.refresh_from_db()
    assert not issue.is_excused  # a source that is not on this task is refused
    head.post(url, {**body, "source": f"legal_obstacle:{task.pk}"})
    issue.refresh_from_db()
    assert issue.is_excused and issue.objective_cause_source == f"legal_obstacle:{task.pk}"


def test_the_tasks_due_in_the_period_become_products_from_the_log(org, signed_in, month):  # type: ignore[no-untyped-def]
    from datetime import date, datetime

    from congvu.tasks import actions as T
    from congvu.tasks.state import VN_TZ
    from congvu.web.tests.tasks_helpers import assign

    def at(day: int, hour: int) -> datetime:
        return datetime(2026, 3, day, hour, tzinfo=VN_TZ)

    late = T.do_assign(
        assigner=org.tp_a1,
        title="Báo cáo quyết toán quý I",
        lead_unit=org.a1,
        lead_person=org.alice,
        deadline=date(2026, 3, 16),
        ad_hoc=True,
        at=at(2, 9),
    )
    T.do_accept(late, org.alice, at=at(2, 10))
    T.do_submit(late, org.alice, result="Báo cáo", at=at(13, 9))
    T.do_request_rework(late, org.tp_a1, reason="Thiếu số liệu", at=at(13, 15))
    T.do_submit(late, org.alice, result="Báo cáo đủ số liệu", at=at(18, 9))
    T.do_approve(late, org.tp_a1, at=at(18, 15))
    if late.__class__.objects.get(pk=late.pk).status != "completed":
        T.do_complete(late, org.tp_a1, at=at(18, 16))
    later = assign(org, by="tp_a1", unit="a1", lead="alice", days=3)  # due after today
    assert later.deadline > date(2026, 3, 31)
    client = signed_in("alice")
    client.post(_products(org, month), {"evaluation": month.pk, "step": "import"})
    (product,) = ProductRecord.objects.filter(evaluation=month)
    assert (product.task_id, product.quantity_completed) == (late.pk, 1)
    assert sorted(i.kind for i in product.issues.all()) == ["delay", "quality"]
    assert actions.do_import_task_products(month, actor=None) == []  # idempotent


def test_an_appeal_in_time_is_filed_and_resolved_with_a_written_reason(org, signed_in) -> None:  # type: ignore[no-untyped-def]
    e = scored_month(org.alice, org.tp_a1, 1, general=4)  # 20 + 70 = 90 → HTXS
    actions.do_correct(e, actor=org.gd_a, level=Level.HTT, reason="Rà soát lại")
    url = reverse("evaluation:person_appeal", args=[org.alice.pk])
    person = signed_in("alice")
    page = person.get(f"{reverse('evaluation:person', args=[org.alice.pk])}?ky={e.pk}")
    assert "Hạn kiến nghị" in page.content.decode()
    person.post(url, {"evaluation": e.pk, "step": "file", "reason": "Đủ 90 điểm"})
    appeal = Appeal.objects.get()
    # The person cannot resolve their own appeal.
    resolve = {"evaluation": e.pk, "step": "resolve", "appeal": appeal.pk}
    assert person.post(url, {**resolve, "outcome": "reject", "resolution": "x"}).status_code == 403
    # Nor the Sở director who decided: the level above answers (the provincial chairman).
    director = signed_in("gd_a")
    assert "Đủ 90 điểm" not in director.get(reverse("evaluation:appeals")).content.decode()
    assert (
        director.post(url, {**resolve, "outcome": "reject", "resolution": "x"}).status_code == 403
    )
    make_person(org, "chu_tich", "Phan Văn Chủ", org.root, role="head", category="can_bo")
    head = signed_in("chu_tich")
    assert "Đủ 90 điểm" in head.get(reverse("evaluation:appeals")).content.decode()
    response = head.post(url, {**resolve, "outcome": "uphold", "new_level": "HTXS"}, follow=True)
    assert "Cần nêu kết quả giải quyết" in response.content.decode()
    head.post(
        url,
        {**resolve, "outcome": "uphold", "new_level": "HTXS", "resolution": "Đủ điểm, khôi phục"},
    )
    appeal.refresh_from_db()
    e.refresh_from_db()
    assert (appeal.status, e.final_level) == (Appeal.Status.UPHELD, Level.HTXS)


def test_an_appeal_after_the_deadline_gets_a_clear_error_and_changes_nothing(
    org, signed_in
) -> None:  # type: ignore[no-untyped-def]
    e = scored_month(org.alice, org.tp_a1, 1)
    Evaluation.objects.filter(pk=e.pk).update(finalised_at=timezone.now() - timedelta(days=40))
    events = AuditEvent.objects.count()
    client = signed_in("alice")
    page = client.get(f"{reverse('evaluation:person', args=[org.alice.pk])}?ky={e.pk}")
    assert "Đã quá thời hạn kiến nghị" in page.content.decode()
    response = client.post(
        reverse("evaluation:person_appeal", args=[org.alice.pk]),
        {"evaluation": e.pk, "step": "file", "reason": "Xin xem xét lại"},
        follow=True,
    )
    assert "Đã quá thời hạn kiến nghị (15 ngày" in response.content.decode()
    assert not Appeal.objects.exists()
    assert AuditEvent.objects.count() == events


def _reward(org) -> Proposal:  # type: ignore[no-untyped-def]
    from congvu.evaluation.consequences import generate_period_rewards
    from congvu.org.models import today

    e = scored_month(org.alice, org.tp_a1, 1)
    (proposal,) = generate_period_rewards([e], today=today())
    return proposal


def test_the_competent_head_decides_a_proposal_with_a_note(org, signed_in) -> None:  # type: ignore[no-untyped-def]
    proposal = _reward(org)
    url = reverse("evaluation:proposal_decide")
    head = signed_in("tp_a1")
    assert "Ghi nhận quyết định" in head.get(reverse("evaluation:proposals")).content.decode()
    response = head.post(url, {"proposal": proposal.pk, "decision": "accept"}, follow=True)
    assert "Cần ghi ý kiến quyết định" in response.content.decode()
    head.post(url, {"proposal": proposal.pk, "decision": "maybe", "note": "x"})
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.OPEN
    head.post(url, {"proposal": proposal.pk, "decision": "accept", "note": "Khen thưởng tháng"})
    proposal.refresh_from_db()
    assert (proposal.status, proposal.decided_by) == (Proposal.Status.ACCEPTED, org.tp_a1)
    assert AuditEvent.objects.filter(subject="proposal", kind="proposal_decided").exists()


def test_a_proposal_is_not_decided_by_the_person_or_outside_the_scope(org, signed_in) -> None:  # type: ignore[no-untyped-def]
    proposal = _reward(org)
    url = reverse("evaluation:proposal_decide")
    body = {"proposal": proposal.pk, "decision": "accept", "note": "Tự duyệt"}
    assert signed_in("alice").post(url, body).status_code == 403  # not a leader at all
    assert signed_in("gd_b").post(url, body).status_code == 404  # another department's head
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.OPEN
