"""The inspector's view: read-only across their scope, the audit trail with the log's integrity
check, and exports of the scope's events (CSV, XLSX, XES for process-mining tools)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from xml.sax.saxutils import quoteattr

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.views.decorators.http import require_GET

from congvu.org.permissions import Role
from congvu.tasks.events import TaskEventType
from congvu.tasks.models import TaskEvent
from congvu.tasks.state import VN_TZ
from congvu.web.http import get_access, login_required
from congvu.web.paging import paginate
from congvu.web.taskquery import visible_tasks
from congvu_analytics.safe_csv import SafeCsvWriter, xlsx_text_cells

COLUMNS = [
    "task_id",
    "seq",
    "at",
    "type",
    "activity",
    "actor",
    "unit",
    "target_person",
    "target_unit",
    "reason_code",
    "reason_text",
    "seal",
]


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
    events = _scope_events(request)
    task_id = request.GET.get("nhiem_vu", "")
    if task_id.isdigit():
        events = events.filter(task_id=int(task_id))
    page = paginate(request, events.order_by("-at", "-pk"), per_page=50)
    return render(request, "web/inspect/home.html", {"page_obj": page, "nav_active": "inspect"})


@login_required
@require_GET
def integrity_check(request: HttpRequest) -> HttpResponse:
    """htmx: recompute every seal and checkpoint (congvu.tasks.verify) and show the result."""
    _require_inspector(request)
    from congvu.tasks.verify import verify_configured

    result = verify_configured()
    return render(request, "web/inspect/_integrity.html", {"result": result})


def _row(ev: TaskEvent) -> list[str]:
    etype = TaskEventType(ev.type)
    return [
        str(ev.task_id),
        str(ev.seq),
        ev.at.astimezone(VN_TZ).isoformat(),
        etype.label,
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
    events = _scope_events(request).order_by("task_id", "seq")
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
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet("Nhật ký")
        sheet.append(COLUMNS)
        for ev in events.iterator(chunk_size=2000):
            sheet.append(xlsx_text_cells(sheet, _row(ev)))  # typed strings, never formulas
        out = io.BytesIO()
        book.save(out)
        xlsx = HttpResponse(
            out.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        xlsx["Content-Disposition"] = 'attachment; filename="nhat-ky-su-kien.xlsx"'
        return xlsx
    raise PermissionDenied
