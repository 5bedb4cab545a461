"""Task pages: the task with its timeline and actions, the assign form, the task list."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from congvu.lib.errors import ActionError, ConflictError
from congvu.lib.http import (
    attach_error,
    login_required,
    pdf_response,
    pending_form_data,
    run_posted,
)
from congvu.org.http import get_access, get_person
from congvu.org.models import Membership, Person, Unit, today
from congvu.org.permissions import Access
from congvu.org.tree import tree_as_of
from congvu.tasks import actions as A
from congvu.tasks.events import TaskEventType as E
from congvu.tasks.models import CLOSED, Coordination, Status, Task, TaskEvent
from congvu.tasks.state import replay
from congvu.web.actions import attach_document, can_attach
from congvu.web.forms import AssignForm, AttachForm, TaskFilterForm, filtered
from congvu.web.models import TaskAttachment
from congvu.web.paging import paginate
from congvu.web.search import containing
from congvu.web.task_actions import (
    BY_KEY,
    PICKER_SCOPES,
    SPECS,
    ActionForm,
    ActionSpec,
    Who,
    answerable_requests,
    my_opinion_requests,
)
from congvu.web.taskquery import (
    count_visible,
    countdown,
    visible_tasks,
    with_countdowns,
    with_names,
)
from congvu.workdays.calendar import add_working_days


def _get_task_for_user(request: HttpRequest, task_id: int) -> Task:
    """The task if this person may read it; 404 otherwise (no hint that it exists)."""
    try:
        task = with_names(Task.objects.select_related("parent")).get(pk=task_id)
    except Task.DoesNotExist:
        raise Http404 from None
    if not A.can_see_task(task, get_access(request)) and not _delegate_sees(request, task):
        raise Http404
    return task


def _delegate_sees(request: HttpRequest, task: Task) -> bool:
    """An official on leave delegated his steps: his delegate opens the tasks he could."""
    person = get_person(request)
    if person is None:
        return False
    from django.utils import timezone

    ctx = A.Ctx(task, A.task_state(task), person, timezone.now())
    return ctx.sees_as_delegate()


@dataclass
class Offered:
    key: str
    label: Any
    form: ActionForm
    pickers: tuple[tuple[str, str], ...]
    # For per-request actions: the request it answers and a line describing it.
    request_seq: int | None = None
    request_text: str = ""
    open: bool = False

    def __post_init__(self) -> None:
        # Many forms share one page: give each its own field ids so every label points at
        # its own input (and the page has no duplicate ids).
        self.form.auto_id = f"id_{self.key}{self.request_seq or ''}_%s"

    @property
    def picker_fields(self) -> list[tuple[Any, str, list[Any], str, str]]:
        """(bound field, unit|person, chosen objects, DOM id, search scope) for each picker of
        the form; an unbound form shows its initial choice (a proposed unit)."""
        out = []
        cleaned = getattr(self.form, "cleaned_data", {}) if self.form.is_bound else {}
        for name, kind in self.pickers:
            value = cleaned.get(name) if self.form.is_bound else self.form.initial.get(name)
            chosen = [value] if value is not None else []
            scope = PICKER_SCOPES.get(name, "")
            out.append((self.form[name], kind, chosen, f"{self.key}-{name}", scope))
        return out

    @property
    def unit_selector(self) -> str:
        """The hidden unit input a person picker of this form filters by (hx-include)."""
        for name, kind in self.pickers:
            if kind == "unit" and name == "to_unit":
                return f"#picker-{self.key}-to_unit .chosen input"
        return ""


def _rollup(task: Task) -> tuple[int, list[Task]]:
    """Rolled-up progress and the direct sub-tasks (with `.rolled_up` set on each)."""
    children = list(with_names(task.children.all()).order_by("deadline", "pk"))
    total, progress = A.rolled_up(task, children)
    for c in children:
        c.rolled_up = progress[c.pk]  # type: ignore[attr-defined]
    return total, children


def _offered(
    who: Who, coordinations: list[Coordination], bound: tuple[str, ActionForm, int | None] | None
) -> list[Offered]:
    out: list[Offered] = []
    for spec in SPECS:
        if who.person is None or not spec.offered(who):
            continue
        for seq, text, initial in _places(spec, who, coordinations):
            form = _form_for(spec.key, bound, seq) or spec.form(
                initial={"version": who.task.version, **initial}
            )
            chosen = bool(bound and bound[0] == spec.key)
            out.append(Offered(spec.key, spec.label, form, spec.pickers, seq, text, chosen))
    return out


def _places(
    spec: ActionSpec, who: Who, coordinations: list[Coordination]
) -> list[tuple[int | None, str, dict[str, Any]]]:
    """Where the page offers a step, as (request number, what it answers, initial data): once
    per open request of its kind (coordination, opinion), else once."""
    if spec.per_request == "coordination":
        return [
            (
                c.request_seq,
                _("%(unit)s — hạn %(due)s: %(text)s")
                % {"unit": c.unit.name, "due": c.due.strftime("%d/%m/%Y"), "text": c.request_text},
                {"request_seq": c.request_seq},
            )
            for c in answerable_requests(who, coordinations)
        ]
    if spec.per_request == "opinion":
        return [(seq, "", {"request_seq": seq}) for seq in my_opinion_requests(who)]
    return [(None, "", _proposed_lead(who) if spec.key == "reassign" else {})]


def _proposed_lead(who: Who) -> dict[str, Any]:
    """After a decline, reassigning starts from the competent unit the lead proposed."""
    if who.state.status != Status.DECLINED:
        return {}
    proposed = (
        TaskEvent.objects.filter(task=who.task, type=E.DECLINED, target_unit__isnull=False)
        .order_by("-seq")
        .select_related("target_unit")
        .first()
    )
    return {"to_unit": proposed.target_unit} if proposed is not None else {}


def _form_for(
    key: str, bound: tuple[str, ActionForm, int | None] | None, seq: int | None
) -> ActionForm | None:
    if bound is not None and bound[0] == key and bound[2] == seq:
        return bound[1]
    return None


def _name_who_acted_for_whom(events: list[TaskEvent]) -> None:
    """Set `.on_behalf` on the events a clerk recorded for a leader or a delegate took for the
    official on leave (their sealed payload names them)."""
    ids = {
        ev.payload.get(k) for ev in events for k in ("recorded_by", "delegate") if ev.payload
    } - {None}
    if not ids:
        return
    names = dict(Person.objects.filter(pk__in=ids).values_list("pk", "full_name"))
    for ev in events:
        p = ev.payload or {}
        actor = ev.actor.full_name if ev.actor else ""
        if p.get("recorded_by") in names:
            ev.on_behalf = _("Văn thư %(x)s thay mặt lãnh đạo %(y)s") % {  # type: ignore[attr-defined]
                "x": names[p["recorded_by"]],
                "y": actor,
            }
        elif p.get("delegate") in names:
            ev.on_behalf = _("%(x)s thực hiện theo ủy quyền của %(y)s") % {  # type: ignore[attr-defined]
                "x": names[p["delegate"]],
                "y": actor,
            }


def _deadline_days(task: Task, extensions: int) -> int | None:
    """The working days the task has, as its deadline label says: the figure given at
    assignment, or after an extension the days from assignment to the extended deadline."""
    if not extensions:
        return task.deadline_working_days
    from django.utils import timezone

    from congvu.workdays.calendar import get_calendar

    assigned = timezone.localtime(task.assigned_at).date()
    return get_calendar().working_days_between(assigned, task.deadline)


def _render_task(
    request: HttpRequest,
    task: Task,
    bound: tuple[str, ActionForm, int | None] | None = None,
    status: int = 200,
    attach_form: AttachForm | None = None,
) -> HttpResponse:
    access = get_access(request)
    person = get_person(request)
    events = list(
        TaskEvent.objects.filter(task=task)
        .select_related("actor", "unit", "target_person", "target_unit")
        .order_by("seq")
    )
    state = replay(events)
    _name_who_acted_for_whom(events)
    coordinations = list(
        Coordination.objects.filter(task=task).select_related("unit").order_by("request_seq")
    )
    who = Who(person, access, task, state)
    rolled, children = _rollup(task)
    day = today()
    for c in coordinations:
        c.overdue = c.answered_at is None and c.due < day  # type: ignore[attr-defined]
    context = {
        "task": task,
        "deadline_days": _deadline_days(task, state.extensions_granted),
        "extended": state.extensions_granted > 0,
        "events": events[::-1],
        "coordinations": coordinations,
        "children": children,
        "rolled_up": rolled,
        "offered": _offered(who, coordinations, bound),
        "countdown": countdown(task.deadline, day) if task.status not in CLOSED else None,
        "can_cascade": who.lead_side and task.status == Status.IN_PROGRESS,
        "timeliness": state.timeliness(day),
        "pending_extension": state.pending_extension_deadline,
        "attachments": list(TaskAttachment.objects.filter(task=task).select_related("uploaded_by")),
        "can_attach": person is not None and can_attach(task, person),
        "attach_form": attach_form or AttachForm(),
        "nav_active": "",
    }
    return render(request, "web/tasks/task.html", context, status=status)


@login_required
@require_GET
def task_detail(request: HttpRequest, task_id: int) -> HttpResponse:
    task = _get_task_for_user(request, task_id)
    pending = pending_form_data(request)
    bound = None
    action = str(pending.get("action", "")) if pending is not None else ""
    if pending is not None and action in BY_KEY:
        spec = BY_KEY[action]
        form = spec.form(pending)
        form.is_valid()
        seq = form.cleaned_data.get("request_seq") if hasattr(form, "cleaned_data") else None
        bound = (spec.key, form, seq)
    return _render_task(request, task, bound)


@login_required
@require_GET
def task_sheet(request: HttpRequest, task_id: int) -> HttpResponse:
    """Phiếu theo dõi nhiệm vụ (PDF): whoever reads the task may print it; 404 otherwise."""
    from django.utils import translation

    from congvu.web.task_sheet import task_sheet_pdf

    task = _get_task_for_user(request, task_id)
    events = list(
        TaskEvent.objects.filter(task=task).select_related("actor", "unit").order_by("seq")
    )
    coordinations = list(
        Coordination.objects.filter(task=task).select_related("unit").order_by("request_seq")
    )
    with translation.override("vi"):
        _name_who_acted_for_whom(events)
    return pdf_response(
        request,
        lambda: task_sheet_pdf(task, events, coordinations, viewer=get_person(request)),
        f"phieu-theo-doi-nhiem-vu-{task.pk}.pdf",
        back=reverse("web:task", args=[task.pk]),
    )


@login_required
@require_POST
def task_act(request: HttpRequest, task_id: int) -> HttpResponse:
    """One workflow action, then POST-redirect-GET to the task page."""
    task = _get_task_for_user(request, task_id)
    person = get_person(request)
    spec = BY_KEY.get(request.POST.get("action", ""))
    if spec is None or person is None:
        raise PermissionDenied
    form = spec.form(request.POST)
    seq = None
    if form.is_valid():
        data = form.cleaned_data
        seq = data.get("request_seq")
        try:
            spec.run(task, person, data, data["version"])
        except ConflictError:
            # Almost always a double submission: the first one went through.
            messages.warning(
                request,
                _(
                    "Nhiệm vụ đã được cập nhật trước thao tác này (có thể do bấm gửi hai lần). Vui lòng xem lại rồi thao tác lại nếu cần."
                ),
            )
            return HttpResponseRedirect(reverse("web:task", args=[task.pk]))
        except ActionError as exc:
            attach_error(form, exc)
        else:
            messages.success(request, _("Đã ghi nhận: %(action)s.") % {"action": spec.label})
            return HttpResponseRedirect(reverse("web:task", args=[task.pk]))
    else:
        seq = form.cleaned_data.get("request_seq")
    task.refresh_from_db()
    return _render_task(request, task, (spec.key, form, seq), status=400)


# --- assign -------------------------------------------------------------------------------


def _assign_context(form: AssignForm, parent: Task | None) -> dict[str, Any]:
    def ids(name: str) -> list[int]:
        raw = form.data.getlist(name) if form.is_bound and hasattr(form.data, "getlist") else []
        return [int(x) for x in raw if str(x).isdigit()]

    lead_units = list(Unit.objects.filter(pk__in=ids("lead_unit"))) if form.is_bound else []
    lead_people = list(Person.objects.filter(pk__in=ids("lead_person"))) if form.is_bound else []
    coordinators = list(Unit.objects.filter(pk__in=ids("coordinators"))) if form.is_bound else []
    return {
        "form": form,
        "parent": parent,
        "lead_units": lead_units,
        "lead_people": lead_people,
        "coordinators": coordinators,
        "nav_active": "assign",
    }


def _lead_unit_of_person(form: AssignForm, access: Any) -> bool:
    """No lead unit chosen: the chosen person's unit, when exactly one of their units is one
    this assigner directs. False (with the error on the form) otherwise."""
    data = form.cleaned_data
    if data.get("lead_unit") is not None:
        return True
    person = data.get("lead_person")
    units = (
        list(
            Unit.objects.filter(
                memberships__in=Membership.objects.current().filter(person=person),
                pk__in=access.act_unit_ids,
            ).distinct()
        )
        if person is not None
        else []
    )
    if len(units) == 1:
        data["lead_unit"] = units[0]
        return True
    form.add_error("lead_unit", _("Chọn đơn vị chủ trì."))
    return False


@login_required
@require_http_methods(["GET", "POST"])
def task_new(request: HttpRequest) -> HttpResponse:
    """Giao việc; with ?cha=<id>, cascade a sub-task of a task this person leads."""
    person = get_person(request)
    access = get_access(request)
    if person is None or not access.act_unit_ids:
        raise PermissionDenied
    parent = None
    parent_id = request.GET.get("cha", "")
    if parent_id.isdigit():
        parent = _get_task_for_user(request, int(parent_id))
    if request.method == "POST":
        form = AssignForm(request.POST)
        # Both run, so that a missing unit is reported with the form's other errors.
        valid = form.is_valid()
        if _lead_unit_of_person(form, access) and valid:
            data = form.cleaned_data
            # A replayed form (double click, back + resubmit) finds the task it already created.
            done = request.session.get("assign_done", {})
            if data["idem"] in done:
                return HttpResponseRedirect(reverse("web:task", args=[done[data["idem"]]]))
            coord_due = add_working_days(today(), data["coord_days"] or 5)
            specs = [
                A.CoordinationSpec(unit=u, request_text=data["coord_text"], due=coord_due)
                for u in data["coordinators"]
            ]
            try:
                task = A.do_assign(
                    assigner=person,
                    title=data["title"],
                    lead_unit=data["lead_unit"],
                    lead_person=data["lead_person"],
                    deadline=data["deadline"] if data["deadline_mode"] == "date" else None,
                    working_days=data["working_days"] if data["deadline_mode"] == "days" else None,
                    expected_result=data["expected_result"],
                    priority=data["priority"],
                    source_number=data["source_number"],
                    source_date=data["source_date"],
                    source_issuer=data["source_issuer"],
                    source_excerpt=data["source_excerpt"],
                    ad_hoc=data["ad_hoc"],
                    parent=parent,
                    coordinations=specs,
                )
            except ActionError as exc:
                attach_error(form, exc, shown=("lead_unit", "lead_person"))
            else:
                done[data["idem"]] = task.pk
                request.session["assign_done"] = dict(list(done.items())[-50:])
                messages.success(request, _("Đã giao nhiệm vụ."))
                return HttpResponseRedirect(reverse("web:task", args=[task.pk]))
    else:
        import secrets

        kept = pending_form_data(request)
        initial: dict[str, Any] = {"idem": secrets.token_urlsafe(16)}
        if parent is not None:
            # A sub-task carries out the parent's directive: the same document by default.
            initial.update(
                ad_hoc=parent.is_ad_hoc,
                source_number=parent.source_number,
                source_date=parent.source_date,
                source_issuer=parent.source_issuer,
                source_excerpt=parent.source_excerpt,
            )
        form = AssignForm(kept) if kept is not None else AssignForm(initial=initial)
    return render(
        request,
        "web/tasks/assign.html",
        _assign_context(form, parent),
        status=400 if form.is_bound else 200,
    )


@login_required
@require_GET
def deadline_preview(request: HttpRequest) -> HttpResponse:
    """htmx: the deadline that N working days from today give, shown live in the assign form."""
    raw = request.GET.get("working_days", "")
    day = today()
    context: dict[str, Any] = {"day": day}
    if raw.isdigit() and 1 <= int(raw) <= 365:
        context["n"] = int(raw)
        context["deadline"] = add_working_days(day, int(raw))
    return render(request, "web/tasks/_deadline.html", context)


# --- list ---------------------------------------------------------------------------------


@login_required
@require_GET
def task_list(request: HttpRequest) -> HttpResponse:
    form, tasks, narrow = _listed(request)
    page = paginate(request, tasks, count=lambda: count_visible(get_access(request), narrow))
    page.object_list = with_countdowns(page.object_list)
    # htmx (the filters): only the results are re-rendered.
    template = (
        "web/tasks/_list_results.html" if getattr(request, "htmx", False) else "web/tasks/list.html"
    )
    chosen = form.cleaned_data if form.is_valid() else {}
    return render(
        request,
        template,
        {
            "page_obj": page,
            "form": form,
            "chosen_units": [chosen["don_vi"]] if chosen.get("don_vi") else [],
            "chosen_people": [chosen["nguoi"]] if chosen.get("nguoi") else [],
            "export_query": request.GET.urlencode(),
            "nav_active": "",
        },
    )


EXPORT_HEADERS = [
    gettext_noop("Số nhiệm vụ"),
    gettext_noop("Tên nhiệm vụ"),
    gettext_noop("Số, ký hiệu văn bản"),
    gettext_noop("Ngày văn bản"),
    gettext_noop("Cơ quan ban hành"),
    gettext_noop("Đơn vị chủ trì"),
    gettext_noop("Người chủ trì"),
    gettext_noop("Người giao"),
    gettext_noop("Đơn vị giao"),
    gettext_noop("Thời điểm giao"),
    gettext_noop("Hạn xử lý"),
    gettext_noop("Mức độ ưu tiên"),
    gettext_noop("Trạng thái"),
    gettext_noop("Tiến độ (%)"),
    gettext_noop("Số ngày làm việc còn lại (âm: quá hạn)"),
]


@login_required
@require_GET
def task_export(request: HttpRequest) -> HttpResponse:
    """The task list as filtered and sorted on the page, as XLSX (congvu.web.exports)."""
    from congvu.web.exports import MAX_ROWS, xlsx_response

    tasks = with_countdowns(_listed(request)[1][:MAX_ROWS])
    rows = (
        [
            t.pk,
            t.title,
            t.source_number or _("Giao trực tiếp"),
            t.source_date,
            t.source_issuer,
            t.lead_unit.name,
            t.lead_person.full_name,
            t.assigner.full_name,
            t.assigner_unit.name,
            t.assigned_at,
            t.deadline,
            t.get_priority_display(),
            t.get_status_display(),
            t.progress,
            t.cd.days if t.cd is not None else None,  # type: ignore[attr-defined]
        ]
        for t in tasks
    )
    return xlsx_response(
        "danh-sach-nhiem-vu.xlsx", _("Nhiệm vụ"), [_(h) for h in EXPORT_HEADERS], rows
    )


def _listed(
    request: HttpRequest,
) -> tuple[TaskFilterForm, QuerySet[Task], Callable[[QuerySet[Task]], QuerySet[Task]]]:
    """The tasks as the list shows them, filtered and sorted (the page and its export), with
    the filter form and the filter itself (the page counts with it)."""
    form = TaskFilterForm(request.GET)
    narrow = _task_filter(request, form)
    tasks = narrow(with_names(visible_tasks(get_access(request)))).order_by(*form.ordering())
    return form, tasks, narrow


def _task_filter(
    request: HttpRequest, form: TaskFilterForm
) -> Callable[[QuerySet[Task]], QuerySet[Task]]:
    """The list's filters as one function, applied alike to the page, its count and the export.
    An invalid filter (a bad date) narrows nothing and the form shows why."""
    access = get_access(request)
    data = form.cleaned_data if form.is_valid() else {}

    def narrow(tasks: QuerySet[Task]) -> QuerySet[Task]:
        status = data.get("trang_thai")
        if status == "mo":
            tasks = tasks.exclude(status__in=CLOSED)
        elif status:
            tasks = tasks.filter(status=status)
        if data.get("qua_han"):
            tasks = tasks.overdue(today())  # type: ignore[attr-defined]
        unit = data.get("don_vi")
        if unit is not None and access.can_see_unit(unit):
            tree = tree_as_of()
            tasks = tasks.filter(lead_unit_id__in=tree.with_predecessors(tree.subtree(unit.pk)))
        tasks = filtered(
            tasks,
            data,
            {"nguoi": "lead_person", "han_tu": "deadline__gte", "han_den": "deadline__lte"},
        )
        if data.get("van_ban"):
            tasks = tasks.filter(source_number=data["van_ban"].strip())
        if data.get("co_phat_hien"):
            tasks = tasks.filter(pk__in=_tasks_in_findings(access))
        if data.get("tu_khoa"):
            tasks = containing(tasks, data["tu_khoa"])
        return tasks

    return narrow


def _tasks_in_findings(access: Access) -> list[int]:
    """The tasks cited as evidence by the current findings this person may see."""
    from congvu.web import features

    if not features.detection_enabled():
        return []
    from congvu.detection.models import Finding

    ids: set[int] = set()
    for case_ids in Finding.objects.current().visible_to(access).values_list("case_ids", flat=True):
        ids.update(int(c) for c in case_ids or [])
    return sorted(ids)


# --- attachments --------------------------------------------------------------------------


@login_required
@require_POST
def task_attach(request: HttpRequest, task_id: int) -> HttpResponse:
    task = _get_task_for_user(request, task_id)
    person = get_person(request)
    if person is None or not can_attach(task, person):
        raise PermissionDenied
    form = AttachForm(request.POST, request.FILES)
    form.auto_id = "id_attach_%s"
    taken = run_posted(
        request,
        form,
        lambda data: attach_document(task, person, data["file"], note=data["note"]),
        done=_("Đã đính kèm tài liệu."),
        then=reverse("web:task", args=[task.pk]) + "#h-attach",
    )
    if taken is not None:
        return taken
    return _render_task(request, task, status=400, attach_form=form)


@login_required
@require_GET
def task_attachment(request: HttpRequest, task_id: int, attachment_id: int) -> HttpResponseBase:
    task = _get_task_for_user(request, task_id)
    try:
        row = TaskAttachment.objects.get(pk=attachment_id, task=task)
    except TaskAttachment.DoesNotExist:
        raise Http404 from None
    return FileResponse(row.file.open("rb"), as_attachment=True, filename=row.name)
