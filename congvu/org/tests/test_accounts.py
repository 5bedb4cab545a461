"""Accounts and role grants (issue #15): every change is a sealed "access" event naming its
actor; bad input is refused with the field named and nothing written."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import User

from congvu.audit import log as audit
from congvu.audit.models import AuditEvent
from congvu.lib.errors import ActionError
from congvu.org import accounts
from congvu.org import actions as org_actions
from congvu.org.models import Person, RoleGrant, today
from congvu.org.permissions import Role, access_for

GOOD = "Ngan-sach-2026!"


def _newcomer(org):
    return org_actions.create_person(
        code="NEW1", full_name="Trần Thị Mới", category=Person.Category.CONG_CHUC, unit=org.a1
    )


def _events(person, kind):
    return list(AuditEvent.objects.filter(subject="access", subject_id=person.pk, kind=kind))


def test_it_creates_an_account_with_a_password_and_logs_the_actor(org):
    person = _newcomer(org)
    user = accounts.create_account(person, username="tt_moi", password=GOOD, actor=org.quan_tri)
    person.refresh_from_db()
    assert person.user == user and user.check_password(GOOD) and user.is_active
    [event] = _events(person, "account_created")
    assert event.actor == org.quan_tri
    assert event.payload == {"user": user.pk, "username": "tt_moi", "password": "set"}
    assert GOOD not in str(event.payload)
    assert audit.verify() == []


def test_it_creates_an_account_without_a_usable_password_for_a_link(org):
    person = _newcomer(org)
    user = accounts.create_account(person, username="tt_moi", actor=org.quan_tri)
    assert not user.has_usable_password()
    assert _events(person, "account_created")[0].payload["password"] == "link"


@pytest.mark.parametrize(
    ("username", "password", "fields"),
    [
        ("", GOOD, {"username"}),
        ("có dấu cách", GOOD, {"username"}),
        ("ALICE", GOOD, {"username"}),  # taken, whatever the case
        ("tt_moi", "123", {"password"}),
        ("tt_moi", "tt_moi2026", {"password"}),  # too like the username
        ("", "123", {"username", "password"}),
    ],
)
def test_it_refuses_bad_input_naming_the_field_and_writes_nothing(org, username, password, fields):
    person = _newcomer(org)
    users_before, events_before = User.objects.count(), AuditEvent.objects.count()
    with pytest.raises(ActionError) as caught:
        accounts.create_account(person, username=username, password=password, actor=org.quan_tri)
    errors = getattr(caught.value, "errors", None) or [caught.value]
    assert {e.field for e in errors} == fields
    assert all(e.message for e in errors)
    assert User.objects.count() == users_before
    assert AuditEvent.objects.count() == events_before
    person.refresh_from_db()
    assert person.user is None


def test_it_refuses_a_second_account(org):
    with pytest.raises(ActionError, match="đã có tài khoản alice") as caught:
        accounts.create_account(org.alice, username="alice2", password=GOOD, actor=org.quan_tri)
    assert caught.value.field == "username"
    assert not User.objects.filter(username="alice2").exists()


def test_it_locks_and_unlocks_an_account_with_events(org):
    accounts.set_account_active(org.alice, False, actor=org.quan_tri)
    alice = User.objects.get(username="alice")
    assert not alice.is_active
    with pytest.raises(ActionError, match="đã bị khóa"):
        accounts.set_account_active(org.alice, False, actor=org.quan_tri)
    accounts.set_account_active(org.alice, True, actor=org.quan_tri)
    alice.refresh_from_db()
    assert alice.is_active
    kinds = [
        (e.kind, e.actor_id)
        for e in AuditEvent.objects.filter(subject="access", subject_id=org.alice.pk).order_by(
            "seq"
        )
    ]
    assert kinds[-2:] == [
        ("account_locked", org.quan_tri.pk),
        ("account_unlocked", org.quan_tri.pk),
    ]


def test_an_administrator_cannot_lock_himself_out(org):
    with pytest.raises(ActionError, match="chính mình"):
        accounts.set_account_active(org.quan_tri, False, actor=org.quan_tri)
    assert User.objects.get(username="quan_tri").is_active


def test_it_resets_a_password_and_refuses_a_weak_one(org):
    with pytest.raises(ActionError) as caught:
        accounts.reset_password(org.alice, password="12345678", actor=org.quan_tri)
    assert caught.value.field == "password"
    assert _events(org.alice, "password_reset") == []
    accounts.reset_password(org.alice, password=GOOD, actor=org.quan_tri)
    assert User.objects.get(username="alice").check_password(GOOD)
    accounts.reset_password(org.alice, actor=org.quan_tri)
    assert not User.objects.get(username="alice").has_usable_password()
    assert [e.payload["password"] for e in _events(org.alice, "password_reset")] == ["set", "link"]


def test_the_person_sets_his_own_password_as_the_actor(org):
    accounts.reset_password(org.alice, actor=org.quan_tri)
    user = User.objects.get(username="alice")
    accounts.set_password(user, GOOD)
    assert User.objects.get(username="alice").check_password(GOOD)
    assert _events(org.alice, "password_set")[0].actor == org.alice


def test_it_grants_and_revokes_a_role_keeping_the_row(org):
    grant = org_actions.grant_role(
        org.alice, RoleGrant.Role.INSPECTOR, org.so_a, valid_from=today() - timedelta(days=30)
    )
    assert access_for(org.alice).has_role(Role.INSPECTOR)
    org_actions.revoke_role(grant, actor=org.quan_tri)
    grant.refresh_from_db()
    assert grant.valid_to == today() - timedelta(days=1) and grant.revoked_on == today()
    assert not access_for(org.alice).has_role(Role.INSPECTOR)
    # The past still reads as it was.
    assert access_for(org.alice, today() - timedelta(days=2)).has_role(Role.INSPECTOR)
    [event] = _events(org.alice, "role_revoked")
    assert event.actor == org.quan_tri and event.payload["grant"] == grant.pk
    with pytest.raises(ActionError, match="đã kết thúc"):
        org_actions.revoke_role(grant, actor=org.quan_tri)
    assert len(_events(org.alice, "role_revoked")) == 1


def test_a_grant_revoked_on_the_day_it_began_never_counts(org):
    grant = org_actions.grant_role(org.alice, RoleGrant.Role.ADMIN, org.so_a, actor=org.quan_tri)
    assert access_for(org.alice).has_role(Role.ADMIN)
    org_actions.revoke_role(grant, actor=org.quan_tri)
    grant.refresh_from_db()
    assert grant.valid_to == grant.valid_from == today()
    assert not access_for(org.alice).has_role(Role.ADMIN)
    assert not RoleGrant.objects.current().filter(pk=grant.pk).exists()
    assert RoleGrant.objects.filter(pk=grant.pk).exists()


def test_an_administrator_cannot_revoke_his_own_admin_role(org):
    grant = RoleGrant.objects.get(person=org.quan_tri, role=RoleGrant.Role.ADMIN)
    with pytest.raises(ActionError, match="chính mình"):
        org_actions.revoke_role(grant, actor=org.quan_tri)
    grant.refresh_from_db()
    assert grant.valid_to is None and grant.revoked_on is None


def test_who_manages_whose_account(org):
    admin, hr, head = (access_for(org.people[k]) for k in ("quan_tri", "noi_vu", "gd_a"))
    assert accounts.manages(admin, org.alice) and accounts.manages(admin, org.lanh_dao)
    assert not accounts.manages(hr, org.alice) and not accounts.manages(head, org.alice)
    assert accounts.may_grant_in(admin, org.so_a) and not accounts.may_grant_in(hr, org.so_a)
    local = org_actions.grant_role(org.bob, RoleGrant.Role.ADMIN, org.so_a)
    assert local.scope == org.so_a
    local_admin = access_for(org.bob)
    assert accounts.manages(local_admin, org.alice)
    assert not accounts.manages(local_admin, org.charlie)  # Sở Xây dựng
    assert not accounts.manages(local_admin, org.lanh_dao)  # no post: province-wide admins only
    assert not accounts.may_grant_in(local_admin, org.root)
