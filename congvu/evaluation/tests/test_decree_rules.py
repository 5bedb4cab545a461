"""Issue #18: the rules of the decrees on real rows, from worked examples computed by hand.

Each docstring carries the computation; the sources are in docs/legal.md.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from congvu.evaluation import actions, authority
from congvu.evaluation.models import Appeal, Evaluation, Level, ProductIssue
from congvu.evaluation.tests.helpers import decided_year_2025, decider_of, scored_month, sheet
from congvu.lib.errors import ActionError
from congvu.org import actions as org_actions
from congvu.org.models import Person
from congvu.testing import make_person

pytestmark = pytest.mark.django_db


def _year(person: Person, head: Person, year: int = 2026) -> Evaluation:
    y = actions.do_open_evaluation(person, Evaluation.Kind.YEAR, year)
    actions.do_self_assess(y, actor=person, comment="Báo cáo tự đánh giá năm")
    actions.do_record_collective_comments(y, actor=head, comments="Nhất trí")
    return actions.do_propose(y, actor=head)


def _month_with(person: Person, month: int, *, assigned: int, done: int) -> Evaluation:
    e = actions.do_open_evaluation(person, Evaluation.Kind.MONTH, 2026, month)
    if assigned:
        actions.do_add_product(
            e,
            actor=person,
            name="Văn bản tham mưu",
            coefficient=Decimal(1),
            quantity_assigned=Decimal(assigned),
            quantity_completed=Decimal(done),
        )
    actions.do_self_assess(e, actor=person, sheet=sheet())
    return e


def test_a_month_on_leave_is_not_a_zero_month_and_stays_out_of_the_year(org) -> None:
    """Alice: January 10 of 10 (30 + 70 = 100), February on leave (nothing assigned), March
    5 of 10 (30 + 35 = 65). The year is (100 + 65)/2 = 82.5 (HTT), not (100 + 30 + 65)/3 =
    65 (HT) — February was neither 0/70 nor counted."""
    scored_month(org.alice, org.tp_a1, 1)
    feb = _month_with(org.alice, 2, assigned=0, done=0)
    feb = actions.do_propose(feb, actor=org.tp_a1, sheet=sheet())
    assert (feb.task_score, feb.total_score, feb.proposed_level) == (None, None, "")
    assert any("không tính điểm" in r for r in feb.level_reasons)
    scored_month(org.alice, org.tp_a1, 3, done=5)
    y = _year(org.alice, org.tp_a1)
    assert (y.total_score, y.proposed_level) == (Decimal("82.50"), Level.HTT)


def test_a_part_year_person_is_averaged_over_the_months_worked(org) -> None:
    """Dung joins Phòng Ngân sách on 1/10/2026: October 100, November 9 of 10 done
    (30 + 70 × 0.9 = 93), December 7 of 10 (30 + 49 = 79). Year = 272/3 = 90.666… → HTXS
    (shown 90.66); no month before October is counted."""
    dung = make_person(org, "dung", "Trịnh Văn Dũng", None)
    org_actions.add_membership(
        dung, org.a1, role="member", position_title="Chuyên viên", valid_from=date(2026, 10, 1)
    )
    for month, done in ((10, 10), (11, 9), (12, 7)):
        scored_month(dung, org.tp_a1, month, done=done)
    y = _year(dung, org.tp_a1)
    assert (y.total_score, y.proposed_level) == (Decimal("90.66"), Level.HTXS)


def test_periods_only_proposed_do_not_enter_the_year_average(org) -> None:
    """January decided (100); February only proposed (5 of 10 → 65). The year counts the
    decided month only: 100, not 82.5."""
    scored_month(org.alice, org.tp_a1, 1)
    feb = _month_with(org.alice, 2, assigned=10, done=5)
    actions.do_propose(feb, actor=org.tp_a1, sheet=sheet())
    y = _year(org.alice, org.tp_a1)
    assert y.total_score == Decimal("100.00")
    assert "1 kỳ" in y.level_reasons[0]


def test_the_htxs_quota_counts_the_whole_so_across_its_divisions(org) -> None:
    """ND 335 Art. 20.5: per agency and per group of similar jobs. Sở Tài chính, 2025:
    Phòng Ngân sách has Alice HTXS and 2 HTT; Phòng Đầu tư has 3 HTT. Per division (the old
    rule) Ngân sách allowed ⌊0.2 × 2⌋ = 0 HTXS; over the Sở, 5 HTT allow 1: finalised without
    an override. A second HTXS in Phòng Đầu tư (now 2 of 5 HTT allowed 1) is refused."""
    staff_a1 = [make_person(org, f"a1_{i}", f"Chuyên viên NS {i}", org.a1) for i in range(2)]
    staff_a2 = [make_person(org, f"a2_{i}", f"Chuyên viên ĐT {i}", org.a2) for i in range(2)]
    rows = [decided_year_2025(org.alice, org.tp_a1, tasks_exceeded=6)]
    rows += [decided_year_2025(p, org.tp_a1) for p in staff_a1]
    rows += [decided_year_2025(p, org.gd_a) for p in [org.bob, *staff_a2]]
    assert [e.decided_level for e in rows].count(Level.HTXS) == 1
    assert actions.quota_warnings(rows) == []
    actions.do_finalise(rows, actor=org.gd_a)
    extra = make_person(org, "a2_x", "Chuyên viên ĐT X", org.a2)
    second = decided_year_2025(extra, org.gd_a, tasks_exceeded=6)
    with pytest.raises(ActionError) as exc:
        actions.do_finalise([second], actor=org.gd_a)
    assert exc.value.code == "quota_exceeded" and "toàn cơ quan" in exc.value.message


def test_an_acknowledged_pause_excuses_the_delay_not_the_failed_review(org) -> None:
    """A task paused for a legal obstacle (acknowledged), late and sent back once for rework:
    the pause explains the delay only. 1 product: a = 1, b = 0.75, c = 1 → 70 × 2.75/3 =
    64.166… (stored 64.16)."""
    from congvu.tasks import actions as T
    from congvu.tasks.state import VN_TZ

    def at(month: int, day: int, hour: int = 9) -> datetime:
        return datetime(2026, month, day, hour, tzinfo=VN_TZ)

    task = T.do_assign(
        assigner=org.tp_a1,
        title="Hướng dẫn lập dự toán",
        lead_unit=org.a1,
        lead_person=org.alice,
        deadline=date(2026, 3, 16),
        ad_hoc=True,
        at=at(3, 2),
    )
    T.do_accept(task, org.alice, at=at(3, 2, 10))
    T.do_pause(
        task,
        org.alice,
        reason_code="legal_obstacle",
        reason="Chưa có hướng dẫn mẫu biểu",
        regulation="Thông tư 56/2025/TT-BTC Điều 4",
        at=at(3, 5),
    )
    T.do_review_pause(task, org.tp_a1, comment="Đúng, chờ hướng dẫn", at=at(3, 5, 15))
    T.do_resume(task, org.alice, text="Đã có hướng dẫn", at=at(3, 18))
    T.do_submit(task, org.alice, result="Dự thảo", at=at(3, 19))
    T.do_request_rework(task, org.tp_a1, reason="Thiếu số liệu", at=at(3, 19, 15))
    T.do_submit(task, org.alice, result="Bản đủ số liệu", at=at(3, 20))
    T.do_approve(task, org.tp_a1, at=at(3, 20, 15))
    if T.task_state(task).status != "completed":
        T.do_complete(task, org.tp_a1, at=at(3, 20, 16))
    e = actions.do_open_evaluation(org.alice, Evaluation.Kind.MONTH, 2026, 3)
    actions.do_import_task_products(e, actor=org.alice)
    issues = {i.kind: i for i in ProductIssue.objects.filter(product__evaluation=e)}
    assert issues["delay"].is_excused and not issues["quality"].is_excused
    actions.do_self_assess(e, actor=org.alice, sheet=sheet())
    e = actions.do_propose(e, actor=org.tp_a1, sheet=sheet())
    assert e.task_score == Decimal("64.16")


def test_a_task_due_on_a_saturday_finished_on_monday_is_not_a_delay(org) -> None:
    """Due Saturday 7/3/2026, submitted and approved Monday 9/3: on time (Civil Code
    Art. 148), so the product has no delay and scores 70."""
    from congvu.tasks import actions as T
    from congvu.tasks.state import VN_TZ

    task = T.do_assign(
        assigner=org.tp_a1,
        title="Báo cáo tuần",
        lead_unit=org.a1,
        lead_person=org.alice,
        deadline=date(2026, 3, 7),
        ad_hoc=True,
        at=datetime(2026, 3, 2, 9, tzinfo=VN_TZ),
    )
    T.do_accept(task, org.alice, at=datetime(2026, 3, 2, 10, tzinfo=VN_TZ))
    T.do_submit(task, org.alice, result="Báo cáo", at=datetime(2026, 3, 9, 10, tzinfo=VN_TZ))
    T.do_approve(task, org.tp_a1, at=datetime(2026, 3, 9, 11, tzinfo=VN_TZ))
    if T.task_state(task).status != "completed":
        T.do_complete(task, org.tp_a1, at=datetime(2026, 3, 9, 12, tzinfo=VN_TZ))
    e = actions.do_open_evaluation(org.alice, Evaluation.Kind.MONTH, 2026, 3)
    (product,) = actions.do_import_task_products(e, actor=org.alice)
    assert not product.issues.exists()


def test_nd48_the_same_violation_counts_in_one_year_only(org) -> None:
    """Party reprimand in December 2025 and the administrative reprimand for the same
    violation in February 2026 (same reference): the 2025 year is KHT, 2026 is not forced."""
    for kind, on in (("party_discipline", date(2025, 12, 5)), ("discipline", date(2026, 2, 3))):
        actions.do_record_conduct(
            org.alice,
            actor=org.tp_a1,
            kind=kind,
            form="khien_trach",
            effective_on=on,
            violation_ref="VV-2025-07",
        )
    y2025 = decided_year_2025(org.alice, org.tp_a1)
    assert y2025.decided_level == Level.KHT
    scored_month(org.alice, org.tp_a1, 1)
    y2026 = _year(org.alice, org.tp_a1)
    assert y2026.proposed_level == Level.HTXS


def test_nd335_discipline_unrelated_to_duty_does_not_force_kht(org) -> None:
    """ND 335 Art. 20.4.c: discipline for a violation related to public duty. A reprimand for
    something unrelated keeps the points' level (100 → HTXS); one related to duty forces KHT,
    and then a decider may record KHT (a decree ground exists)."""
    scored_month(org.alice, org.tp_a1, 1)
    actions.do_record_conduct(
        org.alice,
        actor=org.tp_a1,
        kind="party_discipline",
        form="khien_trach",
        effective_on=date(2026, 5, 4),
        related_to_duty=False,
    )
    assert _year(org.alice, org.tp_a1).proposed_level == Level.HTXS


def test_a_vien_chuc_appeal_filed_on_a_friday_under_the_2025_law(org) -> None:
    """Public Employees Law 2025 Art. 27 (from 1/7/2026): 5 days from publication, to the
    classifying level or its direct superior, answered within 10 working days. Published
    Monday 7/12/2026: 5 days → Saturday 12/12, a day off, so the last day is Monday 14/12
    (Civil Code Art. 148); Tuesday 15/12 is too late. Filed on Friday 11/12: the answer is
    due 10 working days later, 14–18/12 (5) and 21–25/12 (10) → Friday 25/12."""
    vc = make_person(org, "vc", "Lâm Thị Viên", org.a1, category="vien_chuc")
    y = decided_year_2025(vc, org.tp_a1)  # viên chức stay on ND 90 (no newer rule set)
    actions.do_finalise([y], actor=decider_of(y))
    Evaluation.objects.filter(pk=y.pk).update(
        finalised_at=timezone.make_aware(datetime(2026, 12, 7, 15, 0))
    )
    y.refresh_from_db()
    window = actions.appeal_window(y)
    assert window is not None
    assert (window.last_day, window.rule, window.rolled) == (
        date(2026, 12, 14),
        "vien_chuc_2025",
        True,
    )
    with pytest.raises(ActionError) as exc:
        actions.do_file_appeal(
            y, actor=vc, reason="Chưa tính nhiệm vụ", filed_on=date(2026, 12, 15)
        )
    assert exc.value.code == "appeal_too_late" and "14/12/2026" in exc.value.message
    appeal = actions.do_file_appeal(
        y, actor=vc, reason="Chưa tính nhiệm vụ", filed_on=date(2026, 12, 11)
    )
    assert (appeal.answer_due, appeal.rule) == (date(2026, 12, 25), "vien_chuc_2025")
    # The Sở director decided: he does not answer; the level above (or another head of the
    # classifying level) does.
    assert not actions.may_resolve_appeal(org.gd_a, appeal)


def test_at_the_top_the_appeal_is_answered_from_outside_and_recorded_by_hr(org) -> None:
    """The chairman of the provincial committee classifies a Sở director; there is no level
    above him in the system. The appeal is accepted; HR records the outside answer with its
    reference (required); the chairman cannot answer an appeal against his own decision."""
    chairman = make_person(
        org, "chu_tich", "Phan Văn Chủ", org.root, role="head", category="can_bo"
    )
    from congvu.evaluation.tests.helpers import nd90_sheet

    e = actions.do_open_evaluation(org.gd_a, Evaluation.Kind.YEAR, 2025)
    actions.do_self_assess(e, actor=org.gd_a, sheet=nd90_sheet())
    actions.do_record_collective_comments(e, actor=org.pgd_a, comments="Tập thể nhất trí.")
    actions.do_propose(e, actor=chairman, sheet=nd90_sheet())
    actions.do_decide(e, actor=chairman)
    actions.do_finalise([e], actor=chairman)
    assert authority.competence(e).appeal_unit is None
    appeal = actions.do_file_appeal(e, actor=org.gd_a, reason="Đề nghị xem xét lại")
    with pytest.raises(ActionError):
        actions.do_resolve_appeal(appeal, actor=chairman, upheld=False, resolution="Giữ nguyên")
    with pytest.raises(ActionError) as exc:
        actions.do_resolve_appeal(appeal, actor=org.noi_vu, upheld=False, resolution="Giữ nguyên")
    assert exc.value.code == "reason_required" and exc.value.field == "decision_ref"
    actions.do_resolve_appeal(
        appeal,
        actor=org.noi_vu,
        upheld=False,
        resolution="Bộ Nội vụ trả lời: giữ nguyên kết quả.",
        decision_ref="123/BNV-CCVC",
    )
    appeal.refresh_from_db()
    assert (appeal.status, appeal.decision_ref) == (Appeal.Status.REJECTED, "123/BNV-CCVC")


def test_a_leaders_score_does_not_depend_on_the_order_staff_were_scored(org) -> None:
    """Same facts, two orders: the head proposed after Alice's month was decided, or an
    attempt first (refused, nothing written) and then after. Both give 82.5 (see
    test_flow: (1 + 1 + 1 + 0.5 + 0 + 1)/6 × 70 + 30)."""
    lead = actions.do_open_evaluation(org.tp_a1, Evaluation.Kind.MONTH, 2026, 5)
    actions.do_add_product(
        lead,
        actor=org.tp_a1,
        name="Chỉ đạo",
        coefficient=Decimal(1),
        quantity_assigned=Decimal(10),
        quantity_completed=Decimal(10),
    )
    actions.do_self_assess(lead, actor=org.tp_a1, sheet=sheet() | {"doan_ket": 100})
    with pytest.raises(ActionError) as exc:
        actions.do_propose(lead, actor=org.gd_a, sheet=sheet() | {"doan_ket": 100})
    assert exc.value.code == "managed_not_settled"
    lead.refresh_from_db()
    assert lead.total_score is None and lead.status == Evaluation.Status.SELF_ASSESSED
    scored_month(org.alice, org.tp_a1, 5, general=0, done=0, finalise=False)
    lead = actions.do_propose(lead, actor=org.gd_a, sheet=sheet() | {"doan_ket": 100})
    assert lead.total_score == Decimal("82.50")


def test_settings_where_sources_disagree_are_checked_and_weights_are_gone(org) -> None:
    """The formula is the decree's, so the old weights cannot be set again; the settings that
    encode a choice (docs/legal.md) accept only their documented values."""
    from congvu.evaluation.models import RuleSet

    rs = RuleSet.objects.get(code="ND335_2025")
    assert "task_weights" not in rs.params and "leader_weights" not in rs.params  # migration 0006
    for key, value in (
        ("task_weights", {"quantity": 0.4, "quality": 0.3, "timeliness": 0.3}),
        ("deduction_scope", "unit"),
        ("appeal_window_kind", "weeks"),
    ):
        with pytest.raises(ActionError) as exc:
            actions.do_set_rule_parameter(rs, key, value, reason="Thử", actor=org.quan_tri)
        assert exc.value.code == "invalid_param"
    actions.do_set_rule_parameter(
        rs, "deduction_scope", "line", reason="Hướng dẫn của tỉnh", actor=org.quan_tri
    )
    nd90 = RuleSet.objects.get(code="ND90_2020_ND48_2023")
    assert nd90.params["fallthrough_level"] == "HT"  # migration 0006, was KHT
