"""Every event that asks someone to act, or tells them an outcome, reaches them (issue #15)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from congvu.org.models import today
from congvu.tasks import actions as A
from congvu.tasks.events import TaskEventType as E
from congvu.tasks.models import Coordination, Task, TaskEvent
from congvu.web.notifications import (
    FINDING_RECIPIENTS,
    RECIPIENTS,
    notifications_for,
    recipients,
    unread_count,
)
from congvu.web.tests.tasks_helpers import assign


def _every_kind(org) -> None:  # type: ignore[no-untyped-def]
    """Real workflows that between them write every kind of task event."""
    t = assign(org, title="Nhiệm vụ đủ loại sự kiện", coordinators=("so_b",))
    A.do_accept(t, org.gd_a)
    seq = Coordination.objects.get(task=t).request_seq
    A.do_answer_coordination(t, org.gd_b, request_seq=seq, position="agree", text="Nhất trí")
    A.do_request_coordination(t, org.gd_a, unit=org.xa, request_text="Cho ý kiến", due=today())
    later = Task.objects.get(pk=t.pk).deadline + timedelta(days=7)
    A.do_request_extension(t, org.gd_a, new_deadline=later, reason="Chờ số liệu")
    A.do_grant_extension(t, org.lanh_dao)
    A.do_request_extension(t, org.gd_a, new_deadline=later + timedelta(days=7), reason="Nữa")
    A.do_refuse_extension(t, org.lanh_dao, reason="Không có căn cứ")
    A.do_pause(t, org.gd_a, reason_code="external", reason="Chờ Bộ trả lời")
    A.do_review_pause(t, org.lanh_dao, comment="Đồng ý")
    A.do_resume(t, org.gd_a)
    A.do_request_opinion(t, org.gd_a, superior=org.lanh_dao, question="Phương án nào?")
    seq = TaskEvent.objects.get(task=t, type=E.OPINION_REQUESTED).seq
    A.do_give_opinion(t, org.lanh_dao, request_seq=seq, opinion="Phương án 1")
    A.do_remind(t, org.lanh_dao, text="Khẩn trương")
    A.do_report_progress(t, org.gd_a, percent=50, text="Đã xong nửa")
    A.do_record_attachment(t, org.gd_a, name="bao-cao.pdf", sha256="0" * 64, size=10)
    child = assign(
        org, by="gd_a", unit="a1", lead="alice", days=3, parent=Task.objects.get(pk=t.pk)
    )
    A.do_accept(child, org.alice)
    A.do_submit(child, org.alice, result="Xong phần việc")
    A.do_approve(child, org.gd_a)  # approved, not yet closed: no longer holds up the parent
    A.do_submit(t, org.gd_a, result="Báo cáo")
    A.do_request_rework(t, org.lanh_dao, reason="Bổ sung số liệu")
    A.do_submit(t, org.gd_a, result="Báo cáo đã bổ sung")
    A.do_approve(t, org.lanh_dao)
    if Task.objects.get(pk=t.pk).status == "approved":
        A.do_complete(t, org.lanh_dao)

    moved = assign(org, title="Nhiệm vụ chuyển qua lại")
    A.do_transfer(
        moved, org.gd_a, to_unit=org.so_b, to_person=org.gd_b, reason_code="competence", reason="x"
    )
    A.do_return(moved, org.gd_b, reason="Không thuộc thẩm quyền")
    A.do_cancel(moved, org.lanh_dao, reason="Không còn cần")

    declined = assign(org, by="gd_a", unit="a1", lead="alice", title="Nhiệm vụ bị từ chối", days=3)
    A.do_decline(declined, org.alice, reason="Không đúng chuyên môn", proposed_unit=org.a2)
    A.do_reassign_lead(declined, org.gd_a, to_unit=org.a2, to_person=org.bob, reason="Đúng việc")

    # Last, two days on: the commune never answered and is deemed to agree.
    silent = Coordination.objects.get(task=t, unit=org.xa)
    A.do_record_deemed_agreement(
        t, request_seq=silent.request_seq, at=timezone.now() + timedelta(days=2)
    )


def test_every_task_event_kind_has_its_recipients_stated():
    missing = [k.name for k in E if k not in RECIPIENTS]
    assert not missing, f"thiếu trong RECIPIENTS: {missing}"
    # An event that asks someone to act names who.
    assert all(n.to for n in RECIPIENTS.values() if n.acts)


def test_every_event_that_asks_or_tells_reaches_its_people_and_never_its_actor(org):
    _every_kind(org)
    events = list(TaskEvent.objects.select_related("task"))
    written = {E(ev.type) for ev in events}
    assert written == set(E), f"the workflow did not write {set(E) - written}"
    who = recipients(events)
    people = {p.pk: p for p in org.people.values()}
    # The bell's SQL and the e-mail job's reading of the table agree, event by event.
    seen_by: dict[int, set[int]] = {}
    for person_id, person in people.items():
        for n in notifications_for(person, limit=10_000):
            seen_by.setdefault(person_id, set()).add(n.event_id)  # type: ignore[arg-type]
    for ev in events:
        notice = RECIPIENTS[E(ev.type)]
        expected = who[ev.pk]
        if notice.acts:
            assert expected, f"{E(ev.type).name} asks nobody to act"
        assert ev.actor_id not in expected
        for person_id, person in people.items():
            got = ev.pk in seen_by.get(person_id, set())
            assert got == (person_id in expected), (E(ev.type).name, person.full_name)


@pytest.mark.parametrize(
    ("kind", "recipient"),
    [
        (E.SUBMITTED, "lanh_dao"),  # the assigner decides
        (E.DECLINED, "gd_a"),  # the assigner of the declined sub-task
        (E.APPROVED, "gd_a"),
        (E.REWORK_REQUESTED, "gd_a"),
        (E.OPINION_GIVEN, "gd_a"),  # the lead who asked
        (E.COORDINATION_ANSWERED, "gd_a"),
        (E.EXTENSION_REQUESTED, "lanh_dao"),
        (E.EXTENSION_GRANTED, "gd_a"),
        (E.PAUSED, "lanh_dao"),
    ],
)
def test_the_person_an_event_concerns_finds_it_among_the_notifications(org, kind, recipient):
    _every_kind(org)
    label = E(kind).label
    texts = [n.text for n in notifications_for(org.people[recipient], limit=10_000)]
    assert any(t.startswith(label) for t in texts), (label, texts)


def test_notifications_come_newest_first_by_time_and_are_read_by_time(org):
    from datetime import datetime

    from congvu.tasks.state import VN_TZ

    early = datetime(2026, 3, 2, 9, tzinfo=VN_TZ)
    late = datetime(2026, 3, 3, 9, tzinfo=VN_TZ)
    # Written in the opposite order to their times: the later event has the smaller id.
    A.do_assign(
        assigner=org.lanh_dao,
        title="Giao sau",
        lead_unit=org.so_a,
        lead_person=org.gd_a,
        working_days=5,
        source_number="1/UBND",
        at=late,
    )
    A.do_assign(
        assigner=org.lanh_dao,
        title="Giao trước",
        lead_unit=org.so_a,
        lead_person=org.gd_a,
        working_days=5,
        source_number="2/UBND",
        at=early,
    )
    items = notifications_for(org.gd_a)
    assert [n.text.split(":")[1].split("—")[0].strip() for n in items] == ["Giao sau", "Giao trước"]
    assert unread_count(org.gd_a) == 2
    from congvu.web.notifications import mark_read

    mark_read(org.gd_a, at=early)
    assert unread_count(org.gd_a) == 1
    assert [n.read for n in notifications_for(org.gd_a)] == [False, True]


def test_each_due_process_step_of_a_finding_reaches_who_must_act_next(org, finding):
    from congvu.audit.models import AuditEvent
    from congvu.detection import review as R

    review = finding.review
    assert any("giải trình" in n.text for n in notifications_for(org.gd_b))
    R.do_explain(review, org.gd_b, text="Văn bản giao ghi rõ Sở Tài chính chủ trì.")
    assert any("Giải trình chờ xem xét" in n.text for n in notifications_for(org.lanh_dao))
    R.do_decide(review, org.lanh_dao, confirm=True, reason="Bằng chứng rõ ràng, đủ căn cứ.")
    assert any("được xác nhận" in n.text for n in notifications_for(org.gd_b))
    R.do_appeal(review, org.gd_b, text="Tôi không đồng ý với kết luận này.")
    # The reviewer sits at the top of the tree: Sở Nội vụ records the outside decision.
    assert any("Khiếu nại chờ giải quyết" in n.text for n in notifications_for(org.noi_vu))
    R.do_decide_appeal(review, org.noi_vu, uphold=False, reason="Văn bản cấp trên hủy kết luận.")
    assert any("hủy phát hiện" in n.text for n in notifications_for(org.gd_b))
    kinds = set(AuditEvent.objects.filter(subject="finding").values_list("kind", flat=True))
    assert kinds <= set(FINDING_RECIPIENTS), kinds - set(FINDING_RECIPIENTS)
