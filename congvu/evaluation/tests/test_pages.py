"""The evaluation pages: privacy (a colleague gets 404), reads logged, the flow through the
forms, the unit summary with its documents, HR's proposal list, and query-count bounds."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from congvu.evaluation import actions
from congvu.evaluation.models import Evaluation, EvaluationRead
from congvu.evaluation.tests.helpers import decided_year_2025, scored_month, sheet
from congvu.testing import PASSWORD


@pytest.fixture
def signed_in(org, client: Client) -> Callable[[str], Client]:  # type: ignore[no-untyped-def]
    def sign_in(key: str) -> Client:
        client.logout()
        assert client.login(username=key, password=PASSWORD)
        return client

    return sign_in


def test_a_colleague_cannot_open_someones_evaluation(org, signed_in) -> None:
    e = scored_month(org.alice, org.tp_a1, 1)
    url = reverse("evaluation:person", args=[org.alice.pk])
    assert signed_in("bob").get(url).status_code == 404
    assert signed_in("bob").get(f"{url}?ky={e.pk}").status_code == 404
    doc = reverse("evaluation:person_doc", args=[org.alice.pk, "pdf"])
    assert signed_in("bob").get(f"{doc}?ky={e.pk}").status_code == 404
    assert not EvaluationRead.objects.filter(reader=org.bob).exists()


def test_the_person_and_their_head_read_it_and_each_read_is_logged(org, signed_in) -> None:
    e = scored_month(org.alice, org.tp_a1, 1)
    url = reverse("evaluation:person", args=[org.alice.pk])
    for key, who in (("alice", org.alice), ("tp_a1", org.tp_a1), ("noi_vu", org.noi_vu)):
        response = signed_in(key).get(url)
        assert response.status_code == 200, key
        assert "Hoàn thành" in response.content.decode()
        assert EvaluationRead.objects.filter(reader=who, evaluation=e).exists()


def test_the_flow_goes_through_the_forms(org, signed_in) -> None:
    url = reverse("evaluation:person", args=[org.alice.pk])
    act = reverse("evaluation:person_act", args=[org.alice.pk])
    client = signed_in("alice")
    response = client.post(act, {"action": "open", "kind": "month", "year": 2026, "number": 2})
    e = Evaluation.objects.get(person=org.alice)
    assert response.status_code == 302
    actions.do_add_product(
        e,
        actor=org.alice,
        name="Báo cáo",
        coefficient=Decimal(1),
        quantity_assigned=Decimal(4),
        quantity_completed=Decimal(4),
    )
    assert "Tự đánh giá" in client.get(url).content.decode()
    client.post(
        act, {"action": "self", "evaluation": e.pk, **{f"g_{k}": v for k, v in sheet(6).items()}}
    )
    e.refresh_from_db()
    assert e.status == Evaluation.Status.SELF_ASSESSED
    # The person cannot propose for themselves: the action refuses.
    assert client.post(act, {"action": "propose", "evaluation": e.pk}).status_code == 403
    head = signed_in("tp_a1")
    page = head.get(f"{url}?ky={e.pk}").content.decode()
    assert "Thủ trưởng đánh giá, đề xuất xếp loại" in page
    head.post(
        act, {"action": "propose", "evaluation": e.pk, **{f"g_{k}": v for k, v in sheet(6).items()}}
    )
    e.refresh_from_db()
    assert (e.status, e.proposed_level) == (Evaluation.Status.PROPOSED, "HTXS")
    # The head of the division proposes; only the Sở director decides (authority.py).
    assert head.post(act, {"action": "decide", "evaluation": e.pk}).status_code == 403
    director = signed_in("gd_a")
    director.post(
        act, {"action": "decide", "evaluation": e.pk, "level": "HT", "reason": "Chưa chủ động"}
    )
    e.refresh_from_db()
    assert e.status == Evaluation.Status.PROPOSED  # ND 335: the level follows the points
    director.post(
        act, {"action": "decide", "evaluation": e.pk, "level": "HTT", "reason": "Tỷ lệ HTXS"}
    )
    e.refresh_from_db()
    assert e.decided_level == "HTT" and e.status == Evaluation.Status.DECIDED
    director.post(act, {"action": "finalise", "evaluation": e.pk, "decision_ref": "12/TB"})
    e.refresh_from_db()
    assert e.final_level == "HTT"
    history = head.get(f"{url}?ky={e.pk}").content.decode()
    assert "Chốt kết quả" in history and "finalised" not in history


def test_a_different_level_without_a_reason_is_refused_on_the_page(org, signed_in) -> None:
    e = decided_year_2025(org.alice, org.tp_a1)
    act = reverse("evaluation:person_act", args=[org.alice.pk])
    client = signed_in("gd_a")
    response = client.post(
        act, {"action": "decide", "evaluation": e.pk, "level": "KHT"}, follow=True
    )
    assert "phải nêu lý do" in response.content.decode()


def test_kht_without_a_decree_ground_is_refused_whatever_the_reason(org, signed_in) -> None:
    """Issue #18: a full-marks result lowered to KHT for "Không vừa ý" was accepted. KHT needs
    a ground of the decree on record (here: none)."""
    e = decided_year_2025(org.alice, org.tp_a1)
    act = reverse("evaluation:person_act", args=[org.alice.pk])
    response = signed_in("gd_a").post(
        act,
        {"action": "decide", "evaluation": e.pk, "level": "KHT", "reason": "Không vừa ý"},
        follow=True,
    )
    assert "Không hoàn thành nhiệm vụ” khi có căn cứ" in response.content.decode()
    e.refresh_from_db()
    assert e.decided_level == "HTT"


def test_the_unit_summary_lists_the_year_and_serves_the_documents(
    org, signed_in, django_assert_max_num_queries
) -> None:
    for p in (org.alice,):
        decided_year_2025(p, org.tp_a1)
    url = reverse("evaluation:unit", args=[org.a1.pk])
    assert "Chốt kết quả" not in signed_in("tp_a1").get(f"{url}?nam=2025").content.decode()
    client = signed_in("gd_a")
    with django_assert_max_num_queries(30):
        response = client.get(f"{url}?nam=2025")
    body = response.content.decode()
    assert response.status_code == 200 and "Hoàng Thị An" in body and "Chốt kết quả" in body
    xlsx = client.get(reverse("evaluation:unit_doc", args=[org.a1.pk, "xlsx"]) + "?nam=2025")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    pdf = client.get(reverse("evaluation:unit_doc", args=[org.a1.pk, "pdf"]) + "?nam=2025")
    assert pdf.content[:4] == b"%PDF"
    response = client.post(
        reverse("evaluation:unit_finalise", args=[org.a1.pk]), {"nam": 2025, "decision_ref": "1/QĐ"}
    )
    assert response.status_code == 303
    assert Evaluation.objects.get(person=org.alice).status == Evaluation.Status.FINALISED
    assert signed_in("charlie").get(url).status_code == 403


@pytest.mark.parametrize("months", [1, 4])
def test_the_person_page_costs_a_bounded_number_of_queries(
    org, signed_in, months, django_assert_max_num_queries
) -> None:
    for m in range(1, months + 1):
        scored_month(org.alice, org.tp_a1, m)
    client = signed_in("tp_a1")
    # The view is sealed into the day's access-log chain; the day's first view creates the
    # chain head (four queries, once a day), so measure a view on a day already under way.
    from datetime import UTC

    from django.utils import timezone

    from congvu.privacy.models import ChainHead

    ChainHead.objects.get_or_create(chain=timezone.now().astimezone(UTC).date())
    with django_assert_max_num_queries(40):
        assert client.get(reverse("evaluation:person", args=[org.alice.pk])).status_code == 200


def test_hr_sees_the_proposals_and_a_specialist_does_not(
    org, signed_in, django_assert_max_num_queries
) -> None:
    from datetime import date

    from congvu.evaluation.consequences import generate_period_rewards

    months = [scored_month(org.alice, org.tp_a1, m, general=6) for m in (1, 2, 3)]
    assert generate_period_rewards(months, today=date(2026, 4, 10))
    client = signed_in("noi_vu")
    with django_assert_max_num_queries(25):
        response = client.get(reverse("evaluation:proposals"))
    assert response.status_code == 200 and "Hoàng Thị An" in response.content.decode()
    assert signed_in("bob").get(reverse("evaluation:proposals")).status_code == 403


def test_an_nd90_year_goes_through_the_criteria_sheet(org, signed_in) -> None:
    act = reverse("evaluation:person_act", args=[org.alice.pk])
    criteria = {
        "c_general_well": "1",
        "c_general_met": "1",
        "c_tasks_total": "10",
        "c_tasks_completed": "10",
        "c_tasks_on_time_quality": "10",
        "c_tasks_exceeded": "0",
        "c_tasks_short": "0",
        "c_months_worked": "12",
        "c_months_absent": "0",
    }
    client = signed_in("alice")
    client.post(act, {"action": "open", "kind": "year", "year": 2025})
    e = Evaluation.objects.get(person=org.alice)
    page = client.get(reverse("evaluation:person", args=[org.alice.pk])).content.decode()
    assert "Tổng số nhiệm vụ được giao" in page
    client.post(act, {"action": "self", "evaluation": e.pk, "comment": "Tự nhận xét", **criteria})
    e.refresh_from_db()
    assert e.status == Evaluation.Status.SELF_ASSESSED and e.self_level
    head = signed_in("tp_a1")
    head.post(act, {"action": "comment", "evaluation": e.pk, "comments": "Tập thể nhất trí."})
    head.post(act, {"action": "propose", "evaluation": e.pk, **criteria})
    e.refresh_from_db()
    assert e.status == Evaluation.Status.PROPOSED and e.proposed_level


def test_hr_reads_the_year_across_the_province_by_department(org, signed_in) -> None:
    decided_year_2025(org.alice, org.tp_a1)
    decided_year_2025(org.bob, org.gd_a)
    Evaluation.objects.filter(person=org.bob).update(final_level="HTT")
    url = reverse("evaluation:province")
    assert f'href="{url}"' in signed_in("noi_vu").get(reverse("evaluation:home")).content.decode()
    response = signed_in("noi_vu").get(f"{url}?nam=2025")
    assert response.status_code == 200
    table = {
        name: (n, by_level, still_open)
        for _pk, name, n, by_level, still_open in response.context["table"]
    }
    # Both are of Sở Tài chính (Phòng Ngân sách, Phòng Đầu tư); one finalised HTT.
    assert table["Sở Tài chính"] == (2, [0, 1, 0, 0], 1)
    assert table["Sở Xây dựng"][0] == 0
    body = response.content.decode()
    assert f'href="/danh-gia/don-vi/{org.so_a.pk}/?nam=2025"' in body
    assert "Hoàng Thị An" not in body  # counts only; the names are on the unit's summary
    assert signed_in("gd_a").get(url).status_code == 403
    assert signed_in("quan_tri").get(url).status_code == 403
    assert signed_in("lanh_dao").get(f"{url}?nam=2025").status_code == 200
