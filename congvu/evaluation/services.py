"""Database-facing scoring: load a period's inputs, run the pure rules in scoring.py."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Q

from congvu.evaluation import scoring
from congvu.evaluation.models import (
    ConductRecord,
    Evaluation,
    Level,
    ProductIssue,
    ProductRecord,
    Scheme,
)
from congvu.evaluation.rules import dec
from congvu.evaluation.scoring import Conduct, Product, TaskResult
from congvu.lib.errors import ActionError
from congvu.org.tree import tree_as_of


@dataclass
class Score:
    general: Decimal | None
    task: Decimal | None
    total: Decimal | None
    level: Level | None
    reasons: list[str] = field(default_factory=list)


def products_by_evaluation(evaluation_ids: Iterable[int]) -> dict[int, list[Product]]:
    """The periods' products with their unexcused quality failures and delays, in two queries
    however many periods (a leader's score reads everyone they manage)."""
    records = ProductRecord.objects.filter(evaluation_id__in=list(evaluation_ids))
    out: dict[int, list[Product]] = {}
    for r in records.prefetch_related("issues"):
        issues: list[ProductIssue] = list(r.issues.all())
        out.setdefault(r.evaluation_id, []).append(
            Product(
                coefficient=r.coefficient,
                assigned=r.quantity_assigned,
                completed=r.quantity_completed,
                quality_failures=sum(
                    1 for i in issues if i.kind == ProductIssue.Kind.QUALITY and not i.is_excused
                ),
                delays=sum(
                    1 for i in issues if i.kind == ProductIssue.Kind.DELAY and not i.is_excused
                ),
            )
        )
    return out


def products_of(evaluation: Evaluation) -> list[Product]:
    """The period's products with their unexcused quality failures and delays."""
    return products_by_evaluation([evaluation.pk]).get(evaluation.pk, [])


def own_task_result(evaluation: Evaluation) -> TaskResult:
    return scoring.task_result(products_of(evaluation), evaluation.rule_set.params_with_defaults)


# Keys of the proposal sheet that are not general criteria: a leader's đ and e (percent).
LEADER_KEYS = {
    "to_chuc": "khả năng tổ chức triển khai (đ)",
    "doan_ket": "khả năng tập hợp, đoàn kết (e)",
}


def managed_posts(evaluation: Evaluation) -> list[tuple[int, str]]:
    """(person id, name) of everyone a leader manages in the period under the same rule set:
    primary posts on the period's last day in the unit's subtree, minus the leader; a deputy
    does not count the head or the other deputies of his own unit."""
    from congvu.org.models import Membership

    tree = tree_as_of(evaluation.end)
    units = tree.subtree(evaluation.unit_id) if evaluation.unit_id in tree else {evaluation.unit_id}
    qs = (
        Membership.objects.active_on(evaluation.end)
        .filter(
            is_primary=True,
            unit_id__in=units,
            person__category__in=list(evaluation.rule_set.categories),
        )
        .exclude(person_id=evaluation.person_id)
    )
    if evaluation.role_in_unit == "deputy":
        qs = qs.exclude(Q(unit_id=evaluation.unit_id) & Q(role__in=["head", "deputy"]))
    elif evaluation.role_in_unit == "head":
        qs = qs.exclude(Q(unit_id=evaluation.unit_id) & Q(role="head"))
    return sorted(set(qs.values_list("person_id", "person__full_name")))


# The managed people's periods must be settled (decided or finalised) before their leader is
# scored: d then never depends on the order in which people were scored.
SETTLED = (Evaluation.Status.DECIDED, Evaluation.Status.FINALISED)


def managed_evaluations(evaluation: Evaluation) -> list[Evaluation]:
    """The same-period evaluations of everyone the leader manages, all settled. Refuses
    (ActionError "managed_not_settled", naming them) while anyone's period is missing or not
    yet decided. Periods with nothing assigned (not scored) are left out."""
    posts = managed_posts(evaluation)
    rows = {
        e.person_id: e
        for e in Evaluation.objects.filter(
            kind=evaluation.kind,
            year=evaluation.year,
            number=evaluation.number,
            person_id__in=[p for p, _ in posts],
        ).select_related("rule_set")
    }
    waiting = [name for pid, name in posts if pid not in rows or rows[pid].status not in SETTLED]
    if waiting:
        shown = ", ".join(waiting[:5]) + (
            f" và {len(waiting) - 5} người khác" if len(waiting) > 5 else ""
        )
        raise ActionError(
            "managed_not_settled",
            f"Chưa thể chấm điểm lãnh đạo: kết quả {evaluation.period_label} của người thuộc "
            f"quyền quản lý chưa được quyết định ({shown}). Điểm của lãnh đạo tính theo kết quả "
            "của họ (NĐ 335/2025 Điều 15–16).",
        )
    return [e for e in rows.values() if e.total_score is not None]


def conduct_in_year(person_id: int, year: int) -> list[Conduct]:
    """The person's conduct records decided in the year. ND 48/2023: a violation disciplined
    both by the Party and administratively counts in one year only — a record whose
    `violation_ref` already has a record in an earlier year is left out."""
    rows = list(
        ConductRecord.objects.filter(
            person_id=person_id,
            effective_on__gte=date(year, 1, 1),
            effective_on__lte=date(year, 12, 31),
        )
    )
    refs = {r.violation_ref for r in rows if r.violation_ref}
    counted_before = set(
        ConductRecord.objects.filter(
            person_id=person_id, violation_ref__in=refs, effective_on__lt=date(year, 1, 1)
        ).values_list("violation_ref", flat=True)
    )
    return [
        Conduct(r.kind, r.form, r.label(), r.related_to_duty)
        for r in rows
        if not (r.violation_ref and r.violation_ref in counted_before)
    ]


def _percent(sheet: dict[str, object], key: str) -> Decimal | None:
    raw = sheet.get(key)
    if raw is None or raw == "":
        return None
    try:
        value = dec(raw)
    except ArithmeticError as exc:
        raise ActionError(
            "score_not_number", f"Mức {LEADER_KEYS[key]} phải là số (0–100).", field=key
        ) from exc
    if not value.is_finite() or value < 0 or value > 100:
        raise ActionError(
            "score_out_of_range",
            f"Mức {LEADER_KEYS[key]} phải từ 0 đến 100% (nhập {value}).",
            field=key,
        )
    return value / 100


def leader_inputs(evaluation: Evaluation, sheet: dict[str, object]) -> scoring.LeaderInputs:
    """d from the managed people's settled levels, đ from their products (or the competent
    level's assessment `to_chuc`), e from the sheet (`doan_ket`, required)."""
    rallying = _percent(sheet, "doan_ket")
    if rallying is None:
        raise ActionError(
            "missing_score",
            f"Chưa chấm {LEADER_KEYS['doan_ket']} của lãnh đạo (0–100%).",
            field="doan_ket",
        )
    managed = managed_evaluations(evaluation)
    products = products_by_evaluation(e.pk for e in managed)
    organisation = _percent(sheet, "to_chuc")
    if organisation is None:
        organisation = scoring.organisation_ratio(
            [p for e in managed for p in products.get(e.pk, [])]
        )
    return scoring.LeaderInputs(tuple(e.effective_level for e in managed), organisation, rallying)


def score_period(
    evaluation: Evaluation, general: dict[str, object], *, partial: bool = False
) -> Score:
    """ND 335: general sheet (30) + task results (70): (a+b+c)/3 × 70, leaders
    (a+b+c+d+đ+e)/6 × 70. A period with nothing assigned is not scored (total None). The level
    is read from the exact total; the stored figures are truncated to 2 decimals."""
    params = evaluation.rule_set.params_with_defaults
    sheet = {k: v for k, v in general.items() if k not in LEADER_KEYS}
    general_total = scoring.validate_general_scores(sheet, params)
    own = own_task_result(evaluation)
    reasons = list(own.notes)
    if not own.scored:
        return Score(general_total, None, None, None, reasons)
    task = own.score
    if evaluation.is_leader:
        try:
            inputs = leader_inputs(evaluation, general)
        except ActionError as exc:
            # A leader's self-assessment may come before the staff are decided (or before e
            # is rated): it shows the general points only; the proposal needs everything.
            if not partial or exc.code not in ("managed_not_settled", "missing_score"):
                raise
            return Score(general_total, None, None, None, [*reasons, exc.message])
        _ratio, task, notes = scoring.leader_task_score(own, inputs, params)
        reasons += notes
    total = general_total + task
    return Score(
        general_total,
        scoring.q2(task),
        scoring.q2(total),
        scoring.level_for_points(total, params),
        reasons,
    )


# Periods that enter the year average: decided by the competent level (not only proposed).
AVERAGED = SETTLED


def score_year_points(evaluation: Evaluation) -> Score:
    """ND 335 Art. 20–21: average of the person's tracked periods in the year, wherever they
    worked (the periods follow the person), then the KHT overrides. Only periods the competent
    level decided count; periods with nothing assigned (leave) have no total and are left out;
    the average is compared with the thresholds unrounded."""
    params = evaluation.rule_set.params_with_defaults
    periods = list(
        Evaluation.objects.periods()
        .filter(
            person_id=evaluation.person_id,
            year=evaluation.year,
            total_score__isnull=False,
            status__in=AVERAGED,
        )
        .order_by("start")
    )
    kind = params.get("period_kind")
    preferred = [p for p in periods if p.kind == kind]
    periods = preferred or periods
    totals = [p.total_score for p in periods if p.total_score is not None]
    avg = scoring.year_average(totals)
    shown = scoring.q2(avg)
    reasons = [f"Điểm bình quân {len(totals)} kỳ theo dõi đã được quyết định: {shown}."]
    level = scoring.level_for_points(avg, params)
    forced = scoring.kht_overrides(conduct_in_year(evaluation.person_id, evaluation.year), params)
    if forced:
        level = Level.KHT
        reasons += forced
    return Score(None, None, shown, level, reasons)


def score_criteria(evaluation: Evaluation, criteria: dict[str, object]) -> Score:
    params = evaluation.rule_set.params_with_defaults
    c = scoring.Criteria.from_json(criteria, is_leader=evaluation.is_leader)
    level, reasons = scoring.classify_criteria(
        c, conduct_in_year(evaluation.person_id, evaluation.year), params, year=evaluation.year
    )
    return Score(None, None, None, level, reasons)


def score(evaluation: Evaluation, sheet: dict[str, object], *, partial: bool = False) -> Score:
    """Score an evaluation from a sheet: general criteria (points, periods), criteria (ND 90),
    nothing (points, year)."""
    if evaluation.rule_set.scheme == Scheme.CRITERIA:
        return score_criteria(evaluation, sheet)
    if evaluation.kind == Evaluation.Kind.YEAR:
        return score_year_points(evaluation)
    return score_period(evaluation, sheet, partial=partial)


def quota_units(unit_id: int) -> set[int]:
    """The units whose staff share one HTXS quota with `unit_id` (ND 335 Art. 20.5: "trong
    phạm vi cùng một cơ quan, tổ chức, đơn vị"): the classifying agency and its divisions,
    not the agencies or public service units below it, which have their own."""
    from congvu.evaluation import authority

    agency = authority.classifying_unit(unit_id)
    t = authority.tree()
    out = {agency}
    stack = [agency]
    while stack:
        for child in t.children.get(stack.pop(), ()):
            if child not in out and not authority.is_classifying(child):
                out.add(child)
                stack.append(child)
    return out


def quota_rows(
    unit_id: int, year: int, pending: dict[int, tuple[str, str]]
) -> list[tuple[str, str]]:
    """(level, group) of every year evaluation in the agency of `unit_id` (all its divisions):
    finalised ones plus `pending` (evaluation id → (level, group)) about to be finalised or
    corrected."""
    rows: list[tuple[str, str]] = []
    qs = Evaluation.objects.years().filter(unit_id__in=quota_units(unit_id), year=year)
    for e in qs:
        if e.pk in pending:
            rows.append(pending[e.pk])
        elif e.status == Evaluation.Status.FINALISED and e.final_level:
            rows.append((e.final_level, e.group_key))
    return rows


def quota_check(
    unit_id: int, year: int, pending: dict[int, tuple[str, str]] | None = None
) -> list[scoring.QuotaViolation]:
    """The warning shown before finalisation (ND 335 Art. 20.5): violations, empty if fine.
    Counted over the whole agency and per group of similar jobs across its divisions."""
    from congvu.evaluation.models import RuleSet

    rows = quota_rows(unit_id, year, pending or {})
    sample = Evaluation.objects.years().filter(unit_id__in=quota_units(unit_id), year=year).first()
    rule_set = sample.rule_set if sample else RuleSet.objects.order_by("-valid_from").first()
    if rule_set is None:
        raise ActionError("no_rule_set", "Chưa có bộ quy tắc đánh giá nào.")
    return scoring.quota_violations(rows, dec(rule_set.params_with_defaults["quota_ratio"]))


@dataclass(frozen=True)
class ConfirmedFinding:
    id: int
    behaviour: str
    period: str
    sentence: str


def confirmed_findings(person_id: int, start: date, end: date) -> list[ConfirmedFinding]:
    """Detection findings about the person whose period overlaps [start, end] and whose due
    process ended in a confirmation (or was upheld on appeal). Only these count in evaluation;
    empty when the detection app is not installed."""
    from django.apps import apps

    if not apps.is_installed("congvu.detection"):
        return []
    from congvu.detection.models import Finding

    rows = (
        Finding.objects.confirmed()
        .filter(subject_person_id=person_id, period_start__lte=end, period_end__gte=start)
        .order_by("period_start", "id")
        .values_list("id", "behaviour", "period", "sentence")
    )
    return [ConfirmedFinding(*row) for row in rows]


def finding_notes(evaluation: Evaluation) -> list[str]:
    """Confirmed findings as evidence lines for the head's proposal (never an automatic
    deduction: the head weighs them in the general criteria)."""
    return [
        f"Phát hiện đã xác nhận ({f.period}): {f.sentence}"
        for f in confirmed_findings(evaluation.person_id, evaluation.start, evaluation.end)
    ]


# --- tasks as products (ND 335 Art. 14) --------------------------------------------------------


@dataclass(frozen=True)
class CauseSource:
    """A fact of the task log that is an objective cause: a pause for a legal obstacle or for a
    dependency on another unit/task, reviewed and acknowledged by the competent level."""

    code: str  # "legal_obstacle:<task>" or "dependency:<task>" (docs/evaluation.md)
    task_id: int
    label: str


@dataclass(frozen=True)
class TaskIssue:
    kind: str  # ProductIssue.Kind value
    on: date
    note: str


@dataclass(frozen=True)
class TaskLine:
    """One task the person led whose deadline falls in the period, as a product line."""

    task_id: int
    title: str
    completed: bool
    issues: tuple[TaskIssue, ...]
    cause: CauseSource | None


def cause_sources(task_ids: Iterable[int]) -> dict[int, list[CauseSource]]:
    """Acknowledged legal-obstacle and dependency pauses of these tasks, read from the task log
    (a rejected review — payload "acknowledged": false — is not a cause)."""
    from congvu.tasks.events import TaskEventType as E
    from congvu.tasks.models import TaskEvent

    ids = list(task_ids)
    if not ids:
        return {}
    pauses = {
        (task_id, seq): (code, text, payload)
        for task_id, seq, code, text, payload in TaskEvent.objects.filter(
            task_id__in=ids, type=E.PAUSED, reason_code__in=["legal_obstacle", "dependency"]
        ).values_list("task_id", "seq", "reason_code", "reason_text", "payload")
    }
    out: dict[int, list[CauseSource]] = {}
    if not pauses:
        return out
    reviews = TaskEvent.objects.filter(task_id__in=ids, type=E.PAUSE_REVIEWED).order_by(
        "task_id", "seq"
    )
    for task_id, payload in reviews.values_list("task_id", "payload"):
        if payload.get("acknowledged") is False:
            continue
        found = pauses.get((task_id, payload.get("pause_seq")))
        if found is None:
            continue
        code, text, pause_payload = found
        if any(s.code == f"{code}:{task_id}" for s in out.get(task_id, [])):
            continue
        if code == "legal_obstacle":
            label = (
                f"Vướng mắc pháp lý đã được xác nhận (nhiệm vụ #{task_id}): "
                f"{pause_payload.get('regulation', '')} — {text}"
            )
        else:
            label = f"Chờ đơn vị, nhiệm vụ khác, đã được xác nhận (nhiệm vụ #{task_id}): {text}"
        out.setdefault(task_id, []).append(CauseSource(f"{code}:{task_id}", task_id, label))
    return out


def task_lines(
    person_ids: Iterable[int], start: date, end: date, today: date
) -> dict[int, list[TaskLine]]:
    """The tasks each person leads whose deadline falls in [start, end] (and not after today:
    work not yet due is not judged), as product lines: completed or not; a delay when finished
    after the deadline or still open past it; a failed quality review for each rework request;
    the objective cause when a legal obstacle or a dependency was acknowledged on the task.
    A handful of queries for any number of people (the province run calls it once a month)."""
    from congvu.tasks.events import TaskEventType as E
    from congvu.tasks.models import Status, Task, TaskEvent
    from congvu.tasks.state import VN_TZ

    last_day = min(end, today)
    if last_day < start:
        return {}
    tasks = list(
        Task.objects.filter(
            lead_person_id__in=list(person_ids), deadline__gte=start, deadline__lte=last_day
        )
        .exclude(status=Status.CANCELLED)
        .values_list("pk", "lead_person_id", "title", "status", "deadline")
        .order_by("deadline", "pk")
    )
    ids = [t[0] for t in tasks]
    done: dict[int, date] = {}
    reworks: dict[int, list[date]] = {}
    for task_id, etype, at in (
        TaskEvent.objects.filter(task_id__in=ids, type__in=[E.SUBMITTED, E.REWORK_REQUESTED])
        .order_by("task_id", "seq")
        .values_list("task_id", "type", "at")
    ):
        day = at.astimezone(VN_TZ).date()
        if etype == E.SUBMITTED:
            done[task_id] = day
        else:
            reworks.setdefault(task_id, []).append(day)
    causes = cause_sources(ids)
    from congvu.workdays.calendar import get_calendar

    cal = get_calendar()
    out: dict[int, list[TaskLine]] = {}
    for pk, person_id, title, status, deadline in tasks:
        completed = status == Status.COMPLETED
        issues = [
            TaskIssue("quality", day, "Yêu cầu làm lại khi phê duyệt kết quả")
            for day in reworks.get(pk, [])
        ]
        finished = done.get(pk) if completed else None
        # A deadline on a day off ends with the next working day (Civil Code Art. 148).
        last = cal.next_working_day(deadline)
        if finished is not None and finished > last:
            issues.append(TaskIssue("delay", finished, f"Hoàn thành sau hạn {deadline:%d/%m/%Y}"))
        elif not completed and today > last:
            issues.append(TaskIssue("delay", last, f"Quá hạn {deadline:%d/%m/%Y}, chưa xong"))
        found = causes.get(pk, [])
        out.setdefault(person_id, []).append(
            TaskLine(pk, title, completed, tuple(issues), found[0] if found else None)
        )
    return out
