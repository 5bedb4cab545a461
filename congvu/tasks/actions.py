"""The only code that writes tasks and their event log (STYLE.md §7.1, zulip `do_*`).

Every `do_*` function runs in one transaction and, in this order: locks the task row
(SELECT ... FOR UPDATE), replays the task's events into a TaskState, checks that the actor may
do this now, appends the sealed event(s) and refreshes the cached columns from the new
state; that skeleton is written once, in `_step`, and each `do_*` is its body. A refused
action raises ActionError and changes nothing. Two people acting on one task
at once are serialised by the row lock: the second one sees the first one's event and is
validated against it, so no update is lost and no impossible state is reached.

`at=` lets the demo generator and imports write history in the past; normal use stamps now.
Events of one task must be in time order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property
from typing import Any, TypedDict, Unpack

from django.db import connection, transaction
from django.utils import timezone

from congvu.lib.errors import (
    ActionError,
    ActionPermissionError,
    ConflictError,
    InvalidInputError,
)
from congvu.org.models import ACTIVE_ON_SQL, Membership, Person, Unit, UnitSuccession
from congvu.org.permissions import Access, access_for
from congvu.org.tree import OrgTree, tree_as_of
from congvu.tasks.events import PAUSE_REASONS, RETURN_REASONS, TRANSFER_REASONS
from congvu.tasks.events import TaskEventType as E
from congvu.tasks.models import Coordination, Directive, Priority, Status, Task, TaskEvent
from congvu.tasks.seal import canonical_body, compute_seal, micros, seal_key
from congvu.tasks.signals import event_appended, pause_acknowledged
from congvu.tasks.state import EVENT_FIELDS, VN_TZ, EventRow, TaskState, replay
from congvu.tasks.state import apply as apply_event
from congvu.tasks.steps import check
from congvu.tasks.visibility import access_sees
from congvu.workdays.calendar import add_working_days
from congvu_analytics.schema import ReasonCode


class OutOfScopeError(ActionError):
    """The task is not visible to the actor: answered like a missing object."""

    status = 404

    def __init__(self) -> None:
        super().__init__(
            "out_of_scope", "Nhiệm vụ không tồn tại hoặc không thuộc phạm vi bạn được xem."
        )


class InvalidTransitionError(ActionError):
    status = 409


class Addressee(TypedDict):
    target_person_id: int | None
    target_unit_id: int | None


@dataclass(frozen=True)
class CoordinationSpec:
    unit: Unit
    request_text: str
    due: date


# --- helpers ------------------------------------------------------------------------------


def _now(at: datetime | None) -> datetime:
    if at is None:
        return timezone.now()
    if timezone.is_naive(at):
        raise ActionError("naive_time", "Thời điểm phải có múi giờ.", field="at")
    return at


def _day(at: datetime) -> date:
    return at.astimezone(VN_TZ).date()


def _reason(text: str | None, field: str = "reason", what: str = "lý do") -> str:
    text = (text or "").strip()
    if not text:
        raise ActionError("reason_required", f"Phải nêu {what}.", field=field)
    return text


def _is_member(person: Person, unit: Unit, day: date) -> bool:
    # Plain SQL: every assignment asks it, and the ORM's compile was most of its cost.
    sql = (
        f"SELECT 1 FROM {Membership._meta.db_table} WHERE person_id = %s AND unit_id = %s"  # noqa: S608 - table name from model metadata
        f" AND {ACTIVE_ON_SQL} LIMIT 1"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [person.pk, unit.pk, day, day])
        return cursor.fetchone() is not None


def _check_unit_active(unit: Unit, day: date, field: str) -> None:
    if not unit.is_active_on(day):
        raise ActionError(
            "unit_inactive",
            f"Đơn vị {unit.name} không còn hiệu lực vào ngày {day:%d/%m/%Y}.",
            field=field,
        )


def _check_lead(unit: Unit, person: Person, day: date, field: str = "lead_person") -> None:
    _check_unit_active(unit, day, "lead_unit")
    if not _is_member(person, unit, day):
        raise ActionError(
            "lead_not_member",
            f"{person.full_name} không công tác tại {unit.name}, không thể làm người chủ trì.",
            field=field,
        )


class Ctx:
    """What every action works with once the task is locked.

    The actor's full Access (org tree, grants) costs four queries, so it is computed only when
    a check needs it: the lead person and the assigner act on their own task without it.
    """

    task: Task
    state: TaskState
    actor: Person | None
    at: datetime

    def __init__(
        self,
        task: Task,
        state: TaskState,
        actor: Person | None,
        at: datetime,
        access: Access | None = None,
    ) -> None:
        self.task, self.state, self.actor, self.at = task, state, actor, at
        # (delegation id, the delegate) once the delegate acts for the principal (act_for).
        self.delegation: tuple[int, int] | None = None
        if access is not None:
            self.__dict__["access"] = access

    def principals(self) -> list[tuple[Person, int]]:
        """The officials who delegated their steps to this actor today, with the delegation."""
        if self.actor is None:
            return []
        if "_principals" not in self.__dict__:
            from congvu.org.models import Delegation

            self.__dict__["_principals"] = [
                (d.principal, d.pk)
                for d in Delegation.objects.active_on(self.day)
                .filter(delegate=self.actor, revoked_at__isnull=True)
                .select_related("principal")
            ]
        return list(self.__dict__["_principals"])

    def sees_as_delegate(self) -> bool:
        """The task is hidden from the actor but not from an official who delegated to him."""
        for principal, _delegation in self.principals():
            seen = self.as_principal(principal)
            if seen.is_direct() or can_see_task(self.task, seen.access):
                return True
        return False

    def as_principal(self, principal: Person) -> Ctx:
        """The same task and moment, seen with the principal's powers (to check a step)."""
        return Ctx(self.task, self.state, principal, self.at)

    def act_for(self, principal: Person, delegation_id: int) -> None:
        """From now on the action is taken for `principal`: the events' actor is the
        accountable official, and their payload names the delegation and the delegate."""
        assert self.actor is not None
        self.delegation = (delegation_id, self.actor.pk)
        self.actor = principal
        for cached in ("access", "member_units"):
            self.__dict__.pop(cached, None)

    @cached_property
    def access(self) -> Access:
        return access_for(self.actor, self.day) if self.actor is not None else access_for(None)

    @cached_property
    def member_units(self) -> frozenset[int]:
        if "access" in self.__dict__:
            return self.access.member_unit_ids
        if self.actor is None:
            return frozenset()
        return frozenset(
            Membership.objects.active_on(self.day)
            .filter(person=self.actor)
            .order_by()
            .values_list("unit_id", flat=True)
        )

    def actor_unit(self, *preferred: int | None) -> int | None:
        """The unit the actor acts for: the lead unit for the lead person and the assigner's
        unit for the assigner (their roles in this task, no query needed), else the first
        preferred unit they belong to, else their own (lowest-id) unit; None for the system."""
        for unit_id in preferred:
            if unit_id is None:
                continue
            if unit_id == self.state.lead_unit_id and self.actor_id == self.state.lead_person_id:
                return unit_id
            if unit_id == self.task.assigner_unit_id and self.actor_id == self.task.assigner_id:
                return unit_id
        units = self.member_units
        for unit_id in preferred:
            if unit_id is not None and unit_id in units:
                return unit_id
        return min(units) if units else None

    def is_direct(self) -> bool:
        return self.actor_id is not None and self.actor_id in (
            self.state.lead_person_id,
            self.task.assigner_id,
        )

    @property
    def day(self) -> date:
        return _day(self.at)

    @property
    def lead(self) -> Addressee:
        """An event addressed to the task's lead, person and unit: `ctx.append(..., **ctx.lead)`."""
        return Addressee(
            target_person_id=self.state.lead_person_id, target_unit_id=self.state.lead_unit_id
        )

    @property
    def actor_id(self) -> int | None:
        return self.actor.pk if self.actor is not None else None

    def is_lead_side(self) -> bool:
        return self.actor_id == self.state.lead_person_id or (
            self.state.lead_unit_id is not None
            and self.access.can_act_on_unit(self.state.lead_unit_id)
        )

    def is_assigner_side(self) -> bool:
        return self.actor_id == self.task.assigner_id or self.access.can_act_on_unit(
            self.task.assigner_unit_id
        )

    def require_lead(self, verb: str) -> None:
        if not self.is_lead_side():
            raise ActionPermissionError(
                f"Chỉ người chủ trì hoặc lãnh đạo đơn vị chủ trì mới được {verb}."
            )

    def require_assigner(self, verb: str) -> None:
        if not self.is_assigner_side():
            raise ActionPermissionError(f"Chỉ người giao nhiệm vụ mới được {verb}.")

    def require_status(self, verb: str, *allowed: str) -> None:
        if self.state.status not in allowed:
            label = Status(self.state.status).label
            raise InvalidTransitionError(
                "invalid_transition",
                f"Không thể {verb} khi nhiệm vụ đang ở trạng thái «{label}».",
            )

    def require_open(self, verb: str) -> None:
        if self.state.is_closed:
            self.require_status(verb)  # always raises with the status in the message

    def append(
        self,
        etype: E,
        *,
        unit_id: int | None = None,
        target_person_id: int | None = None,
        target_unit_id: int | None = None,
        reason_code: str = "",
        reason_text: str = "",
        payload: dict[str, Any] | None = None,
        actor_id: bool | int | None = True,
    ) -> TaskEvent:
        if self.delegation is not None and actor_id is True:
            delegation_id, delegate_id = self.delegation
            payload = {**(payload or {}), "delegation": delegation_id, "delegate": delegate_id}
        return _append(
            self.task,
            self.state,
            etype,
            actor_id=self.actor_id if actor_id is True else (actor_id or None),
            unit_id=unit_id,
            at=self.at,
            target_person_id=target_person_id,
            target_unit_id=target_unit_id,
            reason_code=reason_code,
            reason_text=reason_text,
            payload=payload or {},
        )


def _append(
    task: Task,
    state: TaskState,
    etype: E,
    *,
    actor_id: int | None,
    unit_id: int | None,
    at: datetime,
    target_person_id: int | None,
    target_unit_id: int | None,
    reason_code: str,
    reason_text: str,
    payload: dict[str, Any],
) -> TaskEvent:
    seq = state.seq + 1
    # What is sealed is exactly what is stored: the content fields are named once.
    content: dict[str, Any] = {
        "actor_id": actor_id,
        "unit_id": unit_id,
        "target_person_id": target_person_id,
        "target_unit_id": target_unit_id,
        "reason_code": reason_code,
        "reason_text": reason_text,
        "payload": payload,
    }
    body = canonical_body(
        task_id=task.pk, seq=seq, type_code=int(etype), at_us=micros(at), **content
    )
    ev = TaskEvent(
        task=task,
        seq=seq,
        type=int(etype),
        at=at,
        **content,
        seal=compute_seal(seal_key(), state.head_seal, body),
    )
    ev.save(force_insert=True)
    apply_event(state, ev)
    event_appended.send(sender=Task, task=task, event=ev)
    return ev


CACHE_FIELDS = [
    "status",
    "lead_unit",
    "lead_person",
    "deadline",
    "progress",
    "seq",
    "head_seal",
    "last_event_at",
    "version",
]


def _save_cache(task: Task, state: TaskState) -> None:
    assert state.lead_unit_id is not None and state.lead_person_id is not None
    assert state.deadline is not None
    task.status = state.status
    task.lead_unit_id = state.lead_unit_id
    task.lead_person_id = state.lead_person_id
    task.deadline = state.deadline
    task.progress = state.progress
    task.seq = state.seq
    task.head_seal = state.head_seal
    task.last_event_at = state.last_at
    task.version += 1
    task.save(update_fields=CACHE_FIELDS)


def _event_rows(task_id: int) -> list[EventRow]:
    """The task's events as plain rows (no model instances: replay runs on every action)."""
    return [
        EventRow(*row)
        for row in TaskEvent.objects.filter(task_id=task_id)
        .order_by("seq")
        .values_list(*EVENT_FIELDS)
    ]


def can_see_task(task: Task, access: Access) -> bool:
    return access_sees(task, access)


def _begin(
    task: Task | int, actor: Person | None, at: datetime | None, expected_version: int | None
) -> Ctx:
    task_id = task if isinstance(task, int) else task.pk
    try:
        locked = Task.objects.select_for_update().get(pk=task_id)
    except Task.DoesNotExist:
        raise OutOfScopeError() from None
    state = replay(_event_rows(locked.pk))
    when = _now(at)
    if state.last_at is not None and when < state.last_at:
        if at is None:  # clock skew against a recorded event: keep the log in order
            when = state.last_at
        else:
            raise ActionError(
                "time_order",
                "Thời điểm thao tác không được sớm hơn sự kiện trước đó của nhiệm vụ.",
                field="at",
            )
    ctx = Ctx(locked, state, actor, when)
    hidden = actor is not None and not ctx.is_direct() and not can_see_task(locked, ctx.access)
    if hidden and not ctx.sees_as_delegate():
        raise OutOfScopeError()
    if expected_version is not None and expected_version != locked.version:
        raise ConflictError(
            "stale_version",
            "Nhiệm vụ vừa được người khác cập nhật; hãy tải lại rồi thao tác lại.",
            field="version",
        )
    return ctx


def _finish(ctx: Ctx) -> None:
    _save_cache(ctx.task, ctx.state)


class When(TypedDict, total=False):
    """The keyword arguments every step on an existing task takes besides its own: `at` (the
    demo and imports write history in the past; default now) and the task `expected_version`
    the actor saw (a stale one is refused with ConflictError)."""

    at: datetime | None
    expected_version: int | None


@contextmanager
def _step(key: str | None, task: Task | int, actor: Person | None, when: When) -> Iterator[Ctx]:
    """The skeleton every `do_*` shares (module docstring), written once: one transaction;
    the task locked and replayed; the step's needs checked (`key`; None where the action checks
    by itself); then the body appends its event(s); then the cached columns follow the new
    state. A refusal raised in the body rolls everything back and skips the cache."""
    # `**when` would take any keyword at run time: a misspelt one is refused, as it was when
    # every action spelled out `at=` and `expected_version=`.
    unexpected = when.keys() - When.__optional_keys__
    if unexpected:
        raise TypeError(f"unexpected keyword arguments: {', '.join(sorted(unexpected))}")
    with transaction.atomic():
        ctx = _begin(task, actor, when.get("at"), when.get("expected_version"))
        if key is not None:
            check(key, ctx)
        yield ctx
        _finish(ctx)


def _check_deadline_within_parent(task: Task | None, deadline: date, field: str) -> None:
    if task is None:
        return
    if deadline > task.deadline:
        raise ActionError(
            "past_parent_deadline",
            f"Hạn xử lý {deadline:%d/%m/%Y} vượt quá hạn của nhiệm vụ cấp trên "
            f"({task.deadline:%d/%m/%Y}).",
            field=field,
        )


def _assigner_unit(access: Access, lead_unit: Unit, tree: OrgTree) -> int | None:
    for unit_id in sorted(access.member_unit_ids):
        if lead_unit.pk in tree.subtree(unit_id):
            return unit_id
    return min(access.member_unit_ids) if access.member_unit_ids else None


# --- assign -------------------------------------------------------------------------------


class AlreadyImportedError(ActionError):
    """The same source row was imported before by the same unit (Task.import_key)."""

    status = 409

    def __init__(self, task_id: int) -> None:
        super().__init__("already_imported", f"Đã nhập trước đây thành nhiệm vụ #{task_id}.")
        self.task_id = task_id


def _check_not_imported(assigner_unit: int, import_key: str) -> None:
    if not import_key:
        return
    existing = Task.objects.filter(assigner_unit_id=assigner_unit, import_key=import_key)
    first = existing.values_list("pk", flat=True).first()
    if first is not None:
        raise AlreadyImportedError(first)


def _collect(problems: list[ActionError], check: Callable[[], None]) -> None:
    """Run a check, keeping its refusal among `problems` (a permission refusal still raises)."""
    try:
        check()
    except ActionPermissionError:
        raise
    except ActionError as exc:
        problems.append(exc)


def _assign_input_problems(
    *,
    title: str,
    source_number: str,
    ad_hoc: bool,
    priority: int,
    deadline: date | None,
    working_days: int | None,
    day: date,
) -> tuple[list[ActionError], date | None]:
    """What is wrong with an assignment's own inputs, and its deadline when it has one."""
    problems: list[ActionError] = []
    if not title:
        problems.append(ActionError("required", "Phải nhập tên nhiệm vụ.", field="title"))
    if not ad_hoc and not source_number:
        problems.append(
            ActionError(
                "source_required",
                "Phải nêu văn bản chỉ đạo (số, ký hiệu) hoặc đánh dấu giao trực tiếp.",
                field="source_number",
            )
        )
    if priority not in Priority.values:
        problems.append(
            ActionError("invalid_priority", "Mức độ ưu tiên không hợp lệ.", field="priority")
        )
    if (deadline is None) == (working_days is None):
        problems.append(
            ActionError(
                "deadline_required",
                "Phải nêu đúng một trong hai: hạn xử lý (ngày) hoặc số ngày làm việc.",
                field="deadline",
            )
        )
        return problems, None
    if working_days is not None:
        if working_days < 1:
            problems.append(
                ActionError(
                    "invalid_working_days",
                    "Số ngày làm việc phải lớn hơn 0.",
                    field="working_days",
                )
            )
            return problems, None
        deadline = add_working_days(day, working_days)
    assert deadline is not None
    if deadline < day:
        problems.append(
            ActionError(
                "deadline_before_assignment",
                f"Hạn xử lý {deadline:%d/%m/%Y} không được trước ngày giao {day:%d/%m/%Y}.",
                field="deadline",
            )
        )
    return problems, deadline


@transaction.atomic
def do_assign(
    *,
    assigner: Person,
    title: str,
    lead_unit: Unit,
    lead_person: Person,
    deadline: date | None = None,
    working_days: int | None = None,
    expected_result: str = "",
    priority: int = Priority.NORMAL,
    source_number: str = "",
    source_date: date | None = None,
    source_issuer: str = "",
    source_excerpt: str = "",
    ad_hoc: bool = False,
    parent: Task | None = None,
    coordinations: Sequence[CoordinationSpec] = (),
    at: datetime | None = None,
    import_key: str = "",
    directive: Directive | None = None,
    recorded_by: Person | None = None,
) -> Task:
    """Giao việc. With `parent`, cascades the parent task down one level: only the parent's
    lead side may do that, and the child's deadline may not exceed the parent's.

    With `directive`, the task carries out that registered document (its source fields are
    the directive's). With `recorded_by`, a clerk (văn thư) of the assigner's unit enters the
    assignment on the leader's behalf: the assigner stays accountable and the sealed event
    names the clerk (payload "recorded_by")."""
    when = _now(at)
    day = _day(when)
    if directive is not None:
        ad_hoc, source_number, source_date = False, directive.number, directive.issued_on
        source_issuer, source_excerpt = directive.issuer, directive.subject
    if recorded_by is not None:
        from congvu.tasks.directives import check_clerk_for

        check_clerk_for(recorded_by, assigner, day)
    title, source_number = title.strip(), source_number.strip()
    # Every input is checked before reporting, so the form shows all its problems at once;
    # a permission refusal still stops at once.
    problems, deadline = _assign_input_problems(
        title=title,
        source_number=source_number,
        ad_hoc=ad_hoc,
        priority=priority,
        deadline=deadline,
        working_days=working_days,
        day=day,
    )
    tree = tree_as_of(day)
    access = access_for(assigner, day, tree=tree)
    if not access.can_act_on_unit(lead_unit):
        raise ActionPermissionError(
            f"Bạn không chỉ đạo {lead_unit.name}, nên không thể giao việc cho đơn vị này."
        )
    _collect(problems, lambda: _check_lead(lead_unit, lead_person, day))
    parent_ctx: Ctx | None = None
    if parent is not None:
        parent_ctx = _begin(parent, assigner, when, None)
        parent_ctx.require_lead("giao tiếp nhiệm vụ con")
        parent_ctx.require_status("giao nhiệm vụ con", Status.IN_PROGRESS)
        if deadline is not None:
            parent_task, due = parent_ctx.task, deadline
            _collect(problems, lambda: _check_deadline_within_parent(parent_task, due, "deadline"))
    if len(problems) == 1:
        raise problems[0]
    if problems:
        raise InvalidInputError(problems)
    assert deadline is not None
    assigner_unit = _assigner_unit(access, lead_unit, tree)
    if assigner_unit is None:
        raise ActionPermissionError("Bạn không thuộc đơn vị nào nên không thể giao việc.")
    _check_not_imported(assigner_unit, import_key)
    task = Task.objects.create(
        import_key=import_key,
        directive=directive,
        is_ad_hoc=ad_hoc,
        source_number=source_number,
        source_date=source_date,
        source_issuer=source_issuer.strip(),
        source_excerpt=source_excerpt.strip(),
        title=title,
        expected_result=expected_result.strip(),
        priority=priority,
        assigner=assigner,
        assigner_unit_id=assigner_unit,
        lead_unit=lead_unit,
        lead_person=lead_person,
        parent=parent_ctx.task if parent_ctx else None,
        assigned_at=when,
        deadline_working_days=working_days,
        deadline=deadline,
        search_text=Task.fold_search_text(
            title, source_number, source_issuer, source_excerpt, expected_result
        ),
    )
    ctx = Ctx(task, TaskState(), assigner, when, access)
    ctx.append(
        E.ASSIGNED,
        unit_id=assigner_unit,
        target_person_id=lead_person.pk,
        target_unit_id=lead_unit.pk,
        payload={
            "deadline": deadline.isoformat(),
            "working_days": working_days,
            "parent_task": parent.pk if parent else None,
            "source": "ad_hoc" if ad_hoc else source_number,
            # The task's own immutable fields, sealed with its first event so that an edit of
            # the task row shows in verify_log (issue #12, break 5; `verify.SEALED_FIELDS`).
            "title": task.title,
            "expected_result": task.expected_result,
            "priority": task.priority,
            "source_date": source_date.isoformat() if source_date else None,
            "source_issuer": task.source_issuer,
            "source_excerpt": task.source_excerpt,
            **({"import_key": import_key} if import_key else {}),
            **({"directive": directive.pk} if directive is not None else {}),
            **({"recorded_by": recorded_by.pk} if recorded_by is not None else {}),
        },
    )
    for spec in coordinations:
        _request_coordination(ctx, spec.unit, spec.request_text, spec.due)
    _finish(ctx)
    if parent_ctx is not None:
        parent_ctx.append(
            E.SUBTASK_CREATED,
            unit_id=parent_ctx.actor_unit(parent_ctx.state.lead_unit_id),
            target_person_id=lead_person.pk,
            target_unit_id=lead_unit.pk,
            payload={"child_task": task.pk, "deadline": deadline.isoformat()},
        )
        _finish(parent_ctx)
    return task


# --- custody ------------------------------------------------------------------------------


def do_accept(task: Task | int, actor: Person, **when: Unpack[When]) -> TaskEvent:
    with _step("accept", task, actor, when) as ctx:
        return ctx.append(E.ACCEPTED, unit_id=ctx.actor_unit(ctx.state.lead_unit_id))


def do_decline(
    task: Task | int,
    actor: Person,
    *,
    reason: str,
    proposed_unit: Unit | None,
    **when: Unpack[When],
) -> TaskEvent:
    with _step("decline", task, actor, when) as ctx:
        text = _reason(reason, what="lý do từ chối")
        if proposed_unit is None:
            raise ActionError(
                "proposed_unit_required",
                "Khi từ chối phải đề xuất đơn vị có thẩm quyền xử lý.",
                field="proposed_unit",
            )
        if proposed_unit.pk == ctx.state.lead_unit_id:
            raise ActionError(
                "proposed_unit_is_self",
                "Đơn vị đề xuất phải khác đơn vị đang chủ trì.",
                field="proposed_unit",
            )
        _check_unit_active(proposed_unit, ctx.day, "proposed_unit")
        return ctx.append(
            E.DECLINED,
            unit_id=ctx.actor_unit(ctx.state.lead_unit_id),
            target_unit_id=proposed_unit.pk,
            reason_code="competence",
            reason_text=text,
        )


def do_transfer(
    task: Task | int,
    actor: Person,
    *,
    to_unit: Unit,
    to_person: Person,
    reason_code: str,
    reason: str,
    **when: Unpack[When],
) -> TaskEvent:
    with _step("transfer", task, actor, when) as ctx:
        text = _reason(reason, what="lý do chuyển")
        if reason_code not in TRANSFER_REASONS:
            raise ActionError(
                "invalid_reason_code",
                f"Mã lý do chuyển không hợp lệ; dùng một trong: {', '.join(TRANSFER_REASONS)}.",
                field="reason_code",
            )
        if to_person.pk in (ctx.state.lead_person_id, ctx.actor_id):
            raise ActionError(
                "transfer_to_self", "Không thể chuyển nhiệm vụ cho chính mình.", field="to_person"
            )
        # The engine excuses a reorganisation hand-over only where the unit really ended; the
        # app says so at once rather than record a reason the organisation contradicts.
        if (
            reason_code == ReasonCode.REORGANIZATION
            and not UnitSuccession.objects.filter(
                predecessor_id=ctx.state.lead_unit_id, successor=to_unit
            ).exists()
        ):
            raise ActionError(
                "reorganization_without_succession",
                f"Lý do sắp xếp tổ chức bộ máy chỉ dùng khi chuyển nhiệm vụ của đơn vị đã giải "
                f"thể, sáp nhập sang đơn vị tiếp nhận theo quyết định sắp xếp; {to_unit.name} "
                f"không phải đơn vị tiếp nhận của đơn vị đang chủ trì.",
                field="reason_code",
            )
        _check_lead(to_unit, to_person, ctx.day, "to_person")
        return ctx.append(
            E.TRANSFERRED,
            unit_id=ctx.actor_unit(ctx.state.lead_unit_id),
            target_person_id=to_person.pk,
            target_unit_id=to_unit.pk,
            reason_code=reason_code,
            reason_text=text,
            payload={"from_unit": ctx.state.lead_unit_id, "from_person": ctx.state.lead_person_id},
        )


def do_return(
    task: Task | int,
    actor: Person,
    *,
    reason: str,
    reason_code: str = RETURN_REASONS[0],
    **when: Unpack[When],
) -> TaskEvent:
    """Trả lại: to whoever transferred it here, or to the assigner if nobody did. The code
    says whether the returner disowns the work (other) or asks the superior to decide it
    (escalate)."""
    with _step("return", task, actor, when) as ctx:
        text = _reason(reason, what="lý do trả lại")
        if reason_code not in RETURN_REASONS:
            raise ActionError(
                "invalid_reason_code",
                f"Mã lý do trả lại không hợp lệ; dùng một trong: {', '.join(RETURN_REASONS)}.",
                field="reason_code",
            )
        unit_id = ctx.actor_unit(ctx.state.lead_unit_id)
        to_assigner = not ctx.state.senders
        back_unit, back_person = (
            (ctx.task.assigner_unit_id, ctx.task.assigner_id)
            if to_assigner
            else ctx.state.senders[-1]
        )
        return ctx.append(
            E.RETURNED,
            unit_id=unit_id,
            target_person_id=back_person,
            target_unit_id=back_unit,
            reason_code=reason_code,
            reason_text=text,
            payload={"to_assigner": to_assigner},
        )


def do_reassign_lead(
    task: Task | int,
    actor: Person,
    *,
    to_unit: Unit,
    to_person: Person,
    reason: str = "",
    **when: Unpack[When],
) -> TaskEvent:
    with _step("reassign", task, actor, when) as ctx:
        # Giving a declined or returned task back to the same lead ("giao lại": the assigner does
        # not accept the refusal) is a decision; while the lead holds the task it would be a no-op.
        same = (to_unit.pk, to_person.pk) == (ctx.state.lead_unit_id, ctx.state.lead_person_id)
        if same and ctx.state.status not in (Status.DECLINED, Status.RETURNED):
            raise ActionError(
                "same_lead", "Đơn vị và người chủ trì mới trùng với hiện tại.", field="to_person"
            )
        if not ctx.access.can_act_on_unit(to_unit):
            raise ActionPermissionError(f"Bạn không chỉ đạo {to_unit.name}.")
        _check_lead(to_unit, to_person, ctx.day, "to_person")
        return ctx.append(
            E.LEAD_REASSIGNED,
            unit_id=ctx.actor_unit(ctx.task.assigner_unit_id),
            target_person_id=to_person.pk,
            target_unit_id=to_unit.pk,
            reason_text=(reason or "").strip(),
            payload={"from_unit": ctx.state.lead_unit_id, "from_person": ctx.state.lead_person_id},
        )


# --- work ---------------------------------------------------------------------------------


def do_report_progress(
    task: Task | int, actor: Person, *, percent: int, text: str, **when: Unpack[When]
) -> TaskEvent:
    with _step("progress", task, actor, when) as ctx:
        if not 0 <= percent <= 100:
            raise ActionError("invalid_percent", "Tiến độ phải từ 0 đến 100%.", field="percent")
        return ctx.append(
            E.PROGRESS_REPORTED,
            unit_id=ctx.actor_unit(ctx.state.lead_unit_id),
            reason_text=_reason(text, "text", "nội dung báo cáo"),
            payload={"percent": percent},
        )


def do_submit(task: Task | int, actor: Person, *, result: str, **when: Unpack[When]) -> TaskEvent:
    with _step("submit", task, actor, when) as ctx:
        # An approved sub-task's result is accepted: it does not wait for its closing.
        open_children = ctx.task.children.exclude(
            status__in=(Status.APPROVED, Status.COMPLETED, Status.CANCELLED)
        )
        if open_children.exists():
            raise InvalidTransitionError(
                "children_open", "Còn nhiệm vụ con chưa hoàn thành; chưa thể trình kết quả."
            )
        return ctx.append(
            E.SUBMITTED,
            unit_id=ctx.actor_unit(ctx.state.lead_unit_id),
            reason_text=_reason(result, "result", "kết quả thực hiện"),
        )


def do_approve(
    task: Task | int, actor: Person, *, comment: str = "", **when: Unpack[When]
) -> TaskEvent:
    with _step("approve", task, actor, when) as ctx:
        return ctx.append(
            E.APPROVED,
            unit_id=ctx.actor_unit(ctx.task.assigner_unit_id),
            reason_text=comment.strip(),
        )


def do_request_rework(
    task: Task | int, actor: Person, *, reason: str, **when: Unpack[When]
) -> TaskEvent:
    with _step("rework", task, actor, when) as ctx:
        return ctx.append(
            E.REWORK_REQUESTED,
            unit_id=ctx.actor_unit(ctx.task.assigner_unit_id),
            **ctx.lead,
            reason_text=_reason(reason, what="lý do yêu cầu làm lại"),
        )


def do_complete(task: Task | int, actor: Person, **when: Unpack[When]) -> TaskEvent:
    with _step("complete", task, actor, when) as ctx:
        return ctx.append(E.COMPLETED, unit_id=ctx.actor_unit(ctx.task.assigner_unit_id))


def do_cancel(task: Task | int, actor: Person, *, reason: str, **when: Unpack[When]) -> TaskEvent:
    with _step("cancel", task, actor, when) as ctx:
        return ctx.append(
            E.CANCELLED,
            unit_id=ctx.actor_unit(ctx.task.assigner_unit_id),
            reason_text=_reason(reason, what="lý do hủy"),
        )


def do_remind(
    task: Task | int, actor: Person | None, *, text: str = "", **when: Unpack[When]
) -> TaskEvent:
    """Đôn đốc, by the assigner, a head who directs the lead unit, or the system (actor None)."""
    with _step("remind", task, actor, when) as ctx:
        return ctx.append(
            E.REMINDED,
            unit_id=ctx.actor_unit(ctx.task.assigner_unit_id, ctx.state.lead_unit_id)
            if actor is not None
            else None,
            **ctx.lead,
            reason_text=text.strip(),
            payload={"by_system": actor is None},
        )


def do_record_attachment(
    task: Task | int,
    actor: Person,
    *,
    name: str,
    sha256: str,
    size: int,
    note: str = "",
    at: datetime | None = None,
) -> TaskEvent:
    """Seal a document's name, size and SHA-256 into the task's log, so that replacing the file
    on disk, or deleting the record of it, is detectable like any other change to the log. Who
    may attach is decided by the caller (congvu.web.actions.can_attach); here the task must be
    visible to the actor and still open."""
    with _step(None, task, actor, {"at": at}) as ctx:
        ctx.require_open("đính kèm tài liệu")
        if len(sha256) != 64:
            raise ActionError(
                "invalid_digest", "Mã băm SHA-256 của tài liệu không hợp lệ.", field="file"
            )
        return ctx.append(
            E.DOCUMENT_ATTACHED,
            unit_id=ctx.actor_unit(ctx.state.lead_unit_id, ctx.task.assigner_unit_id),
            reason_text=note.strip(),
            payload={"name": name, "sha256": sha256, "size": size},
        )


# --- coordination -------------------------------------------------------------------------


def _request_coordination(ctx: Ctx, unit: Unit, request_text: str, due: date) -> TaskEvent:
    text = _reason(request_text, "request_text", "nội dung đề nghị phối hợp")
    _check_unit_active(unit, ctx.day, "unit")
    if unit.pk == ctx.state.lead_unit_id:
        raise ActionError(
            "coordination_with_lead", "Đơn vị phối hợp phải khác đơn vị chủ trì.", field="unit"
        )
    if due < ctx.day:
        raise ActionError(
            "due_before_request",
            f"Hạn trả lời {due:%d/%m/%Y} không được trước ngày đề nghị.",
            field="due",
        )
    if any(u == unit.pk for u, _ in ctx.state.open_coordinations.values()):
        raise ActionError(
            "coordination_already_open",
            f"Đã có đề nghị phối hợp với {unit.name} chưa được trả lời.",
            field="unit",
        )
    ev = ctx.append(
        E.COORDINATION_REQUESTED,
        unit_id=ctx.actor_unit(ctx.state.lead_unit_id, ctx.task.assigner_unit_id),
        target_unit_id=unit.pk,
        reason_text=text,
        payload={"due": due.isoformat()},
    )
    Coordination.objects.create(
        task=ctx.task,
        unit=unit,
        request_text=text,
        due=due,
        request_seq=ev.seq,
        requested_at=ctx.at,
    )
    return ev


def do_request_coordination(
    task: Task | int,
    actor: Person,
    *,
    unit: Unit,
    request_text: str,
    due: date,
    **when: Unpack[When],
) -> TaskEvent:
    with _step("request_coordination", task, actor, when) as ctx:
        return _request_coordination(ctx, unit, request_text, due)


POSITIONS = (
    Coordination.Position.AGREE,
    Coordination.Position.DISAGREE,
    Coordination.Position.NONE,
)


def _open_request(ctx: Ctx, request_seq: int) -> tuple[int, date]:
    found = ctx.state.open_coordinations.get(request_seq)
    if found is None:
        raise InvalidTransitionError(
            "no_open_request",
            "Không có đề nghị phối hợp đang chờ trả lời với số này.",
            field="request_seq",
        )
    return found


def do_answer_coordination(
    task: Task | int,
    actor: Person,
    *,
    request_seq: int,
    position: str,
    text: str = "",
    **when: Unpack[When],
) -> TaskEvent:
    with _step(None, task, actor, when) as ctx:
        unit_id, _ = _open_request(ctx, request_seq)
        if unit_id not in ctx.access.member_unit_ids and not ctx.access.can_act_on_unit(unit_id):
            raise ActionPermissionError("Chỉ đơn vị được đề nghị phối hợp mới được trả lời.")
        if position not in POSITIONS:
            raise ActionError(
                "invalid_position", "Quan điểm phải là agree, disagree hoặc none.", field="position"
            )
        text = (text or "").strip()
        if position == Coordination.Position.DISAGREE and not text:
            raise ActionError(
                "reason_required", "Không đồng ý thì phải nêu rõ lý do, quan điểm.", field="text"
            )
        ev = ctx.append(
            E.COORDINATION_ANSWERED,
            unit_id=unit_id,
            **ctx.lead,
            reason_text=text,
            payload={"request_seq": request_seq, "position": position},
        )
        Coordination.objects.filter(task=ctx.task, request_seq=request_seq).update(
            answered_at=ctx.at, position=position, answer_text=text
        )
        return ev


def do_record_deemed_agreement(
    task: Task | int, *, request_seq: int, at: datetime | None = None
) -> TaskEvent:
    """Công điện 280/CĐ-TTg: a consulted unit that has not answered by the deadline is deemed to
    agree and bears responsibility. Recorded by the system (no actor)."""
    with _step(None, task, None, {"at": at}) as ctx:
        unit_id, due = _open_request(ctx, request_seq)
        if ctx.day <= due:
            raise InvalidTransitionError(
                "not_yet_due", f"Đề nghị phối hợp còn hạn đến {due:%d/%m/%Y}.", field="request_seq"
            )
        ev = ctx.append(
            E.COORDINATION_DEEMED_AGREED,
            unit_id=unit_id,
            target_unit_id=ctx.state.lead_unit_id,
            reason_code="deemed_agree",
            reason_text="Quá hạn không trả lời: coi như đồng ý (Công điện 280/CĐ-TTg).",
            payload={
                "request_seq": request_seq,
                "due": due.isoformat(),
                "position": "deemed_agree",
            },
        )
        Coordination.objects.filter(task=ctx.task, request_seq=request_seq).update(
            answered_at=ctx.at, position=Coordination.Position.DEEMED
        )
        return ev


def record_deemed_agreements(day: date | None = None, at: datetime | None = None) -> int:
    """Record every request still unanswered after its due date (as of `day`). Idempotent."""
    when = _now(at)
    day = day or _day(when)
    count = 0
    for task_id, seq in (
        Coordination.objects.filter(answered_at__isnull=True, due__lt=day)
        .order_by("task_id", "request_seq")
        .values_list("task_id", "request_seq")
    ):
        try:
            do_record_deemed_agreement(task_id, request_seq=seq, at=at)
        except ActionError:
            continue  # answered or closed meanwhile
        count += 1
    return count


# --- time ---------------------------------------------------------------------------------


def _check_extension(ctx: Ctx, deadline: date) -> None:
    """An extension moves the deadline later, and never past the parent task's."""
    assert ctx.state.deadline is not None
    if deadline <= ctx.state.deadline:
        raise ActionError(
            "extension_not_later",
            f"Hạn mới phải sau hạn hiện tại ({ctx.state.deadline:%d/%m/%Y}).",
            field="new_deadline",
        )
    _check_deadline_within_parent(ctx.task.parent, deadline, "new_deadline")


def do_request_extension(
    task: Task | int, actor: Person, *, new_deadline: date, reason: str, **when: Unpack[When]
) -> TaskEvent:
    with _step("request_extension", task, actor, when) as ctx:
        text = _reason(reason, what="lý do xin gia hạn")
        _check_extension(ctx, new_deadline)
        assert ctx.state.deadline is not None
        return ctx.append(
            E.EXTENSION_REQUESTED,
            unit_id=ctx.actor_unit(ctx.state.lead_unit_id),
            target_person_id=ctx.task.assigner_id,
            target_unit_id=ctx.task.assigner_unit_id,
            reason_text=text,
            payload={
                "requested_deadline": new_deadline.isoformat(),
                "current_deadline": ctx.state.deadline.isoformat(),
            },
        )


def do_grant_extension(
    task: Task | int,
    actor: Person,
    *,
    new_deadline: date | None = None,
    comment: str = "",
    **when: Unpack[When],
) -> TaskEvent:
    with _step("grant_extension", task, actor, when) as ctx:
        deadline = new_deadline or ctx.state.pending_extension_deadline
        assert deadline is not None
        _check_extension(ctx, deadline)
        old = ctx.state.deadline
        assert old is not None
        return ctx.append(
            E.EXTENSION_GRANTED,
            unit_id=ctx.actor_unit(ctx.task.assigner_unit_id),
            **ctx.lead,
            reason_text=comment.strip(),
            payload={
                "request_seq": ctx.state.pending_extension_seq,
                "old_deadline": old.isoformat(),
                "new_deadline": deadline.isoformat(),
            },
        )


def do_refuse_extension(
    task: Task | int, actor: Person, *, reason: str, **when: Unpack[When]
) -> TaskEvent:
    with _step("refuse_extension", task, actor, when) as ctx:
        return ctx.append(
            E.EXTENSION_REFUSED,
            unit_id=ctx.actor_unit(ctx.task.assigner_unit_id),
            **ctx.lead,
            reason_text=_reason(reason, what="lý do không gia hạn"),
            payload={"request_seq": ctx.state.pending_extension_seq},
        )


def do_pause(
    task: Task | int,
    actor: Person,
    *,
    reason_code: str,
    reason: str,
    regulation: str = "",
    waiting_on_unit: Unit | None = None,
    waiting_on_task: Task | None = None,
    **when: Unpack[When],
) -> TaskEvent:
    with _step("pause", task, actor, when) as ctx:
        text = _reason(reason, what="lý do tạm dừng")
        if reason_code not in PAUSE_REASONS:
            raise ActionError(
                "invalid_reason_code",
                f"Mã lý do tạm dừng không hợp lệ; dùng một trong: {', '.join(PAUSE_REASONS)}.",
                field="reason_code",
            )
        payload: dict[str, Any] = {}
        if reason_code == "legal_obstacle":
            if not regulation.strip():
                raise ActionError(
                    "regulation_required",
                    "Vướng mắc pháp lý phải dẫn chiếu văn bản quy phạm (số hiệu, điều, khoản).",
                    field="regulation",
                )
            payload["regulation"] = regulation.strip()
        if reason_code == "dependency":
            if waiting_on_unit is None and waiting_on_task is None:
                raise ActionError(
                    "dependency_target_required",
                    "Phải nêu đơn vị hoặc nhiệm vụ đang chờ.",
                    field="waiting_on_unit",
                )
            payload["waiting_on_unit"] = waiting_on_unit.pk if waiting_on_unit else None
            payload["waiting_on_task"] = waiting_on_task.pk if waiting_on_task else None
        return ctx.append(
            E.PAUSED,
            unit_id=ctx.actor_unit(ctx.state.lead_unit_id),
            target_unit_id=waiting_on_unit.pk if waiting_on_unit else None,
            reason_code=reason_code,
            reason_text=text,
            payload=payload,
        )


@transaction.atomic
def do_review_pause(
    task: Task | int,
    actor: Person,
    *,
    comment: str = "",
    acknowledged: bool = True,
    **when: Unpack[When],
) -> TaskEvent:
    """The assigner (or a head directing the lead unit) confirms or rejects the reason of a pause.

    A rejection needs a comment and is recorded as `"acknowledged": false` in the payload (an
    acknowledgement keeps the original payload). An acknowledged legal-obstacle pause enters the
    legal department's registry in this same transaction (a receiver of
    congvu.tasks.signals.pause_acknowledged, connected by congvu.legal).
    """
    with _step("review_pause", task, actor, when) as ctx:
        pause_seq = ctx.state.unreviewed_pause_seq
        assert pause_seq is not None  # the step's needs refused an already reviewed pause
        payload: dict[str, Any] = {"pause_seq": pause_seq}
        if not acknowledged:
            _reason(comment, field="comment", what="lý do không chấp nhận")
            payload["acknowledged"] = False
        ev = ctx.append(
            E.PAUSE_REVIEWED,
            unit_id=ctx.actor_unit(ctx.task.assigner_unit_id, ctx.state.lead_unit_id),
            reason_text=comment.strip(),
            payload=payload,
        )
    # Outer transaction: the legal registry's row is written with the review, or neither is.
    if acknowledged:
        _register_legal_obstacle(ctx.task, pause_seq, ev)
    return ev


def _register_legal_obstacle(task: Task, pause_seq: int, review: TaskEvent) -> None:
    # The legal registry (an app above this one) listens: congvu.tasks.signals.
    pause = TaskEvent.objects.get(task=task, seq=pause_seq)
    pause_acknowledged.send(sender=Task, task=task, pause=pause, review=review)


def do_resume(
    task: Task | int, actor: Person, *, text: str = "", **when: Unpack[When]
) -> TaskEvent:
    with _step("resume", task, actor, when) as ctx:
        return ctx.append(
            E.RESUMED, unit_id=ctx.actor_unit(ctx.state.lead_unit_id), reason_text=text.strip()
        )


# --- escalation ---------------------------------------------------------------------------


def do_request_opinion(
    task: Task | int,
    actor: Person,
    *,
    superior: Person,
    question: str,
    within_authority: bool | None = None,
    **when: Unpack[When],
) -> TaskEvent:
    with _step("request_opinion", task, actor, when) as ctx:
        text = _reason(question, "question", "nội dung xin ý kiến")
        assert ctx.state.lead_unit_id is not None
        if superior.pk == ctx.actor_id or not access_for(superior, ctx.day).can_act_on_unit(
            ctx.state.lead_unit_id
        ):
            raise ActionError(
                "not_a_superior",
                f"{superior.full_name} không phải lãnh đạo chỉ đạo đơn vị chủ trì.",
                field="superior",
            )
        sup_unit = superior.primary_membership(ctx.day)
        return ctx.append(
            E.OPINION_REQUESTED,
            unit_id=ctx.actor_unit(ctx.state.lead_unit_id),
            target_person_id=superior.pk,
            target_unit_id=sup_unit.unit_id if sup_unit else None,
            reason_text=text,
            payload={"within_authority": within_authority},
        )


def do_give_opinion(
    task: Task | int,
    actor: Person,
    *,
    request_seq: int,
    opinion: str,
    within_authority: bool | None = None,
    **when: Unpack[When],
) -> TaskEvent:
    """`within_authority`: the superior's view of whether the matter was the asker's to decide."""
    with _step(None, task, actor, when) as ctx:
        asked = ctx.state.pending_opinions.get(request_seq)
        if asked is None:
            raise InvalidTransitionError(
                "no_open_request",
                "Không có đề nghị xin ý kiến đang chờ với số này.",
                field="request_seq",
            )
        if asked != ctx.actor_id:
            raise ActionPermissionError("Chỉ người được xin ý kiến mới được cho ý kiến.")
        return ctx.append(
            E.OPINION_GIVEN,
            unit_id=ctx.actor_unit(ctx.state.lead_unit_id),
            **ctx.lead,
            reason_text=_reason(opinion, "opinion", "nội dung ý kiến"),
            payload={"request_seq": request_seq, "within_authority": within_authority},
        )


# --- reading ------------------------------------------------------------------------------


def task_state(task: Task) -> TaskState:
    return replay(_event_rows(task.pk))


def task_states(task_ids: list[int]) -> dict[int, TaskState]:
    """Replays of many tasks from one query (list pages)."""
    rows: dict[int, list[EventRow]] = {t: [] for t in task_ids}
    for task_id, *fields in (
        TaskEvent.objects.filter(task_id__in=task_ids)
        .order_by("task_id", "seq")
        .values_list("task_id", *EVENT_FIELDS)
    ):
        rows[task_id].append(EventRow(*fields))
    return {t: replay(evs) for t, evs in rows.items()}


def rolled_up(task: Task, children: Sequence[Task]) -> tuple[int, dict[int, int]]:
    """The task's rolled-up progress and each sub-task's, given its direct `children`: own
    progress for a leaf; the mean of the children's rolled-up progress otherwise (cancelled
    children excluded, approved and completed count as 100). One query per level of the sub-tree below the
    children (the API and the task page both read it; it used to be a query per sub-task)."""
    by_parent: dict[int, list[Task]] = {}
    level = list(children)
    while level:
        below = list(
            Task.objects.filter(parent_id__in=[t.pk for t in level]).only(
                "pk", "parent_id", "status", "progress"
            )
        )
        for t in below:
            by_parent.setdefault(t.parent_id or 0, []).append(t)
        level = below
    progress: dict[int, int] = {}

    def roll(t: Task, kids: Sequence[Task]) -> int:
        live = [k for k in kids if k.status != Status.CANCELLED]
        if not live:
            value = t.shown_progress
        else:
            value = round(sum(roll(k, by_parent.get(k.pk, [])) for k in live) / len(live))
        progress[t.pk] = value
        return value

    total = roll(task, children)
    for c in children:  # a cancelled child is not in the mean; it shows its own figure
        progress.setdefault(c.pk, c.shown_progress)
    return total, progress


def rolled_up_progress(task: Task) -> int:
    children = list(task.children.only("pk", "parent_id", "status", "progress"))
    return rolled_up(task, children)[0]
