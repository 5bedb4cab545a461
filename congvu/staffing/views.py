"""Pages: the streamlining list, weak-unit signals, and the on-demand snapshot of a person or
unit. Who: congvu.staffing.permissions (one definition over congvu.org's Access)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from congvu.lib.errors import ActionError
from congvu.lib.http import login_required
from congvu.org.http import get_access, get_person
from congvu.org.models import Person, Unit, today
from congvu.org.permissions import Access
from congvu.privacy.access import records_access
from congvu.staffing import services
from congvu.staffing.permissions import sees_staffing, units_in_scope


class YearForm(forms.Form):
    nam = forms.IntegerField(label=gettext_lazy("Năm đánh giá"), min_value=2020, max_value=2100)


class RangeForm(forms.Form):
    tu = forms.DateField(label=gettext_lazy("Từ ngày"), input_formats=["%Y-%m-%d", "%d/%m/%Y"])
    den = forms.DateField(label=gettext_lazy("Đến ngày"), input_formats=["%Y-%m-%d", "%d/%m/%Y"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("tu") and data.get("den") and data["tu"] > data["den"]:
            raise forms.ValidationError(_("Ngày bắt đầu phải trước ngày kết thúc."))
        return data


def _access(request: HttpRequest) -> Access:
    access = get_access(request)
    if not sees_staffing(access):
        raise PermissionDenied(_("Trang này dành cho lãnh đạo, Sở Nội vụ và người đứng đầu."))
    return access


def _year(request: HttpRequest) -> tuple[YearForm, int]:
    form = YearForm(request.GET or {"nam": today().year - 1})
    return form, form.cleaned_data["nam"] if form.is_valid() else today().year - 1


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    access = _access(request)
    form, year = _year(request)
    scope = units_in_scope(access)
    context: dict[str, Any] = {"form": form, "year": year, "nav_active": "staffing"}
    try:
        context["policy"], context["entries"] = services.streamlining_list(year, today(), scope)
        context["weak_policy"], context["signals"] = services.weak_units(year, scope)
    except ActionError as e:
        context["error"] = e.message
    return render(request, "staffing/home.html", context, status=400 if form.errors else 200)


def _range(request: HttpRequest) -> tuple[RangeForm, date, date]:
    end = today()
    form = RangeForm(request.GET or {"tu": end - timedelta(days=90), "den": end})
    if form.is_valid():
        return form, form.cleaned_data["tu"], form.cleaned_data["den"]
    return form, end - timedelta(days=90), end


@login_required
@require_GET
@records_access("evaluation", "person_id")
def person_snapshot(request: HttpRequest, person_id: int) -> HttpResponse:
    access = get_access(request)
    person = Person.objects.filter(pk=person_id).first()
    me = get_person(request)
    if person is None:
        raise Http404
    membership = person.primary_membership()
    allowed = (me is not None and me.pk == person.pk) or (
        membership is not None
        and (access.is_superuser or access.can_see_evaluations_of(membership.unit_id))
    )
    if not allowed:
        raise Http404
    return _snapshot_page(request, person.full_name, lambda start, end: [person])


@login_required
@require_GET
def unit_snapshot(request: HttpRequest, unit_id: int) -> HttpResponse:
    access = _access(request)
    unit = Unit.objects.filter(pk=unit_id).first()
    if unit is None or not (access.is_superuser or access.can_see_evaluations_of(unit_id)):
        raise Http404
    return _snapshot_page(
        request, unit.name, lambda start, end: services.unit_people(unit, start, end)
    )


def _snapshot_page(
    request: HttpRequest, title: str, people: Callable[[date, date], list[Person]]
) -> HttpResponse:
    """The evaluation "when needed" of a person or of the people of a unit (`people` in the
    chosen date range), over that range."""
    form, start, end = _range(request)
    rows, total = services.snapshot(people(start, end), start, end, today())
    return render(
        request,
        "staffing/snapshot.html",
        {
            "form": form,
            "title": title,
            "rows": rows,
            "total": total,
            "start": start,
            "end": end,
            "nav_active": "staffing",
        },
        status=400 if form.errors else 200,
    )
