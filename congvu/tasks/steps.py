"""Every workflow step on an existing task, defined once (issue #14).

A step is its key, its Vietnamese label, its inputs, the rule that says who may take it and
when, and the `do_*` action that performs it. The rule is read in three places, all from here:
- the `do_*` action calls `check(key, ctx)` first, which raises the step's first unmet need;
- the task page offers the step exactly when `allowed(ctx)` (the same needs, without raising);
- the API registers one endpoint per step (`path`, `summary`, inputs → payload schema).

Adding a step: one `Step(...)` below with its needs and inputs, and its `do_*` in actions.py
(and, for a new kind of event, the kind in events.py; docs/architecture.md has the list).
The API endpoint and the page's form both follow from the definition (a form is written by
hand in congvu/web/task_actions.py only where an input is not plain, e.g. radio choices); the
tests check that the form and the API payload carry every input.

Needs that depend on one particular request (answering *this* coordination request, giving
*this* opinion) stay in their `do_*`; the step's needs say whether there is any such request
for the actor, which is what the page needs to offer it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from congvu.lib.errors import ActionError, ActionPermissionError
from congvu.lib.steps import by_key
from congvu.tasks.events import (
    PAUSE_REASON_LABELS,
    PAUSE_REASONS,
    RETURN_REASON_LABELS,
    RETURN_REASONS,
    TRANSFER_REASON_LABELS,
    TRANSFER_REASONS,
)
from congvu.tasks.models import Status

if TYPE_CHECKING:
    from congvu.org.models import Person
    from congvu.tasks.actions import Ctx
    from congvu.tasks.models import Task


OPEN_LEAD = (Status.ASSIGNED, Status.IN_PROGRESS)
WORKING = (Status.ASSIGNED, Status.IN_PROGRESS, Status.PAUSED)


@dataclass(frozen=True)
class Need:
    """One condition of a step, and the error its absence gives."""

    holds: Callable[[Ctx], bool]
    error: Callable[[Ctx], ActionError]


def _invalid_status(verb: str) -> Callable[[Ctx], ActionError]:
    def error(ctx: Ctx) -> ActionError:
        from congvu.tasks.actions import InvalidTransitionError

        label = Status(ctx.state.status).label
        return InvalidTransitionError(
            "invalid_transition", f"Không thể {verb} khi nhiệm vụ đang ở trạng thái «{label}»."
        )

    return error


def _lead_not_assigner(c: Ctx) -> bool:
    # The lead person, or a leader of the lead unit acting for it, but not the task's own
    # assigner: whoever gave the work does not also accept, decline or report it for the lead
    # (issue #15) — unless he gave it to himself.
    if c.actor_id == c.state.lead_person_id:
        return True
    return c.actor_id != c.task.assigner_id and c.is_lead_side()


def lead(verb: str) -> Need:
    return Need(
        _lead_not_assigner,
        lambda c: ActionPermissionError(
            f"Chỉ người chủ trì hoặc lãnh đạo đơn vị chủ trì mới được {verb}."
            if c.actor_id != c.task.assigner_id
            else f"Người giao việc không {verb} thay người chủ trì."
        ),
    )


def assigner(verb: str) -> Need:
    return Need(
        lambda c: c.is_assigner_side(),
        lambda c: ActionPermissionError(f"Chỉ người giao nhiệm vụ mới được {verb}."),
    )


def who(holds: Callable[[Ctx], bool], message: str) -> Need:
    return Need(holds, lambda c: ActionPermissionError(message))


def status(verb: str, *allowed: str) -> Need:
    return Need(lambda c: c.state.status in allowed, _invalid_status(verb))


def still_open(verb: str) -> Need:
    return Need(lambda c: not c.state.is_closed, _invalid_status(verb))


def state(holds: Callable[[Ctx], bool], code: str, message: str) -> Need:
    def error(ctx: Ctx) -> ActionError:
        from congvu.tasks.actions import InvalidTransitionError

        return InvalidTransitionError(code, message)

    return Need(holds, error)


def _directs_lead(c: Ctx) -> bool:
    return c.state.lead_unit_id is not None and c.access.can_act_on_unit(c.state.lead_unit_id)


def _may_answer_some_request(c: Ctx) -> bool:
    return any(
        unit_id in c.access.member_unit_ids or c.access.can_act_on_unit(unit_id)
        for unit_id, _due in c.state.open_coordinations.values()
    )


@dataclass(frozen=True)
class Input:
    """One input of a step. `kind`: text, int, date, bool, choice, unit, person, task (the last
    three are ids in the API, `<name>_id`, and objects for the action), seq (a request number,
    in the API's path). `api` renames it in the API payload where the published name differs."""

    name: str
    kind: str = "text"
    required: bool = False
    default: Any = None
    api: str = ""
    web: bool = True  # False: the page does not ask for it (the API may)
    choices: tuple[str, ...] = ()  # the codes accepted (the action checks them)
    # How the page asks for it. `mandatory`: the action refuses it empty, so the page's field
    # is required (the API leaves the message to the action, as published).
    label: str | Promise = ""
    help: str | Promise = ""
    mandatory: bool = False
    lines: int = 3  # text: the textarea's rows (1: a one-line input)
    bounds: tuple[int, int] | None = None  # int: min and max
    choice_labels: Mapping[str, str | Promise] = field(default_factory=dict)

    @property
    def api_name(self) -> str:
        if self.api:
            return self.api
        return f"{self.name}_id" if self.kind in ("unit", "person", "task") else self.name


@dataclass(frozen=True)
class Step:
    key: str
    label: str | Promise
    path: str  # the API endpoint under /tasks/{task_id}/
    summary: str  # the API operation's summary
    needs: tuple[Need, ...]
    inputs: tuple[Input, ...]
    action: str  # the `do_*` in actions.py: it takes the inputs as keyword arguments
    # Offered once per open request of this kind ("coordination", "opinion").
    per_request: str = ""

    def run(
        self, task: Task | int, person: Person, data: Mapping[str, Any], version: int | None
    ) -> object:
        """Take the step: its action with the inputs found in `data`, by name (an input the
        page does not ask for, `web=False`, is left to the action's default). The inputs are
        the action's arguments, so they are not spelled a second time here."""
        do = getattr(_a(), self.action)
        given = {i.name: data[i.name] for i in self.inputs if i.name in data}
        return do(task, person, expected_version=version, **given)

    def check(self, ctx: Ctx) -> None:
        # A system action (no actor: reminders, deemed agreements) is not a person's step.
        for need in self.needs:
            if not need.holds(ctx):
                raise need.error(ctx)

    def allowed(self, ctx: Ctx) -> bool:
        return ctx.actor is not None and all(need.holds(ctx) for need in self.needs)


def _a() -> Any:
    # Imported when a step runs: actions.py imports this module for its checks.
    from congvu.tasks import actions

    return actions


# Both answers to a request for more time (grant, refuse) need one to be waiting.
EXTENSION_PENDING = state(
    lambda c: c.state.pending_extension_seq is not None,
    "no_extension_pending",
    "Không có đề nghị gia hạn nào đang chờ.",
)
REASON = Input("reason", label=_("Lý do"), mandatory=True)
COMMENT = Input("comment", label=_("Ý kiến"), lines=2)

STEPS: tuple[Step, ...] = (
    Step(
        "accept",
        _("Tiếp nhận"),
        "accept",
        "Tiếp nhận",
        (lead("tiếp nhận nhiệm vụ"), status("tiếp nhận", Status.ASSIGNED)),
        (),
        "do_accept",
    ),
    Step(
        "decline",
        _("Từ chối"),
        "decline",
        "Từ chối (lý do bắt buộc, đề xuất đơn vị có thẩm quyền)",
        (lead("từ chối nhiệm vụ"), status("từ chối", Status.ASSIGNED)),
        (
            REASON,
            Input(
                "proposed_unit", "unit", label=_("Đơn vị có thẩm quyền (đề xuất)"), mandatory=True
            ),
        ),
        "do_decline",
    ),
    Step(
        "progress",
        _("Báo cáo tiến độ"),
        "progress",
        "Báo cáo tiến độ",
        (lead("báo cáo tiến độ"), status("báo cáo tiến độ", Status.IN_PROGRESS)),
        (
            Input("percent", "int", required=True, label=_("Tiến độ (%)"), bounds=(0, 100)),
            Input("text", label=_("Nội dung báo cáo"), mandatory=True),
        ),
        "do_report_progress",
    ),
    Step(
        "submit",
        _("Trình kết quả"),
        "submit",
        "Trình kết quả",
        (lead("trình kết quả"), status("trình kết quả", Status.IN_PROGRESS)),
        (Input("result", label=_("Kết quả thực hiện"), mandatory=True, lines=4),),
        "do_submit",
    ),
    Step(
        "transfer",
        _("Chuyển xử lý"),
        "transfer",
        "Chuyển xử lý (lý do bắt buộc)",
        (lead("chuyển xử lý"), status("chuyển xử lý", *OPEN_LEAD)),
        (
            Input("to_unit", "unit", required=True, label=_("Đơn vị nhận")),
            Input("to_person", "person", required=True, label=_("Người chủ trì mới")),
            Input(
                "reason_code",
                "choice",
                required=True,
                choices=TRANSFER_REASONS,
                label=_("Loại lý do"),
                choice_labels=TRANSFER_REASON_LABELS,
            ),
            Input("reason", label=_("Lý do chuyển"), mandatory=True),
        ),
        "do_transfer",
    ),
    Step(
        "return",
        _("Trả lại"),
        "return",
        "Trả lại người chuyển (lý do bắt buộc)",
        (lead("trả lại nhiệm vụ"), status("trả lại", *OPEN_LEAD)),
        (
            Input(
                "reason_code",
                "choice",
                default=RETURN_REASONS[0],
                choices=RETURN_REASONS,
                label=_("Loại lý do"),
                choice_labels=RETURN_REASON_LABELS,
            ),
            REASON,
        ),
        "do_return",
    ),
    Step(
        "request_coordination",
        _("Đề nghị phối hợp"),
        "coordination",
        "Đề nghị đơn vị phối hợp",
        (
            who(
                lambda c: c.is_lead_side() or c.is_assigner_side(),
                "Chỉ người chủ trì hoặc người giao việc mới được đề nghị phối hợp.",
            ),
            status("đề nghị phối hợp", *WORKING),
        ),
        (
            Input("unit", "unit", required=True, label=_("Đơn vị phối hợp")),
            Input("request_text", label=_("Nội dung đề nghị phối hợp"), mandatory=True),
            Input("due", "date", required=True, label=_("Hạn trả lời")),
        ),
        "do_request_coordination",
    ),
    Step(
        "answer_coordination",
        _("Trả lời phối hợp"),
        "coordination/{int:request_seq}/answer",
        "Trả lời phối hợp (agree / disagree / none)",
        (
            who(
                _may_answer_some_request,
                "Chỉ đơn vị được đề nghị phối hợp mới được trả lời.",
            ),
        ),
        (
            Input("request_seq", "seq", required=True),
            Input(
                "position",
                "choice",
                required=True,
                choices=("agree", "disagree", "none"),
                label=_("Quan điểm"),
            ),
            Input("text", label=_("Ý kiến"), help=_("Bắt buộc khi không đồng ý.")),
        ),
        "do_answer_coordination",
        per_request="coordination",
    ),
    Step(
        "request_extension",
        _("Xin gia hạn"),
        "extension",
        "Xin gia hạn (lý do bắt buộc)",
        (
            lead("xin gia hạn"),
            status("xin gia hạn", *WORKING),
            state(
                lambda c: c.state.pending_extension_seq is None,
                "extension_pending",
                "Đã có một đề nghị gia hạn đang chờ xem xét.",
            ),
        ),
        (
            Input("new_deadline", "date", required=True, label=_("Hạn mới đề nghị")),
            Input("reason", label=_("Lý do xin gia hạn"), mandatory=True),
        ),
        "do_request_extension",
    ),
    Step(
        "grant_extension",
        _("Đồng ý gia hạn"),
        "extension/grant",
        "Đồng ý gia hạn (người giao)",
        (
            assigner("gia hạn"),
            EXTENSION_PENDING,
            still_open("gia hạn"),
        ),
        (Input("new_deadline", "date", label=_("Hạn mới (để trống: theo đề nghị)")), COMMENT),
        "do_grant_extension",
    ),
    Step(
        "refuse_extension",
        _("Không đồng ý gia hạn"),
        "extension/refuse",
        "Không đồng ý gia hạn (lý do bắt buộc)",
        (
            assigner("từ chối gia hạn"),
            EXTENSION_PENDING,
        ),
        (REASON,),
        "do_refuse_extension",
    ),
    Step(
        "pause",
        _("Tạm dừng"),
        "pause",
        "Tạm dừng (mã lý do và lý do bắt buộc)",
        (lead("tạm dừng"), status("tạm dừng", Status.IN_PROGRESS)),
        (
            Input(
                "reason_code",
                "choice",
                required=True,
                choices=PAUSE_REASONS,
                label=_("Loại lý do"),
                choice_labels=PAUSE_REASON_LABELS,
            ),
            Input("reason", label=_("Lý do tạm dừng"), mandatory=True),
            Input(
                "regulation",
                label=_("Văn bản quy phạm vướng mắc"),
                help=_("Bắt buộc với vướng mắc pháp lý: số hiệu, điều, khoản."),
                lines=1,
            ),
            Input("waiting_on_unit", "unit", label=_("Đơn vị đang chờ")),
            Input("waiting_on_task", "task", web=False),
        ),
        "do_pause",
    ),
    Step(
        "review_pause",
        _("Xác nhận lý do tạm dừng"),
        "pause/review",
        "Xác nhận hoặc không chấp nhận lý do tạm dừng (acknowledged=false: nêu lý do)",
        (
            who(
                lambda c: (
                    c.actor_id != c.state.lead_person_id
                    and (c.is_assigner_side() or _directs_lead(c))
                ),
                "Người chủ trì không tự xác nhận lý do tạm dừng của mình.",
            ),
            status("xác nhận lý do tạm dừng", Status.PAUSED),
            state(
                lambda c: c.state.unreviewed_pause_seq is not None,
                "already_reviewed",
                "Lý do tạm dừng đã được xác nhận.",
            ),
        ),
        # The API's field for the comment was published as "text".
        (
            Input("acknowledged", "bool", default=True, label=_("Đánh giá lý do tạm dừng")),
            Input("comment", api="text", label=_("Ý kiến"), lines=2),
        ),
        "do_review_pause",
    ),
    Step(
        "resume",
        _("Tiếp tục thực hiện"),
        "resume",
        "Tiếp tục thực hiện",
        (lead("tiếp tục thực hiện"), status("tiếp tục", Status.PAUSED)),
        (Input("text", label=_("Ghi chú"), lines=2),),
        "do_resume",
    ),
    Step(
        "request_opinion",
        _("Xin ý kiến cấp trên"),
        "opinion",
        "Xin ý kiến cấp trên (nội dung bắt buộc)",
        (lead("xin ý kiến cấp trên"), status("xin ý kiến", *WORKING)),
        (
            Input("superior", "person", required=True, label=_("Lãnh đạo được xin ý kiến")),
            Input("question", label=_("Nội dung xin ý kiến"), mandatory=True),
            Input("within_authority", "bool", web=False),
        ),
        "do_request_opinion",
    ),
    Step(
        "give_opinion",
        _("Cho ý kiến"),
        "opinion/{int:request_seq}/answer",
        "Cho ý kiến",
        (
            who(
                lambda c: c.actor_id in c.state.pending_opinions.values(),
                "Chỉ người được xin ý kiến mới được cho ý kiến.",
            ),
        ),
        (
            Input("request_seq", "seq", required=True),
            Input("opinion", label=_("Ý kiến chỉ đạo"), mandatory=True),
            Input("within_authority", "bool", web=False),
        ),
        "do_give_opinion",
        per_request="opinion",
    ),
    Step(
        "approve",
        _("Phê duyệt kết quả"),
        "approve",
        "Phê duyệt kết quả",
        (assigner("phê duyệt kết quả"), status("phê duyệt", Status.SUBMITTED)),
        (Input("comment", api="text", label=_("Ý kiến"), lines=2),),
        "do_approve",
    ),
    Step(
        "rework",
        _("Yêu cầu làm lại"),
        "rework",
        "Yêu cầu làm lại (lý do bắt buộc)",
        (assigner("yêu cầu làm lại"), status("yêu cầu làm lại", Status.SUBMITTED)),
        (REASON,),
        "do_request_rework",
    ),
    Step(
        "complete",
        _("Kết thúc nhiệm vụ"),
        "complete",
        "Kết thúc nhiệm vụ",
        (assigner("kết thúc nhiệm vụ"), status("kết thúc", Status.APPROVED)),
        (),
        "do_complete",
    ),
    Step(
        "reassign",
        _("Đổi đơn vị, người chủ trì"),
        "reassign",
        "Đổi đơn vị/người chủ trì (người giao)",
        (
            assigner("đổi đơn vị, người chủ trì"),
            status(
                "đổi người chủ trì",
                Status.ASSIGNED,
                Status.IN_PROGRESS,
                Status.PAUSED,
                Status.DECLINED,
                Status.RETURNED,
            ),
        ),
        (
            Input("to_unit", "unit", required=True, label=_("Đơn vị nhận")),
            Input("to_person", "person", required=True, label=_("Người chủ trì mới")),
            Input("reason", label=_("Lý do"), lines=2),
        ),
        "do_reassign_lead",
    ),
    Step(
        "remind",
        _("Đôn đốc"),
        "remind",
        "Đôn đốc",
        (
            who(
                lambda c: c.actor is None or c.is_assigner_side() or _directs_lead(c),
                "Chỉ người giao việc hoặc lãnh đạo đơn vị mới được đôn đốc.",
            ),
            still_open("đôn đốc"),
        ),
        (Input("text", label=_("Nội dung đôn đốc"), lines=2),),
        "do_remind",
    ),
    Step(
        "cancel",
        _("Hủy nhiệm vụ"),
        "cancel",
        "Hủy nhiệm vụ (lý do bắt buộc)",
        (assigner("hủy nhiệm vụ"), still_open("hủy")),
        (REASON,),
        "do_cancel",
    ),
)
BY_KEY: dict[str, Step] = by_key(STEPS)


def check(key: str, ctx: Ctx) -> None:
    """Raise the step's first unmet need. A delegate (ủy quyền) whose own powers do not reach
    takes the step as the official who delegated to him, when that official's would: `ctx`
    then acts for the principal and the event names the delegation."""
    step = BY_KEY[key]
    try:
        step.check(ctx)
    except ActionPermissionError:
        principal = _principal_for(step, ctx)
        if principal is None:
            raise
        ctx.act_for(*principal)


def _principal_for(step: Step, ctx: Ctx) -> tuple[Person, int] | None:
    for principal, delegation_id in ctx.principals():
        if step.allowed(ctx.as_principal(principal)):
            return principal, delegation_id
    return None


def may_take(step: Step, ctx: Ctx) -> bool:
    """The actor may take the step now: by his own powers or those of an official who
    delegated to him."""
    return step.allowed(ctx) or (ctx.actor is not None and _principal_for(step, ctx) is not None)


def offered(ctx: Ctx) -> list[Step]:
    """The steps this actor may take on the task now (the page's buttons)."""
    return [s for s in STEPS if may_take(s, ctx)]
