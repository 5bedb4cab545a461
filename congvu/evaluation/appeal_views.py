"""Appeals (kiến nghị) on finalised evaluation results.

The person files on a finalised period within `appeal_window_days` of finalisation; the
competent level (the superior who may correct the result) upholds it with a new level — a
correction decision — or rejects it, with a written reason either way. Late appeals are refused
by the action with the deadline in the message and nothing is written.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from congvu.evaluation import actions as A
from congvu.evaluation.models import Appeal, Evaluation
from congvu.evaluation.privacy import record_read, visible_evaluations
from congvu.evaluation.views import _person_periods, _viewer
from congvu.lib.errors import ActionError
from congvu.org.models import Person
from congvu.web.http import get_access, login_required


def _file(request: HttpRequest, e: Evaluation, me: Person) -> str:
    A.do_file_appeal(e, actor=me, reason=request.POST.get("reason", ""))
    return _("Đã gửi kiến nghị về kết quả đánh giá.")


def _resolve(request: HttpRequest, e: Evaluation, me: Person) -> str:
    raw = str(request.POST.get("appeal", ""))
    appeal = e.appeals.filter(pk=int(raw)).first() if raw.isdigit() else None
    if appeal is None:
        raise ActionError("invalid_input", _("Không tìm thấy kiến nghị của kỳ đánh giá này."))
    outcome = request.POST.get("outcome", "")
    if outcome not in ("uphold", "reject"):
        raise ActionError(
            "invalid_input", _("Chọn chấp nhận hoặc không chấp nhận kiến nghị."), field="outcome"
        )
    A.do_resolve_appeal(
        appeal,
        actor=me,
        upheld=outcome == "uphold",
        resolution=request.POST.get("resolution", ""),
        new_level=request.POST.get("new_level", ""),
        decision_ref=request.POST.get("decision_ref", ""),
    )
    return _("Đã giải quyết kiến nghị.")


@login_required
@require_POST
def person_appeal(request: HttpRequest, person_id: int) -> HttpResponse:
    me = _viewer(request)
    subject, periods = _person_periods(request, person_id)
    raw = str(request.POST.get("evaluation", ""))
    e = next((p for p in periods if raw.isdigit() and p.pk == int(raw)), None)
    step = {"file": _file, "resolve": _resolve}.get(str(request.POST.get("step", "")))
    if e is None or step is None:
        return HttpResponse(_("Yêu cầu không hợp lệ."), status=400)
    try:
        messages.success(request, step(request, e, me))
    except ActionError as exc:
        if exc.status == 403:
            raise PermissionDenied(exc.message) from exc
        messages.error(request, exc.message)
    url = reverse("evaluation:person", args=[subject.pk])
    return HttpResponseRedirect(f"{url}?ky={e.pk}#h-appeal", status=303)


@login_required
@require_GET
def appeals(request: HttpRequest) -> HttpResponse:
    """My appeals, and the open appeals I may resolve (as the competent superior)."""
    me = _viewer(request)
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
    waiting = [a for a in candidates if A.is_superior(me, a.evaluation)]
    record_read(me, [a.evaluation for a in waiting], purpose="list")
    return render(
        request,
        "evaluation/appeals.html",
        {"mine": mine, "waiting": waiting, "nav_active": "evaluation"},
    )
