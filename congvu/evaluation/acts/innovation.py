"""Innovation proposals (ND 73/2023): register, vote, approve, implement, report, evaluate."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from django.db import transaction

from congvu.audit import log as audit
from congvu.evaluation.models import (
    InnovationProposal,
    InnovationVote,
    ProductIssue,
)
from congvu.lib.errors import ActionError, ActionPermissionError
from congvu.org.models import Membership, Person, Unit
from congvu.org.permissions import access_for
from congvu.org.tree import tree_as_of

if TYPE_CHECKING:
    from congvu.tasks.models import Task
from congvu.evaluation.acts.common import _today
from congvu.evaluation.acts.products import EXPLAINED_BY_PAUSE, do_confirm_objective_cause

# --- innovation (ND 73/2023) -----------------------------------------------------------------


def _log(proposal: InnovationProposal, kind: str, actor: Person, payload: dict[str, Any]) -> None:
    """A sealed event on the proposal's own chain, which its page's history reads."""
    audit.record("innovation", proposal.pk, kind, actor, payload)


def _late(on: date, due: date | None) -> bool:
    # ND 73's working-day limits (7 for the vote, 5 for the report, 7 for the evaluation) bind
    # the agency: a late step is recorded as late, not refused.
    return due is not None and on > due


def employing_agency(unit: Unit, day: date) -> Unit:
    """The nearest unit at or above `unit` that is an agency (cơ quan): a unit type of level
    ≤ AGENCY_MAX_LEVEL (UBND tỉnh, Sở, UBND xã); a phòng belongs to its Sở."""
    tree = tree_as_of(day)
    for unit_id in [unit.pk, *tree.ancestors(unit.pk)]:
        candidate = Unit.objects.select_related("unit_type").get(pk=unit_id)
        if candidate.unit_type.level <= AGENCY_MAX_LEVEL:
            return candidate
    return unit


# Unit-type levels that are agencies (cơ quan) for ND 73/2023; phòng (level 3) are not.
AGENCY_MAX_LEVEL = 2


@transaction.atomic
def do_register_innovation(
    *,
    proposer: Person,
    title: str,
    necessity: str,
    content: str,
    scope: str,
    timeline: str,
    resources: str,
    expected_effect: str,
    received_on: date | None = None,
) -> InnovationProposal:
    """Art. 7: the plan goes to the head of the employing agency — or, if the proposer is that
    head, to the head of the superior agency. The vote is due within 7 working days (Art. 8.1)."""
    from congvu.workdays.calendar import add_working_days

    fields = {
        "title": title,
        "necessity": necessity,
        "content": content,
        "scope": scope,
        "timeline": timeline,
        "resources": resources,
        "expected_effect": expected_effect,
    }
    missing = [k for k, v in fields.items() if not v.strip()]
    if missing:
        raise ActionError(
            "required",
            "Kế hoạch đề xuất đổi mới phải có đủ: sự cần thiết, nội dung, phạm vi, thời gian, "
            f"nguồn lực, hiệu quả dự kiến (còn thiếu: {', '.join(missing)}).",
            field=missing[0],
        )
    received_on = received_on or _today()
    membership = proposer.primary_membership(received_on)
    if membership is None:
        raise ActionError("no_membership", "Người đề xuất không thuộc cơ quan nào.")
    if membership.role not in (Membership.Role.HEAD, Membership.Role.DEPUTY):
        raise ActionError(
            "not_covered",
            "NĐ 73/2023 áp dụng với cán bộ, công chức, viên chức giữ chức vụ lãnh đạo, quản lý.",
        )
    agency = employing_agency(membership.unit, received_on)
    head = Membership.objects.active_on(received_on).head_of(agency)
    if head is not None and head.pk == proposer.pk:
        tree = tree_as_of(received_on)
        parent = tree.parent.get(agency.pk)
        if parent is None:
            raise ActionError(
                "no_superior", "Không xác định được cơ quan cấp trên để gửi kế hoạch đề xuất."
            )
        agency = employing_agency(Unit.objects.get(pk=parent), received_on)
    proposal = InnovationProposal.objects.create(
        proposer=proposer,
        agency=agency,
        received_on=received_on,
        vote_due_on=add_working_days(received_on, 7),
        **{k: v.strip() for k, v in fields.items()},
    )
    _log(
        proposal,
        "innovation_registered",
        proposer,
        {"agency": agency.code, "vote_due_on": proposal.vote_due_on.isoformat()},
    )
    return proposal


def _at_step(proposal: InnovationProposal, status: str, refusal: str) -> InnovationProposal:
    """The proposal locked for a step, refused (`refusal`) unless it is at the step's status."""
    locked = InnovationProposal.objects.select_for_update().get(pk=proposal.pk)
    if locked.status != status:
        raise ActionError("wrong_step", refusal)
    return locked


def innovation_voters(proposal: InnovationProposal, day: date) -> dict[int, bool]:
    """Eligible voters (person id → is head): the agency's head and deputies, minus the proposer."""
    rows = Membership.objects.active_on(day).leaders().filter(unit=proposal.agency)
    return {
        m.person_id: m.role == Membership.Role.HEAD
        for m in rows
        if m.person_id != proposal.proposer_id
    }


def _require_head(proposal: InnovationProposal, actor: Person, on: date, refusal: str) -> None:
    """Only the agency's head (on `on`) takes this step."""
    if not innovation_voters(proposal, on).get(actor.pk, False):
        raise ActionPermissionError(refusal)


def _at_vote(
    proposal: InnovationProposal, on: date | None
) -> tuple[InnovationProposal, date, dict[int, bool]]:
    """The proposal, locked while it is put to the vote; the day; who may vote that day."""
    proposal = _at_step(
        proposal, InnovationProposal.Status.REGISTERED, "Đề xuất không còn ở bước biểu quyết."
    )
    on = on or _today()
    return proposal, on, innovation_voters(proposal, on)


@transaction.atomic
def do_cast_innovation_vote(
    proposal: InnovationProposal, *, voter: Person, in_favour: bool, on: date | None = None
) -> InnovationVote:
    proposal, on, voters = _at_vote(proposal, on)
    if voter.pk == proposal.proposer_id:
        raise ActionError(
            "ineligible_voter",
            "Người đề xuất là cấp phó không tham gia biểu quyết đề xuất của mình (NĐ 73/2023 Điều 8).",
        )
    if voter.pk not in voters:
        raise ActionError(
            "ineligible_voter",
            "Chỉ người đứng đầu và cấp phó của cơ quan được biểu quyết đề xuất đổi mới, sáng tạo.",
        )
    if InnovationVote.objects.filter(proposal=proposal, voter=voter).exists():
        raise ActionError("already_voted", "Người này đã biểu quyết.")
    vote = InnovationVote.objects.create(
        proposal=proposal, voter=voter, in_favour=in_favour, is_head=voters[voter.pk]
    )
    _log(proposal, "innovation_vote", voter, {"in_favour": in_favour})
    return vote


@transaction.atomic
def do_close_innovation_vote(
    proposal: InnovationProposal, *, actor: Person, on: date | None = None
) -> InnovationProposal:
    """Count: more than 50 % of the eligible voters in favour passes; on a tie the head's vote
    decides (Art. 8.1)."""
    proposal, on, voters = _at_vote(proposal, on)
    head_id = next((pid for pid, is_head in voters.items() if is_head), None)
    if actor.pk != head_id:
        raise ActionPermissionError("Người đứng đầu cơ quan chủ trì và kết luận biểu quyết.")
    votes = list(proposal.votes.all())
    yes = sum(1 for v in votes if v.in_favour)
    no = sum(1 for v in votes if not v.in_favour)
    total = len(voters)
    head_vote = next((v.in_favour for v in votes if v.voter_id == head_id), None)
    passed = 2 * yes > total or (2 * yes == total and yes == no and head_vote is True)
    proposal.status = (
        InnovationProposal.Status.APPROVED if passed else InnovationProposal.Status.REJECTED
    )
    proposal.voted_on = on
    proposal.approved_on = on if passed else None
    proposal.save(update_fields=["status", "voted_on", "approved_on"])
    _log(
        proposal,
        "innovation_vote_closed",
        actor,
        {
            "yes": yes,
            "no": no,
            "eligible": total,
            "passed": passed,
            "head_vote": head_vote,
            "late": _late(on, proposal.vote_due_on),
        },
    )
    return proposal


@transaction.atomic
def do_head_approve_innovation(
    proposal: InnovationProposal, *, actor: Person, written_decision: str, on: date | None = None
) -> InnovationProposal:
    """After a failed vote the head may approve in writing and bears the responsibility."""
    proposal = _at_step(
        proposal,
        InnovationProposal.Status.REJECTED,
        "Chỉ phê duyệt bằng văn bản sau khi biểu quyết không thông qua.",
    )
    on = on or _today()
    _require_head(proposal, actor, on, "Chỉ người đứng đầu cơ quan được phê duyệt bằng văn bản.")
    if not written_decision.strip():
        raise ActionError("required", "Cần nội dung văn bản phê duyệt.", field="written_decision")
    proposal.status = InnovationProposal.Status.APPROVED
    proposal.head_written_approval = written_decision.strip()
    proposal.approved_on = on
    proposal.save(update_fields=["status", "head_written_approval", "approved_on"])
    _log(proposal, "innovation_head_approved", actor, {"text": written_decision})
    return proposal


@transaction.atomic
def do_link_innovation_tasks(
    proposal: InnovationProposal,
    *,
    actor: Person,
    tasks: Sequence[Task] = (),
    task_refs: Sequence[str] = (),
) -> InnovationProposal:
    """Link the tasks that implement an approved proposal (they become protected: see
    protected_task_ids), plus references to work outside the system."""
    from congvu.tasks.actions import can_see_task

    proposal = _at_step(
        proposal,
        InnovationProposal.Status.APPROVED,
        "Chỉ gắn nhiệm vụ cho đề xuất đã được thông qua.",
    )
    access = access_for(actor)
    if actor.pk != proposal.proposer_id and not access.can_act_on_unit(proposal.agency_id):
        raise ActionPermissionError()
    for task in tasks:
        if not can_see_task(task, access):
            raise ActionError(
                "out_of_scope", f"Nhiệm vụ #{task.pk} không thuộc phạm vi của bạn.", field="tasks"
            )
    refs = sorted({*proposal.task_refs, *(r.strip() for r in task_refs if r.strip())})
    proposal.task_refs = refs
    proposal.save(update_fields=["task_refs"])
    proposal.tasks.add(*tasks)
    _log(
        proposal,
        "innovation_tasks",
        actor,
        {"tasks": sorted(t.pk for t in tasks), "task_refs": refs},
    )
    return proposal


def protected_task_ids(day: date | None = None) -> set[int]:
    """Tasks implementing an approved ND 73 proposal that has not been evaluated as "not
    protected": detection must not turn them into avoidance or stalling findings."""
    del day  # protection follows the proposal's state, not the calendar
    qs = InnovationProposal.objects.filter(
        status__in=[
            InnovationProposal.Status.APPROVED,
            InnovationProposal.Status.REPORTED,
            InnovationProposal.Status.EVALUATED,
        ]
    ).exclude(outcome=InnovationProposal.Outcome.NOT_PROTECTED)
    return set(
        InnovationProposal.tasks.through.objects.filter(innovationproposal__in=qs).values_list(
            "task_id", flat=True
        )
    )


@transaction.atomic
def excuse_issues_for_task(
    task: Task, *, cause: str, source: str, actor: Person | None = None
) -> list[ProductIssue]:
    """Hook for the tasks app: a reviewed legal obstacle or a confirmed dependency on `task`
    confirms the objective cause of the open DELAYS on products linked to it. A pause explains
    lateness, not a failed quality review: those need their own confirmed cause (ND 335
    Art. 14 excuses only what the objective cause explains)."""
    issues = ProductIssue.objects.filter(
        product__task=task,
        kind__in=EXPLAINED_BY_PAUSE,
        objective_cause_confirmed_at__isnull=True,
    )
    return [do_confirm_objective_cause(i, actor=actor, cause=cause, source=source) for i in issues]


@transaction.atomic
def do_finish_innovation(
    proposal: InnovationProposal, *, actor: Person, finished_on: date
) -> InnovationProposal:
    from congvu.workdays.calendar import add_working_days

    proposal = InnovationProposal.objects.select_for_update().get(pk=proposal.pk)
    if proposal.status != InnovationProposal.Status.APPROVED or proposal.finished_on:
        raise ActionError("wrong_step", "Đề xuất chưa được thông qua hoặc đã kết thúc.")
    if actor.pk != proposal.proposer_id:
        raise ActionPermissionError("Người thực hiện đề xuất ghi nhận ngày kết thúc.")
    proposal.finished_on = finished_on
    proposal.report_due_on = add_working_days(finished_on, 5)
    proposal.save(update_fields=["finished_on", "report_due_on"])
    _log(
        proposal,
        "innovation_finished",
        actor,
        {
            "finished_on": finished_on.isoformat(),
            "report_due_on": proposal.report_due_on.isoformat(),
        },
    )
    return proposal


@transaction.atomic
def do_report_innovation(
    proposal: InnovationProposal, *, actor: Person, report: str, on: date | None = None
) -> InnovationProposal:
    """Art. 18: a truthful written report within 5 working days of finishing; the evaluation
    is then due within 7 working days. A late report is accepted and logged as late."""
    from congvu.workdays.calendar import add_working_days

    proposal = InnovationProposal.objects.select_for_update().get(pk=proposal.pk)
    on = on or _today()
    if proposal.finished_on is None or proposal.status != InnovationProposal.Status.APPROVED:
        raise ActionError("wrong_step", "Cần ghi nhận ngày kết thúc trước khi báo cáo.")
    if actor.pk != proposal.proposer_id:
        raise ActionPermissionError("Người thực hiện đề xuất lập báo cáo kết quả.")
    if not report.strip():
        raise ActionError("required", "Cần nội dung báo cáo.", field="report")
    proposal.report = report.strip()
    proposal.reported_on = on
    proposal.evaluation_due_on = add_working_days(on, 7)
    proposal.status = InnovationProposal.Status.REPORTED
    proposal.save(update_fields=["report", "reported_on", "evaluation_due_on", "status"])
    _log(
        proposal,
        "innovation_reported",
        actor,
        {
            "on": on.isoformat(),
            "late": _late(on, proposal.report_due_on),
            "evaluation_due_on": proposal.evaluation_due_on.isoformat(),
        },
    )
    return proposal


@transaction.atomic
def do_evaluate_innovation(
    proposal: InnovationProposal,
    *,
    actor: Person,
    outcome: str,
    note: str,
    on: date | None = None,
) -> InnovationProposal:
    """Art. 11, 18: the collective (without a proposer-deputy) evaluates; the head records the
    protection outcome."""
    proposal = _at_step(
        proposal, InnovationProposal.Status.REPORTED, "Chỉ đánh giá sau khi có báo cáo kết quả."
    )
    on = on or _today()
    _require_head(proposal, actor, on, "Người đứng đầu cơ quan kết luận đánh giá.")
    if outcome not in InnovationProposal.Outcome.values:
        raise ActionError("invalid_outcome", "Kết quả bảo vệ không hợp lệ.", field="outcome")
    if not note.strip():
        raise ActionError("required", "Cần nội dung đánh giá.", field="note")
    proposal.outcome = outcome
    proposal.outcome_note = note.strip()
    proposal.evaluated_on = on
    proposal.status = InnovationProposal.Status.EVALUATED
    proposal.save(update_fields=["outcome", "outcome_note", "evaluated_on", "status"])
    _log(
        proposal,
        "innovation_evaluated",
        actor,
        {"outcome": outcome, "late": _late(on, proposal.evaluation_due_on)},
    )
    return proposal


def overdue_innovations(day: date | None = None) -> list[tuple[InnovationProposal, str]]:
    """Proposals whose ND 73 step is past its working-day deadline, with the step's name."""
    from django.db.models import Q

    day = day or _today()
    out: list[tuple[InnovationProposal, str]] = []
    qs = InnovationProposal.objects.filter(
        Q(status=InnovationProposal.Status.REGISTERED, vote_due_on__lt=day)
        | Q(status=InnovationProposal.Status.APPROVED, report_due_on__lt=day)
        | Q(status=InnovationProposal.Status.REPORTED, evaluation_due_on__lt=day)
    ).select_related("proposer", "agency")
    for p in qs:
        step = {
            InnovationProposal.Status.REGISTERED: "biểu quyết (07 ngày làm việc)",
            InnovationProposal.Status.APPROVED: "báo cáo kết quả (05 ngày làm việc)",
            InnovationProposal.Status.REPORTED: "đánh giá kết quả (07 ngày làm việc)",
        }[InnovationProposal.Status(p.status)]
        out.append((p, step))
    return out
