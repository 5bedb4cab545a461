"""Verifying the sealed log and writing signed checkpoints (docs/event-log.md).

`verify_log()` walks every chain in (task, seq) order with one streaming query, recomputes
each seal from the stored previous seal, and then checks the signed checkpoints: their own
chain of signatures, their Merkle roots, and that every head they recorded is still present
with the same seal (so a deleted chain or a cut tail is caught). It reports the first bad
event of every broken chain, earliest first.
"""

from __future__ import annotations

import hmac
import json
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from congvu.tasks.anchor import append_anchor, check_anchor
from congvu.tasks.events import TaskEventType
from congvu.tasks.models import CheckpointHead, LogCheckpoint, Task, TaskEvent
from congvu.tasks.seal import (
    EPOCH,
    FORMAT_VERSION,
    ONE_US,
    head_leaf,
    hmac_pads,
    merkle_root,
    micros,
    seal_key,
    sign_checkpoint,
)
from congvu.tasks.state import EventRow, replay


def _columns() -> str:
    # On PostgreSQL the time comes as exact integer microseconds (numeric extract), which
    # spares a timezone-aware datetime per row; elsewhere `_to_us` converts the datetime.
    at = "(extract(epoch from at) * 1000000)::bigint" if connection.vendor == "postgresql" else "at"
    return (
        f"id, task_id, seq, type, {at}, actor_id, unit_id, target_person_id, target_unit_id, "
        "reason_code, reason_text, payload, seal"
    )


# Row-level findings: named after the chain's own problems, which point at an event.
_SECONDARY = frozenset({"cache", "task_row"})


@dataclass(frozen=True)
class Problem:
    # seal | sequence | truncated | missing_chain | empty_task | checkpoint | cache | task_row |
    # replay | anchor | no_checkpoint
    kind: str
    task_id: int | None
    seq: int | None
    event_id: int | None
    message: str

    def sort_key(self) -> tuple[int, int, int]:
        return (self.task_id or 0, self.seq or 0, 0 if self.kind not in _SECONDARY else 1)


@dataclass
class VerifyResult:
    events: int = 0
    chains: int = 0
    checkpoints: int = 0
    anchored: int = 0
    seconds: float = 0.0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def first_bad(self) -> Problem | None:
        real = [p for p in self.problems if p.kind not in _SECONDARY] or self.problems
        return min(real, key=Problem.sort_key) if real else None


def _stream(
    sql: str, params: Iterable[Any] = (), size: int = 20000
) -> Iterator[list[tuple[Any, ...]]]:
    """Rows in batches from a server-side cursor (PostgreSQL) or a plain one (SQLite)."""
    with connection.chunked_cursor() as cur:
        cur.execute(sql, list(params))
        while True:
            rows = cur.fetchmany(size)
            if not rows:
                return
            yield rows


def _to_us(value: Any) -> int:
    if isinstance(value, str):  # SQLite stores UTC text
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:  # ... and its driver returns it naive
        value = value.replace(tzinfo=UTC)
    return (value - EPOCH) // ONE_US  # type: ignore[no-any-return]


def walk_chains(  # noqa: PLR0915 - the hot loop is inlined on purpose
    batches: Iterable[list[tuple[Any, ...]]],
    heads: dict[int, tuple[int, str, int]],
    result: VerifyResult,
) -> dict[int, int]:
    """Check seals and sequence numbers; returns task id -> last seq seen.

    `heads` maps task id -> (seq, seal, checkpoint id) of checkpointed heads. This is the hot
    loop of verify_log (millions of rows): the canonical form of seal.canonical_body and the
    HMAC of seal.fast_sealer are written out inline, and every verification test exercises
    the equivalence on real sealed events.
    """
    inner, outer = hmac_pads(seal_key())
    icopy, ocopy = inner.copy, outer.copy
    enc = json.encoder.encode_basestring
    pdumps = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode
    loads = json.loads
    version = FORMAT_VERSION
    last_seq: dict[int, int] = {}
    current = -1
    prev_seal = ""
    expected = 1
    broken = False
    head: tuple[int, str, int] | None = None
    problems = result.problems
    n = 0
    for batch in batches:
        n += len(batch)
        for (
            ev_id, task_id, seq, type_code, at_raw, actor_id, unit_id, tp_id, tu_id, rcode, rtext,
            payload, seal,
        ) in batch:  # fmt: skip
            if task_id != current:
                if current != -1:
                    last_seq[current] = expected - 1
                current, prev_seal, expected, broken = task_id, "", 1, False
                head = heads.get(task_id)
            if broken:
                expected = seq + 1
                continue
            if seq != expected:
                what = (
                    f"thiếu sự kiện số {expected}"
                    if seq > expected
                    else f"số thứ tự {seq} lặp hoặc đảo"
                )
                problems.append(
                    Problem(
                        "sequence",
                        task_id,
                        seq,
                        ev_id,
                        f"Nhiệm vụ #{task_id}: {what} (gặp số {seq}).",
                    )
                )
                broken = True
                continue
            at = at_raw if type(at_raw) is int else _to_us(at_raw)
            if type(payload) is str:
                pj = "{}" if payload == "{}" else pdumps(loads(payload))
            else:
                pj = pdumps(payload) if payload else "{}"
            message = (
                f'{prev_seal}\x1e["{version}",{task_id},{seq},{type_code},{at},'
                f"{'null' if actor_id is None else actor_id},"
                f"{'null' if unit_id is None else unit_id},"
                f"{'null' if tp_id is None else tp_id},"
                f"{'null' if tu_id is None else tu_id},"
                f"{enc(rcode)},{enc(rtext)},{pj}]"
            ).encode()
            i = icopy()
            i.update(message)
            o = ocopy()
            o.update(i.digest())
            if o.hexdigest() != seal:
                problems.append(
                    Problem(
                        "seal",
                        task_id,
                        seq,
                        ev_id,
                        f"Nhiệm vụ #{task_id}, sự kiện số {seq} (id {ev_id}): dấu niêm phong "
                        "không khớp — nội dung, thứ tự hoặc chuỗi trước đó đã bị sửa.",
                    )
                )
                broken = True
            elif head is not None and head[0] == seq and head[1] != seal:
                problems.append(
                    Problem(
                        "checkpoint",
                        task_id,
                        seq,
                        ev_id,
                        f"Nhiệm vụ #{task_id}, sự kiện số {seq}: khác với bản ghi trong mốc "
                        f"kiểm tra #{head[2]}.",
                    )
                )
                broken = True
            prev_seal = seal
            expected = seq + 1
    if current != -1:
        last_seq[current] = expected - 1
    result.events += n
    result.chains += len(last_seq)
    return last_seq


def _checkpoint_heads(result: VerifyResult) -> dict[int, tuple[int, str, int]]:
    """Verify the checkpoint chain; return the latest recorded head of every task."""
    key = seal_key()
    heads: dict[int, tuple[int, str, int]] = {}
    previous = ""
    for cp in LogCheckpoint.objects.order_by("id"):
        result.checkpoints += 1
        rows = list(
            CheckpointHead.objects.filter(checkpoint=cp)
            .order_by("task_id_ref")
            .values_list("task_id_ref", "seq", "seal")
        )
        root = merkle_root([head_leaf(t, s, seal) for t, s, seal in rows])
        expected_sig = sign_checkpoint(
            key,
            previous_signature=previous,
            root=root,
            max_event_id=cp.max_event_id,
            total_events=cp.total_events,
            total_tasks=cp.total_tasks,
            head_count=cp.head_count,
            created_us=micros(cp.created_at),
        )
        problems = []
        if cp.previous_signature != previous:
            problems.append("không nối tiếp mốc trước (mốc trước bị xóa hoặc sửa)")
        if root != cp.merkle_root or len(rows) != cp.head_count:
            problems.append("danh sách đầu chuỗi đã bị sửa")
        if not hmac.compare_digest(expected_sig, cp.signature):
            problems.append("chữ ký không hợp lệ")
        if problems:
            result.problems.append(
                Problem(
                    "checkpoint",
                    None,
                    None,
                    None,
                    f"Mốc kiểm tra #{cp.pk} ({cp.created_at:%d/%m/%Y %H:%M}): {'; '.join(problems)}.",
                )
            )
        for t, s, seal in rows:
            heads[t] = (s, seal, cp.pk)
        previous = cp.signature
    return heads


PARALLEL_MIN_EVENTS = 500_000


def _db_url() -> str:
    from urllib.parse import quote

    d = connection.settings_dict
    auth = quote(d["USER"] or "") + (":" + quote(d["PASSWORD"]) if d.get("PASSWORD") else "")
    return f"postgres://{auth}@{d['HOST'] or 'localhost'}:{d['PORT'] or 5432}/{d['NAME']}"


def _repeatable_read(snapshot: str | None = None) -> None:
    if connection.vendor != "postgresql":
        return  # SQLite: one transaction already reads one consistent state
    with connection.cursor() as cur:
        cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        if snapshot is not None:
            cur.execute("SET TRANSACTION SNAPSHOT %s", [snapshot])


def verify_range(
    snapshot: str, lo: int, hi: int, heads: dict[int, tuple[int, str, int]]
) -> tuple[list[Problem], dict[int, int], int]:
    """One task-id range, read in the snapshot the parent exported (worker process)."""
    part = VerifyResult()
    with transaction.atomic():
        _repeatable_read(snapshot)
        last = walk_chains(
            _stream(
                f"SELECT {_columns()} FROM tasks_taskevent WHERE task_id BETWEEN %s AND %s "  # noqa: S608 - constant columns
                "ORDER BY task_id, seq",
                [lo, hi],
            ),
            heads,
            part,
        )
    connection.close()
    return part.problems, last, part.events


def _walk_parallel(
    heads: dict[int, tuple[int, str, int]], result: VerifyResult, workers: int, threshold: int
) -> dict[int, int] | None:
    """Split the chains by task-id range over worker processes; None if not worth it."""
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    from congvu.tasks import verify_worker

    with connection.cursor() as cur:
        cur.execute("SELECT MIN(task_id), MAX(task_id), COUNT(*) FROM tasks_taskevent")
        lo, hi, n = cur.fetchone()
        if lo is None or n < threshold:
            return None
        cur.execute("SELECT pg_export_snapshot()")
        snapshot = cur.fetchone()[0]
    step = (hi - lo) // workers + 1
    bounds = [(lo + i * step, min(hi, lo + (i + 1) * step - 1)) for i in range(workers)]
    last_seq: dict[int, int] = {}
    with ProcessPoolExecutor(workers, mp_context=get_context("spawn")) as pool:
        futures = [
            pool.submit(
                verify_worker.run,
                _db_url(),
                snapshot,
                a,
                b,
                {t: h for t, h in heads.items() if a <= t <= b},
            )
            for a, b in bounds
        ]
        for f in futures:
            problems, last, events = f.result()
            result.problems.extend(problems)
            last_seq.update(last)
            result.events += events
    result.chains = len(last_seq)
    return last_seq


def _anchor_checks(
    result: VerifyResult, anchor: Path | None, checkpoint_interval: timedelta | None
) -> None:
    """What the database alone cannot tell: its checkpoints against the anchor file, and a
    log that ought to have a checkpoint by now but has none."""
    if anchor is not None:
        result.anchored, anchor_problems = check_anchor(anchor)
        result.problems.extend(
            Problem("anchor", None, None, None, p.message) for p in anchor_problems
        )
    if checkpoint_interval is not None and result.checkpoints == 0:
        oldest = TaskEvent.objects.order_by("at").values_list("at", flat=True).first()
        if oldest is not None and oldest < timezone.now() - checkpoint_interval:
            result.problems.append(
                Problem(
                    "no_checkpoint",
                    None,
                    None,
                    None,
                    f"Nhật ký có sự kiện từ {oldest:%d/%m/%Y %H:%M} mà không có mốc kiểm tra "
                    f"nào (mốc được tạo mỗi {checkpoint_interval.total_seconds() / 60:.0f} "
                    "phút): các mốc đã bị xóa, hoặc tác vụ log_checkpoint chưa từng chạy.",
                )
            )


def verify_log(
    *,
    check_cache: bool = True,
    workers: int | None = None,
    parallel_threshold: int = PARALLEL_MIN_EVENTS,
    anchor: Path | None = None,
    checkpoint_interval: timedelta | None = None,
) -> VerifyResult:
    """Verify every chain and checkpoint. On PostgreSQL, large logs (over 500,000 events) are
    split over `workers` processes (default: the CPU count, at most 4) that share one
    exported snapshot, so the result is that of a single consistent read.

    `anchor`: the file of anchored checkpoints to compare with (congvu.tasks.anchor).
    `checkpoint_interval`: a log with an event older than this and no checkpoint fails."""
    import os

    start = time.perf_counter()
    result = VerifyResult()
    if workers is None:
        workers = min(4, os.cpu_count() or 1)
    # Inside a caller's transaction (tests) the isolation level is already fixed and worker
    # processes could not see uncommitted rows: stay in-process then.
    nested = connection.in_atomic_block
    with transaction.atomic():  # one consistent read (and server-side cursors on PostgreSQL)
        if not nested:
            _repeatable_read()
        heads = _checkpoint_heads(result)
        _anchor_checks(result, anchor, checkpoint_interval)
        last_seq = None
        if workers > 1 and connection.vendor == "postgresql" and not nested:
            last_seq = _walk_parallel(heads, result, workers, parallel_threshold)
        if last_seq is None:
            last_seq = walk_chains(
                _stream(f"SELECT {_columns()} FROM tasks_taskevent ORDER BY task_id, seq"),  # noqa: S608 - constant columns
                heads,
                result,
            )
        for task_id, (seq, _seal, cp_id) in heads.items():
            seen = last_seq.get(task_id)
            if seen is None:
                result.problems.append(
                    Problem(
                        "missing_chain",
                        task_id,
                        1,
                        None,
                        f"Nhiệm vụ #{task_id}: toàn bộ chuỗi sự kiện đã bị xóa (mốc kiểm tra "
                        f"#{cp_id} ghi nhận {seq} sự kiện).",
                    )
                )
            elif seen < seq:
                result.problems.append(
                    Problem(
                        "truncated",
                        task_id,
                        seen + 1,
                        None,
                        f"Nhiệm vụ #{task_id}: mất các sự kiện từ số {seen + 1} đến {seq} (mốc kiểm "
                        f"tra #{cp_id} ghi nhận {seq} sự kiện).",
                    )
                )
        if check_cache:
            for task_id, seq in Task.objects.values_list("id", "seq").iterator(chunk_size=20000):
                seen = last_seq.get(task_id, 0)
                if seen == 0:
                    result.problems.append(
                        Problem(
                            "empty_task",
                            task_id,
                            1,
                            None,
                            f"Nhiệm vụ #{task_id} không còn sự kiện nào trong nhật ký.",
                        )
                    )
                elif seen != seq:
                    result.problems.append(
                        Problem(
                            "cache",
                            task_id,
                            min(seen, seq) + 1,
                            None,
                            f"Nhiệm vụ #{task_id}: bảng nhiệm vụ ghi {seq} sự kiện, nhật ký có {seen}.",
                        )
                    )
            check_task_rows(result)
    result.problems.sort(key=Problem.sort_key)
    result.seconds = time.perf_counter() - start
    return result


# --- the task rows against the replay -------------------------------------------------------

# Task columns a replay of the chain determines (`state.apply`), and the columns fixed at
# creation that the first (ASSIGNED) event seals: every one is compared (issue #12, break 5).
REPLAYED_FIELDS = ("status", "lead_unit_id", "lead_person_id", "deadline", "progress",
                   "head_seal", "last_event_at")  # fmt: skip
SEALED_FIELDS = ("title", "expected_result", "priority", "source_number", "is_ad_hoc",
                 "source_date", "source_issuer", "source_excerpt", "assigner_id",
                 "assigner_unit_id", "assigned_at", "deadline_working_days", "parent_id",
                 "import_key")  # fmt: skip


def _sealed_values(first: EventRow) -> dict[str, Any]:
    """What the ASSIGNED event says the task row's creation fields are. Events written before
    the creation fields were sealed lack the text keys; those columns are then not compared."""
    p = first.payload
    source = p.get("source")
    out: dict[str, Any] = {
        "assigner_id": first.actor_id,
        "assigner_unit_id": first.unit_id,
        "assigned_at": first.at,
        "deadline_working_days": p.get("working_days"),
        "parent_id": p.get("parent_task"),
        "is_ad_hoc": source == "ad_hoc",
        "source_number": "" if source == "ad_hoc" else source,
        "import_key": p.get("import_key", ""),
    }
    for key in ("title", "expected_result", "priority", "source_issuer", "source_excerpt"):
        if key in p:
            out[key] = p[key]
    if "source_date" in p:
        out["source_date"] = date.fromisoformat(p["source_date"]) if p["source_date"] else None
    return out


def _show(column: str, value: Any) -> str:
    if column in _TIME_COLUMNS and type(value) is int:
        value = EPOCH + value * ONE_US
    text = value.isoformat() if hasattr(value, "isoformat") else repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _task_columns() -> str:
    def time_us(c: str) -> str:
        if connection.vendor == "postgresql":
            return f"(extract(epoch from {c}) * 1000000)::bigint"
        return c

    return ", ".join(
        time_us(c) if c in _TIME_COLUMNS else c for c in ("id", *REPLAYED_FIELDS, *SEALED_FIELDS)
    )


_TIME_COLUMNS = frozenset({"last_event_at", "assigned_at"})
_DATE_COLUMNS = frozenset({"deadline", "source_date"})


def _chains(batches: Iterable[list[tuple[Any, ...]]]) -> Iterator[tuple[int, list[EventRow]]]:
    """(task id, its events) from one stream in (task, seq) order; times as integer µs."""
    current = -1
    events: list[EventRow] = []
    loads = json.loads
    for batch in batches:
        for task_id, seq, typ, at, actor, unit, tp, tu, rcode, payload, seal in batch:
            if task_id != current:
                if current != -1:
                    yield current, events
                current, events = task_id, []
            events.append(
                EventRow(
                    seq,
                    typ,
                    at if type(at) is int else _to_us(at),
                    actor,
                    unit,
                    tp,
                    tu,
                    rcode,
                    loads(payload) if type(payload) is str else payload,
                    seal,
                )
            )
    if current != -1:
        yield current, events


def check_task_rows(result: VerifyResult) -> None:
    """Replay every chain and compare each cached and sealed column of its task row.

    Two streams read side by side in id order (the tasks, and the events as verify reads
    them), so the cost is one more pass over the log without ORM objects; times are compared
    as integer microseconds."""
    # A chain already found broken is reported at its first bad event; its row is not compared.
    broken = {p.task_id for p in result.problems if p.kind not in _SECONDARY}
    columns = ("id", *REPLAYED_FIELDS, *SEALED_FIELDS)
    at = "(extract(epoch from at) * 1000000)::bigint" if connection.vendor == "postgresql" else "at"
    chains = _chains(
        _stream(
            f"SELECT task_id, seq, type, {at}, actor_id, unit_id, target_person_id, "  # noqa: S608 - constant columns
            "target_unit_id, reason_code, payload, seal FROM tasks_taskevent "
            "ORDER BY task_id, seq"
        )
    )
    ahead = next(chains, None)
    for batch in _stream(f"SELECT {_task_columns()} FROM tasks_task ORDER BY id"):  # noqa: S608
        for row in batch:
            task_id = row[0]
            while ahead is not None and ahead[0] < task_id:
                ahead = next(chains, None)
            if ahead is None or ahead[0] != task_id or task_id in broken:
                continue  # no events: reported as empty_task
            events = ahead[1]
            try:
                state = replay(events)
            except (AssertionError, KeyError, ValueError, TypeError, IndexError) as exc:
                # Sealed, yet not a valid history: written by something other than the actions.
                result.problems.append(
                    Problem(
                        "replay",
                        task_id,
                        None,
                        None,
                        f"Nhiệm vụ #{task_id}: không dựng lại được trạng thái từ nhật ký "
                        f"({type(exc).__name__}: {exc}).",
                    )
                )
                continue
            expected: dict[str, Any] = {
                "status": state.status,
                "lead_unit_id": state.lead_unit_id,
                "lead_person_id": state.lead_person_id,
                "deadline": state.deadline,
                "progress": state.progress,
                "head_seal": state.head_seal,
                "last_event_at": state.last_at,
            }
            if events[0].type == TaskEventType.ASSIGNED and events[0].seq == 1:
                expected.update(_sealed_values(events[0]))
            stored = dict(zip(columns, row, strict=True))
            for c in _TIME_COLUMNS:
                if stored[c] is not None and type(stored[c]) is not int:
                    stored[c] = _to_us(stored[c])
            for c in _DATE_COLUMNS:
                if isinstance(stored[c], str):
                    stored[c] = date.fromisoformat(stored[c])
            wrong = [c for c, v in expected.items() if stored[c] != v]
            if wrong:
                detail = "; ".join(
                    f"{c} ghi {_show(c, stored[c])}, nhật ký cho {_show(c, expected[c])}"
                    for c in wrong
                )
                result.problems.append(
                    Problem(
                        "task_row",
                        task_id,
                        None,
                        None,
                        f"Nhiệm vụ #{task_id}: bảng nhiệm vụ khác nhật ký — {detail}.",
                    )
                )


def verify_configured(**kwargs: Any) -> VerifyResult:
    """verify_log as the deployment configures it: the anchor file (settings.LOG_ANCHOR) once it
    exists, and the checkpoint interval (settings.LOG_CHECKPOINT_MINUTES). The inspector's
    page and `manage.py verify_log` both use it, so they say the same thing."""
    from django.conf import settings

    from congvu.tasks.anchor import anchor_path

    anchor = anchor_path()
    kwargs.setdefault("anchor", anchor if anchor is not None and anchor.exists() else None)
    kwargs.setdefault("checkpoint_interval", timedelta(minutes=settings.LOG_CHECKPOINT_MINUTES))
    return verify_log(**kwargs)


class CheckpointRefusedError(Exception):
    pass


def create_checkpoint(at: datetime | None = None) -> LogCheckpoint | None:
    """Seal the current head of every chain that changed since the previous checkpoint.

    The changed chains are verified first (from their previous checkpointed head), so a
    checkpoint never blesses a chain that is already broken. Returns None if nothing changed.
    """
    key = seal_key()
    with transaction.atomic():
        last = LogCheckpoint.objects.order_by("-id").first()
        previous_heads = dict(
            CheckpointHead.objects.values("task_id_ref")
            .annotate(s=Max("seq"))
            .values_list("task_id_ref", "s")
        )
        current = [
            row
            for batch in _stream(
                "SELECT e.task_id, e.seq, e.seal, e.id FROM tasks_taskevent e JOIN "
                "(SELECT task_id, MAX(seq) AS seq FROM tasks_taskevent GROUP BY task_id) m "
                "ON m.task_id = e.task_id AND m.seq = e.seq ORDER BY e.task_id"
            )
            for row in batch
        ]
        changed = [(t, s, seal) for t, s, seal, _ in current if s > previous_heads.get(t, 0)]
        shrunk = [t for t, s, _, _ in current if s < previous_heads.get(t, 0)]
        if shrunk:
            raise CheckpointRefusedError(f"Chuỗi của nhiệm vụ #{shrunk[0]} ngắn hơn mốc trước.")
        if not changed:
            return None
        check = VerifyResult()
        ids = [t for t, _, _ in changed]
        for i in range(0, len(ids), 5000):
            part = ids[i : i + 5000]
            marks = ",".join(["%s"] * len(part))
            walk_chains(
                _stream(
                    f"SELECT {_columns()} FROM tasks_taskevent WHERE task_id IN ({marks}) "  # noqa: S608 - placeholders only
                    "ORDER BY task_id, seq",
                    part,
                ),
                {},
                check,
            )
        if check.problems:
            raise CheckpointRefusedError(check.problems[0].message)
        when = (at or timezone.now()).replace(microsecond=0)
        root = merkle_root([head_leaf(t, s, seal) for t, s, seal in changed])
        counts = {
            "max_event_id": max(i for _, _, _, i in current),
            "total_events": sum(s for _, s, _, _ in current),
            "total_tasks": len(current),
            "head_count": len(changed),
        }
        previous = last.signature if last else ""
        # The row keeps exactly the figures the signature covers, so verify can sign them again.
        cp = LogCheckpoint.objects.create(
            created_at=when,
            previous_signature=previous,
            merkle_root=root,
            **counts,
            signature=sign_checkpoint(
                key, previous_signature=previous, root=root, created_us=micros(when), **counts
            ),
        )
        CheckpointHead.objects.bulk_create(
            [
                CheckpointHead(checkpoint=cp, task_id_ref=t, seq=s, seal=seal)
                for t, s, seal in changed
            ],
            batch_size=5000,
        )
        # Only a committed checkpoint is anchored: a rolled-back one must not be expected.
        transaction.on_commit(lambda: append_anchor(cp))
        return cp
