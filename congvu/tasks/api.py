"""JSON API v1 (django-ninja): reading tasks, events and units, every workflow action, import.

Views are thin: parse, look up, call one `do_*` action, serialise. Authentication is a bearer
token (ApiToken, `manage.py create_api_token USER`) or the web session. Permissions are the
same `access_for` layer the web pages use, applied inside the actions. Errors are
`{code, message, field}` with the HTTP status of the ActionError.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date, datetime
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from ninja import Field, File, Form, NinjaAPI, Schema
from ninja import Status as Reply
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError
from ninja.files import UploadedFile
from ninja.params.functions import Query
from ninja.security import HttpBearer, SessionAuth
from pydantic import create_model

from congvu.lib.errors import ActionError, ActionPermissionError
from congvu.org.models import Person, Unit, person_for_user
from congvu.org.permissions import access_for_user
from congvu.tasks import actions, steps
from congvu.tasks.importer import import_tasks
from congvu.tasks.models import ApiToken, Status, Task, event_dict
from congvu.tasks.state import VN_TZ, TaskState
from congvu.tasks.throttling import API_THROTTLES, anon_call_refused

F = TypeVar("F", bound=Callable[..., Any])

# Paging bounds: a larger offset overflowed the database's bigint (a 500, issue #12, break 8);
# now 422 with the allowed range. No list holds a billion rows.
MAX_OFFSET = 1_000_000_000


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        found = ApiToken.objects.for_secret(token).select_related("user").first()
        if found is None or not found.user.is_active:
            return None
        ApiToken.objects.filter(pk=found.pk).update(last_used_at=timezone.now())
        user: User = found.user
        request.user = user
        return user


class SecondFactorSessionAuth(SessionAuth):
    """The web session, but only once it has given its one-time code where one is owed: the
    middleware already answers 403 under /api/; this keeps the rule if the API is mounted
    elsewhere (issue #12, break 1)."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any | None:
        from congvu.twofactor.middleware import second_factor_missing

        user = super().authenticate(request, key)
        if user is None or second_factor_missing(request):
            return None
        return user


def _signed_in_only(view: F) -> F:
    """The OpenAPI schema and its page: for a session that may use the API or a valid token
    (the schema lists every operation and field; no reason to hand it to strangers)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        token = request.headers.get("Authorization", "")
        scheme, _, secret = token.partition(" ")
        ok = SecondFactorSessionAuth()(request) is not None or (
            scheme.lower() == "bearer" and TokenAuth().authenticate(request, secret) is not None
        )
        if not ok:
            return JsonResponse(
                {
                    "code": "unauthenticated",
                    "message": "Cần đăng nhập hoặc token hợp lệ.",
                    "field": None,
                },
                status=401,
            )
        response: HttpResponse = view(request, *args, **kwargs)
        return response

    return wrapped  # type: ignore[return-value]


api = NinjaAPI(
    title="Công Vụ API",
    version="1",
    description="Giao việc, theo dõi nhiệm vụ và nhật ký sự kiện. Xem docs/api.md.",
    auth=[TokenAuth(), SecondFactorSessionAuth()],
    docs_decorator=_signed_in_only,
    throttle=API_THROTTLES,
    urls_namespace="api-v1",
)


def _error(
    request: HttpRequest, status: int, code: str, message: str, field: str | None = None
) -> HttpResponse:
    return api.create_response(
        request, {"code": code, "message": message, "field": field}, status=status
    )


@api.exception_handler(ActionError)
def _action_error(request: HttpRequest, exc: ActionError) -> HttpResponse:
    return _error(request, exc.status, exc.code, exc.message, exc.field)


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    first: dict[str, Any] = exc.errors[0] if exc.errors else {}
    loc = [str(p) for p in first.get("loc", []) if p not in ("body", "payload", "query", "form")]
    return _error(
        request,
        422,
        "invalid",
        f"Dữ liệu không hợp lệ: {first.get('msg', '')}.",
        ".".join(loc) or None,
    )


def _too_many(request: HttpRequest, wait: float | None) -> HttpResponse:
    seconds = max(1, math.ceil(wait or 1))
    response = _error(
        request,
        429,
        "rate_limited",
        f"Quá nhiều yêu cầu trong thời gian ngắn. Vui lòng thử lại sau {seconds} giây.",
    )
    response["Retry-After"] = str(seconds)
    return response


@api.exception_handler(Throttled)
def _throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
    return _too_many(request, exc.wait)


@api.exception_handler(AuthenticationError)
def _auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    # Calls without valid credentials count against their address (token guessing, loops).
    wait = anon_call_refused(request)
    if wait is not None:
        return _too_many(request, wait)
    return _error(request, 401, "unauthenticated", "Cần đăng nhập hoặc token hợp lệ.")


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return _error(request, exc.status_code, "http_error", str(exc))


@csrf_exempt  # like the API's own views: no session form is involved
def not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    """Any other address under /api/: a JSON 404 like the API's own, not the HTML page."""
    return _error(request, 404, "not_found", "Không có địa chỉ API này.")


# --- schemas ------------------------------------------------------------------------------


class ErrorOut(Schema):
    code: str
    message: str
    field: str | None


class UnitOut(Schema):
    id: int
    code: str
    name: str
    parent_id: int | None
    unit_type: str


class CoordinationOut(Schema):
    unit_id: int
    request_seq: int
    request_text: str
    due: date
    answered_at: datetime | None
    position: str
    answer_text: str


class TaskOut(Schema):
    id: int
    title: str
    source: str
    source_number: str
    source_date: date | None
    source_issuer: str
    source_excerpt: str
    expected_result: str
    priority: int
    status: str
    status_label: str
    assigner_id: int
    assigner_unit_id: int
    lead_unit_id: int
    lead_person_id: int
    parent_id: int | None
    assigned_at: datetime
    deadline: date
    progress: int
    rolled_up_progress: int
    overdue: bool
    timeliness: str | None
    version: int
    coordinations: list[CoordinationOut]


class EventOut(Schema):
    seq: int
    type: str
    type_code: int
    label: str
    at: datetime
    actor_id: int | None
    unit_id: int | None
    target_person_id: int | None
    target_unit_id: int | None
    reason_code: str
    reason_text: str
    payload: dict[str, Any]


COORDINATION_FIELDS = (
    "unit_id",
    "request_seq",
    "request_text",
    "due",
    "answered_at",
    "position",
    "answer_text",
)


def _task_out(task: Task, state: TaskState | None = None) -> dict[str, Any]:
    state = state or actions.task_state(task)
    today = timezone.now().astimezone(VN_TZ).date()
    return {
        **{
            f: getattr(task, f)
            for f in (
                "id",
                "title",
                "source_number",
                "source_date",
                "source_issuer",
                "source_excerpt",
                "expected_result",
                "priority",
                "status",
                "assigner_id",
                "assigner_unit_id",
                "lead_unit_id",
                "lead_person_id",
                "parent_id",
                "assigned_at",
                "deadline",
                "progress",
                "version",
            )
        },
        "source": task.source_label,
        "status_label": Status(task.status).label,
        "rolled_up_progress": actions.rolled_up_progress(task),
        "overdue": state.is_overdue(today),
        "timeliness": state.timeliness(today),
        "coordinations": [
            {f: getattr(c, f) for f in COORDINATION_FIELDS} for c in task.coordinations.all()
        ],
    }


class Versioned(Schema):
    version: int | None = Field(None, description="Phiên bản đã đọc; sai lệch → 409 stale_version")


class AssignIn(Schema):
    title: str
    lead_unit_id: int
    lead_person_id: int
    deadline: date | None = None
    working_days: int | None = Field(None, description="Thay cho deadline: số ngày làm việc")
    expected_result: str = ""
    priority: int = 2
    source_number: str = ""
    source_date: date | None = None
    source_issuer: str = ""
    source_excerpt: str = ""
    ad_hoc: bool = False
    parent_id: int | None = None
    coordinations: list[CoordinationIn] = []


class CoordinationIn(Schema):
    unit_id: int
    request_text: str
    due: date


AssignIn.model_rebuild()


class ImportIssueOut(Schema):
    row: int
    column: str
    message: str


class ImportSkippedOut(Schema):
    row: int
    task_id: int


class ImportOut(Schema):
    rows: int
    valid: int
    created: list[int]
    skipped: list[ImportSkippedOut]
    dry_run: bool
    issues: list[ImportIssueOut]


# --- lookups ------------------------------------------------------------------------------


def _person(request: HttpRequest) -> Person:
    person = person_for_user(request.user)  # type: ignore[arg-type]
    if person is None:
        raise ActionPermissionError("Tài khoản này không gắn với cán bộ nào.")
    return person


def _unit(unit_id: int | None, field: str) -> Unit:
    unit: Unit | None = Unit.objects.filter(pk=unit_id).first() if unit_id is not None else None
    if unit is None:
        raise ActionError("unknown_unit", f"Không tìm thấy đơn vị #{unit_id}.", field=field)
    return unit


def _someone(person_id: int, field: str) -> Person:
    person: Person | None = Person.objects.filter(pk=person_id).first()
    if person is None:
        raise ActionError("unknown_person", f"Không tìm thấy cán bộ #{person_id}.", field=field)
    return person


def _visible_task(request: HttpRequest, task_id: int) -> Task:
    task: Task | None = Task.objects.filter(pk=task_id).first()
    if task is None or not actions.can_see_task(task, access_for_user(request.user)):
        raise actions.OutOfScopeError()
    return task


def _done(task_id: int) -> dict[str, Any]:
    return _task_out(Task.objects.get(pk=task_id))


ERRORS: dict[int, type[Schema]] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
    429: ErrorOut,
}


# --- reading ------------------------------------------------------------------------------


@api.get("/units", response=list[UnitOut], tags=["Đơn vị"])
def list_units(request: HttpRequest, search: str = "") -> list[dict[str, Any]]:
    units = Unit.objects.search(search) if search else Unit.objects.all()
    units = units.filter(valid_to__isnull=True).select_related("unit_type")
    return [
        {
            "id": u.pk,
            "code": u.code,
            "name": u.name,
            "parent_id": u.parent_id,
            "unit_type": u.unit_type.code,
        }
        for u in units
    ]


@api.get("/tasks", response={200: list[TaskOut], **ERRORS}, tags=["Nhiệm vụ"])
def list_tasks(
    request: HttpRequest,
    status: str = "",
    unit_id: int | None = None,
    limit: int = 50,
    offset: int = Query(0, ge=-MAX_OFFSET, le=MAX_OFFSET),  # negative: from the start
) -> list[dict[str, Any]]:
    access = access_for_user(request.user)
    person = person_for_user(request.user)  # type: ignore[arg-type]
    tasks = (
        Task.objects.all()
        if access.sees_everything
        else Task.objects.visible_to(access.read_unit_ids, person.pk if person else None)
    )
    if status:
        tasks = tasks.filter(status=status)
    if unit_id is not None:
        tasks = tasks.filter(lead_unit_id=unit_id)
    limit, offset = max(1, min(limit, 500)), max(0, offset)
    page = list(tasks.order_by("-id").prefetch_related("coordinations")[offset : offset + limit])
    states = actions.task_states([t.pk for t in page])  # one query for all the replays
    return [_task_out(t, states[t.pk]) for t in page]


@api.get("/tasks/{int:task_id}", response={200: TaskOut, **ERRORS}, tags=["Nhiệm vụ"])
def get_task(request: HttpRequest, task_id: int) -> dict[str, Any]:
    return _task_out(_visible_task(request, task_id))


@api.get("/tasks/{int:task_id}/events", response={200: list[EventOut], **ERRORS}, tags=["Nhiệm vụ"])
def get_events(request: HttpRequest, task_id: int) -> list[dict[str, Any]]:
    task = _visible_task(request, task_id)
    return [event_dict(e) for e in task.events.order_by("seq")]


# --- actions ------------------------------------------------------------------------------


@api.post("/tasks", response={201: TaskOut, **ERRORS}, tags=["Thao tác"])
def assign(request: HttpRequest, body: AssignIn) -> Reply[dict[str, Any]]:
    parent = _visible_task(request, body.parent_id) if body.parent_id is not None else None
    task = actions.do_assign(
        assigner=_person(request),
        title=body.title,
        lead_unit=_unit(body.lead_unit_id, "lead_unit_id"),
        lead_person=_someone(body.lead_person_id, "lead_person_id"),
        deadline=body.deadline,
        working_days=body.working_days,
        expected_result=body.expected_result,
        priority=body.priority,
        source_number=body.source_number,
        source_date=body.source_date,
        source_issuer=body.source_issuer,
        source_excerpt=body.source_excerpt,
        ad_hoc=body.ad_hoc,
        parent=parent,
        coordinations=[
            actions.CoordinationSpec(
                _unit(c.unit_id, f"coordinations.{i}.unit_id"), c.request_text, c.due
            )
            for i, c in enumerate(body.coordinations)
        ],
    )
    return Reply(201, _task_out(task))


def _post(path: str, summary: str) -> Callable[[F], F]:
    return api.post(
        f"/tasks/{{int:task_id}}/{path}",
        response={200: TaskOut, **ERRORS},
        tags=["Thao tác"],
        summary=summary,
    )


# --- one endpoint per workflow step (congvu.tasks.steps) -----------------------------------

# The payload type of each kind of step input (ids for what the action takes as an object).
_REQUIRED: dict[str, Any] = {"int": int, "date": date, "choice": str, "text": str}
_OPTIONAL: dict[str, Any] = {"int": int | None, "date": date | None, "bool": bool | None}
# Names the published payload schemas have in the OpenAPI document (kept for clients).
_SCHEMA_NAMES = {"accept": "Versioned", "complete": "Versioned"}


def _payload_schema(step: steps.Step) -> type[Schema]:
    fields: dict[str, Any] = {}
    for i in step.inputs:
        if i.kind == "seq":  # in the path
            continue
        kind = "int" if i.kind in ("unit", "person", "task") else i.kind
        about = Field(description="Một trong: " + ", ".join(i.choices)) if i.choices else None
        if i.required:
            fields[i.api_name] = (_REQUIRED[kind], about if about is not None else ...)
        elif kind in ("text", "choice"):
            fields[i.api_name] = (str, i.default if i.default is not None else "")
        elif kind == "bool" and i.default is not None:
            fields[i.api_name] = (bool, i.default)
        else:
            fields[i.api_name] = (_OPTIONAL[kind], None)
    name = _SCHEMA_NAMES.get(step.key, "".join(w.title() for w in step.key.split("_")) + "In")
    if not fields:
        return Versioned
    schema: type[Schema] = create_model(name, __base__=Versioned, **fields)
    return schema


def _step_data(
    request: HttpRequest, step: steps.Step, body: Any, request_seq: int | None
) -> dict[str, Any]:
    """The payload as the action's arguments: ids looked up (a wrong one names its field)."""
    data: dict[str, Any] = {}
    for i in step.inputs:
        value = request_seq if i.kind == "seq" else getattr(body, i.api_name)
        if value is not None and i.kind == "unit":
            value = _unit(value, i.api_name) if value else None
        elif value is not None and i.kind == "person":
            value = _someone(value, i.api_name)
        elif value is not None and i.kind == "task":
            value = _visible_task(request, value)
        data[i.name] = value
    return data


def _step_endpoint(step: steps.Step) -> None:
    body_type = _payload_schema(step)

    def run(request: HttpRequest, task_id: int, body: Any, request_seq: int | None) -> Any:
        data = _step_data(request, step, body, request_seq)
        step.run(task_id, _person(request), data, body.version)
        return _done(task_id)

    def view(request: HttpRequest, task_id: int, body: Any) -> Any:
        return run(request, task_id, body, None)

    def per_request(request: HttpRequest, task_id: int, request_seq: int, body: Any) -> Any:
        return run(request, task_id, body, request_seq)

    endpoint = per_request if step.per_request else view
    # django-ninja reads the payload type from the annotation; the operation id from the name.
    endpoint.__annotations__ = {**endpoint.__annotations__, "body": body_type}
    endpoint.__name__ = "return_to_sender" if step.key == "return" else step.key
    _post(step.path, step.summary)(endpoint)


for _step in steps.STEPS:
    _step_endpoint(_step)


@api.post(
    "/tasks/import",
    # 400: the rows' issues (ImportOut), or an unreadable file (ErrorOut, code bad_file).
    response={**ERRORS, 200: ImportOut, 400: ImportOut | ErrorOut},
    tags=["Thao tác"],
    summary="Nhập nhiệm vụ từ xlsx/csv (kiểm tra tất cả, không ghi gì nếu có dòng lỗi)",
)
def import_file(
    request: HttpRequest, file: File[UploadedFile], dry_run: Form[bool] = False
) -> Reply[dict[str, Any]]:
    report = import_tasks(
        file.name or "upload.csv", file.read(), assigner=_person(request), dry_run=dry_run
    )
    body = {
        "rows": report.rows,
        "valid": report.valid,
        "created": report.created,
        "skipped": [{"row": r, "task_id": t} for r, t in report.skipped],
        "dry_run": report.dry_run,
        "issues": [{"row": i.row, "column": i.column, "message": i.message} for i in report.issues],
    }
    return Reply(400 if report.issues else 200, body)
