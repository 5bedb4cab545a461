"""Effective-dated reorganisation: the tree before a change stays readable after it."""

from __future__ import annotations

from datetime import date

import pytest

from congvu.lib.errors import ActionError
from congvu.org import actions
from congvu.org.models import Membership, Unit, UnitSuccession
from congvu.org.permissions import access_for
from congvu.org.tree import tree_as_of

MERGER = date(2025, 7, 1)  # the day the 2025 reorganisation took effect


def test_merging_two_units_keeps_their_history_readable(org):
    # Sở Xây dựng is merged into Sở Tài chính from 1/7/2025.
    actions.merge_units([org.so_b], org.so_a, MERGER, decision_ref="Nghị quyết 1/2025")

    before = tree_as_of(date(2025, 6, 30))
    after = tree_as_of(MERGER)
    assert org.so_b.pk in before and org.so_b.pk not in after
    assert before.parent[org.b1.pk] == org.so_b.pk
    assert after.parent[org.b1.pk] == org.so_a.pk

    so_b = Unit.objects.get(pk=org.so_b.pk)
    assert so_b.valid_to == date(2025, 6, 30)
    assert [v.name for v in so_b.versions.all()] == ["Sở Xây dựng"]
    assert UnitSuccession.objects.get(predecessor=so_b).successor == org.so_a


def test_the_head_of_the_successor_sees_the_merged_units_work(org):
    actions.merge_units([org.so_b], org.so_a, MERGER)
    access = access_for(org.gd_a, date(2025, 8, 1))
    assert access.can_see_unit(org.so_b)  # dissolved, but its history is now Sở Tài chính's
    assert access.can_act_on_unit(org.b1)
    # ...and before the merger the head of Sở Tài chính did not see Sở Xây dựng.
    assert not access_for(org.gd_a, date(2025, 6, 1)).can_see_unit(org.so_b)


def test_members_of_a_merged_unit_move_and_a_second_head_becomes_a_deputy(org):
    actions.merge_units([org.so_b], org.so_a, MERGER)
    old = Membership.objects.get(person=org.gd_b, unit=org.so_b)
    new = Membership.objects.get(person=org.gd_b, unit=org.so_a)
    assert old.valid_to == date(2025, 6, 30)
    assert new.role == Membership.Role.DEPUTY and new.valid_from == MERGER
    assert Membership.objects.active_on(MERGER).heads().get(unit=org.so_a).person == org.gd_a


def test_re_parenting_keeps_the_old_parent_for_old_dates(org):
    actions.move_unit(org.a2, org.so_b, date(2025, 3, 1), reason="Chuyển chức năng đầu tư")
    assert tree_as_of(date(2025, 2, 28)).parent[org.a2.pk] == org.so_a.pk
    assert tree_as_of(date(2025, 3, 1)).parent[org.a2.pk] == org.so_b.pk
    assert Unit.objects.get(pk=org.a2.pk).parent == org.so_b
    # The head of Sở Tài chính directed Phòng Đầu tư before the move, not after.
    assert access_for(org.gd_a, date(2025, 2, 1)).can_act_on_unit(org.a2)
    assert not access_for(org.gd_a, date(2025, 4, 1)).can_act_on_unit(org.a2)


def test_it_refuses_a_cycle(org):
    with pytest.raises(ActionError) as err:
        actions.move_unit(org.so_a, org.a1, date(2025, 3, 1), reason="sai")
    assert err.value.code == "cycle"
    assert tree_as_of(date(2025, 3, 1)).parent[org.so_a.pk] == org.root.pk


def test_it_refuses_merging_a_unit_into_its_own_child(org):
    with pytest.raises(ActionError) as err:
        actions.merge_units([org.so_a], org.a1, MERGER)
    assert err.value.code == "cycle"
    assert not UnitSuccession.objects.exists()


def test_a_rename_is_a_new_version(org):
    actions.rename_unit(org.so_a, "Sở Tài chính và Kế hoạch", MERGER)
    names = list(Unit.objects.get(pk=org.so_a.pk).versions.values_list("name", flat=True))
    assert names == ["Sở Tài chính", "Sở Tài chính và Kế hoạch"]
    assert Unit.objects.search("so tai chinh va ke hoach").get() == org.so_a


def test_dissolving_a_unit_with_members_is_refused(org):
    with pytest.raises(ActionError) as err:
        actions.dissolve_unit(org.a1, MERGER)
    assert err.value.code == "has_members"


def test_a_person_cannot_have_two_primary_units_at_once(org):
    with pytest.raises(ActionError) as err:
        actions.add_membership(org.alice, org.b1, valid_from=date(2025, 1, 1))
    assert err.value.code == "two_primary_units"
    # A concurrent post (kiêm nhiệm) is allowed.
    actions.add_membership(org.alice, org.b1, valid_from=date(2025, 1, 1), is_primary=False)


def test_a_unit_cannot_have_two_heads_at_once(org):
    with pytest.raises(ActionError) as err:
        actions.add_membership(org.bob, org.a1, role=Membership.Role.HEAD, is_primary=False)
    assert err.value.code == "two_heads"


def test_transferring_a_person_ends_the_old_post(org):
    actions.transfer_person(org.alice, org.b1, date(2025, 9, 1))
    assert org.alice.primary_membership(date(2025, 8, 31)).unit == org.a1
    assert org.alice.primary_membership(date(2025, 9, 1)).unit == org.b1
    assert access_for(org.alice, date(2025, 9, 1)).can_see_unit(org.b1)
    assert not access_for(org.alice, date(2025, 9, 1)).can_see_unit(org.a1)
