"""Data-subject requests (the only writer of SubjectRequest) and what an access request gets.

Deadlines are working days (congvu.workdays) counted from the day after receipt (Civil Code
Art. 147), from the privacy policy in force on the day of receipt: a request keeps the rule
it was filed under. Each step appends a sealed event of subject "privacy_request" to the
generic sealed log.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.apps import apps
from django.db import transaction
from django.utils import translation

from congvu.lib.errors import ActionError, ActionPermissionError
from congvu.org.models import Person, today
from congvu.org.permissions import access_for
from congvu.privacy import audit
from congvu.privacy.access import KIND_LABELS
from congvu.privacy.models import AccessEntry, Policy, SubjectRequest, policy_params
from congvu.privacy.permissions import handles_requests_of
from congvu.workdays.calendar import get_calendar

R = SubjectRequest


def _text(value: str, what: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ActionError("required", f"Cần nêu {what}.", field="text")
    return value


@transaction.atomic
def do_file_request(person: Person, *, kind: str, text: str, on: date | None = None) -> R:
    if kind not in R.Kind.values:
        raise ActionError("kind", f"Loại yêu cầu “{kind}” không hợp lệ.", field="kind")
    on = on or today()
    policy, params = policy_params(Policy.Topic.PRIVACY, on)
    days = int(params["answer_working_days"][kind])
    r = R.objects.create(
        person=person,
        kind=kind,
        text=_text(text, "nội dung yêu cầu"),
        filed_on=on,
        due_on=get_calendar().add_working_days(on, days),
        policy=policy,
    )
    audit.record(
        "privacy_request",
        r.pk,
        "filed",
        person,
        {"kind": kind, "due_on": r.due_on, "policy": policy.code},
    )
    return r


def personal_data_of(person: Person) -> dict[str, Any]:
    """What the system holds about a person, for an access request: identity, evaluations,
    findings and their review, who viewed them (identities not yet erased), earlier requests."""
    Evaluation = apps.get_model("evaluation", "Evaluation")
    Finding = apps.get_model("detection", "Finding")
    evaluations = [
        {
            "ky": e.period_label,
            "tu": e.start,
            "den": e.end,
            "trang_thai": e.get_status_display(),
            "diem": e.total_score,
            "xep_loai": e.final_level or e.decided_level or e.proposed_level,
        }
        for e in Evaluation.objects.filter(person=person).order_by("start")
    ]
    findings = [
        {
            "hanh_vi": f.get_behaviour_display(),
            "ky": f.period,
            "noi_dung": f.sentence,
            "xem_xet": getattr(getattr(f, "review", None), "status", ""),
        }
        for f in Finding.objects.filter(subject_person=person).order_by("period_start")
    ]
    views = [
        {
            "luc": a.at,
            "noi_dung": KIND_LABELS.get(a.kind, a.kind),
            "nguoi_xem": a.viewer.full_name if a.viewer else "(đã xóa theo thời hạn lưu)",
        }
        for a in AccessEntry.objects.filter(subject=person).select_related("viewer")
    ]
    return {
        "ca_nhan": {"ma": person.code, "ho_ten": person.full_name, "email": person.email},
        "danh_gia": evaluations,
        "phat_hien": findings,
        "luot_xem": views,
        "yeu_cau_truoc": [
            {"loai": r.get_kind_display(), "ngay": r.filed_on, "trang_thai": r.get_status_display()}
            for r in person.data_requests.all()
        ],
    }


@transaction.atomic
def do_answer_request(
    request: R | int,
    officer: Person | None,
    *,
    answer: str,
    refuse: bool = False,
    superuser: bool = False,
    on: date | None = None,
) -> R:
    r = (
        R.objects.select_for_update()
        .select_related("person")
        .get(pk=request if isinstance(request, int) else request.pk)
    )
    if not handles_requests_of(access_for(officer, superuser=superuser), r.person):
        raise ActionPermissionError("Chỉ bộ phận tổ chức cán bộ phụ trách mới trả lời yêu cầu này.")
    if r.status != R.Status.OPEN:
        raise ActionError("closed", "Yêu cầu đã được trả lời.")
    r.answer = _text(answer, "nội dung trả lời" if not refuse else "lý do từ chối")
    r.status = R.Status.REFUSED if refuse else R.Status.ANSWERED
    if r.kind == R.Kind.ACCESS and not refuse:
        # Stored as the JSON column gives it back: the answer is what the person received.
        # Stored with the answer, so in Vietnamese whatever the officer's language (labels
        # that pages translate, get_*_display, come out as stored).
        with translation.override("vi"):
            r.answer_data = audit.normalise(personal_data_of(r.person))
    r.answered_by, r.answered_on = officer, on or today()
    r.save(update_fields=["answer", "status", "answer_data", "answered_by", "answered_on"])
    audit.record(
        "privacy_request",
        r.pk,
        r.status,
        officer,
        {"answered_on": r.answered_on, "in_time": r.answered_in_time},
    )
    return r


def overdue_requests(on: date | None = None) -> list[R]:
    return list(R.objects.filter(status=R.Status.OPEN, due_on__lt=on or today()))
