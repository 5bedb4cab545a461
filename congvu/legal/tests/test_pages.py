from __future__ import annotations

import pytest
from django.urls import reverse

from congvu.legal.models import LegalObstacle
from congvu.legal.tests.helpers import paused_task
from congvu.tasks import actions as A

S = LegalObstacle.Status


def _obstacles(org, n: int) -> None:  # type: ignore[no-untyped-def]
    for i in range(n):
        task = paused_task(org, f"Nghị định {i + 1}/2021/NĐ-CP, Điều {i + 2}", title=f"Việc {i}")
        A.do_review_pause(task, org.gd_a)


@pytest.mark.parametrize("key", ["alice", "gd_a", "noi_vu", "thanh_tra"])
def test_only_the_legal_department_opens_the_queue(org, signed_in, legal_dept, key) -> None:
    assert signed_in(key).get(reverse("legal:queue")).status_code == 403
    assert signed_in(key).get(reverse("legal:report")).status_code == 403


def test_the_queue_and_report_cost_a_fixed_number_of_queries(
    org, signed_in, legal_dept, django_assert_max_num_queries
) -> None:
    _obstacles(org, 2)
    client = signed_in("charlie")
    with django_assert_max_num_queries(16):
        small = client.get(reverse("legal:queue"))
    _obstacles(org, 6)
    with django_assert_max_num_queries(16):
        big = client.get(reverse("legal:queue"))
    assert small.status_code == big.status_code == 200
    assert big.content.decode().count("Việc ") >= 8
    with django_assert_max_num_queries(16):
        report = client.get(reverse("legal:report"))
    assert "5/2021/NĐ-CP" in report.content.decode()


def test_the_legal_department_records_its_conclusion(org, signed_in, legal_dept) -> None:
    _obstacles(org, 1)
    obstacle = LegalObstacle.objects.get()
    client = signed_in("charlie")
    response = client.post(
        reverse("legal:queue"), {"obstacle": obstacle.pk, "status": S.GUIDANCE_ISSUED}
    )
    assert response.status_code == 422
    assert "Phải nêu ý kiến" in response.content.decode()
    response = client.post(
        reverse("legal:queue"),
        {"obstacle": obstacle.pk, "status": S.AMENDMENT_PROPOSED, "note": "Kiến nghị sửa Điều 2"},
    )
    assert response.status_code == 302
    obstacle.refresh_from_db()
    assert obstacle.status == S.AMENDMENT_PROPOSED and obstacle.handled_by == org.charlie


def test_a_leader_downloads_the_report_as_xlsx(org, signed_in) -> None:
    _obstacles(org, 1)
    response = signed_in("lanh_dao").get(reverse("legal:report_xlsx"))
    assert response.status_code == 200
    assert response.content[:2] == b"PK"
    assert "attachment" in response["Content-Disposition"]


def test_the_head_rejects_a_pause_reason_on_the_task_page(org, signed_in) -> None:
    task = paused_task(org)
    client = signed_in("gd_a")
    url = reverse("web:task_act", args=[task.pk])
    form = {"action": "review_pause", "version": task.version, "acknowledged": "0"}
    response = client.post(url, form)
    assert response.status_code == 400 and "lý do không chấp nhận" in response.content.decode()
    response = client.post(url, {**form, "comment": "Không có quy định chồng chéo"})
    assert response.status_code == 302
    assert task.events.last().payload == {"pause_seq": 3, "acknowledged": False}
    assert not LegalObstacle.objects.exists()
