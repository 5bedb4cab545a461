"""Consequences of results, as proposals for people to decide (never automatic).

- reward proposals for periods/years rated at or above `reward_min_level`;
- training needs from a pattern of quality failures or delays across periods;
- planning/appointment eligibility from the last finalised years (parameters as data);
- KHT → consider a lower position or termination (Law 80/2025/QH15 Art. 27.1.c);
- a leader rated KHT in consecutive years → dismissal review (Quy định 41-QĐ/TW);
- discipline proposals with their ND 172/2025 form and time limit (90 days, up to 150).

`generate_year_proposals` is idempotent: a proposal is keyed by (person, kind, source_key).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from congvu.audit import log as audit
from congvu.evaluation.acts.common import check_discipline_form
from congvu.evaluation.defaults import DISCIPLINE_FORMS
from congvu.evaluation.models import (
    Evaluation,
    Level,
    ProductIssue,
    Proposal,
    level_rank,
)
from congvu.lib.errors import ActionError, ActionPermissionError
from congvu.org.models import Membership, Person, RoleGrant
from congvu.org.permissions import access_for

LAW_80_ART_27 = (
    "Luật Cán bộ, công chức số 80/2025/QH15, Điều 27 khoản 1 điểm c: xem xét bố trí vào vị trí "
    "việc làm thấp hơn hoặc cho thôi việc đối với trường hợp không hoàn thành nhiệm vụ."
)
QD_41 = (
    "Quy định 41-QĐ/TW ngày 03/11/2021: có hai năm liên tiếp được xếp loại chất lượng ở mức "
    "không hoàn thành nhiệm vụ."
)
ND_172 = "Nghị định 172/2025/NĐ-CP về xử lý kỷ luật cán bộ, công chức."
LAW_80_ART_14 = (
    "Luật Cán bộ, công chức số 80/2025/QH15, Điều 14: không được trốn tránh, thoái thác, né "
    "tránh, đùn đẩy trong việc thực hiện chức trách, nhiệm vụ."
)
audit.register("proposal", "Đề xuất khen thưởng, xử lý", ("proposal_opened",))
REWARD_GROUND = (
    "Luật Thi đua, khen thưởng; NĐ 335/2025/NĐ-CP Điều 23 (sử dụng kết quả đánh giá làm căn cứ "
    "khen thưởng)."
)
TRAINING_GROUND = (
    "NĐ 335/2025/NĐ-CP Điều 23; Luật 80/2025/QH15 Điều 27: căn cứ bố trí, đào tạo, bồi dưỡng."
)
PLANNING_GROUND = (
    "Luật 80/2025/QH15 Điều 27: căn cứ quy hoạch, bổ nhiệm (tham số điều kiện là dữ liệu)."
)


def _ensure(
    person: Person,
    kind: str,
    source_key: str,
    *,
    year: int,
    legal_ground: str,
    summary: str,
    evaluation: Evaluation | None = None,
    details: dict[str, Any] | None = None,
    opened_on: date,
    **extra: Any,
) -> tuple[Proposal, bool]:
    existing = Proposal.objects.filter(person=person, kind=kind, source_key=source_key).first()
    if existing is not None:
        return existing, False
    proposal = Proposal.objects.create(
        person=person,
        kind=kind,
        source_key=source_key,
        year=year,
        evaluation=evaluation,
        legal_ground=legal_ground,
        summary=summary,
        details=details or {},
        opened_on=opened_on,
        **extra,
    )
    audit.record(
        "proposal", proposal.pk, "proposal_opened", None, {"kind": kind, "key": source_key}
    )
    return proposal, True


def _opened(
    e: Evaluation,
    today: date,
    kind: str,
    key: str,
    *,
    legal_ground: str,
    summary: str,
    **extra: Any,
) -> list[Proposal]:
    """The proposal that evaluation `e` calls for, as a list of one if this call opened it and
    empty if it was open already: a generator adds what it opened (`created += _opened(...)`)."""
    proposal, new = _ensure(
        e.person,
        kind,
        key,
        year=e.year,
        evaluation=e,
        legal_ground=legal_ground,
        summary=summary,
        opened_on=today,
        **extra,
    )
    return [proposal] if new else []


def _final_years(person: Person) -> dict[int, str]:
    return dict(
        Evaluation.objects.years()
        .finalised()
        .filter(person=person)
        .values_list("year", "final_level")
    )


def planning_eligibility(person: Person, year: int, params: dict[str, Any]) -> tuple[bool, str]:
    """Rated at least `planning_min_level` in each of the last `planning_years` years up to
    `year` (finalised results only)."""
    n = int(params["planning_years"])
    minimum = params["planning_min_level"]
    years = _final_years(person)
    missing = [y for y in range(year - n + 1, year + 1) if y not in years]
    if missing:
        return False, f"Chưa có kết quả xếp loại năm {', '.join(map(str, missing))}."
    below = [y for y in range(year - n + 1, year + 1) if level_rank(years[y]) > level_rank(minimum)]
    if below:
        return False, f"Năm {', '.join(map(str, below))} xếp loại thấp hơn mức {minimum}."
    return True, f"Xếp loại từ {minimum} trở lên trong {n} năm gần nhất."


@transaction.atomic
def generate_year_proposals(evaluations: Iterable[Evaluation], *, today: date) -> list[Proposal]:
    """Open the proposals that finalised year results call for. Returns the new ones."""
    created: list[Proposal] = []
    for e in evaluations:
        if e.kind != Evaluation.Kind.YEAR or e.status != Evaluation.Status.FINALISED:
            continue
        params = e.rule_set.params_with_defaults
        person, year, level = e.person, e.year, e.final_level
        label = Level(level).label

        if level_rank(level) <= level_rank(params["reward_min_level"]):
            created += _opened(
                e,
                today,
                Proposal.Kind.REWARD,
                f"year:{year}",
                legal_ground=REWARD_GROUND,
                summary=f"Năm {year} xếp loại “{label}”: đề xuất xem xét khen thưởng.",
            )

        if level == Level.KHT:
            created += _opened(
                e,
                today,
                Proposal.Kind.LOWER_POSITION,
                f"year:{year}",
                legal_ground=LAW_80_ART_27,
                summary=(
                    f"Năm {year} xếp loại “Không hoàn thành nhiệm vụ”: đề nghị xem xét bố trí vị "
                    "trí việc làm thấp hơn hoặc cho thôi việc."
                ),
                details={"reasons": e.level_reasons},
            )
            n = int(params["dismissal_review_consecutive_kht_years"])
            years = _final_years(person)
            streak = all(years.get(y) == Level.KHT for y in range(year - n + 1, year + 1))
            if streak and e.is_leader:
                created += _opened(
                    e,
                    today,
                    Proposal.Kind.DISMISSAL_REVIEW,
                    f"years:{year - n + 1}-{year}",
                    legal_ground=QD_41,
                    summary=(
                        f"Người giữ chức vụ lãnh đạo xếp loại “Không hoàn thành nhiệm vụ” {n} năm "
                        f"liên tiếp ({year - n + 1}–{year}): đề nghị xem xét miễn nhiệm."
                    ),
                )

        # Training needs: periods of the year with unexcused quality failures or delays.
        issues = ProductIssue.objects.filter(
            product__evaluation__person=person,
            product__evaluation__year=year,
            objective_cause_confirmed_at__isnull=True,
        ).values_list("kind", "product__evaluation_id", "product__name")
        periods: dict[str, set[int]] = {}
        products: dict[str, set[str]] = {}
        for kind, eval_id, name in issues:
            periods.setdefault(kind, set()).add(eval_id)
            products.setdefault(kind, set()).add(name)
        threshold = int(params["training_min_periods_with_issues"])
        for kind, ids in sorted(periods.items()):
            if len(ids) >= threshold:
                what = "chất lượng sản phẩm" if kind == ProductIssue.Kind.QUALITY else "tiến độ"
                created += _opened(
                    e,
                    today,
                    Proposal.Kind.TRAINING,
                    f"year:{year}:{kind}",
                    legal_ground=TRAINING_GROUND,
                    summary=(
                        f"Có lỗi về {what} trong {len(ids)} kỳ của năm {year}: đề xuất đào tạo, "
                        f"bồi dưỡng ({', '.join(sorted(products[kind]))})."
                    ),
                    details={"periods": sorted(ids), "products": sorted(products[kind])},
                )

        # Confirmed findings of avoidance/buck-passing/stalling in the year: a ground to
        # consider discipline (Law 80/2025 Art. 14 prohibited acts; ND 172/2025), for people
        # to decide — the form is chosen by the competent level, not here.
        created += finding_discipline_proposals(today, person_ids=[person.pk], evaluation=e)

        eligible, why = planning_eligibility(person, year, params)
        if eligible:
            created += _opened(
                e,
                today,
                Proposal.Kind.PLANNING,
                f"year:{year}",
                legal_ground=PLANNING_GROUND,
                summary=f"Đủ điều kiện về kết quả đánh giá để xem xét quy hoạch, bổ nhiệm: {why}",
            )
    return created


def _years_after(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29/2
        return day.replace(year=day.year + years, day=28)


@dataclass(frozen=True)
class FindingDue:
    """The ND 172/2025 timing of one confirmed finding."""

    finding_id: int
    confirmed_on: date  # the violation established (due process ended): the limit runs from it
    violation_on: date  # the end of the finding's period: the statute of limitations runs from it
    final: bool  # no longer open to appeal
    due_on: date
    max_due_on: date
    time_barred: bool


def finding_due(review: Any, finding: Any, params: dict[str, Any], today: date) -> FindingDue:
    """ND 172/2025: the time limit to decide discipline runs from the day the violation was
    established — here the day the finding's due process ended (confirmed, or upheld on
    appeal) — 90 days, up to 150 with an extension, a last day on a day off moving to the next
    working day (Civil Code Art. 148). The statute of limitations (Law 80/2025 Art. 16; ND 172)
    runs from the violation (the end of the finding's period): past
    `discipline_limitation_years`, no discipline. A confirmation still open to appeal (its
    appeal deadline not passed) is not final."""
    from congvu.detection.models import FindingReview
    from congvu.workdays.calendar import get_calendar

    cal = get_calendar()
    at = review.appeal_decided_at if review.status == FindingReview.Status.UPHELD else None
    at = at or review.decided_at
    confirmed_on = timezone.localtime(at).date() if at else today
    final = review.status == FindingReview.Status.UPHELD or (
        review.status == FindingReview.Status.CONFIRMED
        and (review.appeal_due is None or today > review.appeal_due)
    )
    limit = int(params["discipline_time_limit_days"])
    maximum = int(params["discipline_max_days"])
    years = int(params.get("discipline_limitation_years", 5))
    end = finding.period_end
    barred_after = _years_after(end, years)
    return FindingDue(
        finding.pk,
        confirmed_on,
        end,
        final,
        cal.next_working_day(confirmed_on + timedelta(days=limit)),
        cal.next_working_day(confirmed_on + timedelta(days=maximum)),
        confirmed_on > barred_after,
    )


def finding_discipline_proposals(
    today: date, *, person_ids: Iterable[int] | None = None, evaluation: Evaluation | None = None
) -> list[Proposal]:
    """One discipline consideration per confirmed finding that is final (no longer open to
    appeal) and not time-barred, whenever it was confirmed (a finding confirmed after a
    first run of the year is not dropped). Idempotent: keyed by the finding."""
    from django.apps import apps

    if not apps.is_installed("congvu.detection"):
        return []
    from congvu.detection.models import Finding
    from congvu.evaluation.rules import rule_set_for

    qs = (
        Finding.objects.confirmed()
        .filter(subject_person__isnull=False)
        .select_related("review", "subject_person")
    )
    if person_ids is not None:
        qs = qs.filter(subject_person_id__in=list(person_ids))
    created: list[Proposal] = []
    for finding in qs.order_by("period_start", "id"):
        person = finding.subject_person
        assert person is not None
        try:
            params = rule_set_for(person.category, finding.period_end).params_with_defaults
        except ActionError:
            continue  # no rule set for the category (e.g. a contract worker)
        due = finding_due(finding.review, finding, params, today)
        if not due.final or due.time_barred:
            continue
        p, new = _ensure(
            person,
            Proposal.Kind.DISCIPLINE,
            f"finding:{finding.pk}",
            year=finding.period_end.year,
            evaluation=evaluation,
            legal_ground=f"{LAW_80_ART_14} — {ND_172}",
            summary=(
                f"Phát hiện đã được xác nhận sau giải trình ({finding.period}): "
                f"{finding.sentence} Đề nghị cấp có thẩm quyền xem xét trách nhiệm, hình thức xử "
                f"lý (nếu có); thời hạn tính từ ngày {due.confirmed_on:%d/%m/%Y}."
            ),
            details={
                "findings": [finding.pk],
                "sentences": [finding.sentence],
                "confirmed_on": due.confirmed_on.isoformat(),
                "violation_on": due.violation_on.isoformat(),
            },
            opened_on=today,
            due_on=due.due_on,
            max_due_on=due.max_due_on,
        )
        created += [p] if new else []
    return created


def generate_period_rewards(evaluations: Iterable[Evaluation], *, today: date) -> list[Proposal]:
    """Reward proposals for finalised months/quarters rated at or above the reward level."""
    created: list[Proposal] = []
    for e in evaluations:
        if e.kind == Evaluation.Kind.YEAR or e.status != Evaluation.Status.FINALISED:
            continue
        params = e.rule_set.params_with_defaults
        if level_rank(e.final_level) <= level_rank(params["reward_min_level"]):
            created += _opened(
                e,
                today,
                Proposal.Kind.REWARD,
                f"{e.kind}:{e.year}:{e.number}",
                legal_ground=REWARD_GROUND,
                summary=f"Kết quả {e.period_label} “{Level(e.final_level).label}”: đề xuất biểu dương, khen thưởng.",
            )
    return created


def discipline_proposal(
    person: Person,
    *,
    actor: Person,
    form: str,
    legal_ground: str,
    summary: str,
    opened_on: date,
    source_key: str = "",
    detected_on: date | None = None,
    violation_on: date | None = None,
) -> Proposal:
    """ND 172/2025: forms khiển trách, cảnh cáo, cách chức (leaders only), buộc thôi việc
    (công chức), bãi nhiệm (cán bộ); time limit 90 days, extendable to 150, counted from the
    day the violation was detected (`detected_on`, default the day of the proposal), a last
    day on a day off moving to the next working day; refused past the statute of limitations
    counted from the violation (`violation_on`)."""
    from congvu.evaluation.rules import rule_set_for

    check_discipline_form(form)
    membership = person.primary_membership(opened_on) or person.primary_membership()
    is_leader = membership is not None and membership.role in (
        Membership.Role.HEAD,
        Membership.Role.DEPUTY,
    )
    if form == "cach_chuc" and not is_leader:
        raise ActionError(
            "invalid_form",
            "Cách chức chỉ áp dụng với người giữ chức vụ lãnh đạo, quản lý.",
            field="form",
        )
    if form == "bai_nhiem" and person.category != Person.Category.CAN_BO:
        raise ActionError("invalid_form", "Bãi nhiệm chỉ áp dụng với cán bộ.", field="form")
    if form == "buoc_thoi_viec" and person.category == Person.Category.CAN_BO:
        raise ActionError("invalid_form", "Buộc thôi việc áp dụng với công chức.", field="form")
    if not legal_ground.strip() or not summary.strip():
        raise ActionError(
            "required",
            "Đề xuất kỷ luật phải nêu hành vi vi phạm và căn cứ pháp lý.",
            field="legal_ground",
        )
    access = access_for(actor)
    if (
        actor.pk == person.pk
        or membership is None
        or not (access.can_act_on_unit(membership.unit_id) or access.has_role(RoleGrant.Role.HR))
    ):
        raise ActionPermissionError("Chỉ cấp có thẩm quyền quản lý mới đề xuất xem xét kỷ luật.")
    params = rule_set_for(person.category, opened_on).params_with_defaults
    limit = int(params["discipline_time_limit_days"])
    maximum = int(params["discipline_max_days"])
    start = detected_on or opened_on
    if start > opened_on:
        raise ActionError(
            "invalid_date",
            "Ngày phát hiện vi phạm không thể sau ngày đề xuất.",
            field="detected_on",
        )
    if violation_on is not None:
        years = int(params.get("discipline_limitation_years", 5))
        if violation_on > start:
            raise ActionError(
                "invalid_date",
                "Ngày vi phạm không thể sau ngày phát hiện vi phạm.",
                field="violation_on",
            )
        if _years_after(violation_on, years) < start:
            raise ActionError(
                "time_barred",
                f"Đã hết thời hiệu xử lý kỷ luật ({years} năm kể từ ngày vi phạm "
                f"{violation_on:%d/%m/%Y}).",
                field="violation_on",
            )
    from congvu.workdays.calendar import get_calendar

    cal = get_calendar()
    proposal, new = _ensure(
        person,
        Proposal.Kind.DISCIPLINE,
        source_key or f"manual:{opened_on.isoformat()}:{Proposal.objects.count() + 1}",
        year=opened_on.year,
        legal_ground=f"{legal_ground.strip()} — {ND_172}",
        summary=summary.strip(),
        details={
            "form_label": DISCIPLINE_FORMS[form],
            "proposed_by": actor.pk,
            "detected_on": start.isoformat(),
            "violation_on": violation_on.isoformat() if violation_on else None,
        },
        opened_on=opened_on,
        discipline_form=form,
        due_on=cal.next_working_day(start + timedelta(days=limit)),
        max_due_on=cal.next_working_day(start + timedelta(days=maximum)),
    )
    if not new:
        raise ActionError("duplicate", "Đề xuất kỷ luật cho vụ việc này đã có.")
    return proposal
