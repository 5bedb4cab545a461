"""Database-facing scoring: load a period's inputs, run the pure rules in scoring.py."""

from __future__ import annotations

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


def products_of(evaluation: Evaluation) -> list[Product]:
    """The period's products with their unexcused quality failures and delays."""
    records = list(ProductRecord.objects.filter(evaluation=evaluation).prefetch_related("issues"))
    out = []
    for r in records:
        issues: list[ProductIssue] = list(r.issues.all())
        out.append(
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


def own_task_result(evaluation: Evaluation) -> TaskResult:
    return scoring.task_result(products_of(evaluation), evaluation.rule_set.params_with_defaults)


def managed_evaluations(evaluation: Evaluation) -> list[Evaluation]:
    """Same-period evaluations of the people a leader manages: the unit's subtree, minus the
    leader; a deputy does not count the head."""
    tree = tree_as_of(evaluation.end)
    units = tree.subtree(evaluation.unit_id) if evaluation.unit_id in tree else {evaluation.unit_id}
    qs = Evaluation.objects.filter(
        kind=evaluation.kind, year=evaluation.year, number=evaluation.number, unit_id__in=units
    ).exclude(person_id=evaluation.person_id)
    if evaluation.role_in_unit == "deputy":
        qs = qs.exclude(Q(unit_id=evaluation.unit_id) & Q(role_in_unit__in=["head", "deputy"]))
    elif evaluation.role_in_unit == "head":
        qs = qs.exclude(Q(unit_id=evaluation.unit_id) & Q(role_in_unit="head"))
    return [e for e in qs.select_related("rule_set") if e.total_score is not None]


def conduct_in_year(person_id: int, year: int) -> list[Conduct]:
    rows = ConductRecord.objects.filter(
        person_id=person_id,
        effective_on__gte=date(year, 1, 1),
        effective_on__lte=date(year, 12, 31),
    )
    return [Conduct(r.kind, r.form, r.label()) for r in rows]


def score_period(evaluation: Evaluation, general: dict[str, object]) -> Score:
    """ND 335: general sheet (30) + task results (70), leaders mixing in their unit's results."""
    params = evaluation.rule_set.params_with_defaults
    general_total = scoring.validate_general_scores(general, params)
    own = own_task_result(evaluation)
    reasons = list(own.notes)
    task = own.score
    if evaluation.is_leader:
        managed = managed_evaluations(evaluation)
        levels = [e.effective_level for e in managed]
        ratios = [own_task_result(e).ratio for e in managed]
        task, notes = scoring.leader_task_score(own, levels, ratios, params)
        reasons += notes
    total = general_total + task
    return Score(general_total, task, total, scoring.level_for_points(total, params), reasons)


def score_year_points(evaluation: Evaluation) -> Score:
    """ND 335 Art. 20–21: average of the person's tracked periods in the year, wherever they
    worked (the periods follow the person), then the KHT overrides."""
    params = evaluation.rule_set.params_with_defaults
    periods = list(
        Evaluation.objects.periods()
        .filter(person_id=evaluation.person_id, year=evaluation.year, total_score__isnull=False)
        .exclude(status__in=[Evaluation.Status.DRAFT, Evaluation.Status.SELF_ASSESSED])
        .order_by("start")
    )
    kind = params.get("period_kind")
    preferred = [p for p in periods if p.kind == kind]
    periods = preferred or periods
    totals = [p.total_score for p in periods if p.total_score is not None]
    avg = scoring.year_average(totals)
    reasons = [f"Điểm bình quân {len(totals)} kỳ theo dõi: {avg}."]
    level = scoring.level_for_points(avg, params)
    forced = scoring.kht_overrides(conduct_in_year(evaluation.person_id, evaluation.year), params)
    if forced:
        level = Level.KHT
        reasons += forced
    return Score(None, None, avg, level, reasons)


def score_criteria(evaluation: Evaluation, criteria: dict[str, object]) -> Score:
    params = evaluation.rule_set.params_with_defaults
    c = scoring.Criteria.from_json(criteria, is_leader=evaluation.is_leader)
    level, reasons = scoring.classify_criteria(
        c, conduct_in_year(evaluation.person_id, evaluation.year), params
    )
    return Score(None, None, None, level, reasons)


def score(evaluation: Evaluation, sheet: dict[str, object]) -> Score:
    """Score an evaluation from a sheet: general criteria (points, periods), criteria (ND 90),
    nothing (points, year)."""
    if evaluation.rule_set.scheme == Scheme.CRITERIA:
        return score_criteria(evaluation, sheet)
    if evaluation.kind == Evaluation.Kind.YEAR:
        return score_year_points(evaluation)
    return score_period(evaluation, sheet)


def quota_rows(
    unit_id: int, year: int, pending: dict[int, tuple[str, str]]
) -> list[tuple[str, str]]:
    """(level, group) of every year evaluation in the unit: finalised ones plus `pending`
    (evaluation id → (level, group)) that are about to be finalised or corrected."""
    rows: list[tuple[str, str]] = []
    qs = Evaluation.objects.years().filter(unit_id=unit_id, year=year)
    for e in qs:
        if e.pk in pending:
            rows.append(pending[e.pk])
        elif e.status == Evaluation.Status.FINALISED and e.final_level:
            rows.append((e.final_level, e.group_key))
    return rows


def quota_check(
    unit_id: int, year: int, pending: dict[int, tuple[str, str]] | None = None
) -> list[scoring.QuotaViolation]:
    """The warning shown before finalisation (ND 335 Art. 20.5): violations, empty if fine."""
    from congvu.evaluation.models import RuleSet

    rows = quota_rows(unit_id, year, pending or {})
    sample = Evaluation.objects.years().filter(unit_id=unit_id, year=year).first()
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
