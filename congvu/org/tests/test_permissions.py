from __future__ import annotations

import pytest

from congvu.org.permissions import Role, access_for

# (person, unit) -> (may see, may act). The matrix is the permission layer's contract.
MATRIX = {
    "lanh_dao": {"root": (1, 1), "so_a": (1, 1), "a1": (1, 1), "b1": (1, 1), "xa": (1, 1)},
    "gd_a": {
        "root": (0, 0),
        "so_a": (1, 1),
        "a1": (1, 1),
        "a2": (1, 1),
        "so_b": (0, 0),
        "b1": (0, 0),
        "xa": (0, 0),
    },
    "pgd_a": {"so_a": (1, 1), "a1": (1, 1), "so_b": (0, 0)},
    "tp_a1": {"so_a": (0, 0), "a1": (1, 1), "a2": (0, 0), "b1": (0, 0)},
    "alice": {"a1": (1, 0), "a2": (0, 0), "so_a": (0, 0), "b1": (0, 0)},
    "charlie": {"b1": (1, 0), "a1": (0, 0), "so_b": (0, 0)},
    "ct_xa": {"xa": (1, 1), "root": (0, 0), "so_a": (0, 0)},
    "noi_vu": {"root": (1, 0), "a1": (1, 0), "b1": (1, 0), "xa": (1, 0)},
    "thanh_tra": {"so_a": (1, 0), "a1": (1, 0), "a2": (1, 0), "so_b": (0, 0), "b1": (0, 0)},
    "quan_tri": {"root": (0, 0), "a1": (0, 0)},
}


@pytest.mark.parametrize(
    ("person", "unit", "expected"),
    [(p, u, e) for p, row in MATRIX.items() for u, e in row.items()],
)
def test_it_answers_see_and_act_from_the_tree(org, person, unit, expected):
    access = access_for(org.people[person])
    got = (int(access.can_see_unit(org.units[unit])), int(access.can_act_on_unit(org.units[unit])))
    assert got == expected, f"{person} on {unit}"


# (person, unit) -> may manage the organisation (rename, add people, place, end posts).
ORG_ADMIN_MATRIX = {
    "quan_tri": {"root": 1, "so_a": 1, "b1": 1},
    "noi_vu": {"root": 1, "a1": 1, "xa": 1},
    "lanh_dao": {"root": 0, "so_a": 0},
    "gd_a": {"so_a": 0, "a1": 0},
    "alice": {"a1": 0},
    "thanh_tra": {"so_a": 0},
}


@pytest.mark.parametrize(
    ("person", "unit", "expected"),
    [(p, u, e) for p, row in ORG_ADMIN_MATRIX.items() for u, e in row.items()],
)
def test_only_administrators_and_hr_manage_the_organisation_in_scope(org, person, unit, expected):
    access = access_for(org.people[person])
    assert int(access.can_admin_unit(org.units[unit])) == expected, f"{person} on {unit}"


@pytest.mark.parametrize(
    ("person", "expected"),
    [
        ("lanh_dao", 1),
        ("gd_a", 1),
        ("pgd_a", 1),
        ("tp_a1", 1),
        ("alice", 0),
        ("noi_vu", 0),
        ("thanh_tra", 0),
        ("quan_tri", 0),
    ],
)
def test_only_officials_who_direct_work_may_delegate(org, person, expected):
    assert int(access_for(org.people[person]).may_delegate()) == expected


def test_it_derives_roles_from_memberships_and_grants(org):
    assert access_for(org.gd_a).roles == {Role.HEAD}
    assert access_for(org.pgd_a).roles == {Role.DEPUTY}
    assert access_for(org.alice).roles == {Role.SPECIALIST}
    assert Role.LEADER in access_for(org.lanh_dao).roles
    assert access_for(org.noi_vu).roles == {Role.HR}
    assert access_for(org.thanh_tra).roles == {Role.INSPECTOR}


def test_read_only_roles_are_read_only(org):
    for key in ("noi_vu", "thanh_tra", "alice", "quan_tri"):
        assert access_for(org.people[key]).is_read_only, key


def test_admin_manages_the_organisation_but_does_not_read_work(org):
    access = access_for(org.quan_tri)
    assert access.can_admin_unit(org.a1)
    assert not access.can_see_unit(org.a1)


def test_hr_and_inspectors_see_evaluations_only_in_scope(org):
    assert access_for(org.noi_vu).can_see_evaluations_of(org.b1)
    assert access_for(org.thanh_tra).can_see_evaluations_of(org.a2)
    assert not access_for(org.thanh_tra).can_see_evaluations_of(org.b1)
    assert not access_for(org.alice).can_see_evaluations_of(org.a1)


def test_nobody_without_a_person_sees_anything(db):
    from django.contrib.auth.models import AnonymousUser

    from congvu.org.permissions import NO_ACCESS, access_for_user

    assert access_for_user(AnonymousUser()) == NO_ACCESS
