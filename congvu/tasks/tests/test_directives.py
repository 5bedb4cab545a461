"""Directives to many units, the clerk (văn thư) and delegation (ủy quyền) (issue #15)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from congvu.lib.errors import ActionError, ActionPermissionError, InvalidInputError
from congvu.org import actions as org_actions
from congvu.org.models import RoleGrant, today
from congvu.tasks import actions as A
from congvu.tasks.directives import UnitPart, do_assign_directive, do_register_directive
from congvu.tasks.events import TaskEventType as E
from congvu.tasks.models import Task, TaskEvent
from congvu.testing import ORG_START, make_person


def _directive(org, by="lanh_dao"):  # type: ignore[no-untyped-def]
    return do_register_directive(
        org.people[by],
        unit=org.root,
        number="1713/UBND-NCKSTTHC",
        issued_on=today() - timedelta(days=2),
        issuer="UBND tỉnh Bình Minh",
        subject="Về việc rà soát, đơn giản hóa thủ tục hành chính năm 2027",
    )


@pytest.fixture
def clerk(org):  # type: ignore[no-untyped-def]
    person = make_person(org, "van_thu", "Mai Thị Thư", None)
    org_actions.grant_role(person, RoleGrant.Role.CLERK, org.root, valid_from=ORG_START)
    return person


def test_one_directive_goes_to_many_units_each_with_its_own_lead(org):
    directive = _directive(org)
    tasks = do_assign_directive(
        org.lanh_dao,
        directive,
        [UnitPart(org.so_a, org.gd_a), UnitPart(org.so_b, org.gd_b), UnitPart(org.xa, org.ct_xa)],
        title="Rà soát thủ tục hành chính thuộc thẩm quyền",
        working_days=10,
    )
    assert [(t.lead_unit, t.lead_person) for t in tasks] == [
        (org.so_a, org.gd_a),
        (org.so_b, org.gd_b),
        (org.xa, org.ct_xa),
    ]
    assert set(directive.tasks.all()) == set(tasks)
    for t in tasks:
        assert t.source_number == "1713/UBND-NCKSTTHC" and t.source_issuer == "UBND tỉnh Bình Minh"
        assigned = TaskEvent.objects.get(task=t, type=E.ASSIGNED)
        assert assigned.payload["directive"] == directive.pk  # sealed with the first event


def test_a_directive_to_many_units_is_all_or_nothing_with_every_units_problem(org):
    directive = _directive(org)
    with pytest.raises(InvalidInputError) as caught:
        do_assign_directive(
            org.lanh_dao,
            directive,
            [
                UnitPart(org.so_a, org.gd_a),
                UnitPart(org.so_b, org.alice),  # not of Sở Xây dựng
                UnitPart(org.xa, org.bob),  # nor of the commune
            ],
            title="Rà soát",
            working_days=10,
        )
    messages = [e.message for e in caught.value.errors]
    assert messages[0].startswith("Sở Xây dựng:") and messages[1].startswith("Ủy ban nhân dân xã")
    assert not Task.objects.exists()


def test_registering_the_same_document_twice_is_refused_clearly(org):
    _directive(org)
    with pytest.raises(ActionError, match="đã vào sổ"):
        _directive(org)


def test_a_specialist_cannot_register_a_directive_for_the_province(org):
    with pytest.raises(ActionPermissionError):
        _directive(org, by="alice")


def test_the_clerk_registers_and_records_the_assignment_for_the_leader(org, clerk):
    directive = _directive(org, by="van_thu")
    assert directive.registered_by == clerk
    (task,) = do_assign_directive(
        org.lanh_dao,
        directive,
        [UnitPart(org.so_a, org.gd_a)],
        title="Rà soát",
        working_days=5,
        recorded_by=clerk,
    )
    assert task.assigner == org.lanh_dao  # the leader stays accountable
    assigned = TaskEvent.objects.get(task=task, type=E.ASSIGNED)
    assert assigned.actor == org.lanh_dao and assigned.payload["recorded_by"] == clerk.pk


def test_only_the_clerk_of_the_leaders_unit_records_for_him(org, clerk):
    with pytest.raises(ActionPermissionError, match="không phải văn thư"):
        A.do_assign(
            assigner=org.gd_b,  # heads Sở Xây dựng; the clerk keeps the province's register
            title="Việc",
            lead_unit=org.b1,
            lead_person=org.charlie,
            working_days=5,
            ad_hoc=True,
            recorded_by=clerk,
        )


def _leave(org, principal="lanh_dao", to="gd_a"):  # type: ignore[no-untyped-def]
    return org_actions.delegate(
        org.people[principal],
        org.people[to],
        valid_from=today(),
        valid_to=today() + timedelta(days=5),
        reason="Nghỉ phép năm",
        by=org.people[principal],
    )


def test_a_delegate_decides_for_the_official_on_leave_and_the_event_says_so(org):
    task = A.do_assign(
        assigner=org.lanh_dao,
        title="Việc của tỉnh",
        lead_unit=org.so_b,
        lead_person=org.gd_b,
        working_days=5,
        ad_hoc=True,
    )
    A.do_accept(task, org.gd_b)
    A.do_submit(task, org.gd_b, result="Báo cáo")
    with pytest.raises(ActionError):
        A.do_approve(task, org.gd_a)  # Sở Tài chính's director has no say over it
    delegation = _leave(org)
    A.do_approve(task, org.gd_a)
    approved = TaskEvent.objects.get(task=task, type=E.APPROVED)
    assert approved.actor == org.lanh_dao
    assert approved.payload["delegation"] == delegation.pk
    assert approved.payload["delegate"] == org.gd_a.pk


def test_a_delegation_ends_with_its_period_or_when_revoked(org):
    delegation = _leave(org)
    task = A.do_assign(
        assigner=org.lanh_dao,
        title="Việc",
        lead_unit=org.so_b,
        lead_person=org.gd_b,
        working_days=5,
        ad_hoc=True,
    )
    A.do_accept(task, org.gd_b)
    A.do_submit(task, org.gd_b, result="Báo cáo")
    later = timezone.now() + timedelta(days=8)
    org_actions.revoke_delegation(delegation, by=org.lanh_dao)
    with pytest.raises(ActionError):
        A.do_approve(task, org.gd_a)
    _leave(org)  # a new leave; the approval comes after it ends
    with pytest.raises(ActionError):
        A.do_approve(task, org.gd_a, at=later)


def test_a_delegation_must_be_sound(org):
    with pytest.raises(InvalidInputError) as caught:
        org_actions.delegate(
            org.gd_a,
            org.gd_a,
            valid_from=date(2026, 3, 10),
            valid_to=date(2026, 3, 1),
            reason=" ",
            by=org.gd_a,
        )
    assert {e.code for e in caught.value.errors} == {"self", "range", "required"}
    with pytest.raises(ActionPermissionError):
        org_actions.delegate(
            org.lanh_dao,
            org.gd_a,
            valid_from=today(),
            valid_to=today(),
            reason="Đi công tác",
            by=org.alice,
        )
