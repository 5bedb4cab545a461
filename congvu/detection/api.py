"""Findings and detection runs in the JSON API (same permission layer and error bodies as the
task API): read the findings one may see, run detection on demand, and the due-process steps."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema
from ninja.params.functions import Query

from congvu.detection import review as due
from congvu.detection.actions import run_detection
from congvu.detection.models import DetectionRun, Finding, FindingReview
from congvu.lib.errors import ActionError, ActionPermissionError, NotFoundError
from congvu.org.permissions import Role, access_for
from congvu.tasks.api import ERRORS, MAX_OFFSET, _person

router = Router(tags=["Phát hiện"])

# Running detection is analysis of the whole log: those who oversee work may start it.
MAY_RUN = frozenset({Role.LEADER, Role.HEAD, Role.DEPUTY, Role.HR, Role.INSPECTOR, Role.ADMIN})


class FindingOut(Schema):
    id: int
    period: str
    behaviour: str
    detector: str
    subject_type: str
    subject_code: str
    strength: float
    rate: float | None
    peer_rate: float | None
    sample: int
    sentence: str
    evidence_event_ids: list[int]
    case_ids: list[int]
    cleared: bool
    review_status: str | None
    explanation_due: date | None
    counts: bool


class RunIn(Schema):
    period: str | None = None
    force: bool = False


class RunOut(Schema):
    id: int
    period: str
    state: str
    started_at: datetime
    finished_at: datetime | None
    events: int
    cases: int
    findings_new: int
    findings_updated: int
    findings_cleared: int


class TextIn(Schema):
    text: str


class DecisionIn(Schema):
    confirm: bool
    reason: str


class AppealDecisionIn(Schema):
    uphold: bool
    reason: str


def _finding_out(f: Finding) -> dict[str, Any]:
    r: FindingReview | None = getattr(f, "review", None)
    return {
        "id": f.pk,
        "period": f.period,
        "behaviour": f.behaviour,
        "detector": f.detector,
        "subject_type": f.subject_type,
        "subject_code": f.subject_code,
        "strength": f.strength,
        "rate": f.rate,
        "peer_rate": f.peer_rate,
        "sample": f.sample,
        "sentence": f.sentence,
        "evidence_event_ids": f.evidence_event_ids,
        "case_ids": f.case_ids,
        "cleared": f.cleared_at is not None,
        "review_status": r.status if r else None,
        "explanation_due": r.explanation_due if r else None,
        "counts": bool(r and r.counts),
    }


def _run_out(run: DetectionRun) -> dict[str, Any]:
    fields = ("id", "period", "state", "started_at", "finished_at", "events", "cases")
    out = {f: getattr(run, f) for f in fields}
    out.update(
        findings_new=run.findings_new,
        findings_updated=run.findings_updated,
        findings_cleared=run.findings_cleared,
    )
    return out


def _visible_finding(request: HttpRequest, finding_id: int) -> Finding:
    person = _person(request)
    finding = Finding.objects.select_related("review").filter(pk=finding_id).first()
    if finding is None or not due.can_see_finding(person, finding):
        raise NotFoundError(f"Không tìm thấy phát hiện #{finding_id} trong phạm vi bạn được xem.")
    return finding


@router.get("/findings", response={200: list[FindingOut], **ERRORS})
def list_findings(
    request: HttpRequest,
    period: str = "",
    behaviour: str = "",
    limit: int = 50,
    offset: int = Query(0, ge=-MAX_OFFSET, le=MAX_OFFSET),  # negative: from the start
) -> list[dict[str, Any]]:
    """Findings visible to the caller: about units whose work they see, and about people whose
    evaluations they may see (the person themself, their leaders, HR and inspectors in scope)."""
    person = _person(request)
    access = access_for(person)
    qs = (
        Finding.objects.select_related("review").filter(
            subject_unit_id__in=access.read_unit_ids, subject_type=Finding.SubjectType.UNIT
        )
        | Finding.objects.select_related("review").filter(
            context_unit_id__in=access.evaluation_unit_ids, subject_type=Finding.SubjectType.PERSON
        )
        | Finding.objects.select_related("review").filter(subject_person=person)
    )
    if period:
        qs = qs.filter(period=period)
    if behaviour:
        qs = qs.filter(behaviour=behaviour)
    limit = max(1, min(limit, 200))
    return [
        _finding_out(f)
        for f in qs.order_by("-strength", "id")[max(offset, 0) : max(offset, 0) + limit]
    ]


@router.get("/findings/{int:finding_id}", response={200: FindingOut, **ERRORS})
def get_finding(request: HttpRequest, finding_id: int) -> dict[str, Any]:
    return _finding_out(_visible_finding(request, finding_id))


def _review(request: HttpRequest, finding_id: int) -> FindingReview:
    finding = _visible_finding(request, finding_id)
    review: FindingReview | None = getattr(finding, "review", None)
    if review is None:
        raise ActionError("no_review", "Phát hiện này chưa có quy trình xem xét.")
    return review


def _step(
    request: HttpRequest, finding_id: int, do: Callable[..., FindingReview], **inputs: Any
) -> dict[str, Any]:
    """One step of a finding's review by the caller (`do` is its action), answered with the
    finding as it now stands."""
    return _finding_out(do(_review(request, finding_id), _person(request), **inputs).finding)


@router.post("/findings/{int:finding_id}/explain", response={200: FindingOut, **ERRORS})
def explain(request: HttpRequest, finding_id: int, body: TextIn) -> dict[str, Any]:
    return _step(request, finding_id, due.do_explain, text=body.text)


@router.post("/findings/{int:finding_id}/decide", response={200: FindingOut, **ERRORS})
def decide(request: HttpRequest, finding_id: int, body: DecisionIn) -> dict[str, Any]:
    return _step(request, finding_id, due.do_decide, confirm=body.confirm, reason=body.reason)


@router.post("/findings/{int:finding_id}/appeal", response={200: FindingOut, **ERRORS})
def appeal(request: HttpRequest, finding_id: int, body: TextIn) -> dict[str, Any]:
    return _step(request, finding_id, due.do_appeal, text=body.text)


@router.post("/findings/{int:finding_id}/appeal-decision", response={200: FindingOut, **ERRORS})
def decide_appeal(request: HttpRequest, finding_id: int, body: AppealDecisionIn) -> dict[str, Any]:
    return _step(request, finding_id, due.do_decide_appeal, uphold=body.uphold, reason=body.reason)


@router.get("/detection/runs", response={200: list[RunOut], **ERRORS})
def list_runs(request: HttpRequest, limit: int = 20) -> list[dict[str, Any]]:
    _person(request)
    return [
        _run_out(r) for r in DetectionRun.objects.order_by("-started_at")[: max(1, min(limit, 100))]
    ]


@router.post("/detection/runs", response={200: RunOut, **ERRORS})
def start_run(request: HttpRequest, body: RunIn) -> dict[str, Any]:
    """Run detection now over one quarter (default: the current one). Skipped, returning the
    previous run, when the log has no new events for that quarter (unless force)."""
    person = _person(request)
    if not (access_for(person).roles & MAY_RUN):
        raise ActionPermissionError(
            "Chỉ lãnh đạo, Sở Nội vụ, thanh tra hoặc quản trị mới được chạy phát hiện."
        )
    run = run_detection(body.period or timezone.localdate(), trigger="api", force=body.force)
    return _run_out(run)
