"""Conduct records (inputs to the KHT overrides)."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from congvu.audit import log as audit
from congvu.evaluation.acts.common import check_discipline_form
from congvu.evaluation.models import ConductRecord
from congvu.lib.errors import ActionError, ActionPermissionError
from congvu.org.models import Person, RoleGrant
from congvu.org.permissions import access_for

# --- conduct (inputs to the KHT overrides) ----------------------------------------------------


@transaction.atomic
def do_record_conduct(
    person: Person,
    *,
    actor: Person,
    kind: str,
    effective_on: date,
    form: str = "",
    decision_ref: str = "",
    note: str = "",
    related_to_duty: bool = True,
    violation_ref: str = "",
) -> ConductRecord:
    """Record a discipline decision or a conclusion that forces KHT in its year.

    `related_to_duty`: the violation was committed in performing public duty (only then does
    discipline force KHT under ND 335 Art. 20.4.c). `violation_ref`: the same reference on the
    Party and the administrative decision for one violation (ND 48/2023: counted in one year
    only)."""
    if kind not in ConductRecord.Kind.values:
        raise ActionError("invalid_kind", "Loại kết luận không hợp lệ.", field="kind")
    if kind == ConductRecord.Kind.DISCIPLINE:
        check_discipline_form(form)
    membership = person.primary_membership(effective_on) or person.primary_membership()
    access = access_for(actor)
    if (
        actor.pk == person.pk
        or membership is None
        or not (
            access.can_see_evaluations_of(membership.unit_id)
            and (access.has_role(RoleGrant.Role.HR) or access.can_act_on_unit(membership.unit_id))
        )
    ):
        raise ActionPermissionError("Chỉ cấp quản lý hoặc Sở Nội vụ ghi nhận kết luận, kỷ luật.")
    record = ConductRecord.objects.create(
        person=person,
        kind=kind,
        form=form,
        effective_on=effective_on,
        decision_ref=decision_ref,
        note=note,
        related_to_duty=related_to_duty,
        violation_ref=violation_ref.strip(),
        recorded_by=actor,
    )
    audit.record(
        "person",
        person.pk,
        "conduct_recorded",
        actor,
        {
            "kind": kind,
            "form": form,
            "on": effective_on.isoformat(),
            "decision_ref": decision_ref,
            "related_to_duty": related_to_duty,
            "violation_ref": violation_ref.strip(),
        },
    )
    return record
