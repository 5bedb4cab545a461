"""Pure rules pinned to worked examples written from the legal text (no database)."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from congvu.evaluation import defaults
from congvu.evaluation.models import Level
from congvu.evaluation.scoring import (
    Conduct,
    Criteria,
    LeaderInputs,
    Product,
    classify_criteria,
    kht_overrides,
    leader_task_score,
    level_for_points,
    organisation_ratio,
    q2,
    quota_violations,
    task_result,
    validate_general_scores,
    year_average,
)
from congvu.lib.errors import ActionError

P335 = defaults.ND335
P90 = defaults.ND90


def test_one_product_done_of_ten_scores_37_kht_nd335_art14() -> None:
    """Issue #18's example: 1 of 10 products done, no other issue, general criteria 30.

    a = b = c = 1/10 (all three over the ASSIGNED products) → (0.1 × 3)/3 × 70 = 7;
    7 + 30 = 37 → KHT (< 50). The old formula (quality and timeliness over the completed
    products, weights 0.4/0.3/0.3) gave 44.8 + 30 = 74.8 (HTT).
    """
    r = task_result([Product(D(1), D(10), D(1))], P335)
    assert (r.quantity, r.quality, r.timeliness) == (D("0.1"), D("0.1"), D("0.1"))
    assert r.score == D(7)
    assert level_for_points(D(30) + r.score, P335) == Level.KHT


AB = [
    Product(D(1), D(10), D(10), quality_failures=1),  # A: 10 of 10, one failed review
    Product(D(2), D(5), D(4), delays=1),  # B: coefficient 2, 4 of 5, one delay
]


def test_the_docs_ab_example_deducts_25_percent_of_one_product_nd335_art14() -> None:
    """docs/evaluation.md's A/B example, 25 % of "that product" (one product, not the line).

    Assigned 1×10 + 2×5 = 20; completed 10 + 2×4 = 18 → a = 0.9.
    b: A keeps 10 − 0.25 × 1 = 9.75, B 8 → 17.75/20 = 0.8875.
    c: A 10, B 8 − 0.25 × 2 = 7.5 → 17.5/20 = 0.875.
    (0.9 + 0.8875 + 0.875)/3 × 70 = 62.125; with 30 general points 92.125 → HTXS.
    """
    r = task_result(AB, P335)
    assert (r.quantity, r.quality, r.timeliness) == (D("0.9"), D("0.8875"), D("0.875"))
    assert r.score == D("62.125")
    assert level_for_points(D(30) + r.score, P335) == Level.HTXS


def test_the_ab_example_per_line_gives_the_issues_87_75_nd335_art14() -> None:
    """The same example with `deduction_scope` = "line" (25 % of the whole line), the figure
    issue #18 quotes: b = (7.5 + 8)/20 = 0.775, c = (10 + 6)/20 = 0.8;
    (0.9 + 0.775 + 0.8)/3 × 70 = 57.75; + 30 = 87.75 → HTT."""
    r = task_result(AB, {**P335, "deduction_scope": "line"})
    assert (r.quality, r.timeliness) == (D("0.775"), D("0.8"))
    assert r.score == D("57.75")
    assert level_for_points(D(30) + r.score, P335) == Level.HTT


def test_a_confirmed_objective_cause_removes_the_deduction_nd335_art14() -> None:
    """A/B with B's delay excused: c = 18/20 = 0.9 → (0.9 + 0.8875 + 0.9)/3 × 70 = 62.7083…"""
    products = [Product(D(1), D(10), D(10), quality_failures=1), Product(D(2), D(5), D(4))]
    r = task_result(products, P335)
    assert r.timeliness == D("0.9")
    assert q2(r.score) == D("62.70")


def test_deductions_never_go_below_zero() -> None:
    """One product, five failed reviews: 1 − 1.25 → 0 (not negative); a = c = 1 → 46.66…"""
    r = task_result([Product(D(1), D(1), D(1), quality_failures=5)], P335)
    assert r.quality == 0
    assert q2(r.score) == D("46.66")


def test_nothing_assigned_is_not_scored_not_zero() -> None:
    """A month with nothing assigned (leave) is not a 0/70 month: it is not scored."""
    r = task_result([], P335)
    assert not r.scored and r.notes
    assert not task_result([Product(D(1), D(0), D(0))], P335).scored


def test_leader_scores_six_ratios_nd335_art15_16() -> None:
    """A leader: own a = b = c = 1; d = 100 % (all managed HT or better); đ = 90 %; e = 80 %:
    (1 + 1 + 1 + 1 + 0.9 + 0.8)/6 × 70 = 66.5. One managed person KHT → d = 50 %:
    5.2/6 × 70 = 60.666… (stored 60.66, truncated)."""
    own = task_result([Product(D(1), D(4), D(4))], P335)
    ok = LeaderInputs((Level.HT, Level.HTT), D("0.9"), D("0.8"))
    ratio, score, notes = leader_task_score(own, ok, P335)
    assert score == D("66.5") and ratio == D("0.95")
    _, score, notes = leader_task_score(
        own, LeaderInputs((Level.HT, Level.KHT), D("0.9"), D("0.8")), P335
    )
    assert q2(score) == D("60.66")
    assert "50%" in notes[0]


def test_organising_ability_is_the_units_work_done_on_time_and_at_quality() -> None:
    """đ over the A/B products of the people managed: clean products 1×(10 − 1) + 2×(4 − 1)
    = 15 of 20 assigned → 75 %."""
    assert organisation_ratio(AB) == D("0.75")


def test_year_average_is_not_rounded_before_the_threshold_nd335_art21() -> None:
    """89.99 and 90.00 average 89.995: HTT. Rounding first (90.00) would have made it HTXS."""
    avg = year_average([D("89.99"), D("90.00")])
    assert avg == D("89.995")
    assert level_for_points(avg, P335) == Level.HTT
    assert q2(avg) == D("89.99")


@pytest.mark.parametrize(
    ("total", "level"),
    [
        (D(90), Level.HTXS),
        (D("89.99"), Level.HTT),
        (D(70), Level.HTT),
        (D("69.99"), Level.HT),
        (D(50), Level.HT),
        (D("49.99"), Level.KHT),
    ],
)
def test_thresholds_nd335_art20(total: D, level: Level) -> None:
    """ND 335 Art. 20: HTXS ≥ 90; HTT 70–<90; HT 50–<70; KHT < 50."""
    assert level_for_points(total, P335) == level


def test_thresholds_are_data() -> None:
    params = {**P335, "thresholds": {"HTXS": 95, "HTT": 75, "HT": 55}}
    assert level_for_points(D(92), params) == Level.HTT


def test_general_sheet_refuses_scores_outside_ranges_nd335_art12() -> None:
    sheet = {c["code"]: 6 for c in P335["general_criteria"]}
    assert validate_general_scores(sheet, P335) == 30
    with pytest.raises(ActionError) as exc:
        validate_general_scores({**sheet, "doi_moi": 7}, P335)
    assert exc.value.code == "score_out_of_range"
    with pytest.raises(ActionError) as exc:
        validate_general_scores({**sheet, "doi_moi": -1}, P335)
    assert exc.value.code == "score_out_of_range"
    with pytest.raises(ActionError) as exc:
        validate_general_scores({k: v for k, v in sheet.items() if k != "phoi_hop"}, P335)
    assert exc.value.code == "missing_score"
    with pytest.raises(ActionError) as exc:
        validate_general_scores({**sheet, "khac": 1}, P335)
    assert exc.value.code == "unknown_criterion"


def test_year_is_the_average_of_tracked_periods_nd335_art21() -> None:
    """Art. 21: year score = average of monthly/quarterly results actually tracked."""
    assert q2(year_average([D(80), D(90), D(95)])) == D("88.33")
    with pytest.raises(ActionError) as exc:
        year_average([])
    assert exc.value.code == "no_periods"


def test_discipline_from_reprimand_up_forces_kht_nd335_art20_4c() -> None:
    reasons = kht_overrides([Conduct("discipline", "khien_trach", "Khiển trách")], P335)
    assert reasons and "kỷ luật" in reasons[0]
    assert kht_overrides([Conduct("degradation")], P335)
    assert kht_overrides([Conduct("unit_corruption")], P335)
    assert kht_overrides([], P335) == []


def test_only_discipline_for_a_duty_violation_forces_kht_nd335_art20_4c() -> None:
    """ND 335 Art. 20.4.c: discipline for a violation related to public duty; a Party
    reprimand for something unrelated to duty does not force KHT."""
    unrelated = Conduct("party_discipline", "khien_trach", related_to_duty=False)
    assert kht_overrides([unrelated], P335) == []
    assert kht_overrides([Conduct("discipline", "canh_cao", related_to_duty=True)], P335)


def test_quota_htxs_at_most_20_percent_of_htt_per_unit_and_group_nd335_art20_5() -> None:
    """Art. 20.5: 10 HTT allow 2 HTXS; a third is a violation; also per group of similar jobs."""
    rows = [("HTT", "Kế toán")] * 5 + [("HTT", "Pháp chế")] * 5 + [("HTXS", "Kế toán")] * 2
    v = quota_violations(rows, D("0.2"))
    # Unit-wide 2 ≤ 2 is fine, but the Kế toán group has 5 HTT → 1 allowed, 2 given.
    assert [x.scope for x in v] == ["Kế toán"]
    assert v[0].allowed == 1 and "HTXS" in v[0].message
    rows.append(("HTXS", "Pháp chế"))
    scopes = [x.scope for x in quota_violations(rows, D("0.2"))]
    assert scopes == ["unit", "Kế toán"]


def _crit(**kw: object) -> Criteria:
    base: dict[str, object] = {
        "general_well": True,
        "general_met": True,
        "tasks_total": 10,
        "tasks_completed": 10,
        "tasks_on_time_quality": 10,
        "tasks_exceeded": 5,
        "tasks_short": 0,
    }
    base.update(kw)
    return Criteria.from_json(base, is_leader=bool(kw.pop("is_leader", False)))


def test_nd90_htxs_needs_100_percent_on_time_and_half_exceeded_art8() -> None:
    """ND 90 Art. 8: 100 % on time, quality, ≥ 50 % exceeded → HTXS; 40 % exceeded → HTT."""
    assert classify_criteria(_crit(), [], P90)[0] == Level.HTXS
    assert classify_criteria(_crit(tasks_exceeded=4), [], P90)[0] == Level.HTT


def test_nd90_ht_allows_at_most_20_percent_short_art10() -> None:
    c = _crit(tasks_on_time_quality=8, tasks_short=2, tasks_exceeded=0, general_well=False)
    assert classify_criteria(c, [], P90)[0] == Level.HT


def test_nd90_20_to_50_percent_short_has_no_level_the_setting_says_ht() -> None:
    """30 % short: not HT's "≤ 20 %", not KHT's "> 50 %". KHT needs a decree ground, so the
    default is HT; a province may set the parameter otherwise."""
    c = _crit(tasks_on_time_quality=7, tasks_short=3, tasks_exceeded=0)
    level, reasons = classify_criteria(c, [], P90)
    assert level == Level.HT and reasons
    assert classify_criteria(c, [], {**P90, "fallthrough_level": "KHT"})[0] == Level.KHT


def test_nd90_htt_needs_the_general_criteria_met_not_met_well_art9() -> None:
    """All tasks done on time, general criteria met (not "well"): HTT, not HT."""
    c = _crit(general_well=False, tasks_exceeded=0)
    assert classify_criteria(c, [], P90)[0] == Level.HTT


def test_nd48_applies_from_15_9_2023_only() -> None:
    """A Party reprimand unrelated to duty: KHT in 2024 (ND 48: any discipline in the year),
    not in 2022 (ND 90 Art. 11 before ND 48: only a violation in performing duty)."""
    unrelated = [Conduct("party_discipline", "khien_trach", related_to_duty=False)]
    assert classify_criteria(_crit(), unrelated, P90, year=2024)[0] == Level.KHT
    assert classify_criteria(_crit(), unrelated, P90, year=2022)[0] == Level.HTXS
    duty = [Conduct("discipline", "khien_trach", related_to_duty=True)]
    assert classify_criteria(_crit(), duty, P90, year=2022)[0] == Level.KHT


def test_nd90_more_than_half_short_is_kht_art11() -> None:
    c = _crit(tasks_on_time_quality=4, tasks_short=6, tasks_exceeded=0)
    assert classify_criteria(c, [], P90)[0] == Level.KHT


def test_nd48_discipline_in_the_year_is_kht() -> None:
    """ND 48/2023 (Art. 2 cl. 5): disciplined in the evaluation year → KHT."""
    level, reasons = classify_criteria(_crit(), [Conduct("discipline", "canh_cao")], P90)
    assert level == Level.KHT and reasons


def test_nd90_under_6_months_worked_is_not_classified_art2() -> None:
    level, _ = classify_criteria(_crit(months_worked=5), [], P90)
    assert level is None
    level, _ = classify_criteria(_crit(months_worked=5, maternity=True), [], P90)
    assert level == Level.HTXS


def test_nd90_absent_3_to_6_months_caps_at_ht_art2() -> None:
    level, reasons = classify_criteria(_crit(months_absent=4), [], P90)
    assert level == Level.HT and reasons


def test_nd90_leader_needs_unit_results_art8_2() -> None:
    """Leaders: HTT needs the unit's targets all done, ≥ 80 % on time, subordinate units 100 %
    HT+ and ≥ 70 % HTT+; under 50 % of targets → KHT."""
    leader = {
        "is_leader": True,
        "tasks_exceeded": 0,
        "unit_targets_total": 10,
        "unit_targets_completed": 10,
        "unit_targets_on_time_quality": 8,
        "unit_targets_exceeded": 0,
        "sub_units_total": 10,
        "sub_units_ht_or_better": 10,
        "sub_units_htt_or_better": 7,
    }
    assert classify_criteria(_crit(**leader), [], P90)[0] == Level.HTT
    low = {**leader, "unit_targets_on_time_quality": 7}
    assert classify_criteria(_crit(**low), [], P90)[0] == Level.HT
    bad = {**leader, "unit_targets_completed": 4, "unit_targets_on_time_quality": 4}
    assert classify_criteria(_crit(**bad), [], P90)[0] == Level.KHT


def test_nd90_criteria_sheet_is_validated() -> None:
    with pytest.raises(ActionError) as exc:
        _crit(tasks_completed=11)
    assert exc.value.code == "invalid_criteria"
    with pytest.raises(ActionError):
        _crit(tasks_total=0)
    with pytest.raises(ActionError):
        _crit(general_well="có")
