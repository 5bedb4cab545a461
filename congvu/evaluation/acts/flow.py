"""The flow of a period: self-assessment, collective comments, proposal, decision,
finalisation, corrections and appeals."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from congvu.evaluation import authority, scoring, services
from congvu.evaluation.acts.common import S, _lock, _log, _require_open, _require_self, _today
from congvu.evaluation.models import (
    Appeal,
    Evaluation,
    EvaluationDecision,
    Level,
)
from congvu.evaluation.schemes import scheme_of
from congvu.lib.errors import ActionError, ActionPermissionError
from congvu.org.models import Person
from congvu.org.permissions import access_for

# --- the flow -------------------------------------------------------------------------------


@transaction.atomic
def do_self_assess(
    evaluation: Evaluation,
    *,
    actor: Person,
    sheet: dict[str, Any] | None = None,
    comment: str = "",
    level: str = "",
) -> Evaluation:
    """The person's self-assessment: general criteria (ND 335 periods) or criteria (ND 90)."""
    evaluation = _lock(evaluation)
    _require_self(evaluation, actor)
    _require_open(evaluation, [S.DRAFT, S.SELF_ASSESSED])
    sheet = sheet or {}
    result = services.score(evaluation, sheet, partial=True)
    self_level = result.level or ""
    if level:
        if level not in Level.values:
            raise ActionError("invalid_level", "Mức xếp loại không hợp lệ.", field="level")
        self_level = level
    scheme_of(evaluation.rule_set).store_sheet(evaluation, "self", sheet)
    evaluation.self_comment = comment
    evaluation.self_level = self_level
    evaluation.status = S.SELF_ASSESSED
    evaluation.save(
        update_fields=["criteria", "general_self", "self_comment", "self_level", "status"]
    )
    _log(
        evaluation,
        "self_assessed",
        actor,
        {
            "sheet": sheet,
            "total": str(result.total) if result.total is not None else None,
            "level": self_level,
        },
    )
    return evaluation


@transaction.atomic
def do_record_collective_comments(
    evaluation: Evaluation, *, actor: Person, comments: str
) -> Evaluation:
    """Minutes of the unit meeting that commented on the self-assessment (ND 90 Art. 18)."""
    evaluation = _lock(evaluation)
    _require_open(evaluation, [S.SELF_ASSESSED, S.COMMENTED])
    access = access_for(actor)
    if actor.pk == evaluation.person_id or not access.can_act_on_unit(evaluation.unit_id):
        raise ActionPermissionError("Chỉ lãnh đạo đơn vị ghi nhận ý kiến của tập thể.")
    if not comments.strip():
        raise ActionError("required", "Cần nội dung ý kiến của tập thể.", field="comments")
    evaluation.collective_comments = comments.strip()
    evaluation.status = S.COMMENTED
    evaluation.save(update_fields=["collective_comments", "status"])
    _log(evaluation, "collective_comments", actor, {"comments": comments.strip()})
    return evaluation


@transaction.atomic
def do_propose(
    evaluation: Evaluation,
    *,
    actor: Person,
    sheet: dict[str, Any] | None = None,
    comment: str = "",
) -> Evaluation:
    """The head scores (general sheet / verified criteria) and proposes the level.

    Collective comments are required for a year; monthly and quarterly tracking may go from the
    self-assessment straight to the head.
    """
    evaluation = _lock(evaluation)
    allowed = [S.COMMENTED, S.PROPOSED]
    if evaluation.kind != Evaluation.Kind.YEAR:
        allowed.append(S.SELF_ASSESSED)
    _require_open(evaluation, allowed)
    authority.require(actor, evaluation, authority.PROPOSE)
    sheet = sheet or {}
    result = services.score(evaluation, sheet)
    result.reasons += services.finding_notes(evaluation)
    scheme_of(evaluation.rule_set).store_sheet(evaluation, "head", sheet)
    evaluation.general_score = result.general
    evaluation.task_score = result.task
    evaluation.total_score = result.total
    evaluation.proposed_level = result.level or ""
    evaluation.level_reasons = result.reasons
    evaluation.head_comment = comment
    evaluation.status = S.PROPOSED
    evaluation.save(
        update_fields=[
            "criteria",
            "general_head",
            "general_score",
            "task_score",
            "total_score",
            "proposed_level",
            "level_reasons",
            "head_comment",
            "status",
        ]
    )
    _log(
        evaluation,
        "proposed",
        actor,
        {
            "sheet": sheet,
            "general": _s(result.general),
            "task": _s(result.task),
            "total": _s(result.total),
            "level": evaluation.proposed_level,
            "reasons": result.reasons,
        },
    )
    return evaluation


def _s(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


@transaction.atomic
def do_decide(
    evaluation: Evaluation, *, actor: Person, level: str = "", reason: str = ""
) -> Evaluation:
    """The competent level decides. Keeping the proposed level needs no reason; a different
    level does (and under ND 335 a level above the points is refused)."""
    evaluation = _lock(evaluation)
    _require_open(evaluation, [S.PROPOSED, S.DECIDED])
    authority.require(actor, evaluation, authority.DECIDE)
    level = level or evaluation.proposed_level
    if level not in Level.values:
        raise ActionError(
            "invalid_level",
            "Chưa có mức xếp loại để quyết định (chưa đủ điều kiện xếp loại).",
            field="level",
        )
    if level != evaluation.proposed_level:
        if not reason.strip():
            raise ActionError(
                "reason_required", "Quyết định khác mức đề xuất phải nêu lý do.", field="reason"
            )
        _check_level_change(evaluation, level)
    evaluation.decided_level = level
    evaluation.status = S.DECIDED
    evaluation.save(update_fields=["decided_level", "status"])
    _log(evaluation, "decided", actor, {"level": level, "reason": reason})
    return evaluation


def kht_grounds(evaluation: Evaluation) -> list[str]:
    """The decree's grounds for KHT that the record holds for this person and year (ND 335
    Art. 20.4 b–d; ND 90 Art. 11 / ND 48): points under 50 are the proposal's own ground."""
    params = evaluation.rule_set.params_with_defaults
    conduct = services.conduct_in_year(evaluation.person_id, evaluation.year)
    options = scheme_of(evaluation.rule_set).kht_options(evaluation.year, params)
    return scoring.kht_overrides(conduct, params, **options)


def _check_level_change(evaluation: Evaluation, level: str) -> None:
    """A decision below the proposal: KHT only on the decree's grounds; under ND 335 the level
    follows the points, so besides KHT only HTXS → HTT (the quota of Art. 20.5) is allowed.
    Never above the points (ND 335)."""
    from congvu.evaluation.models import level_rank

    proposed = evaluation.proposed_level
    points = scheme_of(evaluation.rule_set).level_capped_by_points
    if points and proposed and level_rank(level) < level_rank(proposed):
        raise ActionError(
            "level_above_points",
            "Theo NĐ 335/2025, mức xếp loại không được cao hơn mức tương ứng với số điểm.",
            field="level",
        )
    if level == Level.KHT:
        if not kht_grounds(evaluation):
            raise ActionError(
                "kht_without_ground",
                "Chỉ xếp loại “Không hoàn thành nhiệm vụ” khi có căn cứ theo Nghị định: điểm "
                "dưới 50 (hoặc trên 50% nhiệm vụ chưa bảo đảm theo NĐ 90), bị kỷ luật do vi phạm "
                "liên quan đến thực thi công vụ trong năm, bị kết luận suy thoái, hoặc đơn vị "
                "trực tiếp phụ trách để xảy ra tham nhũng. Hồ sơ chưa ghi nhận căn cứ nào.",
                field="level",
            )
        return
    if points and proposed and not (proposed == Level.HTXS and level == Level.HTT):
        raise ActionError(
            "level_follows_points",
            "Theo NĐ 335/2025, mức xếp loại theo số điểm; chỉ được hạ từ “Hoàn thành xuất sắc” "
            "xuống “Hoàn thành tốt” (tỷ lệ tại Điều 20 khoản 5) hoặc xếp “Không hoàn thành” "
            "khi có căn cứ.",
            field="level",
        )


def finalisation_warnings(evaluations: Sequence[Evaluation]) -> list[str]:
    """What the web page shows before the finalise button: the HTXS quota violations (which
    block finalisation without a reason) and, for information, a missed year deadline."""
    return quota_warnings(evaluations) + deadline_warnings(evaluations)


def deadline_warnings(evaluations: Sequence[Evaluation], today: date | None = None) -> list[str]:
    """ND 335 Art. 21: the year is classified before 15/12 (`year_deadline`, day-month)."""
    today = today or _today()
    out: list[str] = []
    for year, rule_set in sorted(
        {(e.year, e.rule_set) for e in evaluations if e.kind == Evaluation.Kind.YEAR},
        key=lambda pair: pair[0],
    ):
        raw = rule_set.params_with_defaults.get("year_deadline")
        if not raw:
            continue
        day, month = (int(x) for x in str(raw).split("-"))
        from congvu.workdays.calendar import due_day

        # A day off ends the limit with the next working day (Civil Code Art. 148).
        deadline = due_day(date(year, month, day))
        if today > deadline:
            out.append(
                f"Đã quá thời điểm đánh giá, xếp loại năm {year} (trước ngày {deadline:%d/%m/%Y}); "
                "đơn vị có lịch đặc thù được thực hiện đến 15/01 năm sau."
            )
    return out


def quota_warnings(evaluations: Sequence[Evaluation]) -> list[str]:
    """HTXS ≤ 20 % of HTT per agency and per group of similar jobs (ND 335 Art. 20.5), counting
    the finalised results of the same agency (all its divisions) and year plus these."""
    out: list[str] = []
    by_agency: dict[tuple[int, int], dict[int, tuple[str, str]]] = {}
    for e in evaluations:
        if e.kind == Evaluation.Kind.YEAR:
            level = e.decided_level or e.proposed_level
            key = (authority.classifying_unit(e.unit_id), e.year)
            by_agency.setdefault(key, {})[e.pk] = (level, e.group_key)
    for (agency_id, year), pending in sorted(by_agency.items()):
        out += [v.message for v in services.quota_check(agency_id, year, pending)]
    return out


@transaction.atomic
def do_finalise(
    evaluations: Sequence[Evaluation],
    *,
    actor: Person,
    quota_override_reason: str = "",
    decision_ref: str = "",
) -> list[Evaluation]:
    """Finalise decided evaluations together (a unit's year). A violated HTXS quota is refused
    unless an override reason is given; the reason is stored and logged."""
    locked = [_lock(e) for e in evaluations]
    if not locked:
        raise ActionError("required", "Chưa chọn đánh giá nào để chốt.")
    for e in locked:
        _require_open(e, [S.DECIDED])
        authority.require(actor, e, authority.FINALISE)
    warnings = quota_warnings(locked)
    reason = quota_override_reason.strip()
    if warnings and not reason:
        raise ActionError(
            "quota_exceeded",
            " ".join(warnings)
            + " Hãy điều chỉnh kết quả hoặc nêu lý do vượt tỷ lệ (NĐ 335/2025 Điều 20 khoản 5) để chốt.",
            field="quota_override_reason",
        )
    now = timezone.now()
    for e in locked:
        e.final_level = e.decided_level
        e.status = S.FINALISED
        e.finalised_at = now
        e.finalised_by = actor
        e.quota_override_reason = reason if warnings else ""
        e.save(
            update_fields=[
                "final_level",
                "status",
                "finalised_at",
                "finalised_by",
                "quota_override_reason",
            ]
        )
        EvaluationDecision.objects.create(
            evaluation=e,
            kind=EvaluationDecision.Kind.FINAL,
            level=e.final_level,
            total_score=e.total_score,
            decided_by=actor,
            decision_ref=decision_ref,
            reason=reason if warnings else "",
        )
        _log(
            e,
            "finalised",
            actor,
            {
                "level": e.final_level,
                "total": _s(e.total_score),
                "decision_ref": decision_ref,
                "quota_warnings": warnings,
                "quota_override_reason": reason if warnings else "",
            },
        )
    return locked


@transaction.atomic
def do_correct(
    evaluation: Evaluation,
    *,
    actor: Person,
    level: str,
    reason: str,
    decision_ref: str = "",
    quota_override_reason: str = "",
    by_appeal: bool = False,
) -> EvaluationDecision:
    """A new decision on a finalised result (the old one stays in the record). `by_appeal`:
    called by do_resolve_appeal, which has checked the appeal level's competence."""
    evaluation = _lock(evaluation)
    if evaluation.status != S.FINALISED:
        raise ActionError("not_final", "Chỉ điều chỉnh được kết quả đã chốt.")
    if not by_appeal:
        authority.require(actor, evaluation, authority.DECIDE)
    if level not in Level.values:
        raise ActionError("invalid_level", "Mức xếp loại không hợp lệ.", field="level")
    if not reason.strip():
        raise ActionError(
            "reason_required", "Quyết định điều chỉnh phải nêu lý do.", field="reason"
        )
    if level == evaluation.final_level:
        raise ActionError("unchanged", "Mức xếp loại mới trùng mức hiện tại.", field="level")
    if (
        level == Level.KHT
        and evaluation.proposed_level != Level.KHT
        and not kht_grounds(evaluation)
    ):
        raise ActionError(
            "kht_without_ground",
            "Chỉ xếp loại “Không hoàn thành nhiệm vụ” khi có căn cứ theo Nghị định; hồ sơ chưa "
            "ghi nhận căn cứ nào.",
            field="level",
        )
    if evaluation.kind == Evaluation.Kind.YEAR:
        violations = services.quota_check(
            evaluation.unit_id, evaluation.year, {evaluation.pk: (level, evaluation.group_key)}
        )
        if violations and not quota_override_reason.strip():
            raise ActionError(
                "quota_exceeded",
                " ".join(v.message for v in violations) + " Cần nêu lý do vượt tỷ lệ.",
                field="quota_override_reason",
            )
    previous = evaluation.decisions.order_by("-decided_at", "-id").first()
    decision = EvaluationDecision.objects.create(
        evaluation=evaluation,
        kind=EvaluationDecision.Kind.CORRECTION,
        level=level,
        total_score=evaluation.total_score,
        decided_by=actor,
        decision_ref=decision_ref,
        reason=reason.strip(),
        supersedes=previous,
    )
    old = evaluation.final_level
    evaluation.final_level = level
    evaluation.save(update_fields=["final_level"])
    _log(
        evaluation,
        "corrected",
        actor,
        {"old": old, "new": level, "reason": reason.strip(), "decision_ref": decision_ref},
    )
    return decision


@dataclass(frozen=True)
class AppealWindow:
    """When a result may be appealed and how fast the answer is due (docs/legal.md)."""

    notice_day: date  # the day the result was made known (finalisation, in-app notice)
    last_day: date  # after the Civil Code Art. 148 roll-forward
    days: int
    working: bool  # the window counts working days
    answer_working_days: int
    rule: str  # "" or "vien_chuc_2025"

    @property
    def rolled(self) -> bool:
        return not self.working and self.last_day != self.notice_day + timedelta(days=self.days)

    def describe(self) -> str:
        kind = "ngày làm việc" if self.working else "ngày"
        text = (
            f"{self.days} {kind} kể từ ngày nhận thông báo kết quả ({self.notice_day:%d/%m/%Y}), "
            f"hết hạn ngày {self.last_day:%d/%m/%Y}"
        )
        if self.rolled:
            text += " (ngày cuối trùng ngày nghỉ nên chuyển sang ngày làm việc tiếp theo)"
        return text


def appeal_window(evaluation: Evaluation) -> AppealWindow | None:
    """The appeal window of a finalised result. The first day is not counted (Civil Code
    Art. 147); a last day falling on a day off moves to the next working day (Art. 148). Viên
    chức under the Public Employees Law 2025 Art. 27 (from 1/7/2026): 5 days from publication,
    answered within 10 working days."""
    if evaluation.finalised_at is None:
        return None
    from congvu.workdays.calendar import get_calendar

    params = evaluation.rule_set.params_with_defaults
    notice = timezone.localtime(evaluation.finalised_at).date()
    cal = get_calendar()
    if authority.vien_chuc_law_applies(evaluation, notice, params):
        n = int(params["vien_chuc_appeal_window_days"])
        answer = int(params["vien_chuc_appeal_answer_working_days"])
        last = cal.next_working_day(notice + timedelta(days=n))
        return AppealWindow(notice, last, n, False, answer, "vien_chuc_2025")
    n = int(params["appeal_window_days"])
    answer = int(params["appeal_answer_working_days"])
    if params.get("appeal_window_kind") == "working":
        return AppealWindow(notice, cal.add_working_days(notice, n), n, True, answer, "")
    last = cal.next_working_day(notice + timedelta(days=n))
    return AppealWindow(notice, last, n, False, answer, "")


def appeal_deadline(evaluation: Evaluation) -> date | None:
    """The last day to appeal a finalised result (see appeal_window)."""
    window = appeal_window(evaluation)
    return window.last_day if window else None


def _decided_by(evaluation: Evaluation) -> int | None:
    last = evaluation.decisions.order_by("-decided_at", "-id").first()
    return last.decided_by_id if last else evaluation.finalised_by_id


@transaction.atomic
def do_file_appeal(
    evaluation: Evaluation, *, actor: Person, reason: str, filed_on: date | None = None
) -> Appeal:
    """The person appeals a finalised result within the window; the answer is due within
    `appeal_answer_working_days` working days, from the level above the one that decided."""
    evaluation = _lock(evaluation)
    _require_self(evaluation, actor)
    if evaluation.status != S.FINALISED or evaluation.finalised_at is None:
        raise ActionError("not_final", "Chỉ kiến nghị được đối với kết quả đã chốt.")
    if not reason.strip():
        raise ActionError("reason_required", "Cần nêu nội dung kiến nghị.", field="reason")
    if evaluation.appeals.filter(status=Appeal.Status.OPEN).exists():
        raise ActionError("appeal_open", "Kiến nghị trước về kết quả này đang được xem xét.")
    filed_on = filed_on or _today()
    window = appeal_window(evaluation)
    assert window is not None
    if filed_on > window.last_day:
        raise ActionError(
            "appeal_too_late",
            f"Đã quá thời hạn kiến nghị ({window.describe()}).",
            field="filed_on",
        )
    from congvu.workdays.calendar import add_working_days

    appeal = Appeal.objects.create(
        evaluation=evaluation,
        filed_by=actor,
        filed_on=filed_on,
        reason=reason.strip(),
        answer_due=add_working_days(filed_on, window.answer_working_days),
        rule=window.rule,
    )
    resolvers = authority.appeal_resolvers(
        evaluation, decided_by=_decided_by(evaluation), law_2025=bool(window.rule)
    )
    _log(
        evaluation,
        "appeal_filed",
        actor,
        {
            "appeal": appeal.pk,
            "reason": reason,
            "answer_due": appeal.answer_due.isoformat() if appeal.answer_due else None,
            "rule": window.rule,
            "resolvers": resolvers,
        },
    )
    return appeal


def may_resolve_appeal(actor: Person, appeal: Appeal) -> bool:
    e = appeal.evaluation
    return authority.may_resolve_appeal(
        actor, e, decided_by=_decided_by(e), law_2025=bool(appeal.rule)
    )


@transaction.atomic
def do_resolve_appeal(
    appeal: Appeal,
    *,
    actor: Person,
    upheld: bool,
    resolution: str,
    new_level: str = "",
    decision_ref: str = "",
) -> Appeal:
    """The level above the one that decided answers in writing (never the person who decided).
    At the top of the tree the answer comes from outside the system: HR records it with the
    reference of the outside decision. An answer after `answer_due` is accepted and logged
    as late."""
    appeal = Appeal.objects.select_for_update().select_related("evaluation").get(pk=appeal.pk)
    if appeal.status != Appeal.Status.OPEN:
        raise ActionError("already_resolved", "Kiến nghị này đã được giải quyết.")
    if not resolution.strip():
        raise ActionError("reason_required", "Cần nêu kết quả giải quyết.", field="resolution")
    evaluation = appeal.evaluation
    decided_by = _decided_by(evaluation)
    if not authority.may_resolve_appeal(
        actor, evaluation, decided_by=decided_by, law_2025=bool(appeal.rule)
    ):
        if actor.pk == decided_by:
            raise ActionPermissionError(
                "Người đã quyết định kết quả không tự giải quyết kiến nghị về quyết định của "
                "mình: kiến nghị do cấp trên trực tiếp giải quyết."
            )
        raise ActionPermissionError(
            "Chỉ cấp trên của cấp đã quyết định kết quả mới giải quyết kiến nghị này."
        )
    outside = authority.competence(evaluation).appeal_unit is None and actor.pk not in (
        authority.appeal_resolvers(evaluation, decided_by=decided_by, law_2025=bool(appeal.rule))
    )
    if outside and not decision_ref.strip():
        raise ActionError(
            "reason_required",
            "Cấp giải quyết ở ngoài hệ thống: cần số văn bản trả lời của cấp có thẩm quyền.",
            field="decision_ref",
        )
    if upheld:
        do_correct(
            evaluation,
            actor=actor,
            level=new_level,
            reason=resolution,
            decision_ref=decision_ref,
            by_appeal=True,
        )
    today = _today()
    appeal.status = Appeal.Status.UPHELD if upheld else Appeal.Status.REJECTED
    appeal.resolution = resolution.strip()
    appeal.resolved_by = actor
    appeal.resolved_on = today
    appeal.decision_ref = decision_ref.strip()
    appeal.save(
        update_fields=["status", "resolution", "resolved_by", "resolved_on", "decision_ref"]
    )
    _log(
        evaluation,
        "appeal_resolved",
        actor,
        {
            "appeal": appeal.pk,
            "upheld": upheld,
            "resolution": resolution,
            "decision_ref": decision_ref.strip(),
            "late": bool(appeal.answer_due and today > appeal.answer_due),
        },
    )
    return appeal


def overdue_appeals(day: date | None = None) -> list[Appeal]:
    """Open appeals past their answer deadline."""
    day = day or _today()
    return list(
        Appeal.objects.filter(status=Appeal.Status.OPEN, answer_due__lt=day)
        .select_related("evaluation", "evaluation__person")
        .order_by("answer_due", "pk")
    )
