"""The working-day calendar: a year of days off and make-up days, editable by administrators."""

from __future__ import annotations

import calendar as pycal
from dataclasses import dataclass
from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from congvu.lib.http import login_required, pending_form_data
from congvu.org.http import get_access, get_person
from congvu.org.models import today
from congvu.org.permissions import Access, Role
from congvu.web.forms import AdjustmentForm
from congvu.workdays import actions
from congvu.workdays.calendar import get_calendar
from congvu.workdays.models import CalendarAdjustment

FIRST_YEAR, LAST_YEAR = 2010, 2035


@dataclass(frozen=True)
class Cell:
    day: date | None
    css: str
    title: str


def can_edit_calendar(access: Access) -> bool:
    return access.may(Role.ADMIN)


def _months(year: int) -> list[tuple[int, list[list[Cell]]]]:
    cal = get_calendar()
    out = []
    for month in range(1, 13):
        weeks: list[list[Cell]] = []
        for week in pycal.Calendar(firstweekday=0).monthdatescalendar(year, month):
            row: list[Cell] = []
            for day in week:
                if day.month != month:
                    row.append(Cell(None, "", ""))
                    continue
                info = cal.describe(day)
                weekend = day.weekday() >= 5
                if info.working and weekend:
                    css = "makeup"
                elif not info.working and not weekend:
                    css = "off"
                elif weekend:
                    css = "weekend"
                else:
                    css = ""
                row.append(Cell(day, css, info.reason))
            weeks.append(row)
        out.append((month, weeks))
    return out


def _year(request: HttpRequest) -> int:
    raw = request.GET.get("nam", "")
    if raw.isdigit() and FIRST_YEAR <= int(raw) <= LAST_YEAR:
        return int(raw)
    return today().year


@login_required
@require_http_methods(["GET", "POST"])
def calendar_year(request: HttpRequest) -> HttpResponse:
    access = get_access(request)
    year = _year(request)
    editable = can_edit_calendar(access)
    form = None
    if editable:
        if request.method == "POST":
            form = AdjustmentForm(request.POST)
            if form.is_valid():
                data = form.cleaned_data
                actions.set_adjustment(
                    data["day"],
                    is_working_day=data["is_working_day"],
                    reason=data["reason"],
                    decision_ref=data["decision_ref"],
                    actor=get_person(request),
                )
                messages.success(
                    request,
                    _("Đã lưu điều chỉnh lịch ngày %(d)s.")
                    % {"d": data["day"].strftime("%d/%m/%Y")},
                )
                # POST-redirect-GET: reloading the page never re-submits.
                return HttpResponseRedirect(f"{reverse('web:calendar')}?nam={data['day'].year}")
        else:
            form = AdjustmentForm(pending_form_data(request))
    elif request.method == "POST":
        raise PermissionDenied
    info = get_calendar()
    return render(
        request,
        "web/calendar.html",
        {
            "year": year,
            "months": _months(year),
            "special_days": info.holidays_in(year),
            "adjustments": list(CalendarAdjustment.objects.in_force().filter(day__year=year)),
            "form": form,
            "editable": editable,
            "prev_year": year - 1 if year > FIRST_YEAR else None,
            "next_year": year + 1 if year < LAST_YEAR else None,
            "weekdays": [_("T2"), _("T3"), _("T4"), _("T5"), _("T6"), _("T7"), _("CN")],
            "nav_active": "calendar",
        },
    )


@login_required
@require_POST
def calendar_remove(request: HttpRequest, day: str) -> HttpResponse:
    if not can_edit_calendar(get_access(request)):
        raise PermissionDenied
    parsed = date.fromisoformat(day)
    actions.remove_adjustment(parsed, actor=get_person(request))
    messages.success(
        request, _("Đã xóa điều chỉnh lịch ngày %(d)s.") % {"d": parsed.strftime("%d/%m/%Y")}
    )
    return HttpResponseRedirect(f"{reverse('web:calendar')}?nam={parsed.year}")
