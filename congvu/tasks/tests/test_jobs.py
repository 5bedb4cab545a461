from __future__ import annotations

from datetime import date, datetime

from congvu.jobs.registry import REGISTRY
from congvu.tasks import actions
from congvu.tasks.actions import CoordinationSpec
from congvu.tasks.events import TaskEventType as E
from congvu.tasks.jobs import deadline_reminders, deemed_agreements, overdue_reminders
from congvu.tasks.models import TaskEvent
from congvu.tasks.state import VN_TZ


def assign(org, deadline, **kw):
    return actions.do_assign(
        assigner=org.gd_a,
        title="Tổng hợp báo cáo",
        lead_unit=org.a1,
        lead_person=org.alice,
        deadline=deadline,
        ad_hoc=True,
        at=datetime(2026, 3, 2, 8, tzinfo=VN_TZ),
        **kw,
    )


def reminders(task):
    return list(
        TaskEvent.objects.filter(task=task, type=E.REMINDED).values_list("reason_text", flat=True)
    )


def test_the_workflow_jobs_are_registered():
    assert {"deemed_agreements", "deadline_reminders", "overdue_reminders"} <= set(REGISTRY)


def test_it_reminds_three_and_one_working_days_before_the_deadline_once(org, settings):
    settings.REMINDER_WORKING_DAYS = [3, 1]
    task = assign(org, date(2026, 3, 13))  # Friday
    # Tuesday 10/3: 3 working days before (Wed, Thu, Fri).
    assert deadline_reminders(datetime(2026, 3, 10, 8, tzinfo=VN_TZ)) == {"reminded": 1}
    assert deadline_reminders(datetime(2026, 3, 10, 9, tzinfo=VN_TZ)) == {"reminded": 0}
    deadline_reminders(datetime(2026, 3, 12, 8, tzinfo=VN_TZ))
    assert reminders(task) == [
        "Nhắc hạn tự động: còn 3 ngày làm việc đến hạn 13/03/2026.",
        "Nhắc hạn tự động: còn 1 ngày làm việc đến hạn 13/03/2026.",
    ]
    assert TaskEvent.objects.filter(task=task, type=E.REMINDED, actor__isnull=True).count() == 2


def test_it_urges_overdue_work_once_per_working_day_and_never_on_days_off(org):
    task = assign(org, date(2026, 3, 13))
    assert overdue_reminders(datetime(2026, 3, 14, 9, tzinfo=VN_TZ)) == {"skipped": "ngày nghỉ"}
    assert overdue_reminders(datetime(2026, 3, 17, 9, tzinfo=VN_TZ)) == {"reminded": 1}
    assert overdue_reminders(datetime(2026, 3, 17, 15, tzinfo=VN_TZ)) == {"reminded": 0}
    assert reminders(task) == [
        "Đôn đốc tự động: nhiệm vụ đã quá hạn 2 ngày làm việc (hạn 13/03/2026)."
    ]


def test_unanswered_coordination_is_deemed_agreed_by_the_job(org):
    task = assign(
        org,
        date(2026, 3, 31),
        coordinations=[
            CoordinationSpec(unit=org.so_b, request_text="Cho ý kiến", due=date(2026, 3, 6))
        ],
    )
    assert deemed_agreements(datetime(2026, 3, 9, 8, tzinfo=VN_TZ)) == {"recorded": 1}
    assert deemed_agreements(datetime(2026, 3, 9, 9, tzinfo=VN_TZ)) == {"recorded": 0}
    assert TaskEvent.objects.filter(task=task, type=E.COORDINATION_DEEMED_AGREED).count() == 1
