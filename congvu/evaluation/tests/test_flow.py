from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from congvu.audit.models import AuditEvent
from congvu.evaluation import actions
from congvu.evaluation.models import (
    Evaluation,
    EvaluationDecision,
    Level,
    ProductIssue,
    RuleParameterChange,
    RuleSet,
)
from congvu.evaluation.rules import rule_set_for
from congvu.evaluation.tests.helpers import decided_year_2025, nd90_sheet, scored_month, sheet
from congvu.lib.errors import ActionError
from congvu.org import actions as org_actions
from congvu.org.models import Person
from congvu.testing import make_person

pytestmark = pytest.mark.django_db


# --- rule sets ------------------------------------------------------------------------------


def test_it_scores_2026_civil_servants_by_nd335_and_2025_by_nd90(org) -> None:
    assert rule_set_for("cong_chuc", date(2026, 1, 1)).code == "ND335_2025"
    assert rule_set_for("cong_chuc", date(2025, 12, 31)).code == "ND90_2020_ND48_2023"
    # Viên chức keep ND 90 while no newer rule set is configured for them.
    assert rule_set_for("vien_chuc", date(2026, 6, 1)).code == "ND90_2020_ND48_2023"


def test_evaluating_a_period_with_no_rule_set_is_a_clear_error(org) -> None:
    with pytest.raises(ActionError) as exc:
        actions.do_open_evaluation(org.alice, Evaluation.Kind.YEAR, 2019)
    assert exc.value.code == "no_rule_set"
    assert "2019" in exc.value.message
    assert not Evaluation.objects.exists()


def test_rule_parameter_edits_are_audited(org) -> None:
    rs = RuleSet.objects.get(code="ND335_2025")
    change = actions.do_set_rule_parameter(
        rs, "quota_ratio", 0.15, reason="Hướng dẫn của tỉnh", actor=org.quan_tri
    )
    assert (change.old_value, change.new_value, change.changed_by) == (0.2, 0.15, org.quan_tri)
    rs.refresh_from_db()
    assert rs.params["quota_ratio"] == 0.15


def test_rule_parameter_edit_refuses_bad_values_and_strangers(org) -> None:
    rs = RuleSet.objects.get(code="ND335_2025")
    before = RuleParameterChange.objects.count()  # migration 0006 wrote its own changes
    with pytest.raises(ActionError) as exc:
        actions.do_set_rule_parameter(
            rs, "thresholds", {"HTXS": 60, "HTT": 70, "HT": 50}, reason="x", actor=org.quan_tri
        )
    assert exc.value.code == "invalid_param"
    with pytest.raises(ActionError) as exc:
        actions.do_set_rule_parameter(rs, "quota_ratio", 0.1, reason="", actor=org.quan_tri)
    assert exc.value.code == "reason_required"
    with pytest.raises(ActionError) as exc:
        actions.do_set_rule_parameter(rs, "quota_ratio", 0.1, reason="x", actor=org.alice)
    assert exc.value.code == "permission_denied"
    assert RuleParameterChange.objects.count() == before


def test_ending_nd90_for_cong_chuc_style_validity_edit_is_audited(org) -> None:
    rs = RuleSet.objects.get(code="ND90_2020_ND48_2023")
    actions.do_set_rule_validity(
        rs, valid_to=date(2026, 6, 30), reason="Nghị định mới cho viên chức", actor=org.quan_tri
    )
    with pytest.raises(ActionError) as exc:
        rule_set_for("vien_chuc", date(2026, 7, 1))
    assert exc.value.code == "no_rule_set"
    assert RuleParameterChange.objects.get(key="valid_to").new_value == "2026-06-30"


# --- ND 335 monthly flow ------------------------------------------------------------------


def test_month_flow_self_head_decide_finalise_nd335(org) -> None:
    e = scored_month(org.alice, org.tp_a1, 1, quality_failures=1)
    # 10 of 10 done, one failed review on one of them: a = 1, b = 9.75/10, c = 1;
    # 70 × 2.975/3 = 69.41666… (stored truncated: 69.41) → 99.41
    assert (e.general_score, e.task_score, e.total_score) == (
        Decimal("30.00"),
        Decimal("69.41"),
        Decimal("99.41"),
    )
    assert e.final_level == Level.HTXS and e.is_locked
    kinds = list(AuditEvent.objects.filter(evaluation=e).values_list("kind", flat=True))
    assert kinds == [
        "opened",
        "product_added",
        "product_issue",
        "self_assessed",
        "proposed",
        "decided",
        "finalised",
    ]


def test_self_assessment_outside_ranges_is_refused_and_changes_nothing(org) -> None:
    e = actions.do_open_evaluation(org.alice, Evaluation.Kind.MONTH, 2026, 2)
    with pytest.raises(ActionError) as exc:
        actions.do_self_assess(e, actor=org.alice, sheet=sheet(7))
    assert exc.value.code == "score_out_of_range"
    e.refresh_from_db()
    assert e.status == Evaluation.Status.DRAFT and e.general_self == {}


def test_only_the_person_self_assesses_and_only_a_superior_proposes(org) -> None:
    e = actions.do_open_evaluation(org.alice, Evaluation.Kind.MONTH, 2026, 2)
    with pytest.raises(ActionError) as exc:
        actions.do_self_assess(e, actor=org.bob, sheet=sheet())
    assert exc.value.code == "permission_denied"
    actions.do_self_assess(e, actor=org.alice, sheet=sheet())
    for stranger in (org.alice, org.bob, org.gd_b):
        with pytest.raises(ActionError):
            actions.do_propose(e, actor=stranger, sheet=sheet())


def test_an_agency_head_is_classified_by_the_managing_agencys_head_not_deputies(org) -> None:
    """The Sở director is proposed and classified by the chairman of the provincial committee
    (head of the managing agency); neither his own deputy nor a vice-chairman may."""
    e = actions.do_open_evaluation(org.gd_a, Evaluation.Kind.YEAR, 2025)
    actions.do_self_assess(e, actor=org.gd_a, sheet=nd90_sheet())
    actions.do_record_collective_comments(e, actor=org.pgd_a, comments="Tập thể nhất trí.")
    with pytest.raises(ActionError) as exc:
        actions.do_propose(e, actor=org.lanh_dao, sheet=nd90_sheet())
    assert exc.value.code == "no_competent_level"  # the province has no chairman yet
    chairman = make_person(
        org, "chu_tich", "Phan Văn Chủ", org.root, role="head", category="can_bo"
    )
    for deputy in (org.pgd_a, org.lanh_dao):
        with pytest.raises(ActionError) as exc:
            actions.do_propose(e, actor=deputy, sheet=nd90_sheet())
        assert exc.value.code == "permission_denied"
    actions.do_propose(e, actor=chairman, sheet=nd90_sheet())
    with pytest.raises(ActionError):
        actions.do_decide(e, actor=org.lanh_dao)
    actions.do_decide(e, actor=chairman)


def test_objective_cause_confirmed_by_the_competent_level_restores_points(org) -> None:
    e = actions.do_open_evaluation(org.alice, Evaluation.Kind.MONTH, 2026, 3)
    p = actions.do_add_product(
        e,
        actor=org.alice,
        name="Báo cáo",
        coefficient=Decimal(1),
        quantity_assigned=Decimal(1),
        quantity_completed=Decimal(1),
    )
    issue = actions.do_record_product_issue(
        p, actor=org.tp_a1, kind="delay", occurred_on=date(2026, 3, 5)
    )
    with pytest.raises(ActionError):
        actions.do_confirm_objective_cause(issue, actor=org.alice, cause="Tự nhận")
    actions.do_confirm_objective_cause(
        issue, actor=None, cause="Chờ ý kiến Sở Tư pháp", source="legal_obstacle:TASK-7"
    )
    actions.do_self_assess(e, actor=org.alice, sheet=sheet())
    actions.do_propose(e, actor=org.tp_a1, sheet=sheet())
    e.refresh_from_db()
    assert e.task_score == Decimal("70.00")
    assert ProductIssue.objects.get().objective_cause_source == "legal_obstacle:TASK-7"


def test_finalised_results_are_locked_and_corrected_by_a_new_decision(org) -> None:
    e = scored_month(org.alice, org.tp_a1, 1)
    with pytest.raises(ActionError) as exc:
        actions.do_propose(e, actor=org.tp_a1, sheet=sheet(5))
    assert exc.value.code == "locked"
    with pytest.raises(ActionError) as exc:
        actions.do_add_product(
            e, actor=org.alice, name="x", coefficient=Decimal(1), quantity_assigned=Decimal(1)
        )
    assert exc.value.code == "locked"
    with pytest.raises(ActionError) as exc:
        actions.do_correct(e, actor=org.gd_a, level=Level.HTT, reason="")
    assert exc.value.code == "reason_required"
    actions.do_correct(
        e,
        actor=org.gd_a,
        level=Level.HTT,
        reason="Phát hiện sai sót số liệu",
        decision_ref="12/QĐ",
    )
    e.refresh_from_db()
    assert e.final_level == Level.HTT
    decisions = list(e.decisions.order_by("id").values_list("kind", "level"))
    assert decisions == [
        (EvaluationDecision.Kind.FINAL, Level.HTXS),
        (EvaluationDecision.Kind.CORRECTION, Level.HTT),
    ]


def test_the_decider_may_lower_with_a_reason_but_not_raise_above_the_points_nd335(org) -> None:
    e = scored_month(org.alice, org.tp_a1, 4, general=4, finalise=False)  # 20 + 70 = 90 → HTXS
    actions.do_decide(e, actor=org.gd_a, level=Level.HTT, reason="Chưa chủ động")
    e2 = scored_month(org.bob, org.gd_a, 4, general=2, finalise=False)  # 10 + 70 = 80 → HTT
    with pytest.raises(ActionError) as exc:
        actions.do_decide(e2, actor=org.gd_a, level=Level.HTXS, reason="Nỗ lực")
    assert exc.value.code == "level_above_points"


def test_an_appeal_on_the_last_day_rolled_past_a_weekend_is_accepted_civil_code_148(org) -> None:
    """Finalised (notice) Friday 4/12/2026; 15 days → Saturday 19/12, a day off, so the last
    day is Monday 21/12 (Civil Code Art. 148). Tuesday 22/12 is too late. The answer is due
    10 working days after filing: 22–25/12 (4), 28–31/12 (8), 1/1 is a holiday, 4/1 (9),
    5/1/2027 (10)."""
    e = scored_month(org.alice, org.tp_a1, 1)
    Evaluation.objects.filter(pk=e.pk).update(
        finalised_at=timezone.make_aware(datetime(2026, 12, 4, 16, 0))
    )
    e.refresh_from_db()
    window = actions.appeal_window(e)
    assert window is not None and window.last_day == date(2026, 12, 21) and window.rolled
    with pytest.raises(ActionError) as exc:
        actions.do_file_appeal(
            e, actor=org.alice, reason="Chưa tính sản phẩm", filed_on=date(2026, 12, 22)
        )
    assert exc.value.code == "appeal_too_late"
    assert "21/12/2026" in exc.value.message and "ngày nhận thông báo" in exc.value.message
    appeal = actions.do_file_appeal(
        e, actor=org.alice, reason="Chưa tính sản phẩm", filed_on=date(2026, 12, 21)
    )
    assert appeal.answer_due == date(2027, 1, 5)
    # The Sở director decided: he does not answer an appeal against his own decision; the
    # level above (the provincial chairman) does.
    with pytest.raises(ActionError):
        actions.do_resolve_appeal(
            appeal, actor=org.gd_a, upheld=True, resolution="Chấp nhận", new_level=Level.HTT
        )
    chairman = make_person(
        org, "chu_tich", "Phan Văn Chủ", org.root, role="head", category="can_bo"
    )
    actions.do_resolve_appeal(
        appeal, actor=chairman, upheld=True, resolution="Chấp nhận", new_level=Level.HTT
    )
    e.refresh_from_db()
    appeal.refresh_from_db()
    assert e.final_level == Level.HTT and appeal.resolved_by == chairman


# --- year: average, transfer, overrides, quota ------------------------------------------


def _year(person: Person, head: Person, year: int = 2026) -> Evaluation:
    y = actions.do_open_evaluation(person, Evaluation.Kind.YEAR, year)
    actions.do_self_assess(y, actor=person, comment="Báo cáo tự đánh giá năm")
    actions.do_record_collective_comments(y, actor=head, comments="Nhất trí")
    actions.do_propose(y, actor=head)
    y.refresh_from_db()
    return y


def test_year_result_is_the_average_of_the_months_nd335_art21(org) -> None:
    scored_month(org.alice, org.tp_a1, 1)  # 100
    scored_month(org.alice, org.tp_a1, 2, done=5)  # 30 + 70 × (0.5 + 0.5 + 0.5)/3 = 65
    y = _year(org.alice, org.tp_a1)
    assert y.total_score == Decimal("82.50")
    assert y.proposed_level == Level.HTT


def test_a_transferred_persons_periods_follow_them_nd335_art21(org) -> None:
    """Art. 21: the new unit classifies, using the old unit's monthly results."""
    scored_month(org.alice, org.tp_a1, 1)  # 100 in Phòng Ngân sách
    org_actions.transfer_person(org.alice, org.b1, date(2026, 2, 1))
    feb = scored_month(org.alice, org.gd_b, 2, general=4)  # 90 in Phòng Quy hoạch
    assert feb.unit == org.b1
    y = _year(org.alice, org.gd_b)
    assert y.unit == org.b1
    assert y.total_score == Decimal("95.00")


def test_discipline_in_the_year_forces_kht_whatever_the_points_nd335_art20_4(org) -> None:
    scored_month(org.alice, org.tp_a1, 1)
    actions.do_record_conduct(
        org.alice,
        actor=org.tp_a1,
        kind="discipline",
        form="khien_trach",
        effective_on=date(2026, 5, 4),
        decision_ref="45/QĐ-STC",
    )
    y = _year(org.alice, org.tp_a1)
    assert y.total_score == Decimal("100.00")
    assert y.proposed_level == Level.KHT
    assert any("kỷ luật" in r for r in y.level_reasons)


def test_quota_violation_blocks_finalisation_without_a_reason_nd335_art20_5(org) -> None:
    carol = make_person(org, "carol", "Lý Thị Cúc", org.a1)
    dan = make_person(org, "dan", "Mai Văn Dân", org.a1)
    e1 = decided_year_2025(org.alice, org.tp_a1, tasks_exceeded=6)  # HTXS
    e2 = decided_year_2025(carol, org.tp_a1)  # HTT
    e3 = decided_year_2025(dan, org.tp_a1)  # HTT
    assert [e.decided_level for e in (e1, e2, e3)] == [Level.HTXS, Level.HTT, Level.HTT]
    warnings = actions.finalisation_warnings([e1, e2, e3])
    assert warnings and "HTXS" in warnings[0]
    with pytest.raises(ActionError) as exc:
        actions.do_finalise([e1, e2, e3], actor=org.gd_a)
    assert exc.value.code == "quota_exceeded"
    assert not Evaluation.objects.finalised().exists()
    actions.do_finalise(
        [e1, e2, e3], actor=org.gd_a, quota_override_reason="Thành tích đột phá (Điều 20.5.b)"
    )
    e1.refresh_from_db()
    assert e1.is_locked and e1.quota_override_reason.startswith("Thành tích")


def test_nd90_year_flow_requires_collective_comments(org) -> None:
    e = actions.do_open_evaluation(org.alice, Evaluation.Kind.YEAR, 2025)
    actions.do_self_assess(e, actor=org.alice, sheet=nd90_sheet())
    with pytest.raises(ActionError) as exc:
        actions.do_propose(e, actor=org.tp_a1, sheet=nd90_sheet())
    assert exc.value.code == "wrong_step"


def test_nd90_months_are_not_periods(org) -> None:
    with pytest.raises(ActionError) as exc:
        actions.do_open_evaluation(org.alice, Evaluation.Kind.MONTH, 2025, 3)
    assert exc.value.code == "period_not_supported"


def test_contract_workers_have_no_rule_set(org) -> None:
    worker = make_person(org, "hd", "Người hợp đồng", org.a1, category=Person.Category.HOP_DONG)
    with pytest.raises(ActionError) as exc:
        actions.do_open_evaluation(worker, Evaluation.Kind.MONTH, 2026, 1)
    assert exc.value.code == "no_rule_set"


def test_a_newer_rule_set_for_vien_chuc_takes_over_from_its_start(org) -> None:
    actions.do_create_rule_set(
        code="VC_2026",
        name="Quy định mới cho viên chức",
        legal_basis="Luật Viên chức (sửa đổi)",
        scheme="points",
        categories=["vien_chuc"],
        valid_from=date(2026, 7, 1),
        reason="Nghị định mới",
        actor=org.quan_tri,
    )
    assert rule_set_for("vien_chuc", date(2026, 6, 30)).code == "ND90_2020_ND48_2023"
    assert rule_set_for("vien_chuc", date(2026, 7, 1)).code == "VC_2026"
    with pytest.raises(ActionError) as exc:
        actions.do_create_rule_set(
            code="VC_2026B",
            name="x",
            legal_basis="y",
            scheme="points",
            categories=["vien_chuc"],
            valid_from=date(2026, 7, 1),
            reason="z",
            actor=org.quan_tri,
        )
    assert exc.value.code == "ambiguous_rule_set"


def test_only_the_person_their_leaders_or_hr_open_a_period(org) -> None:
    with pytest.raises(ActionError) as exc:
        actions.do_open_evaluation(org.alice, Evaluation.Kind.MONTH, 2026, 1, actor=org.bob)
    assert exc.value.code == "permission_denied"
    actions.do_open_evaluation(org.alice, Evaluation.Kind.MONTH, 2026, 1, actor=org.noi_vu)
    actions.do_open_evaluation(org.alice, Evaluation.Kind.MONTH, 2026, 2, actor=org.tp_a1)
    with pytest.raises(ActionError) as exc:
        actions.do_open_evaluation(org.alice, Evaluation.Kind.MONTH, 2026, 2, actor=org.tp_a1)
    assert exc.value.code == "duplicate_period"


def test_catalogue_products_carry_their_coefficient_and_job_group_nd335_art14(org) -> None:
    from congvu.org.models import Membership

    Membership.objects.filter(person=org.alice).update(job_position="Chuyên viên ngân sách")
    item = actions.do_add_catalog_item(
        job_position="Chuyên viên ngân sách",
        job_group="Quản lý ngân sách",
        code="TT-01",
        name="Tờ trình phân bổ dự toán",
        coefficient=Decimal("1.5"),
        valid_from=date(2026, 1, 1),
        actor=org.quan_tri,
    )
    with pytest.raises(ActionError) as exc:
        actions.do_add_catalog_item(
            job_position="Chuyên viên ngân sách",
            code="TT-02",
            name="x",
            coefficient=Decimal(0),
            valid_from=date(2026, 1, 1),
            actor=org.quan_tri,
        )
    assert exc.value.code == "invalid_coefficient"
    assert actions.catalog_for("Chuyên viên ngân sách", date(2026, 3, 1)) == [item]
    q = actions.do_open_evaluation(org.alice, Evaluation.Kind.QUARTER, 2026, 1)
    assert (q.start, q.end, q.job_group) == (
        date(2026, 1, 1),
        date(2026, 3, 31),
        "Quản lý ngân sách",
    )
    p = actions.do_add_product(
        q,
        actor=org.alice,
        catalog_item=item,
        quantity_assigned=Decimal(4),
        quantity_completed=Decimal(3),
    )
    assert (p.name, p.coefficient) == ("Tờ trình phân bổ dự toán", Decimal("1.5"))


def test_a_missed_year_deadline_is_a_warning_nd335_art21(org) -> None:
    scored_month(org.alice, org.tp_a1, 1)
    y = _year(org.alice, org.tp_a1)
    assert actions.deadline_warnings([y], today=date(2026, 12, 15)) == []
    late = actions.deadline_warnings([y], today=date(2026, 12, 16))
    assert late and "15/12/2026" in late[0]


def test_a_leaders_task_points_include_the_units_results_nd335_art15_16(org) -> None:
    """Head of Phòng Ngân sách, own products all done on time (a = b = c = 1), e rated 100 %.
    Alice, whom he manages, did nothing: KHT, so d = 50 %; đ = 0 of her 10 products clean.
    (1 + 1 + 1 + 0.5 + 0 + 1)/6 × 70 = 52.5 → 82.5 (HTT). Month 2, Alice did everything:
    d = đ = 100 % → 70 → 100."""
    alice = scored_month(org.alice, org.tp_a1, 1, general=0, done=0, finalise=False)
    assert alice.proposed_level == Level.KHT
    head = scored_month(org.tp_a1, org.gd_a, 1, finalise=False, extra={"doan_ket": 100})
    assert (head.task_score, head.total_score, head.proposed_level) == (
        Decimal("52.50"),
        Decimal("82.50"),
        Level.HTT,
    )
    scored_month(org.alice, org.tp_a1, 2)
    head2 = scored_month(org.tp_a1, org.gd_a, 2, finalise=False, extra={"doan_ket": 100})
    assert head2.total_score == Decimal("100.00")


def test_a_leader_is_not_scored_before_his_staff_are_decided_nd335_art16(org) -> None:
    """d depends on the staff's levels: proposing the head while Alice's month is only
    self-assessed is refused (naming her), so the score never depends on the order."""
    e = actions.do_open_evaluation(org.alice, Evaluation.Kind.MONTH, 2026, 3)
    actions.do_add_product(
        e, actor=org.alice, name="Báo cáo", coefficient=Decimal(1), quantity_assigned=Decimal(1)
    )
    actions.do_self_assess(e, actor=org.alice, sheet=sheet())
    with pytest.raises(ActionError) as exc:
        scored_month(org.tp_a1, org.gd_a, 3, finalise=False, extra={"doan_ket": 100})
    assert exc.value.code == "managed_not_settled" and org.alice.full_name in exc.value.message
