"""Consequence proposals (reward, training, discipline): who decides them."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from congvu.audit import log as audit
from congvu.evaluation.acts.common import _today
from congvu.evaluation.models import Proposal
from congvu.lib.errors import ActionError, ActionPermissionError
from congvu.org.models import Person, RoleGrant
from congvu.org.permissions import Access, access_for

# --- consequences ---------------------------------------------------------------------------


def may_decide_proposal(
    actor: Person,
    proposal: Proposal,
    access: Access | None = None,
    unit_id: int | None = None,
) -> bool:
    """Not the person concerned; a leader directing the person's current unit, or HR.
    `unit_id` (the person's current primary unit) saves a query on list pages."""
    access = access or access_for(actor)
    if actor.pk == proposal.person_id:
        return False
    if unit_id is None:
        membership = proposal.person.primary_membership()
        if membership is None:
            return False
        unit_id = membership.unit_id
    return access.can_act_on_unit(unit_id) or access.has_role(RoleGrant.Role.HR)


@transaction.atomic
def do_decide_proposal(proposal: Proposal, *, actor: Person, accept: bool, note: str) -> Proposal:
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if proposal.status != Proposal.Status.OPEN:
        raise ActionError("already_decided", "Đề xuất này đã được quyết định.")
    if not may_decide_proposal(actor, proposal):
        raise ActionPermissionError("Chỉ cấp có thẩm quyền quyết định đề xuất này.")
    if not note.strip():
        raise ActionError("reason_required", "Cần ghi ý kiến quyết định.", field="note")
    proposal.status = Proposal.Status.ACCEPTED if accept else Proposal.Status.REJECTED
    proposal.decided_by = actor
    proposal.decided_at = timezone.now()
    proposal.decision_note = note.strip()
    proposal.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    audit.record(
        "proposal", proposal.pk, "proposal_decided", actor, {"accept": accept, "note": note}
    )
    return proposal


@transaction.atomic
def do_propose_discipline(
    person: Person,
    *,
    actor: Person,
    form: str,
    legal_ground: str,
    summary: str,
    opened_on: date | None = None,
    source_key: str = "",
    detected_on: date | None = None,
    violation_on: date | None = None,
) -> Proposal:
    """A discipline proposal with its ND 172/2025 form and time limit (90 days, up to 150,
    from the day the violation was detected; refused past the statute of limitations)."""
    from congvu.evaluation.consequences import discipline_proposal

    return discipline_proposal(
        person,
        actor=actor,
        form=form,
        legal_ground=legal_ground,
        summary=summary,
        opened_on=opened_on or _today(),
        source_key=source_key,
        detected_on=detected_on,
        violation_on=violation_on,
    )


@transaction.atomic
def do_extend_discipline(
    proposal: Proposal, *, actor: Person, new_due_on: date, reason: str
) -> Proposal:
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if proposal.kind != Proposal.Kind.DISCIPLINE or proposal.status != Proposal.Status.OPEN:
        raise ActionError("not_applicable", "Chỉ gia hạn được đề xuất kỷ luật đang xem xét.")
    access = access_for(actor)
    membership = proposal.person.primary_membership()
    if membership is None or not (
        access.can_act_on_unit(membership.unit_id) or access.has_role(RoleGrant.Role.HR)
    ):
        raise ActionPermissionError()
    if not reason.strip():
        raise ActionError("reason_required", "Gia hạn phải nêu lý do.", field="reason")
    assert proposal.max_due_on is not None
    if new_due_on > proposal.max_due_on or (proposal.due_on and new_due_on <= proposal.due_on):
        raise ActionError(
            "invalid_extension",
            f"Thời hạn xử lý kỷ luật chỉ được kéo dài đến tối đa ngày {proposal.max_due_on:%d/%m/%Y} "
            "(NĐ 172/2025: không quá 150 ngày).",
            field="new_due_on",
        )
    old = proposal.due_on
    proposal.due_on = new_due_on
    proposal.save(update_fields=["due_on"])
    audit.record(
        "proposal",
        proposal.pk,
        "discipline_extended",
        actor,
        {"old": old.isoformat() if old else None, "new": new_due_on.isoformat(), "reason": reason},
    )
    return proposal
