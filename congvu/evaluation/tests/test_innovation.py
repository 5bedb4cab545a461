"""ND 73/2023/NĐ-CP: register → vote (7 working days) → implement → report (5) → evaluate (7)."""

from __future__ import annotations

from datetime import date

import pytest

from congvu.evaluation import actions
from congvu.evaluation.models import InnovationProposal, InnovationVote
from congvu.lib.errors import ActionError
from congvu.org.models import Membership
from congvu.testing import make_person

pytestmark = pytest.mark.django_db

PLAN = {
    "title": "Một cửa liên thông cấp phép xây dựng nhà ở riêng lẻ",
    "necessity": "Hồ sơ phải qua ba cơ quan, quy định chưa rõ trình tự phối hợp.",
    "content": "Tiếp nhận một lần, luân chuyển điện tử, trả kết quả tại một nơi.",
    "scope": "Sở Tài chính và hai xã thí điểm",
    "timeline": "Quý II–III/2026",
    "resources": "Phần mềm sẵn có, 3 cán bộ",
    "expected_effect": "Giảm thời gian giải quyết từ 15 xuống 7 ngày làm việc.",
}


@pytest.fixture
def board(org):  # type: ignore[no-untyped-def]
    """Sở Tài chính's leadership: gd_a (head), pgd_a and pgd_a2 (deputies)."""
    make_person(org, "pgd_a2", "Trịnh Văn Hải", org.so_a, role=Membership.Role.DEPUTY)
    return org


def test_the_vote_is_due_within_7_working_days_art8(board) -> None:
    """Received Thu 23/4/2026: Giỗ Tổ (26/4, observed Mon 27/4), 30/4 and 1/5 are days off,
    so 7 working days end on Thu 7/5/2026."""
    p = actions.do_register_innovation(proposer=board.tp_a1, received_on=date(2026, 4, 23), **PLAN)
    assert p.agency == board.so_a  # a phòng's manager proposes to the Sở
    assert p.vote_due_on == date(2026, 5, 7)


def test_a_plan_missing_required_parts_is_refused_art7(board) -> None:
    with pytest.raises(ActionError) as exc:
        actions.do_register_innovation(proposer=board.tp_a1, **{**PLAN, "resources": " "})
    assert exc.value.code == "required"
    assert not InnovationProposal.objects.exists()


def test_only_leaders_and_managers_are_covered_art2(board) -> None:
    with pytest.raises(ActionError) as exc:
        actions.do_register_innovation(proposer=board.alice, **PLAN)
    assert exc.value.code == "not_covered"


def test_a_proposer_deputy_does_not_vote_and_the_head_breaks_a_tie_art8(board) -> None:
    p = actions.do_register_innovation(proposer=board.pgd_a, received_on=date(2026, 4, 23), **PLAN)
    with pytest.raises(ActionError) as exc:
        actions.do_cast_innovation_vote(p, voter=board.pgd_a, in_favour=True, on=date(2026, 4, 24))
    assert exc.value.code == "ineligible_voter"
    with pytest.raises(ActionError) as exc:
        actions.do_cast_innovation_vote(p, voter=board.alice, in_favour=True, on=date(2026, 4, 24))
    assert exc.value.code == "ineligible_voter"
    assert not InnovationVote.objects.exists()
    actions.do_cast_innovation_vote(p, voter=board.gd_a, in_favour=True, on=date(2026, 4, 24))
    actions.do_cast_innovation_vote(p, voter=board.pgd_a2, in_favour=False, on=date(2026, 4, 24))
    p = actions.do_close_innovation_vote(p, actor=board.gd_a, on=date(2026, 4, 24))
    assert p.status == InnovationProposal.Status.APPROVED  # 1–1, the head voted in favour


def test_a_failed_vote_can_be_approved_in_writing_by_the_head_art8(board) -> None:
    p = actions.do_register_innovation(proposer=board.tp_a1, received_on=date(2026, 4, 23), **PLAN)
    for voter, yes in ((board.gd_a, False), (board.pgd_a, True), (board.pgd_a2, False)):
        actions.do_cast_innovation_vote(p, voter=voter, in_favour=yes, on=date(2026, 4, 24))
    p = actions.do_close_innovation_vote(p, actor=board.gd_a, on=date(2026, 4, 24))
    assert p.status == InnovationProposal.Status.REJECTED
    with pytest.raises(ActionError):
        actions.do_head_approve_innovation(p, actor=board.pgd_a, written_decision="Đồng ý")
    p = actions.do_head_approve_innovation(
        p, actor=board.gd_a, written_decision="Tôi chịu trách nhiệm, cho phép thực hiện."
    )
    assert p.status == InnovationProposal.Status.APPROVED


def test_more_than_half_is_needed_to_pass(board) -> None:
    p = actions.do_register_innovation(proposer=board.tp_a1, received_on=date(2026, 4, 23), **PLAN)
    actions.do_cast_innovation_vote(p, voter=board.pgd_a, in_favour=True, on=date(2026, 4, 24))
    p = actions.do_close_innovation_vote(p, actor=board.gd_a, on=date(2026, 4, 24))
    assert p.status == InnovationProposal.Status.REJECTED  # 1 of 3 eligible


def test_report_and_evaluation_deadlines_and_protection_outcome_art11_18(board) -> None:
    p = actions.do_register_innovation(proposer=board.tp_a1, received_on=date(2026, 4, 23), **PLAN)
    for voter in (board.gd_a, board.pgd_a):
        actions.do_cast_innovation_vote(p, voter=voter, in_favour=True, on=date(2026, 4, 24))
    actions.do_close_innovation_vote(p, actor=board.gd_a, on=date(2026, 4, 24))
    actions.do_link_innovation_tasks(p, actor=board.tp_a1, task_refs=["TASK-2026-0012", " "])
    p = actions.do_finish_innovation(p, actor=board.tp_a1, finished_on=date(2026, 5, 6))
    assert p.report_due_on == date(2026, 5, 13)  # 5 working days
    p = actions.do_report_innovation(
        p, actor=board.tp_a1, report="Đã giảm còn 8 ngày.", on=date(2026, 5, 12)
    )
    assert p.evaluation_due_on == date(2026, 5, 21)  # 7 working days
    with pytest.raises(ActionError) as exc:
        actions.do_evaluate_innovation(p, actor=board.gd_a, outcome="tuyet_voi", note="x")
    assert exc.value.code == "invalid_outcome"
    p = actions.do_evaluate_innovation(
        p,
        actor=board.gd_a,
        outcome=InnovationProposal.Outcome.CLEAN_MOTIVE,
        note="Chưa đạt mục tiêu 7 ngày nhưng đúng chủ trương, vì lợi ích chung.",
        on=date(2026, 5, 20),
    )
    assert p.status == InnovationProposal.Status.EVALUATED
    assert p.task_refs == ["TASK-2026-0012"]


def test_overdue_steps_are_listed(board) -> None:
    p = actions.do_register_innovation(proposer=board.tp_a1, received_on=date(2026, 4, 23), **PLAN)
    overdue = actions.overdue_innovations(date(2026, 5, 8))
    assert overdue == [(p, "biểu quyết (07 ngày làm việc)")]
    assert actions.overdue_innovations(date(2026, 5, 7)) == []
