"""Periodic jobs of the workflow (run by `manage.py run_jobs`, see congvu/jobs)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from congvu.jobs.registry import job
from congvu.lib.errors import ActionError
from congvu.tasks.actions import do_remind, record_deemed_agreements
from congvu.tasks.events import TaskEventType as E
from congvu.tasks.models import Status, Task, TaskEvent
from congvu.workdays.calendar import get_calendar, overdue_cutoff

# Only work someone can still act on is reminded about.
REMINDABLE = (Status.ASSIGNED, Status.IN_PROGRESS, Status.PAUSED)


@job(
    "deemed_agreements",
    every=timedelta(hours=1),
    description="Ghi nhận 'coi như đồng ý' cho phối hợp quá hạn (CĐ 280/CĐ-TTg)",
)
def deemed_agreements(now: datetime) -> dict[str, Any]:
    return {"recorded": record_deemed_agreements(timezone.localtime(now).date())}


def reminder_text(days: int, deadline: Any) -> str:
    return f"Nhắc hạn tự động: còn {days} ngày làm việc đến hạn {deadline:%d/%m/%Y}."


@job(
    "deadline_reminders",
    every=timedelta(hours=1),
    description="Nhắc hạn trước N ngày làm việc (CONGVU_REMINDER_DAYS)",
)
def deadline_reminders(now: datetime) -> dict[str, Any]:
    """For each configured lead time N, remind the lead of every open task due in exactly N
    working days. The reminder text names N and the deadline, so a re-run finds it and skips."""
    today = timezone.localtime(now).date()
    cal = get_calendar()
    sent = 0
    for days in settings.REMINDER_WORKING_DAYS:
        due = cal.add_working_days(today, days)
        for task_id, deadline in Task.objects.filter(
            status__in=REMINDABLE, deadline=due
        ).values_list("pk", "deadline"):
            text = reminder_text(days, deadline)
            if TaskEvent.objects.filter(
                task_id=task_id, type=E.REMINDED, reason_text=text
            ).exists():
                continue
            try:
                do_remind(task_id, None, text=text, at=now)
            except ActionError:
                continue  # closed or changed meanwhile
            sent += 1
    return {"reminded": sent}


@job(
    "overdue_reminders",
    every=timedelta(hours=6),
    description="Đôn đốc nhiệm vụ quá hạn (một lần mỗi ngày làm việc)",
)
def overdue_reminders(now: datetime) -> dict[str, Any]:
    today = timezone.localtime(now).date()
    if not get_calendar().is_working_day(today):
        return {"skipped": "ngày nghỉ"}
    sent = 0
    # A deadline on a day off ends with the next working day (Civil Code Art. 148).
    for task_id, deadline in Task.objects.filter(
        status__in=REMINDABLE, deadline__lte=overdue_cutoff(today)
    ).values_list("pk", "deadline"):
        late = get_calendar().working_days_between(deadline, today)
        text = (
            f"Đôn đốc tự động: nhiệm vụ đã quá hạn {late} ngày làm việc (hạn {deadline:%d/%m/%Y})."
        )
        if TaskEvent.objects.filter(task_id=task_id, type=E.REMINDED, reason_text=text).exists():
            continue
        try:
            do_remind(task_id, None, text=text, at=now)
        except ActionError:
            continue
        sent += 1
    return {"reminded": sent}


@job(
    "log_checkpoint",
    every=timedelta(minutes=settings.LOG_CHECKPOINT_MINUTES),
    description="Mốc kiểm tra nhật ký: ký đầu chuỗi của mọi nhiệm vụ có sự kiện mới",
)
def log_checkpoint(now: datetime) -> dict[str, Any]:
    """The interval is the residual window of docs/event-log.md: events newer than the last
    checkpoint can be cut from a chain's tail without verify_log noticing."""
    from congvu.tasks.verify import create_checkpoint

    cp = create_checkpoint()  # a broken chain raises: the job fails loudly and is retried
    if cp is None:
        return {"checkpoint": None}
    return {"checkpoint": cp.pk, "heads": cp.head_count, "signature": cp.signature}
