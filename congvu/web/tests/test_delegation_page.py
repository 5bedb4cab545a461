"""The "Ủy quyền" page: an official on leave hands his steps to a colleague, sees what he
gave, ends it early; every change is an audit event naming who did it (issue #15)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from congvu.audit.models import AuditEvent
from congvu.lib.errors import ActionPermissionError
from congvu.org import actions as org_actions
from congvu.org.models import Delegation, RoleGrant, today
from congvu.tasks import actions as A
from congvu.tasks.models import Task
from congvu.web.tests.tasks_helpers import assign


def _d(days: int) -> str:
    return (today() + timedelta(days=days)).strftime("%d/%m/%Y")


def _leave(client, to, reason="Nghỉ phép năm", start=0, end=5):  # type: ignore[no-untyped-def]
    return client.post(
        "/uy-quyen/",
        {"to": to.pk, "valid_from": _d(start), "valid_to": _d(end), "reason": reason},
    )


def test_a_director_delegates_to_his_deputy_and_the_event_names_him(signed_in, org):
    client = signed_in("gd_a")
    response = _leave(client, org.pgd_a)
    assert response.status_code == 302
    delegation = Delegation.objects.get()
    assert (delegation.principal, delegation.delegate) == (org.gd_a, org.pgd_a)
    assert delegation.reason == "Nghỉ phép năm" and delegation.created_by == org.gd_a
    event = AuditEvent.objects.get(kind="delegation_given")
    assert event.actor == org.gd_a and event.subject_id == org.gd_a.pk
    assert event.payload["delegate"] == org.pgd_a.pk
    body = client.get("/uy-quyen/").content.decode()
    assert "Lê Văn Phú" in body and "Đang hiệu lực" in body and "Kết thúc sớm" in body


def test_the_form_offers_only_colleagues_of_the_units_he_directs(signed_in, org):
    body = signed_in("gd_a").get("/uy-quyen/").content.decode()
    # His deputy, and the heads of the divisions under him; not another department.
    assert "Lê Văn Phú" in body and "Phạm Minh Tâm" in body
    assert "Đặng Quốc Bảo" not in body and "Hoàng Thị An" not in body
    response = _leave(signed_in("gd_a"), org.gd_b)
    assert response.status_code == 400
    assert not Delegation.objects.exists()


def test_bad_input_names_every_field_and_writes_nothing(signed_in, org):
    client = signed_in("gd_a")
    response = client.post(
        "/uy-quyen/", {"to": org.pgd_a.pk, "valid_from": _d(5), "valid_to": _d(1), "reason": " "}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Nêu lý do ủy quyền." in body
    response = _leave(client, org.pgd_a, start=5, end=1)
    body = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_valid_to_errors"' in body and "Ngày kết thúc phải sau ngày bắt đầu." in body
    response = client.post("/uy-quyen/", {"to": "", "valid_from": "31/02/2026", "reason": "x"})
    body = response.content.decode()
    assert "Chọn người được ủy quyền." in body
    assert "Nhập ngày kết thúc ủy quyền (dd/mm/yyyy)." in body
    assert 'id="id_valid_from_errors"' in body
    assert not Delegation.objects.exists()
    assert not AuditEvent.objects.filter(kind="delegation_given").exists()


def test_a_second_delegation_for_the_same_days_is_refused(signed_in, org):
    client = signed_in("gd_a")
    _leave(client, org.pgd_a)
    response = _leave(client, org.tp_a1, start=2, end=8)
    assert response.status_code == 400
    assert "Đã có ủy quyền khác trong khoảng thời gian này." in response.content.decode()
    assert Delegation.objects.count() == 1


def test_ending_a_delegation_early_takes_the_steps_back(signed_in, org):
    task = assign(org, unit="so_b", lead="gd_b", title="Việc của tỉnh giao Sở Xây dựng")
    A.do_accept(task, org.gd_b)
    A.do_submit(task, org.gd_b, result="Báo cáo")
    _leave(signed_in("lanh_dao"), org.gd_a, reason="Đi công tác nước ngoài")
    delegation = Delegation.objects.get()
    assert signed_in("gd_a").get(f"/viec/{task.pk}/").status_code == 200
    client = signed_in("lanh_dao")
    response = client.post(f"/uy-quyen/{delegation.pk}/ket-thuc/")
    assert response.status_code == 302
    delegation.refresh_from_db()
    assert delegation.revoked_at is not None
    event = AuditEvent.objects.get(kind="delegation_revoked")
    assert event.actor == org.lanh_dao and event.payload["delegation"] == delegation.pk
    assert "Đã thu hồi" in client.get("/uy-quyen/").content.decode()
    assert signed_in("gd_a").get(f"/viec/{task.pk}/").status_code == 404
    # A second click changes nothing and says why.
    response = signed_in("lanh_dao").post(f"/uy-quyen/{delegation.pk}/ket-thuc/", follow=True)
    assert "Ủy quyền này đã được thu hồi." in response.content.decode()
    assert AuditEvent.objects.filter(kind="delegation_revoked").count() == 1


def test_only_the_official_who_gave_it_ends_it(signed_in, org):
    _leave(signed_in("gd_a"), org.pgd_a)
    delegation = Delegation.objects.get()
    assert signed_in("gd_b").post(f"/uy-quyen/{delegation.pk}/ket-thuc/").status_code == 404
    assert signed_in("pgd_a").post(f"/uy-quyen/{delegation.pk}/ket-thuc/").status_code == 404
    assert Delegation.objects.get().revoked_at is None


def test_a_step_taken_under_the_delegation_says_for_whom_on_the_timeline(signed_in, org):
    task = assign(org, unit="so_b", lead="gd_b", title="Việc của tỉnh giao Sở Xây dựng")
    A.do_accept(task, org.gd_b)
    A.do_submit(task, org.gd_b, result="Báo cáo")
    _leave(signed_in("lanh_dao"), org.gd_a, reason="Đi công tác nước ngoài")
    client = signed_in("gd_a")
    client.post(
        f"/viec/{task.pk}/thao-tac/",
        {"action": "approve", "version": Task.objects.get(pk=task.pk).version},
    )
    assert Task.objects.get(pk=task.pk).status == "approved"
    body = client.get(f"/viec/{task.pk}/").content.decode()
    assert "Trần Thị Giang thực hiện theo ủy quyền của Nguyễn Văn Lãnh" in body


def test_the_menu_offers_it_to_officials_who_direct_work_only(signed_in, org):
    assert 'href="/uy-quyen/"' in signed_in("gd_a").get("/").content.decode()
    assert 'href="/uy-quyen/"' not in signed_in("alice").get("/").content.decode()
    assert signed_in("alice").get("/uy-quyen/").status_code == 403


# --- on someone else's behalf: an administrator or Sở Nội vụ for an official who is away ---


def _for(client, principal, to, reason="Ốm, ủy quyền qua điện thoại", start=0, end=3):  # type: ignore[no-untyped-def]
    return client.post(
        "/uy-quyen/thay-mat/",
        {
            "principal": principal.pk,
            "to": to.pk,
            "valid_from": _d(start),
            "valid_to": _d(end),
            "reason": reason,
        },
    )


def test_an_administrator_records_a_delegation_for_a_director_who_is_away(signed_in, org):
    client = signed_in("quan_tri")
    body = client.get("/uy-quyen/thay-mat/").content.decode()
    # The officials of his scope who may delegate are offered; not the specialists.
    assert "Trần Thị Giang (GD_A)" in body and "Hoàng Thị An" not in body
    body = client.get(f"/uy-quyen/thay-mat/?nguoi={org.gd_a.pk}").content.decode()
    assert "Lập ủy quyền thay Trần Thị Giang" in body
    offered = body.split('id="id_to"')[1].split("</select>")[0]
    assert "Lê Văn Phú" in offered and "Đặng Quốc Bảo" not in offered  # his colleagues only
    response = _for(client, org.gd_a, org.pgd_a)
    assert response.status_code == 302
    assert response["Location"] == f"/uy-quyen/thay-mat/?nguoi={org.gd_a.pk}"
    delegation = Delegation.objects.get()
    assert (delegation.principal, delegation.delegate) == (org.gd_a, org.pgd_a)
    assert delegation.created_by == org.quan_tri
    event = AuditEvent.objects.get(kind="delegation_given")
    assert event.actor == org.quan_tri and event.subject_id == org.gd_a.pk
    body = client.get(response["Location"]).content.decode()
    assert "Dương Văn Quang" in body and "Đang hiệu lực" in body
    # The director sees it on his own page when he is back, and the delegate acts for him.
    assert "Lê Văn Phú" in signed_in("gd_a").get("/uy-quyen/").content.decode()


def test_home_affairs_records_one_and_ends_it_early(signed_in, org):
    client = signed_in("noi_vu")
    assert 'href="/uy-quyen/thay-mat/"' in client.get("/").content.decode()
    assert _for(client, org.lanh_dao, org.gd_a).status_code == 302
    delegation = Delegation.objects.get()
    response = client.post(f"/uy-quyen/{delegation.pk}/ket-thuc/")
    assert response["Location"] == f"/uy-quyen/thay-mat/?nguoi={org.lanh_dao.pk}"
    delegation.refresh_from_db()
    assert delegation.revoked_at is not None
    assert AuditEvent.objects.get(kind="delegation_revoked").actor == org.noi_vu


def test_on_behalf_bad_input_names_the_field_and_writes_nothing(signed_in, org):
    client = signed_in("quan_tri")
    # A colleague of another department: refused beside the field.
    response = _for(client, org.gd_a, org.gd_b)
    assert response.status_code == 400
    assert 'id="id_to_errors"' in response.content.decode()
    response = client.post("/uy-quyen/thay-mat/", {"to": org.pgd_a.pk, "reason": "x"})
    body = response.content.decode()
    assert response.status_code == 400
    assert "Chọn người ủy quyền." in body and "Nhập ngày bắt đầu ủy quyền (dd/mm/yyyy)." in body
    # A specialist delegates nothing: he is not offered and a forged post is refused.
    response = _for(client, org.alice, org.bob)
    assert "Người ủy quyền không thuộc phạm vi quản lý của anh/chị." in response.content.decode()
    assert client.get(f"/uy-quyen/thay-mat/?nguoi={org.alice.pk}").status_code == 404
    assert not Delegation.objects.exists()
    assert not AuditEvent.objects.filter(kind="delegation_given").exists()


def test_only_administrators_and_home_affairs_record_for_others(signed_in, org):
    for key in ("gd_a", "lanh_dao", "alice", "thanh_tra"):
        assert signed_in(key).get("/uy-quyen/thay-mat/").status_code == 403
    _leave(signed_in("gd_a"), org.pgd_a)
    delegation = Delegation.objects.get()
    # The inspector reads the province but manages nothing of it.
    assert signed_in("thanh_tra").post(f"/uy-quyen/{delegation.pk}/ket-thuc/").status_code == 403
    assert Delegation.objects.get().revoked_at is None


def test_the_action_refuses_an_administrator_outside_his_scope(org):
    org_actions.grant_role(org.charlie, RoleGrant.Role.ADMIN, org.so_b, valid_from=today())
    with pytest.raises(ActionPermissionError):
        org_actions.delegate(
            org.gd_a,
            org.pgd_a,
            valid_from=today(),
            valid_to=today(),
            reason="Nghỉ phép",
            by=org.charlie,
        )
    assert not Delegation.objects.exists()
