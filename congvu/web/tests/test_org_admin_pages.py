"""Organisation administration in Vietnamese on the unit page (issue #15): administrators
and Sở Nội vụ rename a unit, add a new person, place someone as head/deputy/member and end a
post, each through congvu.org.actions with an audit event naming the actor."""

from __future__ import annotations

from datetime import timedelta

from congvu.audit.models import AuditEvent
from congvu.org.models import Membership, Person, UnitVersion, today


def _d(days: int = 0) -> str:
    return (today() + timedelta(days=days)).strftime("%d/%m/%Y")


def _post(client, org, form: str, **fields):  # type: ignore[no-untyped-def]
    data = {"form": form, **{f"{form}-{k}": v for k, v in fields.items()}}
    return client.post(f"/to-chuc/don-vi/{org.a1.pk}/quan-tri/", data)


def test_the_administrator_renames_a_unit_from_a_date(signed_in, org):
    client = signed_in("quan_tri")
    response = _post(
        client, org, "rename", name="Phòng Quản lý ngân sách", effective=_d(1), decision_ref="12/QĐ"
    )
    assert response.status_code == 302
    current = UnitVersion.objects.get(unit=org.a1, valid_to__isnull=True)
    assert current.name == "Phòng Quản lý ngân sách" and current.decision_ref == "12/QĐ"
    event = AuditEvent.objects.get(kind="unit_renamed")
    assert event.actor == org.quan_tri and event.subject_id == org.a1.pk
    body = client.get(f"/to-chuc/don-vi/{org.a1.pk}/").content.decode()
    assert "Phòng Quản lý ngân sách" in body and "Đã đổi tên đơn vị" in body


def test_a_rename_without_a_name_or_before_the_current_version_is_refused(signed_in, org):
    client = signed_in("quan_tri")
    body = _post(client, org, "rename", name=" ", effective="").content.decode()
    assert "Nhập tên mới của đơn vị." in body and "Nhập ngày hiệu lực (dd/mm/yyyy)." in body
    response = _post(client, org, "rename", name="Phòng mới", effective="01/01/2020")
    assert response.status_code == 400
    body = response.content.decode()
    assert 'id="id_rename-effective_errors"' in body and "Ngày hiệu lực phải sau" in body
    assert UnitVersion.objects.filter(unit=org.a1).count() == 1
    assert not AuditEvent.objects.filter(kind="unit_renamed").exists()


def test_hr_adds_a_new_person_to_the_unit(signed_in, org):
    client = signed_in("noi_vu")
    response = _post(
        client,
        org,
        "add_person",
        code="CB-0999",
        full_name="Lý  Thị   Mai",
        category="cong_chuc",
        role="member",
        position_title="Chuyên viên",
        valid_from=_d(),
    )
    assert response.status_code == 302
    person = Person.objects.get(code="CB-0999")
    assert person.full_name == "Lý Thị Mai"
    assert Membership.objects.current().get(person=person).unit == org.a1
    kinds = list(
        AuditEvent.objects.filter(subject="person", subject_id=person.pk).values_list(
            "kind", "actor"
        )
    )
    assert kinds == [("person_created", org.noi_vu.pk), ("membership_added", org.noi_vu.pk)]
    assert "Lý Thị Mai" in client.get(f"/to-chuc/don-vi/{org.a1.pk}/").content.decode()


def test_a_new_person_with_a_used_code_and_no_name_is_refused_whole(signed_in, org):
    client = signed_in("noi_vu")
    before = Person.objects.count()
    response = _post(
        client,
        org,
        "add_person",
        code="ALICE",
        full_name="  ",
        category="",
        role="member",
        valid_from=_d(),
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Nhập họ và tên." in body and "Chọn phân loại cán bộ." in body
    response = _post(
        client, org, "add_person", code="ALICE", full_name="Người Trùng Mã", category="cong_chuc"
    )
    body = response.content.decode()
    assert "Mã cán bộ ALICE đã được dùng." in body or "Nhập ngày bắt đầu công tác" in body
    response = _post(
        client,
        org,
        "add_person",
        code="ALICE",
        full_name="Người Trùng Mã",
        category="cong_chuc",
        role="member",
        valid_from=_d(),
    )
    assert response.status_code == 400
    assert 'id="id_add_person-code_errors"' in response.content.decode()
    assert Person.objects.count() == before
    assert not AuditEvent.objects.filter(kind="person_created").exists()


def test_placing_someone_as_deputy_moves_his_primary_post(signed_in, org):
    client = signed_in("quan_tri")
    response = _post(
        client,
        org,
        "place",
        person_code="BOB",
        role="deputy",
        position_title="Phó Trưởng phòng",
        valid_from=_d(),
    )
    assert response.status_code == 302
    now = Membership.objects.current().get(person=org.bob)
    assert (now.unit, now.role, now.position_title) == (org.a1, "deputy", "Phó Trưởng phòng")
    old = Membership.objects.get(person=org.bob, unit=org.a2)
    assert old.valid_to == today() - timedelta(days=1)
    events = AuditEvent.objects.filter(subject="person", subject_id=org.bob.pk, actor=org.quan_tri)
    assert [e.kind for e in events.order_by("seq")] == ["membership_ended", "membership_added"]


def test_a_second_head_is_refused_and_the_old_post_stays(signed_in, org):
    client = signed_in("quan_tri")
    response = _post(client, org, "place", person_code="BOB", role="head", valid_from=_d())
    assert response.status_code == 400
    body = response.content.decode()
    assert 'id="id_place-role_errors"' in body and "đã có người đứng đầu (Phạm Minh Tâm)" in body
    assert Membership.objects.current().get(person=org.bob).unit == org.a2
    assert not AuditEvent.objects.filter(actor=org.quan_tri).exists()
    response = _post(client, org, "place", person_code="KHONG-CO", role="member", valid_from=_d())
    assert "Không có cán bộ đang công tác mang mã KHONG-CO." in response.content.decode()


def test_a_concurrent_post_keeps_the_primary_one(signed_in, org):
    client = signed_in("quan_tri")
    _post(client, org, "place", person_code="BOB", role="member", valid_from=_d(), concurrent="on")
    posts = Membership.objects.current().filter(person=org.bob)
    assert {(m.unit, m.is_primary) for m in posts} == {(org.a2, True), (org.a1, False)}


def test_ending_a_post_closes_the_membership_on_the_last_day(signed_in, org):
    client = signed_in("noi_vu")
    alice = Membership.objects.current().get(person=org.alice)
    response = _post(client, org, "end", membership=alice.pk, last_day=_d())
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.valid_to == today()
    event = AuditEvent.objects.get(kind="membership_ended")
    assert event.actor == org.noi_vu and event.subject_id == org.alice.pk
    response = _post(client, org, "end", membership=alice.pk, last_day="01/01/2020")
    assert response.status_code == 400  # no longer a current post of the unit
    bob = Membership.objects.current().get(person=org.bob)
    response = _post(client, org, "end", membership=bob.pk, last_day=_d())
    assert response.status_code == 400  # Phòng Đầu tư's, not this unit's
    assert Membership.objects.current().filter(person=org.bob).exists()


def test_the_forms_propose_a_member_from_today(signed_in, org):
    body = signed_in("quan_tri").get(f"/to-chuc/don-vi/{org.a1.pk}/").content.decode()
    assert '<option value="member" selected>' in body
    assert f'name="place-valid_from" value="{_d()}"' in body


def test_only_administrators_and_hr_see_the_forms(signed_in, org):
    assert (
        "Quản trị tổ chức"
        in signed_in("quan_tri").get(f"/to-chuc/don-vi/{org.a1.pk}/").content.decode()
    )
    assert (
        "Quản trị tổ chức"
        in signed_in("noi_vu").get(f"/to-chuc/don-vi/{org.a1.pk}/").content.decode()
    )
    for who in ("gd_a", "tp_a1", "alice", "thanh_tra"):
        body = signed_in(who).get(f"/to-chuc/don-vi/{org.a1.pk}/").content.decode()
        assert "Quản trị tổ chức" not in body, who
        response = _post(signed_in(who), org, "rename", name="Đổi trộm", effective=_d(1))
        assert response.status_code == 403, who
    assert UnitVersion.objects.filter(unit=org.a1).count() == 1
