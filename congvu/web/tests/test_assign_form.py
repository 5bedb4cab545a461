"""The assign form and the task page's pickers as an office uses them (issue #15)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from congvu.lib.errors import ActionPermissionError, InvalidInputError
from congvu.org.permissions import access_for
from congvu.tasks import actions as A
from congvu.tasks import steps
from congvu.tasks.models import Task
from congvu.web.tests.tasks_helpers import assign


def test_every_problem_of_the_assign_form_is_reported_at_once(signed_in, org):
    body = signed_in("gd_a").post("/viec/giao/", {"idem": "x", "deadline_mode": "days"})
    text = body.content.decode()
    assert body.status_code == 400
    for message in (
        "Trường này là bắt buộc",  # the title
        "Nêu số, ký hiệu văn bản chỉ đạo",
        "Chọn đơn vị chủ trì",
        "Nhập số ngày làm việc",
    ):
        assert message in text, message


def test_the_action_reports_every_wrong_input_together(org):
    parent = assign(org, days=5)
    A.do_accept(parent, org.gd_a)
    with pytest.raises(InvalidInputError) as caught:
        A.do_assign(
            assigner=org.gd_a,
            title="  ",
            lead_unit=org.a1,
            lead_person=org.bob,  # works in Phòng Đầu tư, not Phòng Ngân sách
            working_days=30,  # past the parent's deadline
            source_number="1/STC",
            parent=Task.objects.get(pk=parent.pk),
        )
    codes = {e.code for e in caught.value.errors}
    assert codes == {"required", "lead_not_member", "past_parent_deadline"}
    assert not Task.objects.filter(parent=parent).exists()


def test_choosing_only_the_person_takes_their_unit(signed_in, org):
    client = signed_in("gd_a")
    response = client.post(
        "/viec/giao/",
        {
            "idem": "tok-1",
            "title": "Tổng hợp số liệu",
            "source_number": "12/STC",
            "priority": "2",
            "lead_person": org.alice.pk,
            "deadline_mode": "days",
            "working_days": "5",
        },
    )
    assert response.status_code == 302
    task = Task.objects.get(title="Tổng hợp số liệu")
    assert task.lead_unit == org.a1 and task.lead_person == org.alice


def test_a_sub_task_form_starts_from_the_parents_directive(signed_in, org):
    parent = assign(org, source="1713/UBND-NCKSTTHC")
    A.do_accept(parent, org.gd_a)
    body = signed_in("gd_a").get(f"/viec/giao/?cha={parent.pk}").content.decode()
    assert 'value="1713/UBND-NCKSTTHC"' in body


def test_a_superior_is_found_above_ones_own_division(signed_in, org):
    body = signed_in("alice").get("/chon/can-bo/?pham_vi=cap_tren").content.decode()
    # Her division head, her department's director and deputy, the province's leader.
    for name in ("Phạm Minh Tâm", "Trần Thị Giang", "Lê Văn Phú", "Nguyễn Văn Lãnh"):
        assert name in body, name
    assert "Vũ Văn Bình" not in body  # a colleague of another division is no superior
    body = signed_in("alice").get("/chon/can-bo/?pham_vi=cap_tren&q=lanh").content.decode()
    assert "Nguyễn Văn Lãnh" in body and "Trần Thị Giang" not in body


def test_the_opinion_form_searches_superiors(signed_in, org):
    task = assign(org, by="gd_a", unit="a1", lead="alice", days=5)
    A.do_accept(task, org.alice)
    body = signed_in("alice").get(f"/viec/{task.pk}/").content.decode()
    assert "/chon/can-bo/?pham_vi=cap_tren" in body


def test_reassigning_a_declined_task_starts_from_the_proposed_unit(signed_in, org):
    task = assign(org, by="gd_a", unit="a1", lead="alice", days=5)
    A.do_decline(task, org.alice, reason="Thuộc Phòng Đầu tư", proposed_unit=org.a2)
    body = signed_in("gd_a").get(f"/viec/{task.pk}/").content.decode()
    reassign = body[body.index('id="act-reassign"') :]
    chosen = reassign[reassign.index('class="chosen"') :][:400]
    assert "Phòng Đầu tư" in chosen and f'value="{org.a2.pk}"' in chosen


def test_the_assigner_is_not_offered_the_leads_steps_on_his_own_task(org):
    # gd_a directs Phòng Ngân sách (his department's division) and gives it the work.
    task = assign(org, by="gd_a", unit="a1", lead="alice", days=5)

    def offered(key: str) -> set[str]:
        person = org.people[key]
        t = Task.objects.get(pk=task.pk)
        ctx = A.Ctx(t, A.task_state(t), person, timezone.now(), access_for(person))
        return {s.key for s in steps.offered(ctx)}

    assert not {"accept", "decline", "transfer", "return"} & offered("gd_a")
    assert {"accept", "decline"} <= offered("alice")
    assert {"accept", "decline"} <= offered("tp_a1")  # the division's head may act for it
    with pytest.raises(ActionPermissionError, match="Người giao việc không"):
        A.do_accept(task, org.gd_a)


def test_after_an_extension_the_deadline_label_counts_to_the_new_deadline(signed_in, org):
    task = assign(org, days=5)
    A.do_accept(task, org.gd_a)
    client = signed_in("gd_a")
    assert "(5 ngày làm việc)" in client.get(f"/viec/{task.pk}/").content.decode()
    later = Task.objects.get(pk=task.pk).deadline + timedelta(days=7)  # five working days on
    A.do_request_extension(task, org.gd_a, new_deadline=later, reason="Chờ số liệu")
    A.do_grant_extension(task, org.lanh_dao)
    assert "(10 ngày làm việc, đã gia hạn)" in client.get(f"/viec/{task.pk}/").content.decode()


def test_an_approved_sub_task_shows_done_and_lets_the_parent_be_submitted(signed_in, org):
    parent = assign(org, days=10)
    A.do_accept(parent, org.gd_a)
    child = assign(org, by="gd_a", unit="a1", lead="alice", days=5, parent=parent)
    A.do_accept(child, org.alice)
    A.do_report_progress(child, org.alice, percent=60, text="Đang làm")
    A.do_submit(child, org.alice, result="Xong")
    A.do_approve(child, org.gd_a)
    body = signed_in("alice").get(f"/viec/{child.pk}/").content.decode()
    assert "100 %" in body
    assert A.rolled_up_progress(Task.objects.get(pk=parent.pk)) == 100
    A.do_submit(parent, org.gd_a, result="Tổng hợp kết quả")  # no "Kết thúc" of the child first
    assert Task.objects.get(pk=parent.pk).status == "submitted"
