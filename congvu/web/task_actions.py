"""Every workflow step a person can take on a task page, as forms.

The steps themselves (who may take them and when, what they run) are congvu.tasks.steps: a
button is offered exactly when the step's needs hold, read through the action's own Ctx; the
action still decides at the moment of writing, and a refusal comes back as a form error. Each form carries the task's `version`: the action refuses a stale one, so a double
submission or a second tab can never append a second event.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from congvu.org.models import Person, Unit
from congvu.org.permissions import Access
from congvu.tasks import actions as A
from congvu.tasks.events import (
    PAUSE_REASON_LABELS,
    PAUSE_REASONS,
    TRANSFER_REASON_LABELS,
    TRANSFER_REASONS,
)
from congvu.tasks.models import Coordination, Task
from congvu.tasks.state import TaskState
from congvu.tasks.steps import BY_KEY as STEP_BY_KEY
from congvu.tasks.steps import STEPS, Step, may_take
from congvu.web.forms import DATE_WIDGET


class ActionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class ReasonForm(ActionForm):
    reason = forms.CharField(label=_("Lý do"), widget=forms.Textarea(attrs={"rows": 3}))


class OptionalCommentForm(ActionForm):
    comment = forms.CharField(
        label=_("Ý kiến"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReviewPauseForm(OptionalCommentForm):
    acknowledged = forms.TypedChoiceField(
        label=_("Đánh giá lý do tạm dừng"),
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
        initial="1",
        choices=[("1", _("Chấp nhận")), ("0", _("Không chấp nhận (nêu lý do)"))],
    )
    field_order = ["acknowledged", "comment"]


class DeclineForm(ReasonForm):
    proposed_unit = forms.ModelChoiceField(
        label=_("Đơn vị có thẩm quyền (đề xuất)"),
        queryset=Unit.objects.current(),
        widget=forms.HiddenInput,
    )
    field_order = ["reason", "proposed_unit"]


TRANSFER_CHOICES = [(code, TRANSFER_REASON_LABELS[code]) for code in TRANSFER_REASONS]
PAUSE_CHOICES = [(code, PAUSE_REASON_LABELS[code]) for code in PAUSE_REASONS]
POSITION_CHOICES = [
    (Coordination.Position.AGREE, _("Đồng ý")),
    (Coordination.Position.DISAGREE, _("Không đồng ý")),
    (Coordination.Position.NONE, _("Không có ý kiến")),
]


class MoveForm(ActionForm):
    to_unit = forms.ModelChoiceField(
        label=_("Đơn vị nhận"), queryset=Unit.objects.current(), widget=forms.HiddenInput
    )
    to_person = forms.ModelChoiceField(
        label=_("Người chủ trì mới"), queryset=Person.objects.active(), widget=forms.HiddenInput
    )


class TransferForm(MoveForm):
    reason_code = forms.ChoiceField(label=_("Loại lý do"), choices=TRANSFER_CHOICES)
    reason = forms.CharField(label=_("Lý do chuyển"), widget=forms.Textarea(attrs={"rows": 3}))


class ReassignForm(MoveForm):
    reason = forms.CharField(
        label=_("Lý do"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ProgressForm(ActionForm):
    percent = forms.IntegerField(label=_("Tiến độ (%)"), min_value=0, max_value=100)
    text = forms.CharField(label=_("Nội dung báo cáo"), widget=forms.Textarea(attrs={"rows": 3}))


class SubmitForm(ActionForm):
    result = forms.CharField(label=_("Kết quả thực hiện"), widget=forms.Textarea(attrs={"rows": 4}))


class RemindForm(ActionForm):
    text = forms.CharField(
        label=_("Nội dung đôn đốc"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class CoordinationRequestForm(ActionForm):
    unit = forms.ModelChoiceField(
        label=_("Đơn vị phối hợp"), queryset=Unit.objects.current(), widget=forms.HiddenInput
    )
    request_text = forms.CharField(
        label=_("Nội dung đề nghị phối hợp"), widget=forms.Textarea(attrs={"rows": 3})
    )
    due = forms.DateField(label=_("Hạn trả lời"), widget=DATE_WIDGET)


class AnswerForm(ActionForm):
    request_seq = forms.IntegerField(widget=forms.HiddenInput)
    position = forms.ChoiceField(
        label=_("Quan điểm"), choices=POSITION_CHOICES, widget=forms.RadioSelect
    )
    text = forms.CharField(
        label=_("Ý kiến"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Bắt buộc khi không đồng ý."),
    )


class ExtensionRequestForm(ActionForm):
    new_deadline = forms.DateField(label=_("Hạn mới đề nghị"), widget=DATE_WIDGET)
    reason = forms.CharField(label=_("Lý do xin gia hạn"), widget=forms.Textarea(attrs={"rows": 3}))


class ExtensionGrantForm(ActionForm):
    new_deadline = forms.DateField(
        label=_("Hạn mới (để trống: theo đề nghị)"), required=False, widget=DATE_WIDGET
    )
    comment = forms.CharField(
        label=_("Ý kiến"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class PauseForm(ActionForm):
    reason_code = forms.ChoiceField(label=_("Loại lý do"), choices=PAUSE_CHOICES)
    reason = forms.CharField(label=_("Lý do tạm dừng"), widget=forms.Textarea(attrs={"rows": 3}))
    regulation = forms.CharField(
        label=_("Văn bản quy phạm vướng mắc"),
        required=False,
        help_text=_("Bắt buộc với vướng mắc pháp lý: số hiệu, điều, khoản."),
    )
    waiting_on_unit = forms.ModelChoiceField(
        label=_("Đơn vị đang chờ"),
        queryset=Unit.objects.current(),
        required=False,
        widget=forms.HiddenInput,
    )


class ResumeForm(ActionForm):
    text = forms.CharField(
        label=_("Ghi chú"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class OpinionRequestForm(ActionForm):
    superior = forms.ModelChoiceField(
        label=_("Lãnh đạo được xin ý kiến"),
        queryset=Person.objects.active(),
        widget=forms.HiddenInput,
    )
    question = forms.CharField(
        label=_("Nội dung xin ý kiến"), widget=forms.Textarea(attrs={"rows": 3})
    )


class OpinionForm(ActionForm):
    request_seq = forms.IntegerField(widget=forms.HiddenInput)
    opinion = forms.CharField(label=_("Ý kiến chỉ đạo"), widget=forms.Textarea(attrs={"rows": 3}))


@dataclass(frozen=True)
class Who:
    """What the page knows about the viewer and the task, computed once per request."""

    person: Person | None
    access: Access
    task: Task
    state: TaskState

    @cached_property
    def ctx(self) -> A.Ctx:
        """The actions' own view of this actor and task: the steps' needs are read through it,
        so the page offers exactly what the action would accept."""
        return A.Ctx(self.task, self.state, self.person, timezone.now(), access=self.access)

    @property
    def lead_side(self) -> bool:
        return self.person is not None and self.ctx.is_lead_side()


@dataclass(frozen=True)
class ActionSpec:
    """A workflow step (congvu.tasks.steps) as the task page shows it: its form and pickers."""

    step: Step
    form: type[ActionForm]
    # Pickers the form template should render: field name -> "unit" or "person".
    pickers: tuple[tuple[str, str], ...] = ()

    @property
    def key(self) -> str:
        return self.step.key

    @property
    def label(self) -> Any:
        return self.step.label

    @property
    def per_request(self) -> str:
        return self.step.per_request

    def offered(self, who: Who) -> bool:
        return who.person is not None and may_take(self.step, who.ctx)

    def run(self, task: Task, person: Person, data: dict[str, Any], version: int) -> object:
        return self.step.run(task, person, data, version)


UNIT, PERSON = "unit", "person"
# Where a picker searches, when not the default (pick_unit / pick_person's ?pham_vi=).
PICKER_SCOPES = {"superior": "cap_tren"}
# The form of each step (its fields are the step's inputs that the page asks for).
FORMS: dict[str, tuple[type[ActionForm], tuple[tuple[str, str], ...]]] = {
    "accept": (ActionForm, ()),
    "decline": (DeclineForm, (("proposed_unit", UNIT),)),
    "progress": (ProgressForm, ()),
    "submit": (SubmitForm, ()),
    "transfer": (TransferForm, (("to_unit", UNIT), ("to_person", PERSON))),
    "return": (ReasonForm, ()),
    "request_coordination": (CoordinationRequestForm, (("unit", UNIT),)),
    "answer_coordination": (AnswerForm, ()),
    "request_extension": (ExtensionRequestForm, ()),
    "grant_extension": (ExtensionGrantForm, ()),
    "refuse_extension": (ReasonForm, ()),
    "pause": (PauseForm, (("waiting_on_unit", UNIT),)),
    "review_pause": (ReviewPauseForm, ()),
    "resume": (ResumeForm, ()),
    "request_opinion": (OpinionRequestForm, (("superior", PERSON),)),
    "give_opinion": (OpinionForm, ()),
    "approve": (OptionalCommentForm, ()),
    "rework": (ReasonForm, ()),
    "complete": (ActionForm, ()),
    "reassign": (ReassignForm, (("to_unit", UNIT), ("to_person", PERSON))),
    "remind": (RemindForm, ()),
    "cancel": (ReasonForm, ()),
}
if set(FORMS) != set(STEP_BY_KEY):  # a step without a form, or a form without a step
    raise RuntimeError(f"Bước thiếu biểu mẫu: {sorted(set(STEP_BY_KEY) ^ set(FORMS))}")
SPECS: list[ActionSpec] = [ActionSpec(step, *FORMS[step.key]) for step in STEPS]
BY_KEY = {spec.key: spec for spec in SPECS}


def answerable_requests(who: Who, coordinations: list[Coordination]) -> list[Coordination]:
    """Open coordination requests this person may answer (a member or director of the unit)."""
    return [
        c
        for c in coordinations
        if c.request_seq in who.state.open_coordinations
        and (c.unit_id in who.access.member_unit_ids or who.access.can_act_on_unit(c.unit_id))
    ]


def my_opinion_requests(who: Who) -> list[int]:
    if who.person is None:
        return []
    return sorted(
        seq for seq, asked in who.state.pending_opinions.items() if asked == who.person.pk
    )
