"""Every workflow step a person can take on a task page, as forms.

A step's form is generated from its inputs (congvu.tasks.steps.Input: label, kind, whether
the action refuses it empty); only a step with an input that is not plain has a hand-written
form in HAND_WRITTEN.

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
from congvu.tasks.models import Coordination, Task
from congvu.tasks.state import TaskState
from congvu.tasks.steps import STEPS, Input, Step, may_take
from congvu.web.forms import DATE_WIDGET


class ActionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


UNIT, PERSON = "unit", "person"  # the kinds of input chosen with a picker


def _field(i: Input) -> forms.Field:
    """The page's field for one plain step input."""
    required = i.required or i.mandatory
    common: dict[str, Any] = {"label": i.label, "required": required}
    if i.help:
        common["help_text"] = i.help
    if i.kind == "text":
        widget = forms.Textarea(attrs={"rows": i.lines}) if i.lines > 1 else None
        return forms.CharField(widget=widget, **common)
    if i.kind == "int":
        low, high = i.bounds or (None, None)
        return forms.IntegerField(min_value=low, max_value=high, **common)
    if i.kind == "date":
        return forms.DateField(widget=DATE_WIDGET, **common)
    if i.kind == "choice":
        choices = [(code, i.choice_labels.get(code, code)) for code in i.choices]
        return forms.ChoiceField(choices=choices, **common)
    if i.kind == "seq":
        return forms.IntegerField(widget=forms.HiddenInput)
    if i.kind in (UNIT, PERSON):
        # Chosen with a picker (the form template renders it): the field itself is hidden.
        queryset = Unit.objects.current() if i.kind == UNIT else Person.objects.active()
        return forms.ModelChoiceField(queryset=queryset, widget=forms.HiddenInput, **common)
    raise TypeError(f"{i.name}: an input of kind {i.kind!r} needs a hand-written form")


def form_for(step: Step) -> type[ActionForm]:
    """The form of a step whose inputs are plain: one field per input the page asks for."""
    fields = {i.name: _field(i) for i in step.inputs if i.web}
    name = "".join(w.title() for w in step.key.split("_")) + "Form"
    return type(name, (ActionForm,), fields)


# Forms written by hand, where an input is not plain (radio choices with their own wording).
class ReviewPauseForm(ActionForm):
    acknowledged = forms.TypedChoiceField(
        label=_("Đánh giá lý do tạm dừng"),
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
        initial="1",
        choices=[("1", _("Chấp nhận")), ("0", _("Không chấp nhận (nêu lý do)"))],
    )
    comment = forms.CharField(
        label=_("Ý kiến"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


POSITION_CHOICES = [
    (Coordination.Position.AGREE, _("Đồng ý")),
    (Coordination.Position.DISAGREE, _("Không đồng ý")),
    (Coordination.Position.NONE, _("Không có ý kiến")),
]


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


HAND_WRITTEN: dict[str, type[ActionForm]] = {
    "review_pause": ReviewPauseForm,
    "answer_coordination": AnswerForm,
}


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


# Where a picker searches, when not the default (pick_unit / pick_person's ?pham_vi=).
PICKER_SCOPES = {"superior": "cap_tren"}
SPECS: list[ActionSpec] = [
    ActionSpec(
        step,
        HAND_WRITTEN.get(step.key) or form_for(step),
        tuple((i.name, i.kind) for i in step.inputs if i.web and i.kind in (UNIT, PERSON)),
    )
    for step in STEPS
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
