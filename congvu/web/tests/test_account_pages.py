"""Tài khoản người dùng (issue #15): administrators create, lock and reset accounts and grant
and revoke roles in Vietnamese, each change an audit event naming the actor; others are
refused; the set-password link works once."""

from __future__ import annotations

import re
from datetime import timedelta

from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from congvu.audit.models import AuditEvent
from congvu.org import actions as org_actions
from congvu.org.models import Person, RoleGrant, today
from congvu.org.permissions import Role, access_for
from congvu.testing import PASSWORD

GOOD = "Ngan-sach-2026!"


def _post(client, person, form: str, **fields):  # type: ignore[no-untyped-def]
    data = {"form": form, **{f"{form}-{k}": v for k, v in fields.items()}}
    return client.post(f"/tai-khoan/can-bo/{person.pk}/", data)


def _newcomer(org):  # type: ignore[no-untyped-def]
    return org_actions.create_person(
        code="NEW1", full_name="Trần Thị Mới", category=Person.Category.CONG_CHUC, unit=org.a1
    )


def test_the_administrator_finds_accounts_from_the_menu(signed_in, org):
    client = signed_in("quan_tri")
    home = client.get("/").content.decode()
    assert 'href="/tai-khoan/"' in home
    org_actions.create_person(code="NEW1", full_name="Trần Thị Mới", category="cong_chuc")
    body = client.get("/tai-khoan/", {"q": "an"}).content.decode()
    assert "Hoàng Thị An" in body and "Bùi Thị Chi" not in body
    by_unit = client.get("/tai-khoan/", {"q": "ngan sach"}).content.decode()
    assert "Hoàng Thị An" in by_unit and "Vũ Văn Bình" not in by_unit
    by_username = client.get("/tai-khoan/", {"q": "charlie"}).content.decode()
    assert "Bùi Thị Chi" in by_username
    without = client.get("/tai-khoan/", {"trang_thai": "chua-co"}).content.decode()
    assert "Trần Thị Mới" in without and "Hoàng Thị An" not in without


def test_the_list_filters_locked_accounts_and_a_unit(signed_in, org):
    client = signed_in("quan_tri")
    assert _post(client, org.alice, "lock").status_code == 302
    locked = client.get("/tai-khoan/", {"trang_thai": "khoa"}).content.decode()
    assert "Hoàng Thị An" in locked and "Vũ Văn Bình" not in locked
    active = client.get("/tai-khoan/", {"trang_thai": "hoat-dong"}).content.decode()
    assert "Hoàng Thị An" not in active and "Vũ Văn Bình" in active
    unit = client.get("/tai-khoan/", {"don_vi": org.so_a.pk}).content.decode()
    assert "Vũ Văn Bình" in unit and "Bùi Thị Chi" not in unit


def test_others_do_not_see_the_menu_nor_the_pages(signed_in, org):
    for key in ("noi_vu", "gd_a", "alice"):
        client = signed_in(key)
        assert 'href="/tai-khoan/"' not in client.get("/").content.decode()
        assert client.get("/tai-khoan/").status_code == 403
        assert client.get(f"/tai-khoan/can-bo/{org.alice.pk}/").status_code == 403
        assert _post(client, org.alice, "lock").status_code == 403
    assert User.objects.get(username="alice").is_active
    assert not AuditEvent.objects.filter(kind="account_locked").exists()


def test_an_administrator_of_one_department_manages_only_its_people(signed_in, org):
    org_actions.grant_role(org.bob, RoleGrant.Role.ADMIN, org.so_a)
    client = signed_in("bob")
    assert client.get(f"/tai-khoan/can-bo/{org.alice.pk}/").status_code == 200
    assert client.get(f"/tai-khoan/can-bo/{org.charlie.pk}/").status_code == 403
    body = client.get("/tai-khoan/").content.decode()
    assert "Hoàng Thị An" in body and "Bùi Thị Chi" not in body and "Dương Văn Quang" not in body
    # No escalation: a role is granted only within his own scope.
    response = _post(client, org.alice, "grant", role="admin", scope=org.root.pk, valid_from="")
    assert response.status_code == 400
    assert "ngoài phạm vi quản trị" in response.content.decode()
    assert not RoleGrant.objects.filter(person=org.alice).exists()


def test_the_administrator_creates_an_account_with_a_link_that_works_once(signed_in, org):
    person = _newcomer(org)
    client = signed_in("quan_tri")
    response = _post(client, person, "create", username="tt_moi", how="link")
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Đã tạo tài khoản tt_moi" in page
    link = re.search(r"http://testserver(/tai-khoan/dat-mat-khau/[^/]+/[^/]+/)", page)
    assert link is not None
    event = AuditEvent.objects.get(kind="account_created", subject_id=person.pk)
    assert event.actor == org.quan_tri
    anonymous = Client()
    assert anonymous.get(link.group(1)).status_code == 200
    weak = anonymous.post(link.group(1), {"password": "123", "password2": "123"})
    assert weak.status_code == 400 and 'id="id_password_errors"' in weak.content.decode()
    done = anonymous.post(link.group(1), {"password": GOOD, "password2": GOOD})
    assert done.status_code == 302 and done["Location"] == "/dang-nhap/"
    assert anonymous.login(username="tt_moi", password=GOOD)
    assert Client().get(link.group(1)).status_code == 400  # used: refused
    assert AuditEvent.objects.get(kind="password_set").actor == person


def test_bad_input_names_the_field_and_writes_nothing(signed_in, org):
    person = _newcomer(org)
    client = signed_in("quan_tri")
    response = _post(
        client, person, "create", username="alice", how="password", password="1", password2="2"
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert 'id="id_create-password2_errors"' in body and "không khớp" in body
    response = _post(
        client, person, "create", username="ALICE", how="password", password="123", password2="123"
    )
    body = response.content.decode()
    assert 'id="id_create-username_errors"' in body and "Tên đăng nhập ALICE đã được dùng" in body
    assert 'id="id_create-password_errors"' in body
    person.refresh_from_db()
    assert person.user is None
    assert not AuditEvent.objects.filter(kind="account_created").exists()


def test_the_administrator_locks_resets_and_unlocks(signed_in, org):
    client = signed_in("quan_tri")
    assert _post(client, org.alice, "lock").status_code == 302
    assert (
        not Client().login(username="alice", password="x")
        and not User.objects.get(username="alice").is_active
    )
    response = _post(client, org.alice, "reset", how="password", password=GOOD, password2=GOOD)
    assert response.status_code == 302
    assert _post(client, org.alice, "unlock").status_code == 302
    assert Client().login(username="alice", password=GOOD)
    kinds = list(
        AuditEvent.objects.filter(subject="access", subject_id=org.alice.pk, actor=org.quan_tri)
        .order_by("seq")
        .values_list("kind", flat=True)
    )
    assert kinds == ["account_locked", "password_reset", "account_unlocked"]
    page = client.get(f"/tai-khoan/can-bo/{org.alice.pk}/").content.decode()
    assert (
        "Đã khóa tài khoản" in page and "Đã mở khóa tài khoản" in page and "Dương Văn Quang" in page
    )


def test_the_administrator_grants_and_revokes_a_role(signed_in, org):
    client = signed_in("quan_tri")
    response = _post(
        client, org.alice, "grant", role="inspector", scope=org.so_a.pk, valid_from="01/01/2026"
    )
    assert response.status_code == 302
    grant = RoleGrant.objects.get(person=org.alice)
    assert access_for(org.alice).has_role(Role.INSPECTOR)
    assert _post(client, org.alice, "revoke", grant=grant.pk).status_code == 302
    grant.refresh_from_db()
    assert grant.revoked_on is not None and not access_for(org.alice).has_role(Role.INSPECTOR)
    again = _post(client, org.alice, "revoke", grant=grant.pk)
    assert again.status_code == 400 and "không còn hiệu lực" in again.content.decode()
    events = AuditEvent.objects.filter(subject="access", subject_id=org.alice.pk)
    assert [(e.kind, e.actor_id) for e in events.order_by("seq")] == [
        ("role_granted", org.quan_tri.pk),
        ("role_revoked", org.quan_tri.pk),
    ]


def test_a_grant_without_role_or_scope_is_refused_by_field(signed_in, org):
    client = signed_in("quan_tri")
    body = _post(client, org.alice, "grant", role="", scope="", valid_from="").content.decode()
    assert "Chọn vai trò cần cấp." in body and "Chọn đơn vị là phạm vi của quyền." in body
    assert not RoleGrant.objects.filter(person=org.alice).exists()


def test_a_superuser_account_is_out_of_an_administrators_reach(signed_in, org):
    boss = User.objects.get(username="alice")
    boss.is_superuser = True
    boss.save(update_fields=["is_superuser"])
    client = signed_in("quan_tri")
    assert _post(client, org.alice, "reset", how="link").status_code == 403
    assert _post(client, org.alice, "lock").status_code == 403


def test_a_local_administrator_cannot_take_over_a_wider_account(signed_in, org):
    org_actions.grant_role(org.bob, RoleGrant.Role.ADMIN, org.so_a)
    org_actions.grant_role(org.alice, RoleGrant.Role.LEADER, org.root)
    client = signed_in("bob")
    assert _post(client, org.alice, "reset", how="link").status_code == 403
    assert User.objects.get(username="alice").has_usable_password()


def test_the_person_and_unit_pages_link_to_accounts_for_administrators(signed_in, org):
    client = signed_in("quan_tri")
    person = client.get(f"/to-chuc/can-bo/{org.alice.pk}/").content.decode()
    assert f'href="/tai-khoan/can-bo/{org.alice.pk}/#phan-quyen"' in person
    unit = client.get(f"/to-chuc/don-vi/{org.a1.pk}/").content.decode()
    assert f'href="/tai-khoan/?don_vi={org.a1.pk}"' in unit
    client = signed_in("noi_vu")
    assert "/tai-khoan/" not in client.get(f"/to-chuc/can-bo/{org.alice.pk}/").content.decode()
    assert "/tai-khoan/" not in client.get(f"/to-chuc/don-vi/{org.a1.pk}/").content.decode()


def test_the_account_page_reads_in_english(signed_in, org):
    client = signed_in("quan_tri")
    client.cookies["django_language"] = "en"
    body = client.get(f"/tai-khoan/can-bo/{org.alice.pk}/").content.decode()
    assert "Lock the account" in body and "Grant a role" in body


def test_a_duplicate_grant_is_refused_beside_the_role(signed_in, org):
    client = signed_in("quan_tri")
    fields = {"role": "inspector", "scope": org.so_a.pk, "valid_from": "01/01/2026"}
    assert _post(client, org.alice, "grant", **fields).status_code == 302
    response = _post(client, org.alice, "grant", **fields)
    assert response.status_code == 400
    body = response.content.decode()
    assert 'id="id_grant-role_errors"' in body and "đã có quyền này" in body
    assert RoleGrant.objects.filter(person=org.alice).count() == 1


def test_a_future_grant_can_be_revoked_before_it_begins(signed_in, org):
    grant = org_actions.grant_role(
        org.alice, "inspector", org.so_a, valid_from=today() + timedelta(days=10)
    )
    client = signed_in("quan_tri")
    assert "chưa hiệu lực" in client.get(f"/tai-khoan/can-bo/{org.alice.pk}/").content.decode()
    assert _post(client, org.alice, "revoke", grant=grant.pk).status_code == 302
    grant.refresh_from_db()
    assert grant.revoked_on == today() and grant.valid_to == grant.valid_from
    assert not access_for(org.alice, today() + timedelta(days=20)).has_role(Role.INSPECTOR)


def test_a_refusal_of_a_form_no_longer_shown_is_still_shown(signed_in, org):
    client = signed_in("quan_tri")
    response = _post(client, org.alice, "create", username="alice2", how="link")
    assert response.status_code == 400
    assert "đã có tài khoản alice" in response.content.decode()


def test_the_list_costs_the_same_queries_for_more_people(signed_in, org):
    client = signed_in("quan_tri")
    client.get("/tai-khoan/")
    with CaptureQueriesContext(connection) as few:
        client.get("/tai-khoan/")
    for i in range(10):
        org_actions.create_person(
            code=f"NEW{i}", full_name=f"Cán bộ {i}", category="cong_chuc", unit=org.a2
        )
    with CaptureQueriesContext(connection) as more:
        client.get("/tai-khoan/")
    assert len(more) == len(few)


def test_a_superuser_without_a_person_is_named_in_the_event(client, org):
    boss = User.objects.create_superuser("sieu_quan_tri", "", "x-2026-ma-khoa")
    client.force_login(boss)
    person = _newcomer(org)
    assert client.get("/tai-khoan/").status_code == 200
    assert _post(client, person, "create", username="tt_moi", how="link").status_code == 302
    event = AuditEvent.objects.get(kind="account_created")
    assert event.actor is None and event.payload["by_user"] == "sieu_quan_tri"
    assert "sieu_quan_tri" in client.get(f"/tai-khoan/can-bo/{person.pk}/").content.decode()


def test_a_locked_account_loses_its_open_session(org):
    alice = Client()
    assert alice.login(username="alice", password=PASSWORD)
    assert alice.get("/").status_code == 200
    admin = Client()
    admin.force_login(User.objects.get(username="quan_tri"))
    assert _post(admin, org.alice, "lock").status_code == 302
    response = alice.get("/")
    assert response.status_code == 302 and "/dang-nhap/" in response["Location"]
    assert not Client().login(username="alice", password=PASSWORD)
