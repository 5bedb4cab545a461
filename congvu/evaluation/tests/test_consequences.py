from __future__ import annotations

from datetime import date

import pytest

from congvu.evaluation import actions
from congvu.evaluation.consequences import (
    generate_period_rewards,
    generate_year_proposals,
    planning_eligibility,
)
from congvu.evaluation.defaults import ND90
from congvu.evaluation.models import Evaluation, Level, Proposal
from congvu.evaluation.tests.helpers import decided_year_2025, decider_of, scored_month
from congvu.lib.errors import ActionError

pytestmark = pytest.mark.django_db
TODAY = date(2026, 12, 20)


def _final_year(person, head, year, **criteria):  # type: ignore[no-untyped-def]
    e = actions.do_open_evaluation(person, Evaluation.Kind.YEAR, year)
    from congvu.evaluation.tests.helpers import nd90_sheet

    actions.do_self_assess(e, actor=person, sheet=nd90_sheet(**criteria))
    actions.do_record_collective_comments(e, actor=head, comments="Nhất trí")
    actions.do_propose(e, actor=head, sheet=nd90_sheet(**criteria))
    actions.do_decide(e, actor=decider_of(e))
    actions.do_finalise([e], actor=decider_of(e), quota_override_reason="Đơn vị một người")
    e.refresh_from_db()
    return e


def test_kht_opens_a_lower_position_or_termination_proposal_law80_art27(org) -> None:
    e = _final_year(org.alice, org.tp_a1, 2025, tasks_on_time_quality=3, tasks_short=7)
    assert e.final_level == Level.KHT
    created = generate_year_proposals([e], today=TODAY)
    kinds = {p.kind for p in created}
    assert Proposal.Kind.LOWER_POSITION in kinds
    p = Proposal.objects.get(kind=Proposal.Kind.LOWER_POSITION)
    assert "Điều 27" in p.legal_ground and p.status == Proposal.Status.OPEN
    # Idempotent: running again opens nothing new.
    assert generate_year_proposals([e], today=TODAY) == []


def test_a_leader_kht_two_years_running_opens_a_dismissal_review_qd41(org) -> None:
    bad = {"tasks_on_time_quality": 3, "tasks_short": 7}
    leader = {
        "unit_targets_total": 4,
        "unit_targets_completed": 4,
        "unit_targets_on_time_quality": 4,
        "sub_units_total": 1,
        "sub_units_ht_or_better": 1,
        "sub_units_htt_or_better": 1,
    }
    y2024 = _final_year(org.tp_a1, org.gd_a, 2024, **bad, **leader)
    y2025 = _final_year(org.tp_a1, org.gd_a, 2025, **bad, **leader)
    assert (y2024.final_level, y2025.final_level) == (Level.KHT, Level.KHT)
    generate_year_proposals([y2024], today=TODAY)
    assert not Proposal.objects.filter(kind=Proposal.Kind.DISMISSAL_REVIEW).exists()
    generate_year_proposals([y2025], today=TODAY)
    review = Proposal.objects.get(kind=Proposal.Kind.DISMISSAL_REVIEW)
    assert "41-QĐ/TW" in review.legal_ground and "2024–2025" in review.summary


def test_a_member_kht_two_years_gets_no_dismissal_review(org) -> None:
    bad = {"tasks_on_time_quality": 3, "tasks_short": 7}
    for year in (2024, 2025):
        generate_year_proposals([_final_year(org.alice, org.tp_a1, year, **bad)], today=TODAY)
    assert not Proposal.objects.filter(kind=Proposal.Kind.DISMISSAL_REVIEW).exists()


def test_reward_and_planning_proposals_follow_good_results(org) -> None:
    y2024 = _final_year(org.alice, org.tp_a1, 2024)  # HTT
    y2025 = _final_year(org.alice, org.tp_a1, 2025, tasks_exceeded=5)  # HTXS
    generate_year_proposals([y2024, y2025], today=TODAY)
    kinds = sorted(Proposal.objects.values_list("kind", "year"))
    assert (Proposal.Kind.REWARD, 2025) in kinds
    assert (Proposal.Kind.REWARD, 2024) not in kinds
    assert (Proposal.Kind.PLANNING, 2025) in kinds  # HTT+ in 2024 and 2025
    assert (Proposal.Kind.PLANNING, 2024) not in kinds  # no 2023 result


def test_planning_eligibility_parameters_are_data(org) -> None:
    _final_year(org.alice, org.tp_a1, 2025)  # HTT
    ok, _ = planning_eligibility(org.alice, 2025, {**ND90, "planning_years": 1})
    assert ok
    ok, why = planning_eligibility(
        org.alice, 2025, {**ND90, "planning_years": 1, "planning_min_level": "HTXS"}
    )
    assert not ok and "HTXS" in why


def test_training_need_from_repeated_quality_failures(org) -> None:
    months = [scored_month(org.alice, org.tp_a1, m, quality_failures=1) for m in (1, 2)]
    y = actions.do_open_evaluation(org.alice, Evaluation.Kind.YEAR, 2026)
    actions.do_self_assess(y, actor=org.alice)
    actions.do_record_collective_comments(y, actor=org.tp_a1, comments="Nhất trí")
    actions.do_propose(y, actor=org.tp_a1)
    actions.do_decide(y, actor=org.gd_a)
    actions.do_finalise([y], actor=org.gd_a, quota_override_reason="Đơn vị nhỏ")
    y.refresh_from_db()
    created = generate_year_proposals([y], today=TODAY)
    training = [p for p in created if p.kind == Proposal.Kind.TRAINING]
    assert len(training) == 1 and "chất lượng" in training[0].summary
    assert len(generate_period_rewards(months, today=TODAY)) == 2  # 94.75 each → HTXS


def test_discipline_proposal_has_nd172_form_and_time_limits(org) -> None:
    p = actions.do_propose_discipline(
        org.alice,
        actor=org.tp_a1,
        form="khien_trach",
        legal_ground="Luật 80/2025/QH15 Điều 14 (né tránh, đùn đẩy)",
        summary="Ba lần trả lại hồ sơ không có căn cứ (phát hiện đã xác nhận).",
        opened_on=date(2026, 3, 2),
    )
    # 2/3 + 90 days = Sunday 31/5, moved to Monday 1/6 (Civil Code Art. 148); + 150 = 30/7.
    assert (p.due_on, p.max_due_on) == (date(2026, 6, 1), date(2026, 7, 30))
    assert "172/2025" in p.legal_ground
    with pytest.raises(ActionError) as exc:
        actions.do_extend_discipline(
            p, actor=org.tp_a1, new_due_on=date(2026, 8, 1), reason="Cần xác minh"
        )
    assert exc.value.code == "invalid_extension"
    p = actions.do_extend_discipline(
        p, actor=org.tp_a1, new_due_on=date(2026, 7, 30), reason="Cần xác minh"
    )
    assert p.due_on == date(2026, 7, 30)


def test_discipline_runs_from_detection_and_stops_at_the_statute_of_limitations(org) -> None:
    """ND 172/2025: the limit runs from the day the violation was detected (here 5/1/2026:
    + 90 = 5/4, a Sunday → Monday 6/4), and a violation of 10/2/2020 is time-barred by 2026
    (5 years, parameter `discipline_limitation_years`)."""
    p = actions.do_propose_discipline(
        org.alice,
        actor=org.tp_a1,
        form="khien_trach",
        legal_ground="Luật 80/2025/QH15 Điều 14",
        summary="Né tránh nhiệm vụ được giao.",
        opened_on=date(2026, 3, 2),
        detected_on=date(2026, 1, 5),
        violation_on=date(2025, 12, 1),
    )
    assert p.due_on == date(2026, 4, 6)
    with pytest.raises(ActionError) as exc:
        actions.do_propose_discipline(
            org.alice,
            actor=org.tp_a1,
            form="khien_trach",
            legal_ground="Luật 80/2025/QH15 Điều 14",
            summary="Vi phạm cũ.",
            opened_on=date(2026, 3, 2),
            violation_on=date(2020, 2, 10),
        )
    assert exc.value.code == "time_barred" and "10/02/2020" in exc.value.message


def test_discipline_forms_are_checked_nd172(org) -> None:
    with pytest.raises(ActionError) as exc:
        actions.do_propose_discipline(
            org.alice, actor=org.tp_a1, form="cach_chuc", legal_ground="x", summary="y"
        )
    assert exc.value.code == "invalid_form"  # removal from post is for leaders only
    with pytest.raises(ActionError) as exc:
        actions.do_propose_discipline(
            org.alice, actor=org.tp_a1, form="ha_bac_luong", legal_ground="x", summary="y"
        )
    assert exc.value.code == "invalid_form"  # abolished by ND 172/2025
    with pytest.raises(ActionError) as exc:
        actions.do_propose_discipline(
            org.alice, actor=org.bob, form="khien_trach", legal_ground="x", summary="y"
        )
    assert exc.value.code == "permission_denied"
    assert not Proposal.objects.exists()


def test_proposals_are_decided_by_people_with_a_note(org) -> None:
    e = decided_year_2025(org.alice, org.tp_a1, tasks_exceeded=6)
    actions.do_finalise([e], actor=org.gd_a, quota_override_reason="Một người")
    e.refresh_from_db()
    reward = generate_year_proposals([e], today=TODAY)[0]
    with pytest.raises(ActionError):
        actions.do_decide_proposal(reward, actor=org.alice, accept=True, note="Tự duyệt")
    with pytest.raises(ActionError) as exc:
        actions.do_decide_proposal(reward, actor=org.gd_a, accept=True, note="")
    assert exc.value.code == "reason_required"
    reward = actions.do_decide_proposal(reward, actor=org.gd_a, accept=True, note="Tặng Giấy khen")
    assert reward.status == Proposal.Status.ACCEPTED
