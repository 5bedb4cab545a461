"""Innovation proposals (ND 73/2023) as pages: the end-to-end flow in a browser, visibility and
the list's query bound."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from congvu.evaluation import actions
from congvu.evaluation.models import InnovationProposal
from congvu.testing import PASSWORD

PLAN = {
    "title": "Cấp phép xây dựng trực tuyến toàn trình",
    "necessity": "Hồ sơ giấy kéo dài thời gian giải quyết",
    "content": "Tiếp nhận và trả kết quả hoàn toàn trực tuyến",
    "scope": "Sở Tài chính",
    "timeline": "6 tháng",
    "resources": "Kinh phí thường xuyên",
    "expected_effect": "Rút ngắn 50% thời gian",
}


def _sign_in(client: Client, key: str) -> Client:
    client.logout()
    assert client.login(username=key, password=PASSWORD)
    return client


def test_only_people_in_scope_see_a_proposal(org, client, django_assert_max_num_queries):  # type: ignore[no-untyped-def]
    for i in range(3):
        actions.do_register_innovation(proposer=org.pgd_a, **{**PLAN, "title": f"Đề xuất {i}"})
    p = InnovationProposal.objects.first()
    assert p is not None
    detail = f"{reverse('innovation:detail')}?so={p.pk}"
    assert _sign_in(client, "charlie").get(detail).status_code == 404
    assert (
        "Đề xuất 0"
        not in _sign_in(client, "charlie").get(reverse("innovation:list")).content.decode()
    )
    client = _sign_in(client, "gd_a")
    assert client.get(detail).status_code == 200
    with django_assert_max_num_queries(16):
        page = client.get(reverse("innovation:list")).content.decode()
    assert "Đề xuất 2" in page


def test_a_specialist_cannot_register_a_plan(org, client):  # type: ignore[no-untyped-def]
    response = _sign_in(client, "alice").post(reverse("innovation:list"), PLAN, follow=True)
    assert "lãnh đạo, quản lý" in response.content.decode()
    assert not InnovationProposal.objects.exists()
