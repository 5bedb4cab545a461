"""The log is append-only in the database and tamper-evident for someone who bypasses that.

Each tamper test acts as an attacker with write access to the database but not the key:
raw SQL, triggers dropped first. DDL is transactional on SQLite and PostgreSQL, so the
test transaction's rollback restores the triggers.
"""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from congvu.tasks import actions
from congvu.tasks.models import Task, TaskEvent
from congvu.tasks.tests.conftest import at
from congvu.tasks.verify import create_checkpoint, verify_log


def drop_triggers() -> None:
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("DROP TRIGGER tasks_taskevent_append_only ON tasks_taskevent")
        else:
            cur.execute("DROP TRIGGER tasks_taskevent_no_update")
            cur.execute("DROP TRIGGER tasks_taskevent_no_delete")


def sql(statement: str, params: list[object] | None = None) -> None:
    with connection.cursor() as cur:
        cur.execute(statement, params or [])


def ev(task: Task, seq: int) -> TaskEvent:
    return TaskEvent.objects.get(task=task, seq=seq)


def test_an_intact_log_verifies(busy):
    result = verify_log()
    assert result.ok, result.problems
    assert result.events == 7 and result.chains == 2


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE tasks_taskevent SET reason_text = 'x'",
        "DELETE FROM tasks_taskevent",
    ],
)
def test_the_database_refuses_update_and_delete(busy, statement):
    with pytest.raises(DatabaseError), transaction.atomic():
        sql(statement)


def test_it_names_an_updated_event(busy):
    task, _ = busy
    drop_triggers()
    target = ev(task, 3)
    sql("UPDATE tasks_taskevent SET reason_text = %s WHERE id = %s", ["Đã xong 100%", target.pk])
    first = verify_log().first_bad
    assert first is not None and (first.kind, first.task_id, first.seq, first.event_id) == (
        "seal",
        task.pk,
        3,
        target.pk,
    )


def test_it_names_an_event_whose_payload_was_changed(busy):
    task, _ = busy
    drop_triggers()
    target = ev(task, 4)
    TaskEvent.objects.filter(pk=target.pk).update(payload={"percent": 95})
    first = verify_log().first_bad
    assert first is not None and (first.task_id, first.seq) == (task.pk, 4)


def test_it_names_the_event_after_a_deleted_one(busy):
    task, _ = busy
    drop_triggers()
    sql("DELETE FROM tasks_taskevent WHERE id = %s", [ev(task, 2).pk])
    first = verify_log(check_cache=False).first_bad
    assert first is not None and (first.kind, first.task_id, first.seq) == ("sequence", task.pk, 3)
    assert "thiếu sự kiện số 2" in first.message


def test_it_names_an_inserted_event(busy, org):
    task, _ = busy
    drop_triggers()
    last = ev(task, 4)
    sql("UPDATE tasks_taskevent SET seq = seq + 1000 WHERE task_id = %s AND seq >= 3", [task.pk])
    sql("UPDATE tasks_taskevent SET seq = seq - 999 WHERE task_id = %s AND seq >= 1000", [task.pk])
    sql(
        "INSERT INTO tasks_taskevent (task_id, seq, type, at, actor_id, unit_id, target_person_id,"
        " target_unit_id, reason_code, reason_text, payload, seal) VALUES (%s, 3, 406, %s, %s, %s,"
        " NULL, NULL, '', 'Đôn đốc giả', '{}', %s)",
        [task.pk, last.at, org.gd_a.pk, org.so_a.pk, "0" * 64],
    )
    first = verify_log(check_cache=False).first_bad
    assert first is not None and (first.task_id, first.seq) == (task.pk, 3)


def test_it_names_the_first_of_two_reordered_events(busy):
    task, _ = busy
    drop_triggers()
    a, b = ev(task, 2), ev(task, 3)
    sql("UPDATE tasks_taskevent SET seq = 99 WHERE id = %s", [a.pk])
    sql("UPDATE tasks_taskevent SET seq = 2 WHERE id = %s", [b.pk])
    sql("UPDATE tasks_taskevent SET seq = 3 WHERE id = %s", [a.pk])
    first = verify_log().first_bad
    assert first is not None and (first.kind, first.task_id, first.seq, first.event_id) == (
        "seal",
        task.pk,
        2,
        b.pk,
    )


def test_it_detects_a_tail_cut_before_the_last_checkpoint(busy):
    task, _ = busy
    assert create_checkpoint(at=None) is not None
    drop_triggers()
    sql("DELETE FROM tasks_taskevent WHERE task_id = %s AND seq = 4", [task.pk])
    sql("UPDATE tasks_task SET seq = 3 WHERE id = %s", [task.pk])  # a careful attacker
    result = verify_log()
    first = result.first_bad
    assert first is not None and (first.kind, first.task_id, first.seq) == ("truncated", task.pk, 4)


def test_it_detects_a_whole_chain_deleted_before_the_last_checkpoint(busy):
    _, other = busy
    create_checkpoint()
    drop_triggers()
    sql("DELETE FROM tasks_taskevent WHERE task_id = %s", [other.pk])
    sql("DELETE FROM tasks_coordination WHERE task_id = %s", [other.pk])
    sql("DELETE FROM tasks_task WHERE id = %s", [other.pk])
    first = verify_log().first_bad
    assert first is not None and (first.kind, first.task_id) == ("missing_chain", other.pk)


def test_a_tail_cut_after_the_last_checkpoint_is_the_documented_window(busy, org):
    task, _ = busy
    create_checkpoint()
    actions.do_report_progress(task, org.alice, percent=80, text="Gần xong", at=at(6))
    drop_triggers()
    sql("DELETE FROM tasks_taskevent WHERE task_id = %s AND seq = 5", [task.pk])
    # Caught only by the Task table tripwires, which an attacker can also fix up.
    assert {p.kind for p in verify_log().problems} == {"cache", "task_row"}
    head = ev(task, 4)
    sql(
        "UPDATE tasks_task SET seq = 4, head_seal = %s, last_event_at = %s, progress = 60"
        " WHERE id = %s",
        [head.seal, head.at, task.pk],
    )
    assert verify_log().ok


def test_a_forged_checkpoint_is_detected(busy):
    create_checkpoint()
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("DROP TRIGGER tasks_checkpointhead_append_only ON tasks_checkpointhead")
        else:
            cur.execute("DROP TRIGGER tasks_checkpointhead_no_update")
    sql("UPDATE tasks_checkpointhead SET seq = seq - 1")
    assert any(p.kind == "checkpoint" for p in verify_log().problems)


def test_verify_log_command_names_the_first_bad_event(busy, capsys):
    task, _ = busy
    create_checkpoint()  # a log this old without a checkpoint fails on its own (no_checkpoint)
    call_command("verify_log")
    drop_triggers()
    target = ev(task, 2)
    sql("UPDATE tasks_taskevent SET at = %s WHERE id = %s", [ev(task, 3).at, target.pk])
    with pytest.raises(CommandError):
        call_command("verify_log")
    out = capsys.readouterr().out
    assert f"event_id={target.pk}" in out and "Sự kiện hỏng đầu tiên" in out


def test_checkpoints_chain_and_skip_when_nothing_changed(busy, org):
    task, _ = busy
    first = create_checkpoint()
    assert first is not None and first.head_count == 2
    assert create_checkpoint() is None
    actions.do_report_progress(task, org.alice, percent=90, text="Sắp xong", at=at(7))
    second = create_checkpoint()
    assert second is not None and second.head_count == 1
    assert second.previous_signature == first.signature
    assert verify_log().ok


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="TRUNCATE is PostgreSQL syntax")
def test_postgres_refuses_truncate_of_the_log(busy):
    with pytest.raises(DatabaseError), transaction.atomic():
        sql("TRUNCATE tasks_taskevent CASCADE")


@pytest.mark.parametrize("text", ["", 'Trả lại "gấp"\n\tvì sai\\thẩm quyền', "\x00\x1f\u2028 ≥ 😀"])
def test_the_hand_written_canonical_form_is_compact_sorted_json(text):
    import json

    from congvu.tasks.seal import canonical_body

    payload = {"z": [1, {"b": None, "a": text}], "a": True, "ý": text}
    fields = (7, 3, 104, 1767225600123456, None, 12, 13, None, text, text, payload)
    expected = json.dumps(
        ["v1", *fields], ensure_ascii=False, sort_keys=True, separators=(",", ":")
    ).encode()
    assert canonical_body(*fields) == expected
    assert (
        canonical_body(*fields[:-1], {})
        == expected.rsplit(b",", 0)[0][
            : -len(
                json.dumps(
                    payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")
                ).encode()
            )
            - 1
        ]
        + b"{}]"
    )


def test_the_fast_sealer_is_hmac_sha256():
    from congvu.tasks.seal import compute_seal, fast_sealer

    for key in (b"k", b"x" * 64, b"y" * 100):
        body = "Nội dung ≥ 😀".encode()
        assert fast_sealer(key)(b"prev\x1e" + body) == compute_seal(key, "prev", body)


def test_the_checkpoint_job_seals_new_heads_and_refuses_a_broken_chain(busy):
    from django.utils import timezone

    from congvu.tasks.jobs import log_checkpoint
    from congvu.tasks.verify import CheckpointRefusedError

    assert log_checkpoint(timezone.now())["heads"] == 2
    assert log_checkpoint(timezone.now()) == {"checkpoint": None}
    task, _ = busy
    drop_triggers()
    sql("UPDATE tasks_taskevent SET reason_text = 'x' WHERE task_id = %s AND seq = 2", [task.pk])
    sql("UPDATE tasks_task SET seq = seq + 1 WHERE id = %s", [task.pk])
    sql(
        "INSERT INTO tasks_taskevent (task_id, seq, type, at, reason_code, reason_text, payload,"
        " seal) VALUES (%s, 5, 406, %s, '', '', '{}', %s)",
        [task.pk, ev(task, 4).at, "f" * 64],
    )
    with pytest.raises(CheckpointRefusedError):
        log_checkpoint(timezone.now())
