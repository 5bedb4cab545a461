"""Directives (văn bản chỉ đạo): the register, one directive to many units, bulk steps."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from congvu.lib.errors import ActionError
from congvu.lib.http import login_required, run_posted
from congvu.org.http import get_access, get_person
from congvu.org.models import Membership, Person, Unit, today
from congvu.org.permissions import access_for
from congvu.tasks import directives as D
from congvu.tasks.models import CLOSED, Directive, Task
from congvu.tasks.steps import BY_KEY as STEPS
from congvu.web.forms import DATE_WIDGET, offer, picked
from congvu.web.taskquery import with_countdowns, with_names


class DirectiveForm(forms.Form):
    unit = forms.ModelChoiceField(
        label=gettext_lazy("Sổ văn bản của đơn vị"), queryset=Unit.objects.none()
    )
    number = forms.CharField(label=gettext_lazy("Số, ký hiệu"), max_length=80)
    issued_on = forms.DateField(label=gettext_lazy("Ngày văn bản"), widget=DATE_WIDGET)
    issuer = forms.CharField(label=gettext_lazy("Cơ quan ban hành"), max_length=255)
    subject = forms.CharField(
        label=gettext_lazy("Trích yếu"), widget=forms.Textarea(attrs={"rows": 3})
    )
    file = forms.FileField(label=gettext_lazy("Tệp văn bản"), required=False)


class ToUnitsForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Tên nhiệm vụ"), max_length=500)
    expected_result = forms.CharField(
        label=gettext_lazy("Kết quả cần đạt"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    units = picked(
        Unit.objects.all(),
        gettext_lazy("Đơn vị chủ trì (mỗi đơn vị một nhiệm vụ, do người đứng đầu chủ trì)"),
        many=True,
    )
    working_days = forms.IntegerField(
        label=gettext_lazy("Số ngày làm việc"), min_value=1, max_value=365
    )


def _registers(person: Person) -> list[Unit]:
    """The units whose register this person keeps (their leaders, their clerks)."""
    units = Unit.objects.filter(
        pk__in=Membership.objects.current().filter(person=person).values("unit_id")
    ) | Unit.objects.filter(pk__in=person.role_grants.filter(role="clerk").values("scope_id"))
    return [u for u in units.distinct() if D.can_register(person, u)]


@login_required
@require_http_methods(["GET", "POST"])
def directive_new(request: HttpRequest) -> HttpResponse:
    person = get_person(request)
    units = _registers(person) if person is not None else []
    if person is None or not units:
        raise PermissionDenied
    form = DirectiveForm(request.POST or None, request.FILES or None)
    offer(form, "unit", Unit.objects.filter(pk__in=[u.pk for u in units]))
    taken = run_posted(
        request,
        form,
        lambda data: D.do_register_directive(
            person,
            unit=data["unit"],
            number=data["number"],
            issued_on=data["issued_on"],
            issuer=data["issuer"],
            subject=data["subject"],
            file=data["file"],
        ),
        done=_("Đã vào sổ văn bản."),
        then=lambda directive: reverse("web:directive", args=[directive.pk]),
    )
    if taken is not None:
        return taken
    return render(
        request,
        "web/directives/new.html",
        {"form": form, "nav_active": "assign"},
        status=400 if form.is_bound else 200,
    )


def _assigner_for(person: Person, directive: Directive) -> tuple[Person, Person | None] | None:
    """Who assigns from this directive: the person himself when he directs its unit; for its
    clerk, the unit's head (the clerk records it for him)."""
    if access_for(person).can_act_on_unit(directive.unit):
        return person, None
    head = Membership.objects.current().head_of(directive.unit)
    if head is not None and D.is_clerk_of(person, directive.unit_id, today()):
        return head, person
    return None


@login_required
@require_http_methods(["GET", "POST"])
def directive_detail(request: HttpRequest, directive_id: int) -> HttpResponse:
    person = get_person(request)
    access = get_access(request)
    try:
        directive = Directive.objects.select_related("unit", "registered_by").get(pk=directive_id)
    except Directive.DoesNotExist:
        raise Http404 from None
    if not (access.can_see_unit(directive.unit) or access.is_superuser):
        raise Http404
    assigner = _assigner_for(person, directive) if person is not None else None
    form = ToUnitsForm(request.POST or None, initial={"title": directive.subject[:500]})
    if request.method == "POST":
        if assigner is None:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            heads = {
                m.unit_id: m.person
                for m in Membership.objects.current()
                .heads()
                .filter(unit__in=data["units"])
                .select_related("person")
            }
            missing = [u.name for u in data["units"] if u.pk not in heads]
            if missing:
                form.add_error("units", _("Chưa có người đứng đầu: %s") % ", ".join(missing))
            else:
                taken = run_posted(
                    request,
                    form,
                    lambda data: D.do_assign_directive(
                        assigner[0],
                        directive,
                        [D.UnitPart(u, heads[u.pk]) for u in data["units"]],
                        title=data["title"],
                        expected_result=data["expected_result"],
                        working_days=data["working_days"],
                        recorded_by=assigner[1],
                    ),
                    done=lambda tasks: _("Đã giao %(n)d nhiệm vụ.") % {"n": len(tasks)},
                    then=reverse("web:directive", args=[directive.pk]),
                    shown=("units",),
                )
                if taken is not None:
                    return taken
    tasks = with_countdowns(with_names(directive.tasks.all()).order_by("lead_unit__code"))
    chosen = list(form.cleaned_data.get("units", [])) if form.is_bound and form.is_valid() else []
    return render(
        request,
        "web/directives/detail.html",
        {
            "directive": directive,
            "tasks": tasks,
            "open_ids": [t.pk for t in tasks if t.status not in CLOSED],
            "form": form,
            "can_assign": assigner is not None,
            "chosen_units": chosen,
            "nav_active": "assign",
        },
        status=400 if form.is_bound else 200,
    )


BULK = {"accept": gettext_lazy("Tiếp nhận"), "remind": gettext_lazy("Đôn đốc")}


@login_required
@require_POST
def bulk_step(request: HttpRequest) -> HttpResponse:
    """One step (accept, remind) on many tasks: each task on its own, so one refusal does not
    undo the others; the page says how many went through and why the others did not."""
    person = get_person(request)
    key = request.POST.get("step", "")
    if person is None or key not in BULK:
        raise PermissionDenied
    ids = [int(x) for x in request.POST.getlist("task") if x.isdigit()][:200]
    done = 0
    refused: list[str] = []
    for task in Task.objects.filter(pk__in=ids).order_by("deadline", "pk"):
        try:
            STEPS[key].run(task, person, {"text": ""}, None)
        except ActionError as exc:
            refused.append(f"{task.title}: {exc.message}")
        else:
            done += 1
    if not ids:
        messages.error(request, _("Chưa chọn nhiệm vụ nào."))
    if done:
        messages.success(request, _("%(step)s: %(n)d nhiệm vụ.") % {"step": BULK[key], "n": done})
    for line in refused:
        messages.error(request, line)
    back = request.POST.get("next", "")
    return HttpResponseRedirect(back if back.startswith("/") else reverse("web:inbox"))
