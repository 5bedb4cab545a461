"""Periodic jobs and the runner that claims and executes them.

Why not a queue library: every job here is a periodic sweep over the database (reminders,
overdue escalation, deemed-agree, detection runs, period closing) and must work the same on
the embedded SQLite default and on PostgreSQL. A `manage.py run_jobs` worker started by a
systemd timer (or left looping) with database-level claims needs no broker, survives
restarts, and two workers running at once never do the same slot twice (see JobRun).
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from congvu.jobs.models import JobRun
from congvu.lib.runs import mark_failed
from congvu_analytics.scratch import process_alive

log = logging.getLogger(__name__)

JobFunc = Callable[[datetime], dict[str, Any]]


@dataclass(frozen=True)
class Job:
    name: str
    every: timedelta
    func: JobFunc
    description: str
    stale_after: timedelta

    def slot_for(self, now: datetime) -> str:
        """The time slot `now` falls in: runs happen at most once per slot."""
        seconds = int(self.every.total_seconds())
        epoch = int(now.timestamp()) // seconds * seconds
        return datetime.fromtimestamp(epoch, tz=timezone.get_current_timezone()).strftime(
            "%Y-%m-%dT%H:%M"
        )


REGISTRY: dict[str, Job] = {}
MAX_ATTEMPTS = 3


def job(
    name: str, *, every: timedelta, description: str, stale_after: timedelta | None = None
) -> Callable[[JobFunc], JobFunc]:
    def register(func: JobFunc) -> JobFunc:
        REGISTRY[name] = Job(
            name, every, func, description, stale_after or max(every, timedelta(minutes=10))
        )
        return func

    return register


def _worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _claim(j: Job, slot: str, now: datetime) -> JobRun | None:
    """Insert the (job, slot) row, or take over a stale one; None if another worker has it."""
    try:
        with transaction.atomic():
            return JobRun.objects.create(
                job=j.name, slot=slot, worker=_worker_id(), started_at=now, heartbeat_at=now
            )
    except IntegrityError:
        pass
    # The slot exists: take it over only if its worker died mid-run or it failed and has
    # attempts left (a conditional UPDATE: of two workers racing for the same run exactly one
    # sees a row count of 1).
    stale = now - j.stale_after
    retryable = Q(state=JobRun.State.STARTED, heartbeat_at__lt=stale) | Q(state=JobRun.State.FAILED)
    dead = [
        w
        for w in JobRun.objects.filter(
            job=j.name, slot=slot, state=JobRun.State.STARTED
        ).values_list("worker", flat=True)
        if _worker_dead(w)
    ]
    if dead:  # its process is gone from this machine: no need to wait for the heartbeat
        retryable |= Q(state=JobRun.State.STARTED, worker__in=dead)
    taken = JobRun.objects.filter(
        retryable, job=j.name, slot=slot, attempts__lt=MAX_ATTEMPTS
    ).update(
        state=JobRun.State.STARTED,
        worker=_worker_id(),
        heartbeat_at=now,
        attempts=F("attempts") + 1,
        error="",
    )
    if taken != 1:
        return None
    return JobRun.objects.get(job=j.name, slot=slot)


def _worker_dead(worker: str) -> bool:
    """The worker ran on this machine and its process no longer exists."""
    host, _, pid = worker.rpartition(":")
    return host == socket.gethostname() and pid.isdigit() and not process_alive(int(pid))


def recover_stale(now: datetime | None = None) -> int:
    """Mark FAILED every STARTED run whose worker died: its process is gone from this machine,
    or it gave no sign of life for its job's `stale_after`. Without this a run of a past slot
    stayed "started" for ever (issue #12); a FAILED run of the current slot is retried by the
    next claim. Returns how many were recovered."""
    now = now or timezone.now()
    recovered = 0
    for run in JobRun.objects.filter(state=JobRun.State.STARTED).only(
        "pk", "job", "worker", "heartbeat_at"
    ):
        j = REGISTRY.get(run.job)
        stale_after = j.stale_after if j is not None else timedelta(minutes=10)
        dead = _worker_dead(run.worker)
        if not dead and run.heartbeat_at >= now - stale_after:
            continue
        why = (
            f"Tiến trình {run.worker} đã dừng giữa chừng"
            if dead
            else f"Không có tín hiệu từ {run.worker or 'tiến trình xử lý'} từ {run.heartbeat_at:%d/%m/%Y %H:%M}"
        )
        recovered += JobRun.objects.filter(
            pk=run.pk, state=JobRun.State.STARTED, heartbeat_at=run.heartbeat_at
        ).update(
            state=JobRun.State.FAILED, finished_at=now, error=f"{why}; đánh dấu lỗi để chạy lại."
        )
    return recovered


def run_job(j: Job, now: datetime | None = None) -> JobRun | None:
    now = now or timezone.now()
    slot = j.slot_for(now)
    run = _claim(j, slot, now)
    if run is None:
        return None
    started = timezone.now()
    try:
        result = j.func(now)
    except Exception as exc:
        log.exception("job %s failed", j.name)
        mark_failed(JobRun.objects.filter(pk=run.pk), exc)
    else:
        JobRun.objects.filter(pk=run.pk).update(
            state=JobRun.State.DONE, finished_at=timezone.now(), result=result or {}
        )
        log.info(
            "DONE %s %s (%dms)", j.name, slot, (timezone.now() - started).total_seconds() * 1000
        )
    run.refresh_from_db()
    return run


def run_due(names: list[str] | None = None, now: datetime | None = None) -> list[JobRun]:
    """Run every registered job (or those named) whose current slot has not run yet, after
    recovering the runs of dead workers."""
    recover_stale(now)
    out = []
    for name, j in sorted(REGISTRY.items()):
        if names and name not in names:
            continue
        run = run_job(j, now)
        if run is not None:
            out.append(run)
    return out
