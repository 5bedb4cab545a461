"""Pages of the legal-obstacles registry: the legal department's queue and the ranking report.

Who: the queue is for the legal department (settings.LEGAL_DEPARTMENT_UNIT_CODES, see
congvu.legal.actions.is_legal_staff); the report also for provincial leaders. Others get 403.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from congvu.legal import actions as L
from congvu.legal.models import LegalObstacle
from congvu.legal.report import days_lost, nq206_report, pause_ends, ranking, ranking_xlsx
from congvu.lib.choices import shown_choices
from congvu.lib.errors import ActionError
from congvu.lib.http import login_required, take_posted
from congvu.org.http import get_access, get_person
from congvu.org.models import Person, today
from congvu.org.permissions import Role
from congvu.workdays.calendar import get_calendar

S = LegalObstacle.Status
OPEN = (S.RECEIVED, S.UNDER_REVIEW)


class StatusForm(forms.Form):
    obstacle = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.ChoiceField(
        label=gettext_lazy("Trạng thái mới"),
        choices=shown_choices((s.value, s.label) for s in S if s not in (S.RECEIVED, S.ROUTED)),
    )
    note = forms.CharField(
        label=gettext_lazy("Ý kiến của cơ quan tư pháp"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RouteForm(forms.Form):
    """NQ 206/2025/QH15: criterion, route, competent body, deadline."""

    obstacle = forms.IntegerField(widget=forms.HiddenInput)
    criterion = forms.ChoiceField(
        label=gettext_lazy("Tiêu chí (NQ 206 Điều 2)"),
        choices=shown_choices(LegalObstacle.Criterion.choices),
    )
    route = forms.ChoiceField(
        label=gettext_lazy("Phương án xử lý (NQ 206 Điều 4)"),
        choices=shown_choices(LegalObstacle.Route.choices),
    )
    competent_body = forms.CharField(label=gettext_lazy("Cơ quan có thẩm quyền"), max_length=255)
    deadline = forms.DateField(
        label=gettext_lazy("Thời hạn xử lý"), input_formats=["%Y-%m-%d", "%d/%m/%Y"]
    )
    note = forms.CharField(label=gettext_lazy("Ghi chú"), required=False)


def _legal_person(request: HttpRequest) -> Person:
    person = get_person(request)
    if not L.is_legal_staff(person, get_access(request)):
        raise PermissionDenied(_("Trang này dành cho cơ quan tư pháp."))
    assert person is not None
    return person


@login_required
@require_http_methods(["GET", "POST"])
def queue(request: HttpRequest) -> HttpResponse:
    person = _legal_person(request)
    form, taken = take_posted(
        request,
        StatusForm,
        lambda d: L.do_set_status(d["obstacle"], person, status=d["status"], note=d["note"]),
        done=_("Đã cập nhật trạng thái vướng mắc."),
        then=reverse("legal:queue"),
        missing=(LegalObstacle.DoesNotExist, _("Không tìm thấy vướng mắc này.")),
    )
    if taken is not None:
        return taken
    show = request.GET.get("xem", "mo")
    qs = LegalObstacle.objects.select_related(
        "task", "reported_by", "reported_unit", "acknowledged_by", "handled_by"
    ).prefetch_related("citations")
    if show != "tat-ca":
        qs = qs.filter(status__in=OPEN)
    rows = list(qs[:200])
    ends = pause_ends(rows)
    day, cal = today(), get_calendar()
    items = [(o, days_lost(o.paused_at, ends[o.pk], day, cal), ends[o.pk] is None) for o in rows]
    return render(
        request,
        "legal/queue.html",
        {
            "items": items,
            "form": form,
            "show_all": show == "tat-ca",
            "status_choices": form.fields["status"].choices,  # type: ignore[attr-defined]
            "route_form": RouteForm(),
            "nav_active": "legal",
        },
        status=422 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def route(request: HttpRequest) -> HttpResponse:
    person = _legal_person(request)
    form = RouteForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            L.do_route(
                d["obstacle"],
                person,
                criterion=d["criterion"],
                route=d["route"],
                competent_body=d["competent_body"],
                deadline=d["deadline"],
                note=d["note"],
            )
        except LegalObstacle.DoesNotExist:
            messages.error(request, _("Không tìm thấy vướng mắc này."))
        except ActionError as e:
            messages.error(request, e.message)
        else:
            messages.success(request, _("Đã xác định phương án xử lý."))
            return HttpResponseRedirect(reverse("legal:queue"))
    else:
        errors = "; ".join(str(m) for errs in form.errors.values() for m in errs)
        messages.error(request, errors)
    return HttpResponseRedirect(reverse("legal:queue") + "?loi=1")


@login_required
@require_GET
def nq206(request: HttpRequest) -> HttpResponse:
    """The report the province sends under NQ 206 (print layout)."""
    _may_see_report(request)
    try:
        data = nq206_report(today())
    except ActionError as e:
        raise PermissionDenied(e.message) from None
    return render(
        request,
        "legal/nq206.html",
        {
            "r": data,
            "criteria": LegalObstacle.Criterion.choices,
            "routes": LegalObstacle.Route.choices,
            "nav_active": "legal",
        },
    )


def _may_see_report(request: HttpRequest) -> None:
    access = get_access(request)
    if access.may(Role.LEADER):
        return
    _legal_person(request)


@login_required
@require_GET
def report(request: HttpRequest) -> HttpResponse:
    _may_see_report(request)
    day = today()
    return render(
        request,
        "legal/report.html",
        {"rows": ranking(day=day), "day": day, "nav_active": "legal"},
    )


@login_required
@require_GET
def report_xlsx(request: HttpRequest) -> HttpResponse:
    _may_see_report(request)
    day = today()
    response = HttpResponse(
        ranking_xlsx(ranking(day=day), day),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="vuong-mac-phap-ly-{day:%Y%m%d}.xlsx"'
    return response
