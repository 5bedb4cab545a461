"""Pure scoring rules: plain dataclasses in, results out, no database.

ND 335/2025 (points) and ND 90/2020 + 48/2023 (criteria). Every parameter comes from the rule
set's data (`params`), so an administrator's edit changes the outcome without a deploy.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_DOWN, Decimal
from typing import Any

from congvu.evaluation.models import Level, level_rank
from congvu.evaluation.rules import dec
from congvu.lib.errors import ActionError

ZERO = Decimal(0)
ONE = Decimal(1)
CENT = Decimal("0.01")


def q2(value: Decimal) -> Decimal:
    """Two decimals for storage and display, truncated: a stored result never shows a
    threshold its level did not reach (89.996 is HTT and is shown 89.99, not 90.00)."""
    return value.quantize(CENT, rounding=ROUND_DOWN)


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
    """a (quantity), b (quality), c (timeliness): ratios 0..1 over the ASSIGNED converted
    products; `ratio` = (a+b+c)/3 (exact); `score` = ratio × task_max (exact, not rounded).
    `assigned` = 0 means nothing was assigned: the period is not scored (not 0 of 70)."""

    quantity: Decimal
    quality: Decimal
    timeliness: Decimal
    ratio: Decimal
    score: Decimal
    notes: tuple[str, ...] = ()
    assigned: Decimal = ZERO

    @property
    def scored(self) -> bool:
        return self.assigned > 0


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


def _after_deductions(p: Product, issues: int, cut: Decimal, scope: str) -> Decimal:
    """The points a product line keeps after `issues` deductions of 25 %.

    scope "product" (default, ND 335 Art. 14: "25% điểm … của sản phẩm/công việc đó"): each
    issue concerns ONE product of the line, so it deducts 25 % of one product's converted
    points (the coefficient); a line of 10 reports with one failed review keeps 9.75.
    scope "line": each issue deducts 25 % of the whole line (the reading the old code had).
    Never below zero."""
    done = p.coefficient * p.completed
    per_issue = p.coefficient if scope == "product" else done
    return max(ZERO, done - cut * per_issue * issues)


def task_result(products: Sequence[Product], params: Mapping[str, Any]) -> TaskResult:
    """ND 335 Art. 14 and form PL-01A: a, b, c over the period's assigned converted products.

    - a (quantity) = Σ coef × completed / Σ coef × assigned (≤ 1);
    - b (quality) = Σ points kept after 25 % per failed review / Σ coef × assigned;
    - c (timeliness) = Σ points kept after 25 % per delay / Σ coef × assigned;
    - score = (a + b + c) / 3 × 70.
    A product not completed scores 0 in a, b and c: 1 of 10 done → a = b = c = 0.1 → 7.
    """
    cut = dec(params["deduction_per_issue"])
    scope = str(params.get("deduction_scope", "product"))
    task_max = dec(params["task_max"])
    assigned = sum((p.coefficient * p.assigned for p in products), ZERO)
    if assigned <= 0:
        return TaskResult(
            ZERO,
            ZERO,
            ZERO,
            ZERO,
            ZERO,
            ("Không có sản phẩm, công việc được giao trong kỳ: kỳ này không tính điểm.",),
        )
    completed = sum((p.coefficient * p.completed for p in products), ZERO)
    quality_pts = sum(
        (_after_deductions(p, p.quality_failures, cut, scope) for p in products), ZERO
    )
    timely_pts = sum((_after_deductions(p, p.delays, cut, scope) for p in products), ZERO)
    a = min(ONE, completed / assigned)
    b = min(ONE, quality_pts / assigned)
    c = min(ONE, timely_pts / assigned)
    notes: list[str] = []
    if completed <= 0:
        notes.append("Chưa hoàn thành sản phẩm nào trong kỳ.")
    ratio = (a + b + c) / 3
    return TaskResult(a, b, c, ratio, ratio * task_max, tuple(notes), assigned)


@dataclass(frozen=True)
class LeaderInputs:
    """ND 335 Art. 15–16 and form PL-01B: what a leader adds to a, b, c.

    d: the results of the people managed — every one at least HT → 100 %, anyone KHT → 50 %
       (`leader_unit_ratio_all_ht` / `_any_kht`);
    đ: ability to organise implementation — the share of the managed people's assigned
       converted products completed on time and at quality (planned work done on time and at
       quality → 100 %), unless the competent level assessed it in the sheet;
    e: rallying and uniting staff — assessed by the competent level in the sheet (0–100 %).
    """

    managed_levels: tuple[str, ...]
    organisation: Decimal  # đ, 0..1
    rallying: Decimal  # e, 0..1


def organisation_ratio(products: Sequence[Product]) -> Decimal:
    """đ computed from the managed people's products: Σ coef × (completed units with no
    unexcused failed review and no unexcused delay) / Σ coef × assigned. A unit with nothing
    assigned is 100 % (nothing planned was missed)."""
    assigned = sum((p.coefficient * p.assigned for p in products), ZERO)
    if assigned <= 0:
        return ONE
    clean = sum(
        (p.coefficient * max(ZERO, p.completed - p.quality_failures - p.delays) for p in products),
        ZERO,
    )
    return min(ONE, clean / assigned)


def leader_task_score(
    own: TaskResult, leader: LeaderInputs, params: Mapping[str, Any]
) -> tuple[Decimal, Decimal, list[str]]:
    """ND 335 Art. 15–16: (a + b + c + d + đ + e) / 6 × 70 → (ratio, score, notes).

    Without managed people in the period (a deputy with no staff), d and đ have nothing to
    measure: the leader is scored (a + b + c + e) / 4 × 70 [UNVERIFIED: the sources do not
    cover this case], and a note says so.
    """
    task_max = dec(params["task_max"])
    e = leader.rallying
    if not leader.managed_levels:
        ratio = (own.quantity + own.quality + own.timeliness + e) / 4
        return (
            ratio,
            ratio * task_max,
            [
                "Không có công chức thuộc quyền quản lý có kết quả trong kỳ: tính (a+b+c+e)/4 × 70.",
                f"Khả năng tập hợp, đoàn kết (e): {e:.0%}.",
            ],
        )
    any_kht = any(level == Level.KHT for level in leader.managed_levels)
    d = dec(params["leader_unit_ratio_any_kht"] if any_kht else params["leader_unit_ratio_all_ht"])
    dd = leader.organisation
    ratio = (own.quantity + own.quality + own.timeliness + d + dd + e) / 6
    notes = [
        f"Kết quả của người thuộc quyền quản lý (d): {d:.0%}"
        + (" (có người không hoàn thành nhiệm vụ)." if any_kht else "."),
        f"Khả năng tổ chức triển khai (đ): {dd:.2%}.",
        f"Khả năng tập hợp, đoàn kết (e): {e:.0%}.",
    ]
    return ratio, ratio * task_max, notes


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
    """ND 335 Art. 21: the year score is the average of the tracked periods actually worked.

    Exact (not rounded): the level is read from this value, so 89.995 stays HTT. Callers round
    (down, q2) only to store or show it."""
    if not period_totals:
        raise ActionError(
            "no_periods",
            "Chưa có kết quả theo dõi, đánh giá tháng/quý nào trong năm để tính điểm cả năm.",
        )
    return sum(period_totals, ZERO) / len(period_totals)


@dataclass(frozen=True)
class Conduct:
    kind: str  # ConductRecord.Kind value
    form: str = ""
    label: str = ""
    # The violation was committed in performing public duty (ND 335 Art. 20.4.c: "bị kỷ
    # luật … do vi phạm liên quan đến thực thi công vụ"); a Party or administrative discipline
    # for something else does not force KHT under ND 335.
    related_to_duty: bool = True


def kht_overrides(
    conduct: Sequence[Conduct], params: Mapping[str, Any], *, duty_link: bool | None = None
) -> list[str]:
    """ND 335 Art. 20.4 (b)–(d), ND 90 Art. 11 and ND 48/2023: facts that force KHT whatever
    the points. `duty_link` (default: the rule set's `kht_discipline_requires_duty_link`)
    restricts ground (c) to discipline for a violation related to public duty."""
    reasons: list[str] = []
    forms = set(params["kht_discipline_forms"])
    if duty_link is None:
        duty_link = bool(params.get("kht_discipline_requires_duty_link", True))
    for c in conduct:
        if c.kind in ("discipline", "party_discipline") and (c.form in forms or not c.form):
            if duty_link and not c.related_to_duty:
                continue
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


def nd48_applies(year: int | None, params: Mapping[str, Any]) -> bool:
    """ND 48/2023 is in force from 15/9/2023 (`nd48_in_force_from`): it governs the years
    classified after that day (2023 on), never 2020–2022."""
    raw = params.get("nd48_in_force_from")
    if year is None or not raw:
        return True
    return date(year, 12, 31) >= date.fromisoformat(str(raw))


def discipline_needs_duty_link(year: int | None, params: Mapping[str, Any]) -> bool:
    """Whether only discipline for a violation in performing duty forces KHT. ND 48 (Art. 2
    cl. 5 of ND 90 as amended): any discipline in the year does, unless the rule set asks for
    the link (`kht_discipline_requires_duty_link`). Before it, ND 90 Art. 11 only counts
    discipline for a violation in performing duty."""
    if nd48_applies(year, params):
        return bool(params.get("kht_discipline_requires_duty_link", False))
    return True


def classify_criteria(
    c: Criteria, conduct: Sequence[Conduct], params: Mapping[str, Any], *, year: int | None = None
) -> tuple[Level | None, list[str]]:
    """ND 90/2020 Art. 2, 8–11 (+ Art. 4/8.2 for leaders), as amended by ND 48/2023 for the
    years it governs (`nd48_applies`).

    Returns (None, reasons) when the person is not classified (worked < 6 months, not on
    maternity leave).
    """
    reasons: list[str] = []
    if c.months_worked < int(params["min_months_worked"]) and not c.maternity:
        return None, [
            f"Thời gian công tác trong năm dưới {params['min_months_worked']} tháng: không xếp loại."
        ]
    if params.get("discipline_forces_kht", True):
        forced = kht_overrides(conduct, params, duty_link=discipline_needs_duty_link(year, params))
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
    elif c.general_met and all_done and all_on_time and lead_htt:
        # ND 90 Art. 9: HTT needs the general criteria MET (Art. 8 asks "well" for HTXS only).
        level = Level.HTT
    elif c.general_met and all_done and short <= dec(params["ht_max_short_share"]) and lead_ht:
        level = Level.HT
    else:
        # Between HT's limit (≤ 20 % short) and KHT's (> 50 % short) ND 90 names no level: the
        # setting decides (default HT, the level that needs no KHT ground; docs/legal.md).
        level = Level(params["fallthrough_level"])
        reasons.append(
            "Không thuộc trường hợp nào của Nghị định 90/2020 (chưa bảo đảm từ 20% đến 50% "
            f"nhiệm vụ): áp dụng mức theo tham số của bộ quy tắc ({level.label})."
        )

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
        where = "toàn cơ quan, đơn vị" if self.scope == "unit" else f"nhóm “{self.scope}”"
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
