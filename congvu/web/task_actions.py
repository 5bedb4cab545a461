"""Every workflow action a person can take on a task page: its form, when it is offered,
and the congvu.tasks.actions function that performs it.

Offering mirrors the actions' own checks (lead side, assigner side, status) so people see
only buttons that can work; the action still decides, and a refusal comes back as a form
error. Each form carries the task's `version`: the action refuses a stale one, so a double
submission or a second tab can never append a second event.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
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
from congvu.tasks.models import Coordination, Status, Task
from congvu.tasks.state import TaskState
from congvu.web.forms import DATE_WIDGET

OPEN_LEAD = (Status.ASSIGNED, Status.IN_PROGRESS)


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

    @property
    def lead_side(self) -> bool:
        return self.person is not None and (
            self.person.pk == self.task.lead_person_id
            or self.access.can_act_on_unit(self.task.lead_unit_id)
        )

    @property
    def assigner_side(self) -> bool:
        return self.person is not None and (
            self.person.pk == self.task.assigner_id
            or self.access.can_act_on_unit(self.task.assigner_unit_id)
        )

    @property
    def directs_lead(self) -> bool:
        return self.person is not None and self.access.can_act_on_unit(self.task.lead_unit_id)

    def status_in(self, *allowed: str) -> bool:
        return self.task.status in allowed


@dataclass(frozen=True)
class ActionSpec:
    key: str
    label: Any
    form: type[ActionForm]
    offered: Callable[[Who], bool]
    run: Callable[[Task, Person, dict[str, Any], int], object]
    # Pickers the form template should render: field name -> "unit" or "person".
    pickers: tuple[tuple[str, str], ...] = ()
    # An action offered once per open coordination request / opinion request.
    per_request: str = ""


SPECS: list[ActionSpec] = [
    ActionSpec(
        "accept",
        _("Tiếp nhận"),
        ActionForm,
        lambda w: w.lead_side and w.status_in(Status.ASSIGNED),
        lambda t, p, d, v: A.do_accept(t, p, expected_version=v),
    ),
    ActionSpec(
        "decline",
        _("Từ chối"),
        DeclineForm,
        lambda w: w.lead_side and w.status_in(Status.ASSIGNED),
        lambda t, p, d, v: A.do_decline(
            t, p, reason=d["reason"], proposed_unit=d["proposed_unit"], expected_version=v
        ),
        pickers=(("proposed_unit", "unit"),),
    ),
    ActionSpec(
        "progress",
        _("Báo cáo tiến độ"),
        ProgressForm,
        lambda w: w.lead_side and w.status_in(Status.IN_PROGRESS),
        lambda t, p, d, v: A.do_report_progress(
            t, p, percent=d["percent"], text=d["text"], expected_version=v
        ),
    ),
    ActionSpec(
        "submit",
        _("Trình kết quả"),
        SubmitForm,
        lambda w: w.lead_side and w.status_in(Status.IN_PROGRESS),
        lambda t, p, d, v: A.do_submit(t, p, result=d["result"], expected_version=v),
    ),
    ActionSpec(
        "transfer",
        _("Chuyển xử lý"),
        TransferForm,
        lambda w: w.lead_side and w.status_in(*OPEN_LEAD),
        lambda t, p, d, v: A.do_transfer(
            t,
            p,
            to_unit=d["to_unit"],
            to_person=d["to_person"],
            reason_code=d["reason_code"],
            reason=d["reason"],
            expected_version=v,
        ),
        pickers=(("to_unit", "unit"), ("to_person", "person")),
    ),
    ActionSpec(
        "return",
        _("Trả lại"),
        ReasonForm,
        lambda w: w.lead_side and w.status_in(*OPEN_LEAD),
        lambda t, p, d, v: A.do_return(t, p, reason=d["reason"], expected_version=v),
    ),
    ActionSpec(
        "request_coordination",
        _("Đề nghị phối hợp"),
        CoordinationRequestForm,
        lambda w: (w.lead_side or w.assigner_side) and w.status_in(*OPEN_LEAD, Status.PAUSED),
        lambda t, p, d, v: A.do_request_coordination(
            t, p, unit=d["unit"], request_text=d["request_text"], due=d["due"], expected_version=v
        ),
        pickers=(("unit", "unit"),),
    ),
    ActionSpec(
        "answer_coordination",
        _("Trả lời phối hợp"),
        AnswerForm,
        lambda w: bool(w.state.open_coordinations) and w.person is not None,
        lambda t, p, d, v: A.do_answer_coordination(
            t,
            p,
            request_seq=d["request_seq"],
            position=d["position"],
            text=d["text"],
            expected_version=v,
        ),
        per_request="coordination",
    ),
    ActionSpec(
        "request_extension",
        _("Xin gia hạn"),
        ExtensionRequestForm,
        lambda w: (
            w.lead_side
            and w.state.pending_extension_seq is None
            and w.status_in(*OPEN_LEAD, Status.PAUSED)
        ),
        lambda t, p, d, v: A.do_request_extension(
            t, p, new_deadline=d["new_deadline"], reason=d["reason"], expected_version=v
        ),
    ),
    ActionSpec(
        "grant_extension",
        _("Đồng ý gia hạn"),
        ExtensionGrantForm,
        lambda w: w.assigner_side and w.state.pending_extension_seq is not None,
        lambda t, p, d, v: A.do_grant_extension(
            t, p, new_deadline=d["new_deadline"], comment=d["comment"], expected_version=v
        ),
    ),
    ActionSpec(
        "refuse_extension",
        _("Không đồng ý gia hạn"),
        ReasonForm,
        lambda w: w.assigner_side and w.state.pending_extension_seq is not None,
        lambda t, p, d, v: A.do_refuse_extension(t, p, reason=d["reason"], expected_version=v),
    ),
    ActionSpec(
        "pause",
        _("Tạm dừng"),
        PauseForm,
        lambda w: w.lead_side and w.status_in(Status.IN_PROGRESS),
        lambda t, p, d, v: A.do_pause(
            t,
            p,
            reason_code=d["reason_code"],
            reason=d["reason"],
            regulation=d["regulation"],
            waiting_on_unit=d["waiting_on_unit"],
            expected_version=v,
        ),
        pickers=(("waiting_on_unit", "unit"),),
    ),
    ActionSpec(
        "review_pause",
        _("Xác nhận lý do tạm dừng"),
        ReviewPauseForm,
        lambda w: (
            (w.assigner_side or w.directs_lead)
            and w.person is not None
            and w.person.pk != w.task.lead_person_id
            and w.status_in(Status.PAUSED)
            and w.state.unreviewed_pause_seq is not None
        ),
        lambda t, p, d, v: A.do_review_pause(
            t, p, comment=d["comment"], acknowledged=d["acknowledged"], expected_version=v
        ),
    ),
    ActionSpec(
        "resume",
        _("Tiếp tục thực hiện"),
        ResumeForm,
        lambda w: w.lead_side and w.status_in(Status.PAUSED),
        lambda t, p, d, v: A.do_resume(t, p, text=d["text"], expected_version=v),
    ),
    ActionSpec(
        "request_opinion",
        _("Xin ý kiến cấp trên"),
        OpinionRequestForm,
        lambda w: w.lead_side and w.status_in(*OPEN_LEAD, Status.PAUSED),
        lambda t, p, d, v: A.do_request_opinion(
            t, p, superior=d["superior"], question=d["question"], expected_version=v
        ),
        pickers=(("superior", "person"),),
    ),
    ActionSpec(
        "give_opinion",
        _("Cho ý kiến"),
        OpinionForm,
        lambda w: w.person is not None and w.person.pk in w.state.pending_opinions.values(),
        lambda t, p, d, v: A.do_give_opinion(
            t, p, request_seq=d["request_seq"], opinion=d["opinion"], expected_version=v
        ),
        per_request="opinion",
    ),
    ActionSpec(
        "approve",
        _("Phê duyệt kết quả"),
        OptionalCommentForm,
        lambda w: w.assigner_side and w.status_in(Status.SUBMITTED),
        lambda t, p, d, v: A.do_approve(t, p, comment=d["comment"], expected_version=v),
    ),
    ActionSpec(
        "rework",
        _("Yêu cầu làm lại"),
        ReasonForm,
        lambda w: w.assigner_side and w.status_in(Status.SUBMITTED),
        lambda t, p, d, v: A.do_request_rework(t, p, reason=d["reason"], expected_version=v),
    ),
    ActionSpec(
        "complete",
        _("Kết thúc nhiệm vụ"),
        ActionForm,
        lambda w: w.assigner_side and w.status_in(Status.APPROVED),
        lambda t, p, d, v: A.do_complete(t, p, expected_version=v),
    ),
    ActionSpec(
        "reassign",
        _("Đổi đơn vị, người chủ trì"),
        ReassignForm,
        lambda w: (
            w.assigner_side
            and w.status_in(
                Status.ASSIGNED, Status.IN_PROGRESS, Status.PAUSED, Status.DECLINED, Status.RETURNED
            )
        ),
        lambda t, p, d, v: A.do_reassign_lead(
            t,
            p,
            to_unit=d["to_unit"],
            to_person=d["to_person"],
            reason=d["reason"],
            expected_version=v,
        ),
        pickers=(("to_unit", "unit"), ("to_person", "person")),
    ),
    ActionSpec(
        "remind",
        _("Đôn đốc"),
        RemindForm,
        lambda w: (w.assigner_side or w.directs_lead) and not w.state.is_closed,
        lambda t, p, d, v: A.do_remind(t, p, text=d["text"], expected_version=v),
    ),
    ActionSpec(
        "cancel",
        _("Hủy nhiệm vụ"),
        ReasonForm,
        lambda w: w.assigner_side and not w.state.is_closed,
        lambda t, p, d, v: A.do_cancel(t, p, reason=d["reason"], expected_version=v),
    ),
]
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
