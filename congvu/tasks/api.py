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

from congvu.lib.errors import ActionError, ActionPermissionError
from congvu.org.models import Person, Unit, person_for_user
from congvu.org.permissions import access_for_user
from congvu.tasks import actions
from congvu.tasks.events import TRANSFER_REASONS
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


class ReasonIn(Versioned):
    reason: str = ""


class DeclineIn(ReasonIn):
    proposed_unit_id: int | None = None


class TransferIn(ReasonIn):
    to_unit_id: int
    to_person_id: int
    reason_code: str = Field(description="Một trong: " + ", ".join(TRANSFER_REASONS))


class ReassignIn(ReasonIn):
    to_unit_id: int
    to_person_id: int


class ProgressIn(Versioned):
    percent: int
    text: str = ""


class TextIn(Versioned):
    text: str = ""


class SubmitIn(Versioned):
    result: str = ""


class CoordinationRequestIn(Versioned):
    unit_id: int
    request_text: str = ""
    due: date


class CoordinationAnswerIn(Versioned):
    position: str
    text: str = ""


class ExtensionIn(ReasonIn):
    new_deadline: date


class GrantIn(Versioned):
    new_deadline: date | None = None
    comment: str = ""


class PauseIn(ReasonIn):
    reason_code: str
    regulation: str = ""
    waiting_on_unit_id: int | None = None
    waiting_on_task_id: int | None = None


class OpinionIn(Versioned):
    superior_id: int
    question: str = ""
    within_authority: bool | None = None


class OpinionAnswerIn(Versioned):
    opinion: str = ""
    within_authority: bool | None = None


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
        if access.is_superuser
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


@_post("accept", "Tiếp nhận")
def accept(request: HttpRequest, task_id: int, body: Versioned) -> dict[str, Any]:
    actions.do_accept(task_id, _person(request), expected_version=body.version)
    return _done(task_id)


@_post("decline", "Từ chối (lý do bắt buộc, đề xuất đơn vị có thẩm quyền)")
def decline(request: HttpRequest, task_id: int, body: DeclineIn) -> dict[str, Any]:
    person = _person(request)
    proposed = _unit(body.proposed_unit_id, "proposed_unit_id") if body.proposed_unit_id else None
    actions.do_decline(
        task_id, person, reason=body.reason, proposed_unit=proposed, expected_version=body.version
    )
    return _done(task_id)


@_post("transfer", "Chuyển xử lý (lý do bắt buộc)")
def transfer(request: HttpRequest, task_id: int, body: TransferIn) -> dict[str, Any]:
    actions.do_transfer(
        task_id,
        _person(request),
        to_unit=_unit(body.to_unit_id, "to_unit_id"),
        to_person=_someone(body.to_person_id, "to_person_id"),
        reason_code=body.reason_code,
        reason=body.reason,
        expected_version=body.version,
    )
    return _done(task_id)


@_post("return", "Trả lại người chuyển (lý do bắt buộc)")
def return_to_sender(request: HttpRequest, task_id: int, body: ReasonIn) -> dict[str, Any]:
    actions.do_return(task_id, _person(request), reason=body.reason, expected_version=body.version)
    return _done(task_id)


@_post("reassign", "Đổi đơn vị/người chủ trì (người giao)")
def reassign(request: HttpRequest, task_id: int, body: ReassignIn) -> dict[str, Any]:
    actions.do_reassign_lead(
        task_id,
        _person(request),
        to_unit=_unit(body.to_unit_id, "to_unit_id"),
        to_person=_someone(body.to_person_id, "to_person_id"),
        reason=body.reason,
        expected_version=body.version,
    )
    return _done(task_id)


@_post("progress", "Báo cáo tiến độ")
def progress(request: HttpRequest, task_id: int, body: ProgressIn) -> dict[str, Any]:
    actions.do_report_progress(
        task_id,
        _person(request),
        percent=body.percent,
        text=body.text,
        expected_version=body.version,
    )
    return _done(task_id)


@_post("submit", "Trình kết quả")
def submit(request: HttpRequest, task_id: int, body: SubmitIn) -> dict[str, Any]:
    actions.do_submit(task_id, _person(request), result=body.result, expected_version=body.version)
    return _done(task_id)


@_post("approve", "Phê duyệt kết quả")
def approve(request: HttpRequest, task_id: int, body: TextIn) -> dict[str, Any]:
    actions.do_approve(task_id, _person(request), comment=body.text, expected_version=body.version)
    return _done(task_id)


@_post("rework", "Yêu cầu làm lại (lý do bắt buộc)")
def rework(request: HttpRequest, task_id: int, body: ReasonIn) -> dict[str, Any]:
    actions.do_request_rework(
        task_id, _person(request), reason=body.reason, expected_version=body.version
    )
    return _done(task_id)


@_post("complete", "Kết thúc nhiệm vụ")
def complete(request: HttpRequest, task_id: int, body: Versioned) -> dict[str, Any]:
    actions.do_complete(task_id, _person(request), expected_version=body.version)
    return _done(task_id)


@_post("cancel", "Hủy nhiệm vụ (lý do bắt buộc)")
def cancel(request: HttpRequest, task_id: int, body: ReasonIn) -> dict[str, Any]:
    actions.do_cancel(task_id, _person(request), reason=body.reason, expected_version=body.version)
    return _done(task_id)


@_post("remind", "Đôn đốc")
def remind(request: HttpRequest, task_id: int, body: TextIn) -> dict[str, Any]:
    actions.do_remind(task_id, _person(request), text=body.text, expected_version=body.version)
    return _done(task_id)


@_post("coordination", "Đề nghị đơn vị phối hợp")
def request_coordination(
    request: HttpRequest, task_id: int, body: CoordinationRequestIn
) -> dict[str, Any]:
    actions.do_request_coordination(
        task_id,
        _person(request),
        unit=_unit(body.unit_id, "unit_id"),
        request_text=body.request_text,
        due=body.due,
        expected_version=body.version,
    )
    return _done(task_id)


@_post("coordination/{int:request_seq}/answer", "Trả lời phối hợp (agree / disagree / none)")
def answer_coordination(
    request: HttpRequest, task_id: int, request_seq: int, body: CoordinationAnswerIn
) -> dict[str, Any]:
    actions.do_answer_coordination(
        task_id,
        _person(request),
        request_seq=request_seq,
        position=body.position,
        text=body.text,
        expected_version=body.version,
    )
    return _done(task_id)


@_post("extension", "Xin gia hạn (lý do bắt buộc)")
def request_extension(request: HttpRequest, task_id: int, body: ExtensionIn) -> dict[str, Any]:
    actions.do_request_extension(
        task_id,
        _person(request),
        new_deadline=body.new_deadline,
        reason=body.reason,
        expected_version=body.version,
    )
    return _done(task_id)


@_post("extension/grant", "Đồng ý gia hạn (người giao)")
def grant_extension(request: HttpRequest, task_id: int, body: GrantIn) -> dict[str, Any]:
    actions.do_grant_extension(
        task_id,
        _person(request),
        new_deadline=body.new_deadline,
        comment=body.comment,
        expected_version=body.version,
    )
    return _done(task_id)


@_post("extension/refuse", "Không đồng ý gia hạn (lý do bắt buộc)")
def refuse_extension(request: HttpRequest, task_id: int, body: ReasonIn) -> dict[str, Any]:
    actions.do_refuse_extension(
        task_id, _person(request), reason=body.reason, expected_version=body.version
    )
    return _done(task_id)


@_post("pause", "Tạm dừng (mã lý do và lý do bắt buộc)")
def pause(request: HttpRequest, task_id: int, body: PauseIn) -> dict[str, Any]:
    waiting_task = (
        _visible_task(request, body.waiting_on_task_id)
        if body.waiting_on_task_id is not None
        else None
    )
    waiting_unit = (
        _unit(body.waiting_on_unit_id, "waiting_on_unit_id")
        if body.waiting_on_unit_id is not None
        else None
    )
    actions.do_pause(
        task_id,
        _person(request),
        reason_code=body.reason_code,
        reason=body.reason,
        regulation=body.regulation,
        waiting_on_unit=waiting_unit,
        waiting_on_task=waiting_task,
        expected_version=body.version,
    )
    return _done(task_id)


@_post("pause/review", "Xác nhận lý do tạm dừng")
def review_pause(request: HttpRequest, task_id: int, body: TextIn) -> dict[str, Any]:
    actions.do_review_pause(
        task_id, _person(request), comment=body.text, expected_version=body.version
    )
    return _done(task_id)


@_post("resume", "Tiếp tục thực hiện")
def resume(request: HttpRequest, task_id: int, body: TextIn) -> dict[str, Any]:
    actions.do_resume(task_id, _person(request), text=body.text, expected_version=body.version)
    return _done(task_id)


@_post("opinion", "Xin ý kiến cấp trên (nội dung bắt buộc)")
def request_opinion(request: HttpRequest, task_id: int, body: OpinionIn) -> dict[str, Any]:
    actions.do_request_opinion(
        task_id,
        _person(request),
        superior=_someone(body.superior_id, "superior_id"),
        question=body.question,
        within_authority=body.within_authority,
        expected_version=body.version,
    )
    return _done(task_id)


@_post("opinion/{int:request_seq}/answer", "Cho ý kiến")
def give_opinion(
    request: HttpRequest, task_id: int, request_seq: int, body: OpinionAnswerIn
) -> dict[str, Any]:
    actions.do_give_opinion(
        task_id,
        _person(request),
        request_seq=request_seq,
        opinion=body.opinion,
        within_authority=body.within_authority,
        expected_version=body.version,
    )
    return _done(task_id)


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
