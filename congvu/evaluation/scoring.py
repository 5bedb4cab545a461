"""Pure scoring rules: plain dataclasses in, results out, no database.

ND 335/2025 (points) and ND 90/2020 + 48/2023 (criteria). Every parameter comes from the rule
set's data (`params`), so an administrator's edit changes the outcome without a deploy.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from congvu.evaluation.models import Level, level_rank
from congvu.evaluation.rules import dec
from congvu.lib.errors import ActionError

ZERO = Decimal(0)
ONE = Decimal(1)
CENT = Decimal("0.01")


def q2(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


# --- ND 335/2025: points ------------------------------------------------------------------


@dataclass(frozen=True)
class Product:
    """One product line of a period: coefficient × quantity, with its unexcused issues."""

    coefficient: Decimal
    assigned: Decimal
    completed: Decimal
    quality_failures: int = 0  # failed reviews without a confirmed objective cause
    delays: int = 0  # delays without a confirmed objective cause


@dataclass(frozen=True)
class TaskResult:
    quantity: Decimal  # ratios 0..1
    quality: Decimal
    timeliness: Decimal
    ratio: Decimal  # weighted composite 0..1
    score: Decimal  # ratio × task_max
    notes: tuple[str, ...] = ()


def validate_general_scores(scores: Mapping[str, Any], params: Mapping[str, Any]) -> Decimal:
    """Check a general-criteria sheet against the rule set's criteria and ranges; its total.

    ND 335 Art. 12: at most 30 points for the general criteria. Raises ActionError (nothing
    saved) on an unknown or missing criterion or a score outside 0..max.
    """
    criteria = params["general_criteria"]
    known = {c["code"]: c for c in criteria}
    unknown = set(scores) - set(known)
    if unknown:
        raise ActionError(
            "unknown_criterion",
            f"Tiêu chí không có trong bộ quy tắc: {', '.join(sorted(unknown))}.",
            field="general",
        )
    total = ZERO
    for code, crit in known.items():
        if code not in scores:
            raise ActionError(
                "missing_score", f"Chưa chấm tiêu chí “{crit['name']}”.", field=f"general.{code}"
            )
        try:
            value = dec(scores[code])
        except ArithmeticError as exc:
            raise ActionError(
                "score_not_number", f"Điểm tiêu chí “{crit['name']}” phải là số.", field=code
            ) from exc
        top = dec(crit["max"])
        if not value.is_finite() or value < 0 or value > top:
            raise ActionError(
                "score_out_of_range",
                f"Điểm tiêu chí “{crit['name']}” phải từ 0 đến {top} (nhập {value}).",
                field=f"general.{code}",
            )
        total += value
    general_max = dec(params["general_max"])
    if total > general_max:
        raise ActionError(
            "score_out_of_range",
            f"Tổng điểm tiêu chí chung tối đa {general_max} (đang là {total}).",
            field="general",
        )
    return total


def task_result(products: Sequence[Product], params: Mapping[str, Any]) -> TaskResult:
    """ND 335 Art. 14: quantity, quality and timeliness of converted products.

    - quantity = Σ coef × completed / Σ coef × assigned (capped at 1);
    - quality = Σ points × max(0, 1 − 25 % × failed reviews) / Σ points, points = coef × completed;
    - timeliness: the same with delays;
    - composite = weighted sum; score = composite × 70.
    """
    weights = {k: dec(v) for k, v in params["task_weights"].items()}
    cut = dec(params["deduction_per_issue"])
    task_max = dec(params["task_max"])
    assigned = sum((p.coefficient * p.assigned for p in products), ZERO)
    done_points = [(p, p.coefficient * p.completed) for p in products]
    completed = sum((pts for _, pts in done_points), ZERO)
    notes: list[str] = []
    if assigned <= 0:
        notes.append("Không có sản phẩm được giao trong kỳ.")
        return TaskResult(ZERO, ZERO, ZERO, ZERO, ZERO, tuple(notes))
    quantity = min(ONE, completed / assigned)
    if completed > 0:
        quality = sum(
            (pts * max(ZERO, ONE - cut * p.quality_failures) for p, pts in done_points), ZERO
        )
        quality /= completed
        timely = sum((pts * max(ZERO, ONE - cut * p.delays) for p, pts in done_points), ZERO)
        timely /= completed
    else:
        quality = timely = ZERO
        notes.append("Chưa hoàn thành sản phẩm nào trong kỳ.")
    ratio = (
        weights.get("quantity", ZERO) * quantity
        + weights.get("quality", ZERO) * quality
        + weights.get("timeliness", ZERO) * timely
    )
    return TaskResult(quantity, quality, timely, ratio, q2(ratio * task_max), tuple(notes))


def leader_task_score(
    own: TaskResult,
    subordinate_levels: Sequence[str],
    subordinate_ratios: Sequence[Decimal],
    params: Mapping[str, Any],
) -> tuple[Decimal, list[str]]:
    """ND 335 Art. 15–16: a leader's 70 points mix their own products with the unit's results.

    unit_results = 1.0 when every managed person is HT or better, 0.5 when anyone is KHT;
    organisation = the average task ratio of the managed people. Weights are parameters.
    Without managed people, the leader is scored on their own products only.
    """
    task_max = dec(params["task_max"])
    if not subordinate_levels:
        return own.score, [
            "Không có công chức thuộc quyền quản lý trong kỳ: chỉ tính sản phẩm cá nhân."
        ]
    w = {k: dec(v) for k, v in params["leader_weights"].items()}
    any_kht = any(level == Level.KHT for level in subordinate_levels)
    unit_ratio = dec(
        params["leader_unit_ratio_any_kht"] if any_kht else params["leader_unit_ratio_all_ht"]
    )
    organisation = sum(subordinate_ratios, ZERO) / len(subordinate_ratios)
    ratio = (
        w.get("own", ZERO) * own.ratio
        + w.get("unit_results", ZERO) * unit_ratio
        + w.get("organisation", ZERO) * organisation
    )
    notes = [
        f"Kết quả đơn vị: {unit_ratio:.0%}"
        + (" (có công chức không hoàn thành nhiệm vụ)." if any_kht else "."),
        f"Khả năng tổ chức triển khai: {organisation:.0%}.",
    ]
    return q2(ratio * task_max), notes


def level_for_points(total: Decimal, params: Mapping[str, Any]) -> Level:
    """ND 335 Art. 20: HTXS ≥ 90; HTT 70–<90; HT 50–<70; KHT < 50 (thresholds are data)."""
    t = {k: dec(v) for k, v in params["thresholds"].items()}
    if total >= t["HTXS"]:
        return Level.HTXS
    if total >= t["HTT"]:
        return Level.HTT
    if total >= t["HT"]:
        return Level.HT
    return Level.KHT


def year_average(period_totals: Sequence[Decimal]) -> Decimal:
    """ND 335 Art. 21: the year score is the average of the tracked periods actually worked."""
    if not period_totals:
        raise ActionError(
            "no_periods",
            "Chưa có kết quả theo dõi, đánh giá tháng/quý nào trong năm để tính điểm cả năm.",
        )
    return q2(sum(period_totals, ZERO) / len(period_totals))


@dataclass(frozen=True)
class Conduct:
    kind: str  # ConductRecord.Kind value
    form: str = ""
    label: str = ""


def kht_overrides(conduct: Sequence[Conduct], params: Mapping[str, Any]) -> list[str]:
    """ND 335 Art. 20.4 (b)–(d) and ND 48/2023: facts that force KHT whatever the points."""
    reasons: list[str] = []
    forms = set(params["kht_discipline_forms"])
    for c in conduct:
        if c.kind in ("discipline", "party_discipline") and (c.form in forms or not c.form):
            reasons.append(f"Bị kỷ luật trong năm đánh giá ({c.label or c.form or c.kind}).")
        elif c.kind == "degradation":
            reasons.append("Bị kết luận suy thoái, “tự diễn biến”, “tự chuyển hóa”.")
        elif c.kind == "unit_corruption":
            reasons.append(
                "Đơn vị trực tiếp phụ trách để xảy ra tham nhũng, lãng phí và bị xử lý theo quy định."
            )
    return reasons


# --- ND 90/2020 + 48/2023: criteria -----------------------------------------------------------

CRITERIA_INT_FIELDS = (
    "tasks_total",
    "tasks_completed",
    "tasks_on_time_quality",
    "tasks_exceeded",
    "tasks_short",
    "months_worked",
    "months_absent",
)
LEADER_INT_FIELDS = (
    "unit_targets_total",
    "unit_targets_completed",
    "unit_targets_on_time_quality",
    "unit_targets_exceeded",
    "sub_units_total",
    "sub_units_ht_or_better",
    "sub_units_htt_or_better",
)


@dataclass(frozen=True)
class Criteria:
    general_well: bool  # meets the general criteria (Art. 3) well
    general_met: bool
    tasks_total: int
    tasks_completed: int
    tasks_on_time_quality: int
    tasks_exceeded: int
    tasks_short: int
    months_worked: int = 12
    months_absent: int = 0
    maternity: bool = False
    is_leader: bool = False
    unit_targets_total: int = 0
    unit_targets_completed: int = 0
    unit_targets_on_time_quality: int = 0
    unit_targets_exceeded: int = 0
    sub_units_total: int = 0
    sub_units_ht_or_better: int = 0
    sub_units_htt_or_better: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: Mapping[str, Any], *, is_leader: bool) -> Criteria:
        """Validate a criteria sheet (JSON) and build the dataclass; ActionError on bad input."""
        values: dict[str, Any] = {"is_leader": is_leader}
        for name in ("general_well", "general_met", "maternity"):
            v = data.get(name, False)
            if not isinstance(v, bool):
                raise ActionError("invalid_criteria", f"“{name}” phải là đúng/sai.", field=name)
            values[name] = v
        fields = CRITERIA_INT_FIELDS + (LEADER_INT_FIELDS if is_leader else ())
        for name in fields:
            v = data.get(name, 12 if name == "months_worked" else 0)
            if not isinstance(v, int) or isinstance(v, bool) or v < 0:
                raise ActionError(
                    "invalid_criteria", f"“{name}” phải là số nguyên không âm.", field=name
                )
            values[name] = v
        c = cls(**values)
        if c.tasks_total <= 0:
            raise ActionError(
                "invalid_criteria", "Cần ít nhất một nhiệm vụ được giao.", field="tasks_total"
            )
        if c.months_worked > 12 or c.months_absent > 12:
            raise ActionError("invalid_criteria", "Số tháng phải từ 0 đến 12.", field="months")
        for name, whole, what in _BOUNDS[: None if is_leader else 4]:
            if getattr(c, name) > getattr(c, whole):
                raise ActionError("invalid_criteria", f"“{name}” vượt {what}.", field=name)
        return c


# (count, the total it may not exceed, words for the message); the leader rows come last.
_BOUNDS = [
    ("tasks_completed", "tasks_total", "tổng số nhiệm vụ"),
    ("tasks_on_time_quality", "tasks_total", "tổng số nhiệm vụ"),
    ("tasks_exceeded", "tasks_total", "tổng số nhiệm vụ"),
    ("tasks_short", "tasks_total", "tổng số nhiệm vụ"),
    ("unit_targets_completed", "unit_targets_total", "tổng chỉ tiêu của đơn vị"),
    ("unit_targets_on_time_quality", "unit_targets_total", "tổng chỉ tiêu của đơn vị"),
    ("unit_targets_exceeded", "unit_targets_total", "tổng chỉ tiêu của đơn vị"),
    ("sub_units_ht_or_better", "sub_units_total", "số đơn vị trực thuộc"),
    ("sub_units_htt_or_better", "sub_units_total", "số đơn vị trực thuộc"),
]


def _share(part: int, whole: int) -> Decimal:
    return Decimal(part) / Decimal(whole) if whole else ONE


def classify_criteria(
    c: Criteria, conduct: Sequence[Conduct], params: Mapping[str, Any]
) -> tuple[Level | None, list[str]]:
    """ND 90/2020 Art. 2, 8–11 (+ Art. 4/8.2 for leaders), as amended by ND 48/2023.

    Returns (None, reasons) when the person is not classified (worked < 6 months, not on
    maternity leave).
    """
    reasons: list[str] = []
    if c.months_worked < int(params["min_months_worked"]) and not c.maternity:
        return None, [
            f"Thời gian công tác trong năm dưới {params['min_months_worked']} tháng: không xếp loại."
        ]
    if params.get("discipline_forces_kht", True):
        forced = kht_overrides(conduct, params)
        if forced:
            return Level.KHT, forced
    short = _share(c.tasks_short, c.tasks_total)
    all_done = c.tasks_completed == c.tasks_total
    all_on_time = c.tasks_on_time_quality == c.tasks_total
    exceeded = _share(c.tasks_exceeded, c.tasks_total)
    if short > dec(params["kht_min_short_share"]):
        return Level.KHT, [
            f"Trên {dec(params['kht_min_short_share']):.0%} nhiệm vụ chưa bảo đảm tiến độ, chất lượng, hiệu quả."
        ]

    # Leader conditions on the unit they lead and the units under direct management.
    lead_htxs = lead_htt = lead_ht = True
    if c.is_leader:
        u_done = _share(c.unit_targets_completed, c.unit_targets_total)
        u_on_time = _share(c.unit_targets_on_time_quality, c.unit_targets_total)
        u_exceeded = _share(c.unit_targets_exceeded, c.unit_targets_total)
        s_ht = _share(c.sub_units_ht_or_better, c.sub_units_total)
        s_htt = _share(c.sub_units_htt_or_better, c.sub_units_total)
        if u_done < dec(params["leader_kht_max_completed_share"]):
            return Level.KHT, [
                f"Đơn vị phụ trách hoàn thành dưới {dec(params['leader_kht_max_completed_share']):.0%} chỉ tiêu, nhiệm vụ."
            ]
        subs_good = s_ht == ONE and s_htt >= dec(params["leader_sub_htt_min_share"])
        lead_htxs = (
            u_done == ONE
            and u_exceeded >= dec(params["leader_htxs_min_exceeded_share"])
            and subs_good
        )
        lead_htt = (
            u_done == ONE and u_on_time >= dec(params["leader_htt_min_on_time_share"]) and subs_good
        )
        lead_ht = u_done > dec(params["leader_ht_min_completed_share"]) and s_ht >= dec(
            params["leader_sub_ht_min_share"]
        )

    level: Level
    if (
        c.general_well
        and all_done
        and all_on_time
        and exceeded >= dec(params["htxs_min_exceeded_share"])
        and lead_htxs
    ):
        level = Level.HTXS
    elif c.general_well and all_done and all_on_time and lead_htt:
        level = Level.HTT
    elif c.general_met and all_done and short <= dec(params["ht_max_short_share"]) and lead_ht:
        level = Level.HT
    else:
        level = Level(params["fallthrough_level"])
        reasons.append("Không đáp ứng đủ tiêu chí mức “Hoàn thành nhiệm vụ”.")

    cap_min = int(params["absent_cap_min_months"])
    cap_max = int(params["min_months_worked"])
    cap_level = Level(params["absent_cap_level"])
    if cap_min <= c.months_absent < cap_max and level_rank(level) < level_rank(cap_level):
        reasons.append(
            f"Nghỉ từ {cap_min} đến dưới {cap_max} tháng trong năm: không xếp loại từ "
            "“Hoàn thành tốt nhiệm vụ” trở lên."
        )
        level = cap_level
    return level, reasons


# --- quota (ND 335 Art. 20.5) -------------------------------------------------------------


@dataclass(frozen=True)
class QuotaViolation:
    scope: str  # "unit" or the job group's name
    htxs: int
    htt: int
    allowed: int
    ratio: Decimal

    @property
    def message(self) -> str:
        where = "toàn đơn vị" if self.scope == "unit" else f"nhóm “{self.scope}”"
        return (
            f"Tỷ lệ “Hoàn thành xuất sắc nhiệm vụ” vượt giới hạn trong {where}: {self.htxs} người "
            f"xếp loại HTXS, trong khi tối đa {self.allowed} ({self.ratio:.0%} của {self.htt} người HTT)."
        )


def quota_violations(rows: Sequence[tuple[str, str]], ratio: Decimal) -> list[QuotaViolation]:
    """rows = (level, job_group) of everyone classified in a unit for a year.

    HTXS may not exceed `ratio` × the number rated HTT, unit-wide and in each group of similar
    jobs. The allowed number is rounded down: 10 HTT → 2 HTXS; 4 HTT → 0.
    """

    def check(scope: str, levels: list[str]) -> QuotaViolation | None:
        htxs = sum(1 for lv in levels if lv == Level.HTXS)
        htt = sum(1 for lv in levels if lv == Level.HTT)
        allowed = int((ratio * htt).to_integral_value(rounding="ROUND_FLOOR"))
        return QuotaViolation(scope, htxs, htt, allowed, ratio) if htxs > allowed else None

    out: list[QuotaViolation] = []
    unit_v = check("unit", [lv for lv, _ in rows])
    if unit_v:
        out.append(unit_v)
    groups: dict[str, list[str]] = {}
    for lv, group in rows:
        groups.setdefault(group or "(chưa xác định vị trí)", []).append(lv)
    # One group covering the whole unit would only repeat the unit-wide warning.
    for group in sorted(groups) if len(groups) > 1 else []:
        v = check(group, groups[group])
        if v:
            out.append(v)
    return out
