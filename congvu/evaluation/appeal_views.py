"""Appeals (kiến nghị) on finalised evaluation results.

The person files on a finalised period within `appeal_window_days` of finalisation; the
competent level (the superior who may correct the result) upholds it with a new level — a
correction decision — or rejects it, with a written reason either way. Late appeals are refused
by the action with the deadline in the message and nothing is written.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from congvu.evaluation import actions as A
from congvu.evaluation.models import Appeal
from congvu.evaluation.privacy import record_read, visible_evaluations
from congvu.evaluation.views import PeriodCtx, PeriodStep, run_period_step
from congvu.lib.errors import ActionError
from congvu.lib.http import login_required
from congvu.lib.steps import PostedStep, by_key
from congvu.org.http import get_access, require_person


def _file(c: PeriodCtx, d: dict[str, Any]) -> str:
    A.do_file_appeal(c.evaluation, actor=c.actor, reason=d["reason"])
    return _("Đã gửi kiến nghị về kết quả đánh giá.")


def _resolve(c: PeriodCtx, d: dict[str, Any]) -> str:
    raw = d["appeal"]
    appeal = c.evaluation.appeals.filter(pk=int(raw)).first() if raw.isdigit() else None
    if appeal is None:
        raise ActionError("invalid_input", _("Không tìm thấy kiến nghị của kỳ đánh giá này."))
    outcome = d["outcome"]
    if outcome not in ("uphold", "reject"):
        raise ActionError(
            "invalid_input", _("Chọn chấp nhận hoặc không chấp nhận kiến nghị."), field="outcome"
        )
    A.do_resolve_appeal(
        appeal,
        actor=c.actor,
        upheld=outcome == "uphold",
        resolution=d["resolution"],
        new_level=d["new_level"],
        decision_ref=d["decision_ref"],
    )
    return _("Đã giải quyết kiến nghị.")


STEPS: dict[str, PeriodStep] = by_key(
    [
        PostedStep("file", ("reason",), _file),
        PostedStep(
            "resolve", ("appeal", "outcome", "resolution", "new_level", "decision_ref"), _resolve
        ),
    ]
)


@login_required
@require_POST
def person_appeal(request: HttpRequest, person_id: int) -> HttpResponse:
    return run_period_step(request, person_id, STEPS, "h-appeal")


@login_required
@require_GET
def appeals(request: HttpRequest) -> HttpResponse:
    """My appeals, and the open appeals I may resolve (as the competent superior)."""
    me = require_person(request)
    access = get_access(request)
    mine = list(
        Appeal.objects.filter(filed_by=me)
        .select_related("evaluation", "evaluation__unit")
        .order_by("-filed_on", "-id")
    )
    candidates = (
        Appeal.objects.filter(
            status=Appeal.Status.OPEN,
            evaluation__in=visible_evaluations(me, access).exclude(person=me),
        )
        .select_related("evaluation", "evaluation__person", "evaluation__unit")
        .order_by("filed_on", "id")
    )
    waiting = [a for a in candidates if A.may_resolve_appeal(me, a)]
    record_read(me, [a.evaluation for a in waiting], purpose="list")
    return render(
        request,
        "evaluation/appeals.html",
        {"mine": mine, "waiting": waiting, "nav_active": "evaluation"},
    )
