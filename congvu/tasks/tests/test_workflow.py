from __future__ import annotations

from datetime import date

import pytest

from congvu.lib.errors import ActionError
from congvu.tasks import actions
from congvu.tasks.events import TaskEventType as E
from congvu.tasks.models import Coordination, Status, Task, TaskEvent
from congvu.tasks.tests.conftest import at


def types(task: Task) -> list[E]:
    return [E(t) for t in task.events.order_by("seq").values_list("type", flat=True)]


def assert_cache_matches_replay(task: Task) -> None:
    task.refresh_from_db()
    state = actions.task_state(task)
    assert (
        task.status,
        task.lead_unit_id,
        task.lead_person_id,
        task.deadline,
        task.progress,
        task.seq,
        task.head_seal,
        task.last_event_at,
    ) == (
        state.status,
        state.lead_unit_id,
        state.lead_person_id,
        state.deadline,
        state.progress,
        state.seq,
        state.head_seal,
        state.last_at,
    )


def test_it_runs_the_happy_path_and_derives_status_from_the_log(org, task):
    actions.do_accept(task, org.alice, at=at(1))
    actions.do_report_progress(
        task, org.alice, percent=40, text="Đã rà soát 12/30 thủ tục", at=at(30)
    )
    actions.do_submit(task, org.alice, result="Báo cáo rà soát kèm theo", at=at(100))
    actions.do_approve(task, org.gd_a, at=at(101))
    actions.do_complete(task, org.gd_a, at=at(102))
    task.refresh_from_db()
    assert task.status == Status.COMPLETED and task.progress == 100
    assert types(task) == [
        E.ASSIGNED,
        E.ACCEPTED,
        E.PROGRESS_REPORTED,
        E.SUBMITTED,
        E.APPROVED,
        E.COMPLETED,
    ]
    assert actions.task_state(task).timeliness() == "early"
    assert_cache_matches_replay(task)


def test_it_computes_the_deadline_in_working_days(org):
    t = actions.do_assign(
        assigner=org.gd_a,
        title="Báo cáo nhanh",
        lead_unit=org.a1,
        lead_person=org.alice,
        working_days=5,
        ad_hoc=True,
        at=at(0),
    )
    assert t.deadline == date(2026, 3, 9)  # Mon 2/3 + 5 working days
    assert t.deadline_working_days == 5


def test_it_refuses_a_deadline_before_the_assignment(org):
    with pytest.raises(ActionError) as exc:
        actions.do_assign(
            assigner=org.gd_a,
            title="X",
            lead_unit=org.a1,
            lead_person=org.alice,
            deadline=date(2026, 3, 1),
            ad_hoc=True,
            at=at(0),
        )
    assert exc.value.code == "deadline_before_assignment"
    assert not Task.objects.exists() and not TaskEvent.objects.exists()


def test_it_refuses_to_assign_to_a_unit_the_assigner_does_not_direct(org):
    with pytest.raises(ActionError) as exc:
        actions.do_assign(
            assigner=org.tp_a1,
            title="X",
            lead_unit=org.b1,
            lead_person=org.charlie,
            deadline=date(2026, 3, 20),
            ad_hoc=True,
            at=at(0),
        )
    assert exc.value.code == "permission_denied" and exc.value.status == 403


def test_it_refuses_a_lead_who_is_not_in_the_lead_unit(org):
    with pytest.raises(ActionError) as exc:
        actions.do_assign(
            assigner=org.gd_a,
            title="X",
            lead_unit=org.a1,
            lead_person=org.bob,
            deadline=date(2026, 3, 20),
            ad_hoc=True,
            at=at(0),
        )
    assert exc.value.code == "lead_not_member"


def test_it_requires_a_source_document_or_ad_hoc(org):
    with pytest.raises(ActionError) as exc:
        actions.do_assign(
            assigner=org.gd_a,
            title="X",
            lead_unit=org.a1,
            lead_person=org.alice,
            deadline=date(2026, 3, 20),
            at=at(0),
        )
    assert exc.value.code == "source_required"


def test_it_refuses_a_decline_without_reason_and_changes_nothing(org, task):
    with pytest.raises(ActionError) as exc:
        actions.do_decline(task, org.alice, reason="  ", proposed_unit=org.a2, at=at(1))
    assert exc.value.code == "reason_required" and exc.value.field == "reason"
    task.refresh_from_db()
    assert task.status == Status.ASSIGNED and task.seq == 1


def test_it_declines_with_a_proposed_unit_then_the_assigner_reassigns(org, task):
    actions.do_decline(
        task, org.alice, reason="Không thuộc chức năng phòng", proposed_unit=org.a2, at=at(1)
    )
    task.refresh_from_db()
    assert task.status == Status.DECLINED
    actions.do_reassign_lead(task, org.gd_a, to_unit=org.a2, to_person=org.bob, at=at(2))
    task.refresh_from_db()
    assert (task.status, task.lead_person_id) == (Status.ASSIGNED, org.bob.pk)
    assert_cache_matches_replay(task)


def test_it_transfers_and_returns_to_the_sender(org, task):
    actions.do_transfer(
        task,
        org.tp_a1,
        to_unit=org.a2,
        to_person=org.bob,
        reason_code="misrouted",
        reason="Thuộc lĩnh vực đầu tư",
        at=at(1),
    )
    task.refresh_from_db()
    assert task.lead_person_id == org.bob.pk
    actions.do_return(task, org.bob, reason="Không đúng thẩm quyền", at=at(2))
    task.refresh_from_db()
    assert (task.lead_unit_id, task.lead_person_id, task.status) == (
        org.a1.pk,
        org.alice.pk,
        Status.ASSIGNED,
    )
    actions.do_return(task, org.alice, reason="Trả lại người giao", at=at(3))
    task.refresh_from_db()
    assert task.status == Status.RETURNED
    assert_cache_matches_replay(task)


def test_it_refuses_a_transfer_to_oneself(org, task):
    with pytest.raises(ActionError) as exc:
        actions.do_transfer(
            task,
            org.alice,
            to_unit=org.a1,
            to_person=org.alice,
            reason_code="workload",
            reason="Quá tải",
            at=at(1),
        )
    assert exc.value.code == "transfer_to_self"


def test_it_refuses_an_unknown_reason_code(org, task):
    with pytest.raises(ActionError) as exc:
        actions.do_transfer(
            task,
            org.alice,
            to_unit=org.a2,
            to_person=org.bob,
            reason_code="lazy",
            reason="x",
            at=at(1),
        )
    assert exc.value.code == "invalid_reason_code"


def test_it_refuses_acting_without_permission(org, task):
    actions.do_accept(task, org.alice, at=at(1))
    with pytest.raises(ActionError) as exc:
        actions.do_approve(task, org.alice, at=at(2))
    assert exc.value.code == "permission_denied"
    with pytest.raises(ActionError) as exc:
        actions.do_report_progress(task, org.thanh_tra, percent=10, text="x", at=at(2))
    assert exc.value.code == "permission_denied"  # the inspector sees but does not act


def test_it_refuses_acting_on_a_task_outside_ones_scope(org, task):
    with pytest.raises(ActionError) as exc:
        actions.do_accept(task, org.charlie, at=at(1))
    assert exc.value.code == "out_of_scope" and exc.value.status == 404


def test_it_refuses_invalid_transitions_with_the_current_status(org, task):
    with pytest.raises(ActionError) as exc:
        actions.do_submit(task, org.alice, result="x", at=at(1))
    assert exc.value.code == "invalid_transition" and "Chờ tiếp nhận" in exc.value.message


def test_it_refuses_an_event_earlier_than_the_last_one(org, task):
    with pytest.raises(ActionError) as exc:
        actions.do_accept(task, org.alice, at=at(-1))
    assert exc.value.code == "time_order"


def test_extensions_are_granted_or_refused_by_the_assigner(org, task):
    actions.do_accept(task, org.alice, at=at(1))
    with pytest.raises(ActionError) as exc:
        actions.do_request_extension(
            task, org.alice, new_deadline=date(2026, 4, 15), reason="", at=at(2)
        )
    assert exc.value.code == "reason_required"
    actions.do_request_extension(
        task,
        org.alice,
        new_deadline=date(2026, 4, 15),
        reason="Chờ số liệu của Cục Thống kê",
        at=at(2),
    )
    with pytest.raises(ActionError) as exc:
        actions.do_grant_extension(task, org.alice, at=at(3))
    assert exc.value.code == "permission_denied"
    actions.do_grant_extension(task, org.gd_a, at=at(3))
    task.refresh_from_db()
    assert task.deadline == date(2026, 4, 15)
    actions.do_request_extension(
        task, org.alice, new_deadline=date(2026, 4, 30), reason="Lại chờ", at=at(4)
    )
    with pytest.raises(ActionError) as exc:
        actions.do_refuse_extension(task, org.gd_a, reason="", at=at(5))
    assert exc.value.code == "reason_required"
    actions.do_refuse_extension(task, org.gd_a, reason="Không có căn cứ", at=at(5))
    task.refresh_from_db()
    assert task.deadline == date(2026, 4, 15)
    assert_cache_matches_replay(task)


def test_a_sub_task_cannot_outlive_its_parent(org, task):
    actions.do_accept(task, org.tp_a1, at=at(1))
    child = actions.do_assign(
        assigner=org.tp_a1,
        title="Phần việc 1",
        lead_unit=org.a1,
        lead_person=org.alice,
        deadline=date(2026, 3, 20),
        parent=task,
        ad_hoc=True,
        at=at(2),
    )
    with pytest.raises(ActionError) as exc:
        actions.do_assign(
            assigner=org.tp_a1,
            title="Phần việc 2",
            lead_unit=org.a1,
            lead_person=org.alice,
            deadline=date(2026, 4, 20),
            parent=task,
            ad_hoc=True,
            at=at(2),
        )
    assert exc.value.code == "past_parent_deadline"
    actions.do_accept(child, org.alice, at=at(3))
    with pytest.raises(ActionError) as exc:
        actions.do_request_extension(
            child, org.alice, new_deadline=date(2026, 4, 2), reason="Cần thêm thời gian", at=at(4)
        )
    assert exc.value.code == "past_parent_deadline"
    actions.do_report_progress(child, org.alice, percent=50, text="Một nửa", at=at(5))
    assert actions.rolled_up_progress(task) == 50
    assert types(task)[-1] == E.SUBTASK_CREATED
    with pytest.raises(ActionError) as exc:
        actions.do_submit(task, org.tp_a1, result="x", at=at(6))
    assert exc.value.code == "children_open"


def test_coordination_answers_and_deemed_agreement(org, task):
    actions.do_accept(task, org.alice, at=at(1))
    ev = actions.do_request_coordination(
        task,
        org.alice,
        unit=org.b1,
        request_text="Cho ý kiến quy hoạch",
        due=date(2026, 3, 6),
        at=at(2),
    )
    with pytest.raises(ActionError) as exc:
        actions.do_answer_coordination(
            task, org.bob, request_seq=ev.seq, position="agree", at=at(3)
        )
    assert exc.value.code in ("permission_denied", "out_of_scope")
    ev2 = actions.do_request_coordination(
        task, org.alice, unit=org.a2, request_text="Số liệu đầu tư", due=date(2026, 3, 6), at=at(3)
    )
    actions.do_answer_coordination(
        task, org.bob, request_seq=ev2.seq, position="disagree", text="Số liệu chưa đủ", at=at(4)
    )
    assert actions.record_deemed_agreements(day=date(2026, 3, 6), at=at(5)) == 0
    assert actions.record_deemed_agreements(day=date(2026, 3, 7), at=at(120)) == 1
    c = Coordination.objects.get(task=task, request_seq=ev.seq)
    assert c.position == Coordination.Position.DEEMED
    assert types(task)[-1] == E.COORDINATION_DEEMED_AGREED
    assert actions.record_deemed_agreements(day=date(2026, 3, 9), at=at(150)) == 0


def test_pause_needs_a_regulation_for_a_legal_obstacle_and_can_be_reviewed(org, task):
    actions.do_accept(task, org.alice, at=at(1))
    with pytest.raises(ActionError) as exc:
        actions.do_pause(
            task, org.alice, reason_code="legal_obstacle", reason="Chồng chéo", at=at(2)
        )
    assert exc.value.code == "regulation_required"
    actions.do_pause(
        task,
        org.alice,
        reason_code="legal_obstacle",
        reason="Chồng chéo quy định",
        regulation="Nghị định 118/2025/NĐ-CP, Điều 9",
        at=at(2),
    )
    with pytest.raises(ActionError) as exc:
        actions.do_review_pause(task, org.alice, at=at(3))
    assert exc.value.code == "permission_denied"
    actions.do_review_pause(task, org.tp_a1, comment="Đúng là vướng", at=at(3))
    actions.do_resume(task, org.alice, at=at(4))
    task.refresh_from_db()
    assert task.status == Status.IN_PROGRESS
    assert_cache_matches_replay(task)


def test_opinions_go_to_a_superior_who_answers(org, task):
    actions.do_accept(task, org.alice, at=at(1))
    with pytest.raises(ActionError) as exc:
        actions.do_request_opinion(task, org.alice, superior=org.bob, question="?", at=at(2))
    assert exc.value.code == "not_a_superior"
    ev = actions.do_request_opinion(
        task, org.alice, superior=org.tp_a1, question="Có cần lấy ý kiến xã?", at=at(2)
    )
    with pytest.raises(ActionError) as exc:
        actions.do_give_opinion(task, org.gd_a, request_seq=ev.seq, opinion="Có", at=at(3))
    assert exc.value.code == "permission_denied"
    actions.do_give_opinion(
        task,
        org.tp_a1,
        request_seq=ev.seq,
        opinion="Thuộc thẩm quyền của em",
        within_authority=True,
        at=at(3),
    )
    assert types(task)[-1] == E.OPINION_GIVEN


def test_rework_cancel_and_reminders(org, task):
    actions.do_remind(task, None, text="Nhắc tự động", at=at(1))
    actions.do_accept(task, org.alice, at=at(2))
    actions.do_submit(task, org.alice, result="Bản 1", at=at(3))
    with pytest.raises(ActionError) as exc:
        actions.do_request_rework(task, org.gd_a, reason="", at=at(4))
    assert exc.value.code == "reason_required"
    actions.do_request_rework(task, org.gd_a, reason="Thiếu phụ lục", at=at(4))
    actions.do_remind(task, org.tp_a1, text="Khẩn trương", at=at(5))
    with pytest.raises(ActionError) as exc:
        actions.do_remind(task, org.bob, at=at(6))
    assert exc.value.code in ("permission_denied", "out_of_scope")
    with pytest.raises(ActionError) as exc:
        actions.do_cancel(task, org.gd_a, reason="", at=at(6))
    assert exc.value.code == "reason_required"
    actions.do_cancel(task, org.gd_a, reason="Văn bản chỉ đạo bị thu hồi", at=at(6))
    with pytest.raises(ActionError) as exc:
        actions.do_remind(task, org.gd_a, at=at(7))
    assert exc.value.code == "invalid_transition"
    assert_cache_matches_replay(task)


def test_a_stale_version_is_refused(org, task):
    with pytest.raises(ActionError) as exc:
        actions.do_accept(task, org.alice, at=at(1), expected_version=task.version + 5)
    assert exc.value.code == "stale_version" and exc.value.status == 409


def test_the_database_holds_exactly_one_lead(org, task):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Task.objects.filter(pk=task.pk).update(lead_person=None)


def test_someone_who_passed_a_task_on_still_sees_its_history(org, task):
    from congvu.org.permissions import access_for
    from congvu.tasks.models import Task as T

    actions.do_transfer(
        task,
        org.alice,
        to_unit=org.b1,
        to_person=org.charlie,
        reason_code="competence",
        reason="Thuộc lĩnh vực quy hoạch",
        at=at(2),
    )
    task.refresh_from_db()
    access = access_for(org.alice)
    assert actions.can_see_task(task, access)
    assert T.objects.visible_to(access.read_unit_ids, org.alice.pk).filter(pk=task.pk).exists()
    # ...but may no longer act on it.
    with pytest.raises(ActionError):
        actions.do_report_progress(task, org.alice, percent=10, text="Vẫn làm", at=at(3))
    # Bob, never involved, still does not see it.
    bob = access_for(org.bob)
    assert not actions.can_see_task(task, bob)


def test_a_deadline_on_a_day_off_ends_with_the_next_working_day_civil_code_148(org):
    """Due Saturday 7/3/2026: work submitted Monday 9/3 is on time (it was marked late), the
    task is not overdue on Monday, and it is from Tuesday 10/3."""
    t = actions.do_assign(
        assigner=org.gd_a,
        title="Báo cáo tuần",
        lead_unit=org.a1,
        lead_person=org.alice,
        deadline=date(2026, 3, 7),
        ad_hoc=True,
        at=at(0),
    )
    state = actions.task_state(t)
    assert not state.is_overdue(date(2026, 3, 9)) and state.is_overdue(date(2026, 3, 10))
    assert state.timeliness(date(2026, 3, 9)) == "in_time"
    assert not Task.objects.overdue(date(2026, 3, 9)).filter(pk=t.pk).exists()
    assert Task.objects.overdue(date(2026, 3, 10)).filter(pk=t.pk).exists()
    actions.do_accept(t, org.alice, at=at(1))
    actions.do_submit(t, org.alice, result="Báo cáo", at=at(7 * 24 + 2))  # Monday 9/3, 10:00
    actions.do_approve(t, org.gd_a, at=at(7 * 24 + 3))
    if actions.task_state(t).status != Status.COMPLETED:
        actions.do_complete(t, org.gd_a, at=at(7 * 24 + 4))
    assert actions.task_state(t).timeliness() == "on_time"


def test_rolled_up_progress_costs_one_query_per_level_not_per_sub_task(org, task):
    """Issue #14: the API's rolled-up progress queried once per sub-task (recursively); it is
    now the task page's computation, one query per level, whatever the number of sub-tasks."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    actions.do_accept(task, org.alice, at=at(1))

    def children(parent: Task, n: int, hour: float) -> list[Task]:
        out = []
        for i in range(n):
            child = actions.do_assign(
                assigner=org.tp_a1,
                title=f"Phần việc {hour}-{i}",
                lead_unit=org.a1,
                lead_person=org.alice,
                deadline=date(2026, 3, 20),
                parent=parent,
                ad_hoc=True,
                at=at(hour),
            )
            actions.do_accept(child, org.alice, at=at(hour + 0.1))
            actions.do_report_progress(
                child, org.alice, percent=20 * (i + 1), text="x", at=at(hour + 0.2)
            )
            out.append(child)
        return out

    first = children(task, 2, 2)
    children(first[0], 3, 3)  # 20, 40, 60 → 40; with the sibling at 40 → 40
    with CaptureQueriesContext(connection) as few:
        assert actions.rolled_up_progress(task) == 40
    children(first[1], 3, 4)
    with CaptureQueriesContext(connection) as more:
        assert actions.rolled_up_progress(task) == 40
    assert len(more) == len(few) == 3  # children, grandchildren, and the (empty) level below


def test_the_assigner_may_give_a_declined_task_back_to_the_same_lead(task, org):
    """ "Giao lại": the assigner does not accept the refusal (the demo province's generator does
    this; before, the same lead was refused in every state)."""
    actions.do_decline(
        task, org.alice, reason="Không thuộc chức năng của phòng", proposed_unit=org.a2, at=at(1)
    )
    actions.do_reassign_lead(
        task, org.gd_a, to_unit=org.a1, to_person=org.alice, reason="Đúng chức năng", at=at(2)
    )
    actions.do_accept(task, org.alice, at=at(3))
    with pytest.raises(ActionError, match="trùng với hiện tại"):
        actions.do_reassign_lead(task, org.gd_a, to_unit=org.a1, to_person=org.alice, at=at(4))
