"""Every kind of tampering an attacker with database access (no key, no write access to the
anchor file) can do, and what `verify_log` says about it (issue #12, breaks 4 and 5).

The log: two tasks, checkpoint #1, one more event, checkpoint #2 (both anchored), then one
more event (the tail after the last checkpoint). Each case drops the append-only triggers
(rolled back with the test) and edits with raw SQL, fixing up whatever a careful attacker
would. `WINDOW` cases are the documented residual window (docs/event-log.md): removing what
was written after the last checkpoint, rows and cached columns fixed up consistently.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from congvu.tasks import actions
from congvu.tasks.models import LogCheckpoint, Task, TaskEvent
from congvu.tasks.tests.conftest import at
from congvu.tasks.verify import create_checkpoint, verify_log

TABLES = ("tasks_taskevent", "tasks_logcheckpoint", "tasks_checkpointhead")
INTERVAL = timedelta(minutes=10)
WINDOW = "window"


def drop_triggers() -> None:
    with connection.cursor() as cur:
        for t in TABLES:
            if connection.vendor == "postgresql":
                cur.execute(f"DROP TRIGGER {t}_append_only ON {t}")
            else:
                cur.execute(f"DROP TRIGGER {t}_no_update")
                cur.execute(f"DROP TRIGGER {t}_no_delete")


def sql(statement: str, params: list[Any] | None = None) -> None:
    with connection.cursor() as cur:
        cur.execute(statement, params or [])


@dataclass
class Log:
    task: Task
    other: Task
    org: Any
    anchor: Path

    def ev(self, seq: int, task: Task | None = None) -> TaskEvent:
        return TaskEvent.objects.get(task=task or self.task, seq=seq)

    def fix_row(self, task: Task, upto: int) -> None:
        """What a careful attacker does after cutting a chain: the task row made to match
        the replay of what is left."""
        state = actions.task_states([task.pk])[task.pk]
        head = self.ev(upto, task)
        assert state.seq == upto and head.seal == state.head_seal
        sql(
            "UPDATE tasks_task SET seq = %s, head_seal = %s, last_event_at = %s, progress = %s,"
            " status = %s WHERE id = %s",
            [upto, head.seal, head.at, state.progress, state.status, task.pk],
        )


@pytest.fixture
def log(busy: tuple[Task, Task], org: Any, settings: Any, django_capture_on_commit_callbacks: Any):
    task, other = busy
    with django_capture_on_commit_callbacks(execute=True):
        create_checkpoint()
    actions.do_report_progress(task, org.alice, percent=70, text="Thêm", at=at(6))
    with django_capture_on_commit_callbacks(execute=True):
        create_checkpoint()
    actions.do_report_progress(task, org.alice, percent=80, text="Gần xong", at=at(7))
    anchor = Path(settings.LOG_ANCHOR)
    assert len(anchor.read_text().splitlines()) == 2
    result = verify_log(anchor=anchor, checkpoint_interval=INTERVAL)
    assert result.ok, result.problems
    drop_triggers()
    return Log(task, other, org, anchor)


# --- the cases: (name, tamper, the problem kind that must be reported or WINDOW) --------------


def _update_event(column: str, value: Callable[[Log], Any]) -> Callable[[Log], None]:
    def tamper(lg: Log) -> None:
        sql(
            f"UPDATE tasks_taskevent SET {column} = %s WHERE id = %s",
            [value(lg), lg.ev(2).pk],
        )

    return tamper


EVENT_UPDATES = {
    "type": lambda lg: 406,
    "at": lambda lg: lg.ev(3).at,
    "actor_id": lambda lg: lg.org.bob.pk,
    "unit_id": lambda lg: lg.org.b1.pk,
    "target_person_id": lambda lg: lg.org.bob.pk,
    "target_unit_id": lambda lg: lg.org.b1.pk,
    "reason_code": lambda lg: "other",
    "reason_text": lambda lg: "Đã sửa",
    "payload": lambda lg: '{"percent": 95}',
    "seal": lambda lg: "0" * 64,
    "task_id": lambda lg: lg.other.pk,  # moved to another chain (its seq 2 made free below)
}


def _move_event(lg: Log) -> None:
    sql("UPDATE tasks_taskevent SET seq = 9 WHERE task_id = %s AND seq = 3", [lg.other.pk])
    sql(
        "UPDATE tasks_taskevent SET task_id = %s, seq = 3 WHERE id = %s", [lg.other.pk, lg.ev(2).pk]
    )


def _update_tail_event(lg: Log) -> None:
    sql("UPDATE tasks_taskevent SET reason_text = 'Đã xong' WHERE id = %s", [lg.ev(6).pk])


def _delete(seq: int) -> Callable[[Log], None]:
    def tamper(lg: Log) -> None:
        sql("DELETE FROM tasks_taskevent WHERE id = %s", [lg.ev(seq).pk])

    return tamper


def _cut_checkpointed_tail(lg: Log) -> None:
    sql("DELETE FROM tasks_taskevent WHERE task_id = %s AND seq >= 5", [lg.task.pk])
    lg.fix_row(lg.task, 4)


def _delete_checkpointed_chain(lg: Log) -> None:
    for table, column in (("tasks_taskevent", "task_id"), ("tasks_task", "id")):
        sql(f"DELETE FROM {table} WHERE {column} = %s", [lg.other.pk])


def _cut_tail_after_checkpoint(lg: Log) -> None:
    sql("DELETE FROM tasks_taskevent WHERE id = %s", [lg.ev(6).pk])
    lg.fix_row(lg.task, 5)


def _delete_chain_created_after_checkpoint(lg: Log) -> None:
    late = actions.do_assign(
        assigner=lg.org.gd_a,
        title="Việc mới",
        lead_unit=lg.org.a1,
        lead_person=lg.org.alice,
        deadline=date(2026, 4, 30),
        ad_hoc=True,
        at=at(8),
    )
    sql("DELETE FROM tasks_taskevent WHERE task_id = %s", [late.pk])
    sql("DELETE FROM tasks_task WHERE id = %s", [late.pk])


def _insert_forged_middle(lg: Log) -> None:
    # Renumber to make room (from the end down: seq is unique per task), then a forged seq 3.
    for seq in (6, 5, 4, 3):
        sql("UPDATE tasks_taskevent SET seq = %s WHERE id = %s", [seq + 1, lg.ev(seq).pk])
    _insert(lg, lg.task, 3, "f" * 64)
    sql("UPDATE tasks_task SET seq = 7 WHERE id = %s", [lg.task.pk])


def _insert(lg: Log, task: Task, seq: int, seal: str, at_: datetime | None = None) -> None:
    sql(
        "INSERT INTO tasks_taskevent (task_id, seq, type, at, reason_code, reason_text, payload,"
        " seal) VALUES (%s, %s, 201, %s, '', 'Giả', '{\"percent\": 100}', %s)",
        [task.pk, seq, at_ or lg.ev(2).at, seal],
    )


def _insert_forged_tail(lg: Log) -> None:
    _insert(lg, lg.task, 7, "e" * 64, lg.ev(6).at)
    sql("UPDATE tasks_task SET seq = 7 WHERE id = %s", [lg.task.pk])


def _insert_copied_event(lg: Log) -> None:
    # A genuine event with its genuine seal, copied from the other chain onto this one's tail.
    src = lg.ev(2, lg.other)
    sql(
        "INSERT INTO tasks_taskevent (task_id, seq, type, at, actor_id, unit_id, reason_code,"
        " reason_text, payload, seal) SELECT %s, 7, type, %s, actor_id, unit_id, reason_code,"
        " reason_text, payload, seal FROM tasks_taskevent WHERE id = %s",
        [lg.task.pk, lg.ev(6).at, src.pk],
    )
    sql("UPDATE tasks_task SET seq = 7 WHERE id = %s", [lg.task.pk])


def _swap_seq(lg: Log) -> None:
    a, b = lg.ev(2).pk, lg.ev(3).pk
    sql("UPDATE tasks_taskevent SET seq = 99 WHERE id = %s", [a])
    sql("UPDATE tasks_taskevent SET seq = 2 WHERE id = %s", [b])
    sql("UPDATE tasks_taskevent SET seq = 3 WHERE id = %s", [a])


def _swap_at(lg: Log) -> None:
    a, b = lg.ev(2), lg.ev(3)
    sql("UPDATE tasks_taskevent SET at = %s WHERE id = %s", [b.at, a.pk])
    sql("UPDATE tasks_taskevent SET at = %s WHERE id = %s", [a.at, b.pk])


TASK_ROW_EDITS: dict[str, Callable[[Log], Any]] = {
    "status": lambda lg: "cancelled",
    "lead_unit_id": lambda lg: lg.org.b1.pk,
    "lead_person_id": lambda lg: lg.org.charlie.pk,
    "deadline": lambda lg: date(2030, 1, 1),
    "progress": lambda lg: 99,
    "head_seal": lambda lg: "f" * 64,
    "last_event_at": lambda lg: lg.ev(1).at,
    "title": lambda lg: "Nhiệm vụ đã đổi tên",
    "expected_result": lambda lg: "Kết quả khác",
    "priority": lambda lg: 4,
    "source_number": lambda lg: "999/QĐ-UBND",
    "is_ad_hoc": lambda lg: True,
    "source_date": lambda lg: date(2020, 1, 1),
    "source_issuer": lambda lg: "Cơ quan khác",
    "source_excerpt": lambda lg: "Trích yếu khác",
    "assigner_id": lambda lg: lg.org.lanh_dao.pk,
    "assigner_unit_id": lambda lg: lg.org.b1.pk,
    "assigned_at": lambda lg: lg.ev(1).at - timedelta(days=30),
    "deadline_working_days": lambda lg: 5,
    "parent_id": lambda lg: lg.other.pk,
    "import_key": lambda lg: "id:VB-1|ra soat",
    "seq": lambda lg: 3,
}


def _edit_row(column: str) -> Callable[[Log], None]:
    def tamper(lg: Log) -> None:
        sql(
            f"UPDATE tasks_task SET {column} = %s WHERE id = %s",
            [TASK_ROW_EDITS[column](lg), lg.task.pk],
        )

    return tamper


def _delete_all_checkpoints(lg: Log) -> None:
    sql("DELETE FROM tasks_checkpointhead")
    sql("DELETE FROM tasks_logcheckpoint")


def _delete_all_checkpoints_then_cut(lg: Log) -> None:
    _delete_all_checkpoints(lg)
    _cut_checkpointed_tail(lg)


def _delete_checkpoint(which: str) -> Callable[[Log], None]:
    def tamper(lg: Log) -> None:
        cp = LogCheckpoint.objects.order_by("id" if which == "oldest" else "-id").first()
        assert cp is not None
        sql("DELETE FROM tasks_checkpointhead WHERE checkpoint_id = %s", [cp.pk])
        sql("DELETE FROM tasks_logcheckpoint WHERE id = %s", [cp.pk])

    return tamper


def _edit_checkpoint_head(lg: Log) -> None:
    sql("UPDATE tasks_checkpointhead SET seq = seq - 1")


def _resign_checkpoint(lg: Log) -> None:
    sql(
        "UPDATE tasks_logcheckpoint SET signature = %s WHERE id = (SELECT MAX(id) FROM tasks_logcheckpoint)",
        ["a" * 64],
    )


CASES: list[tuple[str, Callable[[Log], None], str]] = [
    *(
        (f"update event {c}", _update_event(c, v) if c != "task_id" else _move_event, "seal")
        for c, v in EVENT_UPDATES.items()
    ),
    ("update the event after the last checkpoint", _update_tail_event, "seal"),
    ("delete an event in the middle", _delete(2), "sequence"),
    ("delete the first event", _delete(1), "sequence"),
    ("cut a checkpointed tail, row fixed up", _cut_checkpointed_tail, "truncated"),
    ("delete a checkpointed chain and its task", _delete_checkpointed_chain, "missing_chain"),
    ("cut the tail after the last checkpoint, row fixed up", _cut_tail_after_checkpoint, WINDOW),
    (
        "delete a chain created after the last checkpoint",
        _delete_chain_created_after_checkpoint,
        WINDOW,
    ),
    ("insert a forged event in the middle", _insert_forged_middle, "seal"),
    ("append a forged event", _insert_forged_tail, "seal"),
    ("append a genuine event copied from another chain", _insert_copied_event, "seal"),
    ("reorder: swap sequence numbers", _swap_seq, "seal"),
    ("reorder: swap times", _swap_at, "seal"),
    *(
        (f"edit task row {c}", _edit_row(c), "cache" if c == "seq" else "task_row")
        for c in TASK_ROW_EDITS
    ),
    ("delete every checkpoint", _delete_all_checkpoints, "anchor"),
    (
        "delete every checkpoint, then cut a formerly checkpointed tail",
        _delete_all_checkpoints_then_cut,
        "anchor",
    ),
    ("delete the newest checkpoint", _delete_checkpoint("newest"), "anchor"),
    ("delete the oldest checkpoint", _delete_checkpoint("oldest"), "checkpoint"),
    ("edit a checkpointed head", _edit_checkpoint_head, "checkpoint"),
    ("replace the newest checkpoint's signature", _resign_checkpoint, "anchor"),
]


def test_the_case_list_covers_every_kind_counted_in_docs() -> None:
    # docs/hardening.md quotes these numbers.
    assert len(CASES) == 51
    assert sum(1 for _, _, kind in CASES if kind == WINDOW) == 2


@pytest.mark.parametrize(("name", "tamper", "kind"), CASES, ids=[c[0] for c in CASES])
def test_verify_log_detects_the_tampering(log: Log, name: str, tamper: Any, kind: str) -> None:
    tamper(log)
    result = verify_log(anchor=log.anchor, checkpoint_interval=INTERVAL)
    if kind == WINDOW:
        assert result.ok, result.problems  # the documented window: nothing left to compare
        return
    assert not result.ok
    assert kind in {p.kind for p in result.problems}, result.problems


def test_without_the_anchor_deleting_every_checkpoint_still_fails_on_an_old_log(log: Log) -> None:
    # Issue #12, break 4: this used to pass with "0 mốc kiểm tra".
    _delete_all_checkpoints(log)
    kinds = {p.kind for p in verify_log(checkpoint_interval=INTERVAL).problems}
    assert kinds == {"no_checkpoint"}


def test_a_young_log_without_a_checkpoint_yet_passes(org: Any) -> None:
    from django.utils import timezone

    actions.do_assign(
        assigner=org.gd_a,
        title="Vừa giao",
        lead_unit=org.a1,
        lead_person=org.alice,
        working_days=5,
        ad_hoc=True,
        at=timezone.now(),
    )
    assert verify_log(checkpoint_interval=INTERVAL).ok


def test_verify_log_command_compares_the_configured_anchor(log: Log, capsys: Any) -> None:
    call_command("verify_log", "--anchor")
    assert "2 đối chiếu với tệp neo" in capsys.readouterr().out
    _delete_all_checkpoints(log)
    with pytest.raises(CommandError):
        call_command("verify_log", "-v", "2")
    out = capsys.readouterr().out
    assert "có trong tệp neo nhưng đã bị xóa khỏi CSDL" in out


def test_a_damaged_or_missing_anchor_file_is_a_problem(log: Log, tmp_path: Path) -> None:
    log.anchor.write_text(log.anchor.read_text() + "not json\n")
    messages = [p.message for p in verify_log(anchor=log.anchor).problems]
    assert messages == [f"Tệp neo {log.anchor}, dòng 3: không đọc được."]
    missing = tmp_path / "none.jsonl"
    assert [p.kind for p in verify_log(anchor=missing).problems] == ["anchor"]


def test_a_new_task_seals_its_title_and_creation_fields(org: Any, task: Task) -> None:
    first = TaskEvent.objects.get(task=task, seq=1)
    assert first.payload["title"] == task.title
    assert first.payload["source_date"] == "2026-02-20"
    assert first.payload["source_issuer"] == "UBND tỉnh"
