"""The audit log: every non-task change is a sealed event of a registered kind, with its actor
(issue #14: org and calendar changes used to take no actor and write nothing)."""

from __future__ import annotations

from datetime import date

import pytest

from congvu.audit import log as audit
from congvu.audit.models import AuditEvent
from congvu.org import actions as org_actions
from congvu.org.models import Membership


def test_it_refuses_an_event_of_an_unregistered_kind(org):
    with pytest.raises(ValueError, match="unit/unit_exploded"):
        audit.record("unit", org.so_a.pk, "unit_exploded", org.gd_a)
    with pytest.raises(ValueError, match="nowhere/opened"):
        audit.record("nowhere", 1, "opened", None)
    assert not AuditEvent.objects.filter(kind="unit_exploded").exists()


def test_org_changes_are_sealed_events_naming_their_actor(org):
    renamed = date(2027, 1, 1)
    org_actions.rename_unit(org.a1, "Phòng Ngân sách mới", renamed, actor=org.gd_a)
    membership = Membership.objects.get(person=org.alice, is_primary=True)
    org_actions.end_membership(membership, date(2027, 6, 30), actor=org.gd_a)
    org_actions.grant_role(org.bob, "inspector", org.so_a, actor=org.gd_a)
    events = AuditEvent.objects.filter(actor=org.gd_a).order_by("pk")
    assert [(e.subject, e.kind) for e in events] == [
        ("unit", "unit_renamed"),
        ("person", "membership_ended"),
        ("access", "role_granted"),
    ]
    assert events[0].subject_id == org.a1.pk and events[0].payload["name"] == "Phòng Ngân sách mới"
    assert audit.verify() == []
