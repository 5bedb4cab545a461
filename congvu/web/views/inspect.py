"""The inspector's view: read-only across their scope, the audit trail with the log's integrity
check, and exports of the scope's events (CSV, XLSX, XES for process-mining tools)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import datetime, time, timedelta
from typing import Any
from xml.sax.saxutils import quoteattr

from django import forms
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from congvu.lib.http import login_required
from congvu.org.http import get_access
from congvu.org.permissions import Role
from congvu.tasks.events import LABELS, TaskEventType
from congvu.tasks.models import TaskEvent
from congvu.tasks.state import VN_TZ
from congvu.web.forms import DATE_WIDGET
from congvu.web.paging import paginate
from congvu.web.taskquery import visible_tasks
from congvu_analytics.safe_csv import SafeCsvWriter

# The exports' columns, in Vietnamese like every page (the XES file keeps the standard's keys).
COLUMNS = [
    "Số nhiệm vụ",
    "Thứ tự sự kiện",
    "Thời điểm",
    "Sự kiện",
    "Mã hoạt động",
    "Người thực hiện",
    "Đơn vị thực hiện",
    "Người nhận",
    "Đơn vị nhận",
    "Mã lý do",
    "Lý do",
    "Chữ ký (seal)",
]


class TrailFilterForm(forms.Form):
    """The audit trail's filter (GET); the exports read the same form, so they hold exactly
    the events the page lists."""

    nhiem_vu = forms.IntegerField(label=_("Số nhiệm vụ"), min_value=1, required=False)
    loai = forms.TypedChoiceField(
        label=_("Sự kiện"),
        coerce=int,
        required=False,
        empty_value=None,
        choices=[("", _("Tất cả")), *((t.value, _(LABELS[t])) for t in TaskEventType)],
    )
    tu = forms.DateField(label=_("Từ ngày"), required=False, widget=DATE_WIDGET)
    den = forms.DateField(label=_("Đến ngày"), required=False, widget=DATE_WIDGET)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("tu") and data.get("den") and data["tu"] > data["den"]:
            self.add_error("den", _("Ngày cuối phải sau ngày đầu."))
        return data

    def narrow(self, events: QuerySet[TaskEvent]) -> QuerySet[TaskEvent]:
        data = self.cleaned_data if self.is_valid() else {}
        if data.get("nhiem_vu"):
            events = events.filter(task_id=data["nhiem_vu"])
        if data.get("loai") is not None:
            events = events.filter(type=data["loai"])
        # Days are Việt Nam days: an event at 23:30 on the 5th belongs to the 5th.
        if data.get("tu"):
            events = events.filter(at__gte=datetime.combine(data["tu"], time.min, VN_TZ))
        if data.get("den"):
            end = datetime.combine(data["den"] + timedelta(days=1), time.min, VN_TZ)
            events = events.filter(at__lt=end)
        return events


def _require_inspector(request: HttpRequest) -> None:
    access = get_access(request)
    if not (access.may(Role.INSPECTOR)):
        raise PermissionDenied


def _scope_events(request: HttpRequest) -> QuerySet[TaskEvent]:
    tasks = visible_tasks(get_access(request)).values("pk")
    return TaskEvent.objects.filter(task_id__in=tasks).select_related(
        "actor", "unit", "target_person", "target_unit", "task"
    )


@login_required
@require_GET
def inspect_home(request: HttpRequest) -> HttpResponse:
    _require_inspector(request)
    form = TrailFilterForm(request.GET)
    events = form.narrow(_scope_events(request))
    page = paginate(request, events.order_by("-at", "-pk"), per_page=50)
    return render(
        request,
        "web/inspect/home.html",
        {
            "page_obj": page,
            "form": form,
            "export_query": request.GET.urlencode(),
            "nav_active": "inspect",
        },
    )


@login_required
@require_GET
def integrity_check(request: HttpRequest) -> HttpResponse:
    """htmx: recompute every seal and checkpoint (congvu.tasks.verify) and show the result."""
    _require_inspector(request)
    from congvu.tasks.verify import verify_configured

    result = verify_configured()
    return render(request, "web/inspect/_integrity.html", {"result": result})


def _row(ev: TaskEvent) -> list[str]:
    return [str(v) for v in _typed_row(ev)]


def _typed_row(ev: TaskEvent) -> list[Any]:
    """One event with numbers as numbers (the XLSX cells are typed from these)."""
    etype = TaskEventType(ev.type)
    return [
        ev.task_id,
        ev.seq,
        ev.at.astimezone(VN_TZ).isoformat(),
        LABELS[etype],  # the export is a record: the stored Vietnamese name
        str(etype.activity.value if hasattr(etype.activity, "value") else etype.activity),
        ev.actor.full_name if ev.actor else "",
        ev.unit.name if ev.unit else "",
        ev.target_person.full_name if ev.target_person else "",
        ev.target_unit.name if ev.target_unit else "",
        ev.reason_code,
        ev.reason_text,
        ev.seal,
    ]


def _csv(events: QuerySet[TaskEvent]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = SafeCsvWriter(buffer)  # user text never opens as a formula (issue #12)
    buffer.write("\ufeff")  # Excel opens UTF-8 Vietnamese correctly with a BOM
    writer.writerow(COLUMNS)
    for ev in events.iterator(chunk_size=2000):
        writer.writerow(_row(ev))
        if buffer.tell() > 64_000:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _xes(events: QuerySet[TaskEvent]) -> Iterator[str]:
    """IEEE 1849 XES: one trace per task, events in sequence order."""
    yield '<?xml version="1.0" encoding="UTF-8"?>\n<log xes.version="1.0" xmlns="http://www.xes-standard.org/">\n'
    yield '<extension name="Concept" prefix="concept" uri="http://www.xes-standard.org/concept.xesext"/>\n'
    yield '<extension name="Time" prefix="time" uri="http://www.xes-standard.org/time.xesext"/>\n'
    yield '<extension name="Organizational" prefix="org" uri="http://www.xes-standard.org/org.xesext"/>\n'
    current = None
    for ev in events.order_by("task_id", "seq").iterator(chunk_size=2000):
        if ev.task_id != current:
            if current is not None:
                yield "</trace>\n"
            current = ev.task_id
            yield f'<trace><string key="concept:name" value="{ev.task_id}"/><string key="title" value={quoteattr(ev.task.title)}/>\n'
        row = _row(ev)
        yield (
            "<event>"
            f'<string key="concept:name" value={quoteattr(row[4])}/>'
            f'<string key="label" value={quoteattr(row[3])}/>'
            f'<date key="time:timestamp" value="{row[2]}"/>'
            f'<string key="org:resource" value={quoteattr(row[5] or "system")}/>'
            f'<string key="org:group" value={quoteattr(row[6])}/>'
            f'<string key="reason" value={quoteattr(row[10])}/>'
            "</event>\n"
        )
    if current is not None:
        yield "</trace>\n"
    yield "</log>\n"


@login_required
@require_GET
def export_events(request: HttpRequest, fmt: str) -> HttpResponseBase:
    _require_inspector(request)
    form = TrailFilterForm(request.GET)
    events = form.narrow(_scope_events(request)).order_by("task_id", "seq")
    if fmt == "csv":
        response = StreamingHttpResponse(_csv(events), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="nhat-ky-su-kien.csv"'
        return response
    if fmt == "xes":
        response = StreamingHttpResponse(
            _xes(events), content_type="application/xml; charset=utf-8"
        )
        response["Content-Disposition"] = 'attachment; filename="nhat-ky-su-kien.xes"'
        return response
    if fmt == "xlsx":
        from congvu.web.exports import xlsx_response

        # The time as a date-time cell (Việt Nam wall clock), not the CSV's ISO text.
        rows = (
            [*r[:2], ev.at, *r[3:]]
            for ev in events.iterator(chunk_size=2000)
            for r in [_typed_row(ev)]
        )
        return xlsx_response("nhat-ky-su-kien.xlsx", "Nhật ký", COLUMNS, rows)
    raise PermissionDenied
