"""Goals → indicators → tasks, with the state of each indicator computed from its tasks
(congvu/indicators): the hierarchy page, an indicator's page, and their forms."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from congvu.indicators import actions as A
from congvu.indicators.models import Goal, Indicator, IndicatorWarning
from congvu.lib.errors import ActionError
from congvu.lib.http import login_required, show_refusal
from congvu.org.http import get_access, get_person, require_person
from congvu.org.models import Unit, today
from congvu.tasks.actions import can_see_task
from congvu.tasks.models import Task


class GoalForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("Mã mục tiêu"), max_length=40)
    title = forms.CharField(label=gettext_lazy("Mục tiêu"), max_length=500)
    owner_unit = forms.ModelChoiceField(
        label=gettext_lazy("Đơn vị chủ trì"), queryset=Unit.objects.order_by("name")
    )
    period_start = forms.DateField(label=gettext_lazy("Từ ngày"))
    period_end = forms.DateField(label=gettext_lazy("Đến ngày"))


class IndicatorForm(forms.Form):
    goal = forms.ModelChoiceField(label=gettext_lazy("Mục tiêu"), queryset=Goal.objects.all())
    code = forms.CharField(label=gettext_lazy("Mã chỉ tiêu"), max_length=40)
    name = forms.CharField(label=gettext_lazy("Chỉ tiêu"), max_length=500)
    target = forms.DecimalField(
        label=gettext_lazy("Chỉ tiêu cần đạt"), max_digits=16, decimal_places=2
    )
    measure = forms.CharField(label=gettext_lazy("Đơn vị tính"), max_length=40)
    period_start = forms.DateField(label=gettext_lazy("Từ ngày"))
    period_end = forms.DateField(label=gettext_lazy("Hạn hoàn thành"))
    responsible_unit = forms.ModelChoiceField(
        label=gettext_lazy("Đơn vị chịu trách nhiệm"), queryset=Unit.objects.order_by("name")
    )


class ReportForm(forms.Form):
    actual = forms.DecimalField(
        label=gettext_lazy("Kết quả đạt được"), max_digits=16, decimal_places=2, required=False
    )
    difficulties = forms.CharField(
        label=gettext_lazy("Khó khăn, vướng mắc và đề xuất"), widget=forms.Textarea, required=False
    )


class LinkForm(forms.Form):
    task = forms.IntegerField(label=gettext_lazy("Số nhiệm vụ"), min_value=1)


@login_required
@require_http_methods(["GET", "POST"])
def indicator_list(request: HttpRequest) -> HttpResponse:
    access = get_access(request)
    goal_form = GoalForm(request.POST if request.POST.get("form") == "goal" else None)
    ind_form = IndicatorForm(request.POST if request.POST.get("form") == "indicator" else None)
    if request.method == "POST":
        me = require_person(request)
        try:
            if goal_form.is_bound and goal_form.is_valid():
                d = goal_form.cleaned_data
                A.do_create_goal(
                    code=d["code"],
                    title=d["title"],
                    owner_unit=d["owner_unit"],
                    start=d["period_start"],
                    end=d["period_end"],
                    actor=me,
                    access=access,
                )
                messages.success(request, _("Đã tạo mục tiêu."))
                return HttpResponseRedirect(reverse("web:indicators"), status=303)
            if ind_form.is_bound and ind_form.is_valid():
                d = ind_form.cleaned_data
                ind = A.do_create_indicator(
                    goal=d["goal"],
                    code=d["code"],
                    name=d["name"],
                    target=d["target"],
                    measure=d["measure"],
                    start=d["period_start"],
                    end=d["period_end"],
                    responsible_unit=d["responsible_unit"],
                    actor=me,
                    access=access,
                )
                messages.success(request, _("Đã tạo chỉ tiêu."))
                return HttpResponseRedirect(reverse("web:indicator", args=[ind.pk]), status=303)
        except ActionError as exc:
            if exc.status == 403:
                raise PermissionDenied(exc.message) from exc
            form = goal_form if goal_form.is_bound else ind_form
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    day = today()
    goals = []
    for goal in Goal.objects.select_related("owner_unit").prefetch_related(
        "indicators__tasks", "indicators__responsible_unit"
    ):
        rows = [(i, i.assess(day, list(i.tasks.all()))) for i in goal.indicators.all()]
        goals.append((goal, rows))
    status = 400 if (goal_form.errors or ind_form.errors) else 200
    return render(
        request,
        "web/indicators/list.html",
        {
            "goals": goals,
            "goal_form": goal_form,
            "ind_form": ind_form,
            "may_create": access.sees_everything or bool(access.act_unit_ids),
            "nav_active": "indicators",
        },
        status=status,
    )


@login_required
@require_GET
def indicator_detail(request: HttpRequest, indicator_id: int) -> HttpResponse:
    return _render_detail(request, indicator_id)


def _render_detail(
    request: HttpRequest,
    indicator_id: int,
    report_form: ReportForm | None = None,
    link_form: LinkForm | None = None,
) -> HttpResponse:
    access = get_access(request)
    ind = get_object_or_404(
        Indicator.objects.select_related("goal", "responsible_unit"), pk=indicator_id
    )
    tasks = list(ind.tasks.select_related("lead_unit").order_by("deadline"))
    assessment = ind.assess(today(), tasks)
    rows = [(t, can_see_task(t, access)) for t in tasks]
    me = get_person(request)
    warnings = IndicatorWarning.objects.filter(indicator=ind).select_related("person")
    return render(
        request,
        "web/indicators/detail.html",
        {
            "ind": ind,
            "a": assessment,
            "rows": rows,
            "warnings": list(warnings.order_by("-created_at")[:20]),
            "may_report": me is not None and A.may_report(access, ind),
            "may_link": me is not None and A.may_direct(access, ind.responsible_unit_id),
            "report_form": report_form
            or ReportForm(initial={"actual": ind.actual, "difficulties": ind.difficulties}),
            "link_form": link_form or LinkForm(),
            "nav_active": "indicators",
        },
        status=400
        if (report_form and report_form.errors) or (link_form and link_form.errors)
        else 200,
    )


@login_required
@require_POST
def indicator_act(request: HttpRequest, indicator_id: int) -> HttpResponse:
    access = get_access(request)
    me = require_person(request)
    ind = get_object_or_404(Indicator, pk=indicator_id)
    url = reverse("web:indicator", args=[ind.pk])
    try:
        if request.POST.get("form") == "report":
            form = ReportForm(request.POST)
            if not form.is_valid():
                return _render_detail(request, ind.pk, report_form=form)
            A.do_report(
                ind,
                actual=form.cleaned_data["actual"],
                difficulties=form.cleaned_data["difficulties"],
                actor=me,
                access=access,
            )
            messages.success(request, _("Đã cập nhật kết quả và khó khăn, đề xuất."))
        elif request.POST.get("form") == "link":
            link = LinkForm(request.POST)
            task = None
            if link.is_valid():
                task = Task.objects.filter(pk=link.cleaned_data["task"]).first()
                if task is None or not can_see_task(task, access):
                    link.add_error("task", _("Không có nhiệm vụ số này (hoặc bạn không xem được)."))
            if task is None or link.errors:
                return _render_detail(request, ind.pk, link_form=link)
            A.do_link_task(ind, task, actor=me, access=access)
            messages.success(request, _("Đã gắn nhiệm vụ vào chỉ tiêu."))
    except ActionError as exc:
        show_refusal(request, exc)
    return HttpResponseRedirect(url, status=303)
