"""The directive register, one directive to many units, and bulk steps on the pages."""

from __future__ import annotations

from datetime import timedelta

from congvu.org import actions as org_actions
from congvu.org.models import RoleGrant, today
from congvu.tasks import actions as A
from congvu.tasks.events import TaskEventType as E
from congvu.tasks.models import Directive, Task, TaskEvent
from congvu.testing import ORG_START, make_person
from congvu.web.tests.tasks_helpers import assign


def _register(client, org):  # type: ignore[no-untyped-def]
    return client.post(
        "/van-ban/moi/",
        {
            "unit": org.root.pk,
            "number": "25/CT-UBND",
            "issued_on": (today() - timedelta(days=1)).strftime("%d/%m/%Y"),
            "issuer": "UBND tỉnh Bình Minh",
            "subject": "Chỉ thị về tăng cường kỷ luật, kỷ cương hành chính",
        },
    )


def test_a_leader_registers_a_directive_and_gives_it_to_three_units_at_once(signed_in, org):
    client = signed_in("lanh_dao")
    response = _register(client, org)
    assert response.status_code == 302
    directive = Directive.objects.get()
    response = client.post(
        f"/van-ban/{directive.pk}/",
        {
            "title": "Triển khai Chỉ thị 25",
            "units": [org.so_a.pk, org.so_b.pk, org.xa.pk],
            "working_days": "10",
        },
    )
    assert response.status_code == 302
    leads = {(t.lead_unit, t.lead_person) for t in Task.objects.filter(directive=directive)}
    assert leads == {(org.so_a, org.gd_a), (org.so_b, org.gd_b), (org.xa, org.ct_xa)}
    body = client.get(f"/van-ban/{directive.pk}/").content.decode()
    assert body.count("Triển khai Chỉ thị 25") >= 3
    # One click reminds every unit that has not finished.
    client.post(
        "/viec/hang-loat/",
        {
            "step": "remind",
            "task": list(Task.objects.values_list("pk", flat=True)),
            "next": f"/van-ban/{directive.pk}/",
        },
    )
    assert TaskEvent.objects.filter(type=E.REMINDED).count() == 3


def test_a_specialist_may_not_open_the_register(signed_in, org):
    assert signed_in("alice").get("/van-ban/moi/").status_code == 403


def test_the_clerk_registers_and_assigns_for_the_head_and_the_timeline_says_so(signed_in, org):
    clerk = make_person(org, "van_thu", "Mai Thị Thư", None)
    org_actions.grant_role(clerk, RoleGrant.Role.CLERK, org.so_a, valid_from=ORG_START)
    client = signed_in("van_thu")
    response = client.post(
        "/van-ban/moi/",
        {
            "unit": org.so_a.pk,
            "number": "7/STC",
            "issued_on": today().strftime("%d/%m/%Y"),
            "issuer": "Sở Tài chính",
            "subject": "Về việc lập dự toán năm 2027",
        },
    )
    assert response.status_code == 302
    directive = Directive.objects.get()
    client.post(
        f"/van-ban/{directive.pk}/",
        {"title": "Lập dự toán", "units": [org.a1.pk], "working_days": "5"},
    )
    task = Task.objects.get(directive=directive)
    assert task.assigner == org.gd_a and task.lead_person == org.tp_a1
    body = signed_in("gd_a").get(f"/viec/{task.pk}/").content.decode()
    assert "Văn thư Mai Thị Thư thay mặt lãnh đạo Trần Thị Giang" in body


def test_the_lead_accepts_several_tasks_in_one_step_and_refusals_are_named(signed_in, org):
    first = assign(org, title="Việc thứ nhất")
    second = assign(org, title="Việc thứ hai")
    other = assign(org, unit="so_b", lead="gd_b", title="Việc của sở khác")
    client = signed_in("gd_a")
    assert 'form="bulk-accept"' in client.get("/").content.decode()
    response = client.post(
        "/viec/hang-loat/", {"step": "accept", "task": [first.pk, second.pk, other.pk]}, follow=True
    )
    body = response.content.decode()
    assert Task.objects.get(pk=first.pk).status == "in_progress"
    assert Task.objects.get(pk=second.pk).status == "in_progress"
    assert Task.objects.get(pk=other.pk).status == "assigned"
    assert "Tiếp nhận: 2 nhiệm vụ." in body and "Việc của sở khác" in body


def test_the_delegate_opens_and_approves_the_task_of_the_official_on_leave(signed_in, org):
    task = assign(org, unit="so_b", lead="gd_b", title="Việc của tỉnh giao Sở Xây dựng")
    A.do_accept(task, org.gd_b)
    A.do_submit(task, org.gd_b, result="Báo cáo")
    client = signed_in("gd_a")
    assert client.get(f"/viec/{task.pk}/").status_code == 404
    org_actions.delegate(
        org.lanh_dao,
        org.gd_a,
        valid_from=today(),
        valid_to=today() + timedelta(days=3),
        reason="Đi công tác nước ngoài",
        by=org.lanh_dao,
    )
    body = client.get(f"/viec/{task.pk}/").content.decode()
    assert 'id="act-approve"' in body
    client.post(
        f"/viec/{task.pk}/thao-tac/",
        {"action": "approve", "version": Task.objects.get(pk=task.pk).version},
    )
    assert Task.objects.get(pk=task.pk).status == "approved"
    body = client.get(f"/viec/{task.pk}/").content.decode()
    assert "Trần Thị Giang thực hiện theo ủy quyền của Nguyễn Văn Lãnh" in body
