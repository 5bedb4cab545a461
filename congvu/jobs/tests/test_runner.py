from __future__ import annotations

import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from congvu.jobs.models import JobRun
from congvu.jobs.registry import Job, run_job

VN = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2026, 11, 26, 9, 7, tzinfo=VN)


def make_job(func, every=timedelta(hours=1)):
    return Job("test_job", every, func, "thử", stale_after=timedelta(minutes=10))


@pytest.mark.django_db
def test_a_slot_runs_once():
    calls = []
    j = make_job(lambda now: calls.append(now) or {"n": 1})
    assert run_job(j, NOW).state == JobRun.State.DONE
    assert run_job(j, NOW + timedelta(minutes=20)) is None  # same hourly slot
    assert run_job(j, NOW + timedelta(hours=1)).state == JobRun.State.DONE
    assert len(calls) == 2
    assert JobRun.objects.get(slot="2026-11-26T09:00").result == {"n": 1}


@pytest.mark.django_db
def test_a_failed_run_is_recorded_and_retried_in_the_same_slot():
    attempts = []

    def flaky(now):
        attempts.append(now)
        if len(attempts) == 1:
            raise RuntimeError("mất kết nối")
        return {}

    j = make_job(flaky)
    first = run_job(j, NOW)
    assert first.state == JobRun.State.FAILED and "mất kết nối" in first.error
    second = run_job(j, NOW)
    assert second.state == JobRun.State.DONE and second.attempts == 2


@pytest.mark.django_db
def test_a_run_whose_worker_died_is_taken_over_after_it_goes_stale():
    j = make_job(lambda now: {})
    JobRun.objects.create(job="test_job", slot=j.slot_for(NOW), started_at=NOW, heartbeat_at=NOW)
    assert run_job(j, NOW + timedelta(minutes=5)) is None  # still fresh: someone is working
    run = run_job(j, NOW + timedelta(minutes=15))
    assert run.state == JobRun.State.DONE and run.attempts == 2


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_do_the_work_once():
    calls = []
    barrier = threading.Barrier(4)

    def work(now):
        calls.append(now)
        return {}

    j = make_job(work)

    def worker():
        barrier.wait()
        try:
            run_job(j, NOW)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(calls) == 1
    assert JobRun.objects.count() == 1


def _dead_worker() -> str:
    import socket
    import subprocess
    import sys

    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return f"{socket.gethostname()}:{proc.pid}"


@pytest.mark.django_db
def test_a_run_of_a_past_slot_whose_worker_died_does_not_stay_started():
    # Issue #12: a slot whose worker died stayed "started" for ever once its slot had passed.
    from congvu.jobs.registry import recover_stale

    JobRun.objects.create(
        job="test_job", slot="2026-01-01T00:00", started_at=NOW, heartbeat_at=NOW,
        worker="other-host:123",
    )  # fmt: skip
    assert recover_stale(NOW + timedelta(minutes=5)) == 0  # fresh, maybe alive elsewhere
    assert recover_stale(NOW + timedelta(hours=2)) == 1
    run = JobRun.objects.get(slot="2026-01-01T00:00")
    assert run.state == JobRun.State.FAILED and "Không có tín hiệu từ other-host:123" in run.error


@pytest.mark.django_db
def test_a_run_whose_process_is_gone_from_this_machine_is_taken_over_at_once():
    j = make_job(lambda now: {"ok": 1})
    JobRun.objects.create(
        job="test_job", slot=j.slot_for(NOW), started_at=NOW, heartbeat_at=NOW,
        worker=_dead_worker(),
    )  # fmt: skip
    run = run_job(j, NOW + timedelta(minutes=1))  # well before stale_after
    assert run is not None and run.state == JobRun.State.DONE and run.attempts == 2
