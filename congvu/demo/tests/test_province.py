from __future__ import annotations

from datetime import date

import pytest
from django.core.management import CommandError, call_command

from congvu.demo.province import NAMED_LOGINS, TWO_TIER, build_demo_province
from congvu.org.models import Membership, Person, Unit
from congvu.org.permissions import Role, access_for
from congvu.org.tree import tree_as_of


@pytest.mark.django_db
def test_the_demo_province_is_reorganised_in_2025_and_consistent():
    province = build_demo_province(seed=7, people=400)
    assert Person.objects.count() == 400
    names = list(Person.objects.order_by("code").values_list("full_name", flat=True)[:20])
    # The district tier existed before 1/7/2025 and is gone after it.
    before = tree_as_of(date(2025, 6, 30))
    after = tree_as_of(TWO_TIER)
    districts = set(Unit.objects.filter(unit_type__code="ubnd_huyen").values_list("pk", flat=True))
    assert districts and districts <= set(before.parent) and not districts & set(after.parent)
    # Everyone still has exactly one current primary post, every current unit at most one head.
    assert Membership.objects.current().filter(is_primary=True).count() == 400
    heads = Membership.objects.current().heads().values_list("unit_id", flat=True)
    assert len(heads) == len(set(heads))
    # Named logins exist with the roles they claim.
    logins = {login.username for login in province.logins}
    assert {u for u, _ in NAMED_LOGINS} == logins
    assert Role.LEADER in access_for(Person.objects.get(user__username="chutich")).roles
    assert Role.INSPECTOR in access_for(Person.objects.get(user__username="thanhtra")).roles
    # Vietnamese names with a surname, a middle name and a given name.
    assert all(len(n.split()) >= 3 for n in names)


@pytest.mark.django_db
def test_seed_demo_refuses_a_non_empty_database_unless_told_to_skip(org):
    with pytest.raises(CommandError, match="đã có đơn vị"):
        call_command("seed_demo", "--people", "300", "--no-tasks")
    call_command("seed_demo", "--if-empty", "--people", "300")  # a no-op, no error


@pytest.mark.django_db
def test_seed_demo_rejects_a_too_small_province():
    with pytest.raises(CommandError, match="ít nhất 300"):
        call_command("seed_demo", "--people", "10", "--no-tasks")
