"""The only code that writes the legal-obstacles registry (STYLE.md §7.1, zulip `do_*`).

Entry: `register_acknowledged_pause` is called by congvu.tasks.actions.do_review_pause inside
its transaction, so an obstacle exists exactly when the head's acknowledgement does (no sync
lag, no second writer). `sync_from_log` rebuilds missing rows from the task log for history
written before this app existed (imports, the demo); it is idempotent.

Each change appends a sealed event of subject "legal" to the evaluation log.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from congvu.audit import log as audit
from congvu.legal.citations import parse
from congvu.legal.models import CLOSED_STATUSES, Citation, LegalObstacle
from congvu.lib.errors import ActionError, ActionPermissionError
from congvu.org.models import Membership, Person, Unit, today
from congvu.org.permissions import Access
from congvu.privacy.models import Policy, policy_params
from congvu.tasks.events import TaskEventType as E
from congvu.tasks.models import Task, TaskEvent

SUBJECT = "legal"
audit.register(SUBJECT, "Vướng mắc pháp lý", ("received", *LegalObstacle.Status.values))
S = LegalObstacle.Status

# Which status may follow which: the legal department takes the obstacle up, then concludes —
# directly (the conclusions used before NQ 206), or along NQ 206: routed (criterion, route,
# competent body, deadline; do_route) → submitted to the competent body → resolved.
_DIRECT = frozenset({S.AMENDMENT_PROPOSED, S.GUIDANCE_ISSUED, S.NOT_AN_OBSTACLE})
TRANSITIONS: dict[str, frozenset[str]] = {
    S.RECEIVED: frozenset({S.UNDER_REVIEW, S.ROUTED, *_DIRECT}),
    S.UNDER_REVIEW: frozenset({S.ROUTED, *_DIRECT}),
    S.ROUTED: frozenset({S.SUBMITTED, S.RESOLVED, S.NOT_AN_OBSTACLE}),
    S.SUBMITTED: frozenset({S.RESOLVED}),
}


def legal_unit_codes() -> tuple[str, ...]:
    """The units whose members form the legal department (settings.LEGAL_DEPARTMENT_UNIT_CODES)."""
    return tuple(getattr(settings, "LEGAL_DEPARTMENT_UNIT_CODES", ("STP",)))


def is_legal_staff(person: Person | None, access: Access | None = None) -> bool:
    """A current member (any role) of a legal-department unit or of a unit directly below it.
    One query when the caller already has the person's Access."""
    if person is None:
        return False
    codes = legal_unit_codes()
    if not codes:
        return False
    member_ids = (
        access.member_unit_ids
        if access is not None
        else Membership.objects.active_on(today()).filter(person=person).values("unit_id")
    )
    return (
        Unit.objects.filter(pk__in=member_ids)
        .filter(Q(code__in=codes) | Q(parent__code__in=codes))
        .exists()
    )


def register_acknowledged_pause(
    task: Task, pause: TaskEvent, review: TaskEvent
) -> LegalObstacle | None:
    """Put an acknowledged legal-obstacle pause into the registry (no-op for other pauses)."""
    if pause.reason_code != "legal_obstacle" or review.payload.get("acknowledged") is False:
        return None
    existing = LegalObstacle.objects.filter(task=task, pause_seq=pause.seq).first()
    if existing is not None:
        return existing
    regulation = str(pause.payload.get("regulation", ""))
    assert pause.actor_id is not None and review.actor_id is not None
    obstacle = LegalObstacle.objects.create(
        task=task,
        pause_seq=pause.seq,
        review_seq=review.seq,
        paused_at=pause.at,
        regulation=regulation,
        description=pause.reason_text,
        reported_by_id=pause.actor_id,
        reported_unit_id=pause.unit_id or task.lead_unit_id,
        acknowledged_by_id=review.actor_id,
        acknowledged_at=review.at,
        updated_at=review.at,
    )
    cited = parse(regulation)
    Citation.objects.bulk_create(
        Citation(obstacle=obstacle, number=c.number, key=c.key, article=c.article) for c in cited
    )
    audit.record(
        SUBJECT,
        obstacle.pk,
        "received",
        review.actor,
        {
            "task_id": task.pk,
            "pause_seq": pause.seq,
            "review_seq": review.seq,
            "regulation": regulation,
            "citations": [[c.number, c.article] for c in cited],
        },
    )
    return obstacle


def _locked_for_legal_staff(obstacle: LegalObstacle | int, actor: Person) -> LegalObstacle:
    """The obstacle, locked for a change by the legal department (nobody else handles it)."""
    if not is_legal_staff(actor):
        raise ActionPermissionError("Chỉ cơ quan tư pháp xử lý vướng mắc pháp lý.")
    pk = obstacle if isinstance(obstacle, int) else obstacle.pk
    return LegalObstacle.objects.select_for_update().get(pk=pk)


@transaction.atomic
def do_set_status(
    obstacle: LegalObstacle | int,
    actor: Person,
    *,
    status: str,
    note: str = "",
    at: datetime | None = None,
) -> LegalObstacle:
    """The legal department moves an obstacle on; a conclusion needs its note."""
    row = _locked_for_legal_staff(obstacle, actor)
    allowed = TRANSITIONS.get(row.status, frozenset())
    if status == S.ROUTED:
        raise ActionError(
            "route_required",
            "Cần nêu tiêu chí, phương án, cơ quan có thẩm quyền và thời hạn (NQ 206).",
            field="status",
        )
    if status not in allowed:
        raise ActionError(
            "invalid_transition",
            f"Không thể chuyển từ “{row.get_status_display()}” sang trạng thái này.",
            field="status",
        )
    note = note.strip()
    if (status in CLOSED_STATUSES or status == S.SUBMITTED) and not note:
        raise ActionError(
            "note_required", "Phải nêu ý kiến của cơ quan tư pháp khi kết luận.", field="note"
        )
    row.status = status
    if note:
        row.legal_note = note
    row.handled_by = actor
    row.updated_at = at or timezone.now()
    row.save(update_fields=["status", "legal_note", "handled_by", "updated_at"])
    audit.record(SUBJECT, row.pk, status, actor, {"note": note})
    return row


@transaction.atomic
def do_route(
    obstacle: LegalObstacle | int,
    actor: Person,
    *,
    criterion: str,
    route: str,
    competent_body: str,
    deadline: date,
    note: str = "",
    at: datetime | None = None,
) -> LegalObstacle:
    """NQ 206/2025/QH15: the legal department names the criterion (Art. 2), the resolution
    route (Art. 4), the competent body and the deadline. Only for an obstacle acknowledged
    while the resolution is in force (congvu.privacy Policy "obstacles")."""
    row = _locked_for_legal_staff(obstacle, actor)
    if S.ROUTED not in TRANSITIONS.get(row.status, frozenset()):
        raise ActionError(
            "invalid_transition",
            f"Không thể xác định phương án khi vướng mắc ở trạng thái “{row.get_status_display()}”.",
        )
    acknowledged = timezone.localtime(row.acknowledged_at).date()
    policy, params = policy_params(Policy.Topic.OBSTACLES, acknowledged)
    if criterion not in params["criteria"]:
        raise ActionError("criterion", "Tiêu chí không hợp lệ.", field="criterion")
    if route not in params["routes"]:
        raise ActionError("route", "Phương án xử lý không hợp lệ.", field="route")
    competent_body = competent_body.strip()
    if not competent_body:
        raise ActionError("body", "Cần nêu cơ quan có thẩm quyền xử lý.", field="competent_body")
    plan_due = date.fromisoformat(params["plan_due"])
    if deadline > plan_due:
        raise ActionError(
            "deadline",
            f"Thời hạn xử lý phải trước ngày {plan_due + timedelta(days=1):%d/%m/%Y} "
            f"({policy.legal_basis}).",
            field="deadline",
        )
    row.rule, row.criterion, row.route = policy.code, criterion, route
    row.competent_body, row.deadline, row.status = competent_body, deadline, S.ROUTED
    if note.strip():
        row.legal_note = note.strip()
    row.handled_by = actor
    row.updated_at = at or timezone.now()
    row.save(
        update_fields=[
            "rule",
            "criterion",
            "route",
            "competent_body",
            "deadline",
            "status",
            "legal_note",
            "handled_by",
            "updated_at",
        ]
    )
    audit.record(
        SUBJECT,
        row.pk,
        S.ROUTED,
        actor,
        {
            "rule": policy.code,
            "criterion": criterion,
            "route": route,
            "competent_body": competent_body,
            "deadline": deadline,
            "note": note.strip(),
        },
    )
    return row


def sync_from_log() -> int:
    """Register every acknowledged legal-obstacle pause of the task log that is missing; returns
    how many were added. For history written outside do_review_pause (imports, the demo)."""
    reviews = TaskEvent.objects.filter(type=E.PAUSE_REVIEWED).select_related("task", "actor")
    known = set(LegalObstacle.objects.values_list("task_id", "review_seq"))
    wanted = [r for r in reviews if (r.task_id, r.seq) not in known]
    if not wanted:
        return 0
    pauses = {
        (p.task_id, p.seq): p
        for p in TaskEvent.objects.filter(
            type=E.PAUSED,
            reason_code="legal_obstacle",
            task_id__in={r.task_id for r in wanted},
        )
    }
    added = 0
    for review in wanted:
        pause = pauses.get((review.task_id, int(review.payload.get("pause_seq", 0))))
        if pause is None:
            continue
        with transaction.atomic():
            if register_acknowledged_pause(review.task, pause, review) is not None:
                added += 1
    return added
