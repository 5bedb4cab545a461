"""Pure rules pinned to worked examples written from the legal text (no database)."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from congvu.evaluation import defaults
from congvu.evaluation.models import Level
from congvu.evaluation.scoring import (
    Conduct,
    Criteria,
    Product,
    classify_criteria,
    kht_overrides,
    leader_task_score,
    level_for_points,
    quota_violations,
    task_result,
    validate_general_scores,
    year_average,
)
from congvu.lib.errors import ActionError

P335 = defaults.ND335
P90 = defaults.ND90


def test_it_deducts_25_percent_per_failed_review_and_delay_nd335_art14() -> None:
    """ND 335 Art. 14: each failed review / delay deducts 25 % of that product's points.

    A: coef 1 × 10 done of 10, one failed review; B: coef 2 × 4 done of 5, one delay.
    quantity 18/20 = 0.9; quality (7.5 + 8)/18; timeliness (10 + 6)/18;
    0.4·0.9 + 0.3·0.8611 + 0.3·0.8889 = 0.885 → 61.95 of 70.
    """
    products = [
        Product(D(1), D(10), D(10), quality_failures=1),
        Product(D(2), D(5), D(4), delays=1),
    ]
    r = task_result(products, P335)
    assert r.quantity == D("0.9")
    assert r.score == D("61.95")


def test_a_confirmed_objective_cause_removes_the_deduction_nd335_art14() -> None:
    """Same example, B's delay excused (objective cause confirmed): timeliness 1.0 → 64.28."""
    products = [Product(D(1), D(10), D(10), quality_failures=1), Product(D(2), D(5), D(4))]
    assert task_result(products, P335).score == D("64.28")


def test_deductions_never_go_below_zero() -> None:
    r = task_result([Product(D(1), D(2), D(2), quality_failures=5, delays=5)], P335)
    assert r.quality == 0 and r.timeliness == 0
    assert r.score == D("28.00")  # quantity alone: 0.4 × 70


def test_no_products_scores_zero_task_points_with_a_note() -> None:
    r = task_result([], P335)
    assert r.score == 0 and r.notes


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
    assert year_average([D(80), D(90), D(95)]) == D("88.33")
    with pytest.raises(ActionError) as exc:
        year_average([])
    assert exc.value.code == "no_periods"


def test_discipline_from_reprimand_up_forces_kht_nd335_art20_4c() -> None:
    reasons = kht_overrides([Conduct("discipline", "khien_trach", "Khiển trách")], P335)
    assert reasons and "kỷ luật" in reasons[0]
    assert kht_overrides([Conduct("degradation")], P335)
    assert kht_overrides([Conduct("unit_corruption")], P335)
    assert kht_overrides([], P335) == []


def test_leader_unit_ratio_halves_when_a_managed_person_is_kht_nd335_art16() -> None:
    """Art. 16: all managed at HT or better → 100 %; anyone KHT → 50 % for unit results.

    Own composite 1.0, organisation 1.0: all HT+ → 70; one KHT → 0.4 + 0.15 + 0.3 = 0.85 → 59.5.
    """
    own = task_result([Product(D(1), D(1), D(1))], P335)
    score, _ = leader_task_score(own, [Level.HT, Level.HTT], [D(1), D(1)], P335)
    assert score == D("70.00")
    score, notes = leader_task_score(own, [Level.HT, Level.KHT], [D(1), D(1)], P335)
    assert score == D("59.50")
    assert "50%" in notes[0]


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
    c = _crit(tasks_on_time_quality=7, tasks_short=3, tasks_exceeded=0)
    level, reasons = classify_criteria(c, [], P90)
    assert level == Level.KHT and reasons  # the gap 20–50 % falls through (parameter)


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
