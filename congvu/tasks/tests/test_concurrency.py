"""Conflicting actions fired at one task from many threads (PostgreSQL: real row locks)."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import date

import pytest
from django.db import connection, connections

from congvu.lib.errors import ActionError
from congvu.tasks import actions
from congvu.tasks.events import TaskEventType as E
from congvu.tasks.models import Status, Task
from congvu.tasks.verify import verify_log

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
]


def run_threads(jobs: list, n_rounds: int = 1) -> Counter:  # type: ignore[type-arg]
    results: Counter = Counter()  # type: ignore[type-arg]
    lock = threading.Lock()
    barrier = threading.Barrier(len(jobs))

    def worker(name: str, fn) -> None:  # type: ignore[no-untyped-def]
        try:
            barrier.wait()
            for _ in range(n_rounds):
                try:
                    fn()
                    outcome = "ok"
                except ActionError as exc:
                    outcome = exc.code
                with lock:
                    results[(name, outcome)] += 1
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(name, fn)) for name, fn in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_conflicting_actions_never_lose_an_update_or_break_the_chain(org):
    task = actions.do_assign(
        assigner=org.gd_a,
        title="Đua",
        lead_unit=org.a1,
        lead_person=org.alice,
        deadline=date(2030, 1, 1),
        ad_hoc=True,
    )
    actions.do_accept(task, org.alice)
    alice, gd_a, tp_a1 = org.alice, org.gd_a, org.tp_a1
    jobs = [
        (
            "progress",
            lambda: actions.do_report_progress(task.pk, alice, percent=50, text="Tiến độ"),
        ),
        (
            "progress2",
            lambda: actions.do_report_progress(task.pk, alice, percent=60, text="Tiến độ"),
        ),
        ("submit", lambda: actions.do_submit(task.pk, alice, result="Kết quả")),
        ("submit2", lambda: actions.do_submit(task.pk, tp_a1, result="Kết quả")),
        (
            "extension",
            lambda: actions.do_request_extension(
                task.pk, alice, new_deadline=date(2030, 6, 1), reason="Cần thêm"
            ),
        ),
        ("pause", lambda: actions.do_pause(task.pk, alice, reason_code="external", reason="Chờ")),
        ("remind", lambda: actions.do_remind(task.pk, gd_a, text="Nhanh lên")),
        ("cancel", lambda: actions.do_cancel(task.pk, gd_a, reason="Thôi")),
    ]
    results = run_threads(jobs, n_rounds=6)
    assert sum(results.values()) == 48
    ok = sum(n for (_, outcome), n in results.items() if outcome == "ok")
    refused = {outcome for (_, outcome), _ in results.items() if outcome != "ok"}
    assert refused <= {"invalid_transition", "extension_pending", "children_open"}
    task.refresh_from_db()
    events = list(task.events.order_by("seq"))
    assert len(events) == 2 + ok  # every accepted action left exactly one event
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    state = actions.task_state(task)
    assert (task.status, task.seq, task.head_seal, task.version) == (
        state.status,
        state.seq,
        state.head_seal,
        2 + ok,
    )
    # Impossible states never happened: at most one submit or cancel closed the work, and no
    # progress was recorded after the task left "in progress".
    kinds = [E(e.type) for e in events]
    assert kinds.count(E.CANCELLED) <= 1 and kinds.count(E.EXTENSION_REQUESTED) <= 1
    status = Status.IN_PROGRESS
    for k in kinds[2:]:
        if k == E.PROGRESS_REPORTED:
            assert status == Status.IN_PROGRESS
        status = {
            E.SUBMITTED: Status.SUBMITTED,
            E.PAUSED: Status.PAUSED,
            E.CANCELLED: Status.CANCELLED,
        }.get(k, status)
    assert verify_log().ok


def test_a_stale_version_lets_exactly_one_of_many_writers_win(org):
    task = actions.do_assign(
        assigner=org.gd_a,
        title="Một người thắng",
        lead_unit=org.a1,
        lead_person=org.alice,
        deadline=date(2030, 1, 1),
        ad_hoc=True,
    )
    version = Task.objects.get(pk=task.pk).version
    alice, tp_a1 = org.alice, org.tp_a1
    jobs = [
        (f"w{i}", (lambda who=who: actions.do_accept(task.pk, who, expected_version=version)))
        for i, who in enumerate([alice, tp_a1] * 4)
    ]
    results = run_threads(jobs)
    assert sum(n for (_, o), n in results.items() if o == "ok") == 1
    assert {o for (_, o) in results} == {"ok", "stale_version"}
    assert verify_log().ok


def test_parallel_verification_finds_the_first_bad_event(org):
    tasks = []
    for i in range(6):
        t = actions.do_assign(
            assigner=org.gd_a,
            title=f"Song song {i}",
            lead_unit=org.a1,
            lead_person=org.alice,
            deadline=date(2030, 1, 1),
            ad_hoc=True,
        )
        actions.do_accept(t, org.alice)
        actions.do_report_progress(t, org.alice, percent=10, text="Bắt đầu")
        tasks.append(t)
    result = verify_log(workers=2, parallel_threshold=1)
    assert result.ok and result.events == 18 and result.chains == 6
    with connection.cursor() as cur:
        cur.execute("DROP TRIGGER tasks_taskevent_append_only ON tasks_taskevent")
        cur.execute(
            "UPDATE tasks_taskevent SET reason_text = 'sửa' WHERE task_id = %s AND seq = 3",
            [tasks[4].pk],
        )
    result = verify_log(workers=2, parallel_threshold=1)
    first = result.first_bad
    assert first is not None and (first.kind, first.task_id, first.seq) == ("seal", tasks[4].pk, 3)
