"""Export the event log in the canonical schema of congvu_analytics.schema: CSV, Parquet, XES.

The frame is built per batch of tasks straight from one SQL query (no ORM objects), and every
derived column (activity, due, holder, ref_event_id, reviewed, within_authority) is a polars
expression over the batch. Everything derived is per task, so batching by task is exact and
memory stays bounded; CSV, Parquet (pyarrow writer), XES and the partitioned Parquet
dataset are written batch by batch.
Outputs go to a temporary file renamed into place, so a failed export leaves nothing behind.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import IO, Any

import polars as pl
from django.db import connection

from congvu.org.models import UnitType
from congvu.tasks.events import LABELS
from congvu.tasks.events import TaskEventType as E
from congvu_analytics import partitioned
from congvu_analytics import schema as s
from congvu_analytics.partitioned import DEFAULT_BUCKETS
from congvu_analytics.safe_csv import write_frame_csv

BATCH_TASKS = 5000
CUSTODY = (E.ASSIGNED, E.TRANSFERRED, E.LEAD_REASSIGNED, E.RETURNED)
DUE_TYPES = (E.ASSIGNED, E.EXTENSION_GRANTED, E.COORDINATION_REQUESTED)
REF_TYPES = (
    E.COORDINATION_ANSWERED,
    E.COORDINATION_DEEMED_AGREED,
    E.EXTENSION_GRANTED,
    E.EXTENSION_REFUSED,
    E.OPINION_GIVEN,
    E.PAUSE_REVIEWED,
)
LEVEL_COLUMN: str | None = getattr(s, "LEVEL", None)  # appended to the schema by another helper

RAW_COLUMNS = [
    "id",
    "task_id",
    "seq",
    "type",
    "at",
    "actor",
    "unit",
    "target_actor",
    "target_unit",
    "reason_code",
    "reason_text",
    "payload",
    "assigner",
    "assigner_unit",
    "holder_level",
]


def _sql(where: str) -> str:  # `where` is a constant with %s placeholders
    payload = "e.payload::text" if connection.vendor == "postgresql" else "e.payload"
    return f"""
        SELECT e.id, e.task_id, e.seq, e.type, e.at, a.code, u.code, tp.code, tu.code,
               e.reason_code, e.reason_text, {payload}, ap.code, au.code, ut.level
        FROM tasks_taskevent e
        JOIN tasks_task t ON t.id = e.task_id
        JOIN org_person ap ON ap.id = t.assigner_id
        JOIN org_unit au ON au.id = t.assigner_unit_id
        LEFT JOIN org_person a ON a.id = e.actor_id
        LEFT JOIN org_unit u ON u.id = e.unit_id
        LEFT JOIN org_person tp ON tp.id = e.target_person_id
        LEFT JOIN org_unit tu ON tu.id = e.target_unit_id
        LEFT JOIN org_unittype ut ON ut.id = tu.unit_type_id
        WHERE {where}
        ORDER BY e.task_id, e.seq
    """  # noqa: S608 - `where` is a constant with %s placeholders


RAW_SCHEMA = {
    "id": pl.Int64,
    "task_id": pl.Int64,
    "seq": pl.Int64,
    "type": pl.Int64,
    "at": pl.Object,
    "actor": pl.String,
    "unit": pl.String,
    "target_actor": pl.String,
    "target_unit": pl.String,
    "reason_code": pl.String,
    "reason_text": pl.String,
    "payload": pl.String,
    "assigner": pl.String,
    "assigner_unit": pl.String,
    "holder_level": pl.Int64,
}


def _raw_frame(rows: list[tuple[Any, ...]]) -> pl.DataFrame:
    # `at` is aware on PostgreSQL and naive UTC on SQLite: normalise before polars sees it.
    cols: list[Any] = list(zip(*rows, strict=True)) if rows else [[] for _ in RAW_COLUMNS]
    data: dict[str, Any] = dict(zip(RAW_COLUMNS, cols, strict=True))
    ats = data["at"]
    if ats and isinstance(ats[0], str):
        ats = [datetime.fromisoformat(v) for v in ats]
    at = pl.Series("at", ats) if ats else pl.Series("at", [], dtype=pl.Datetime("us", "UTC"))
    assert isinstance(at.dtype, pl.Datetime)
    if at.dtype.time_zone is None:  # naive UTC
        at = at.dt.replace_time_zone("UTC")
    data["at"] = at.dt.convert_time_zone("UTC").cast(pl.Datetime("us", "UTC"))
    return pl.DataFrame(
        {k: (v if k == "at" else pl.Series(k, v, dtype=RAW_SCHEMA[k])) for k, v in data.items()}
    )


def _end_of_day_utc(col: pl.Expr) -> pl.Expr:
    """A deadline date -> 23:59:59 Vietnam time as UTC (the detectors read the local date)."""
    return (
        col.str.to_date()
        .cast(pl.Datetime("us"))
        .dt.offset_by("23h59m59s")
        .dt.replace_time_zone("Asia/Ho_Chi_Minh")
        .dt.convert_time_zone("UTC")
    )


def canonical_frame(raw: pl.DataFrame) -> pl.DataFrame:
    """Raw joined rows of whole tasks -> the canonical event frame (sorted by case, seq)."""
    t = pl.col("type")
    pj = pl.col("payload")
    activity = {int(e): e.activity.value for e in E}
    labels = {int(e): LABELS[e] for e in E}  # the stored Vietnamese names, any reader
    lf = (
        raw.lazy()
        .sort("task_id", "seq")
        .with_columns(
            _deadline=pj.str.json_path_match("$.deadline"),
            _new_deadline=pj.str.json_path_match("$.new_deadline"),
            _due=pj.str.json_path_match("$.due"),
            _ref_seq=pl.coalesce(
                pj.str.json_path_match("$.request_seq"), pj.str.json_path_match("$.pause_seq")
            ).cast(pl.Int64),
            _position=pj.str.json_path_match("$.position"),
            _authority=pj.str.json_path_match("$.within_authority"),
            _to_assigner=pj.str.json_path_match("$.to_assigner") == "true",
        )
    )
    seq_ids = raw.lazy().select(
        "task_id", pl.col("seq").alias("_ref_seq"), pl.col("id").alias("_ref_id")
    )
    # A rejected pause reason (payload "acknowledged": false) does not make the pause reviewed.
    rejected = pj.str.json_path_match("$.acknowledged").fill_null("true") == "false"
    reviewed = lf.filter((t == E.PAUSE_REVIEWED) & ~rejected).select(
        "task_id", pl.col("_ref_seq").alias("seq"), pl.lit(True).alias("_reviewed")
    )
    answers = lf.filter(t == E.OPINION_GIVEN).select(
        "task_id", pl.col("_ref_seq").alias("seq"), pl.col("_authority").alias("_answer_authority")
    )
    lf = (
        lf.join(seq_ids, on=["task_id", "_ref_seq"], how="left")
        .join(reviewed, on=["task_id", "seq"], how="left")
        .join(answers, on=["task_id", "seq"], how="left")
        .sort("task_id", "seq")
    )
    is_custody = t.is_in([int(e) for e in CUSTODY])
    holder_unit = (
        pl.when(is_custody)
        .then(pl.col("target_unit"))
        .when(t == E.DECLINED)
        .then(pl.col("assigner_unit"))
    )
    holder_actor = (
        pl.when(is_custody)
        .then(pl.col("target_actor"))
        .when(t == E.DECLINED)
        .then(pl.col("assigner"))
    )
    # Unit-type level 1 is the top of the tree; the schema's level grows upward (UnitType.tier).
    holder_level = pl.when(is_custody).then(UnitType.TIER_TOP - pl.col("holder_level"))
    authority = pl.coalesce("_authority", "_answer_authority")
    out = lf.select(
        pl.col("id").cast(pl.String).alias(s.EVENT_ID),
        pl.col("task_id").cast(pl.String).alias(s.CASE_ID),
        t.replace_strict(activity, return_dtype=pl.String).alias(s.ACTIVITY),
        t.replace_strict(labels, return_dtype=pl.String).alias(s.ACTIVITY_LABEL),
        pl.col("at").alias(s.TIMESTAMP),
        pl.col("actor").alias(s.ACTOR),
        pl.col("unit").alias(s.UNIT),
        pl.col("target_actor").alias(s.TARGET_ACTOR),
        pl.col("target_unit").alias(s.TARGET_UNIT),
        holder_actor.forward_fill().over("task_id").alias(s.HOLDER_ACTOR),
        holder_unit.forward_fill().over("task_id").alias(s.HOLDER_UNIT),
        # The app's only decline is the one the law allows: the task is not within the unit's
        # authority and the competent unit is proposed (do_decline requires it), i.e. the
        # schema's "misrouted" (sai thẩm quyền), whatever code older rows stored. The engine
        # then treats it as legitimate when the case is accepted elsewhere, as a misrouted
        # transfer (docs/detection.md, "Legitimate look-alikes").
        pl.when(t == E.DECLINED)
        .then(pl.lit(s.ReasonCode.MISROUTED.value))
        .otherwise(pl.col("reason_code").replace("", None))
        .alias(s.REASON_CODE),
        pl.col("reason_text").replace("", None).alias(s.REASON_TEXT),
        pl.when(t.is_in([int(e) for e in DUE_TYPES]))
        .then(_end_of_day_utc(pl.coalesce("_deadline", "_new_deadline", "_due")))
        .alias(s.DUE),
        pl.when(t.is_in([int(e) for e in REF_TYPES]))
        .then(pl.col("_ref_id").cast(pl.String))
        .alias(s.REF_EVENT_ID),
        pl.when(t == E.COORDINATION_ANSWERED).then(pl.col("_position")).alias(s.POSITION),
        pl.when(t == E.PAUSED).then(pl.col("_reviewed").fill_null(False)).alias(s.REVIEWED),
        pl.lit(None, dtype=pl.Boolean).alias(s.PROTECTED),
        pl.when(t.is_in([int(E.OPINION_REQUESTED), int(E.OPINION_GIVEN)]))
        .then(
            authority.replace_strict(
                {"true": True, "false": False}, default=None, return_dtype=pl.Boolean
            )
        )
        .alias(s.SUBJECT_AUTHORITY),
        *(
            [holder_level.forward_fill().over("task_id").alias(LEVEL_COLUMN)]
            if LEVEL_COLUMN
            else []
        ),
    )
    return s.conform(out).collect()


def iter_frames(batch_tasks: int = BATCH_TASKS) -> Iterator[pl.DataFrame]:
    """Canonical frames, one per batch of tasks, in (task, seq) order."""
    with connection.cursor() as cur:
        cur.execute("SELECT DISTINCT task_id FROM tasks_taskevent ORDER BY task_id")
        task_ids = [r[0] for r in cur.fetchall()]
    for i in range(0, len(task_ids), batch_tasks):
        lo, hi = task_ids[i], task_ids[min(i + batch_tasks, len(task_ids)) - 1]
        with connection.cursor() as cur:
            cur.execute(_sql("e.task_id BETWEEN %s AND %s"), [lo, hi])
            rows = cur.fetchall()
        yield canonical_frame(_raw_frame(rows))


def events_where(where: str, params: list[Any]) -> pl.DataFrame:
    """Canonical frame of the events of the tasks matching `where` (SQL over `e` = event,
    `t` = task, with %s placeholders), e.g. ``events_where("t.assigned_at >= %s", [day])``.
    Select whole tasks: the derived columns are computed per task."""
    with connection.cursor() as cur:
        cur.execute(_sql(where), params)
        rows = cur.fetchall()
    return canonical_frame(_raw_frame(rows)) if rows else s.empty_events()


def events_frame() -> pl.DataFrame:
    frames = list(iter_frames())
    return pl.concat(frames) if frames else s.empty_events()


# --- writers ------------------------------------------------------------------------------


def _atomic_target(out: Path) -> tuple[IO[bytes], Path]:
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", dir=out.parent)
    return os.fdopen(fd, "wb"), Path(tmp)


def write_csv(out: Path) -> int:
    fh, tmp = _atomic_target(out)
    n = 0
    try:
        with fh:
            first = True
            for frame in iter_frames():
                write_frame_csv(frame, fh, include_header=first)  # formulas neutralised
                first = False
                n += frame.height
            if first:
                s.empty_events().write_csv(fh)
        tmp.replace(out)
    finally:
        tmp.unlink(missing_ok=True)
    return n


def write_parquet(out: Path) -> int:
    import pyarrow.parquet as pq

    fh, tmp = _atomic_target(out)
    n = 0
    try:
        with fh:
            writer = pq.ParquetWriter(fh, s.empty_events().to_arrow().schema)
            for frame in iter_frames():
                writer.write_table(frame.to_arrow())
                n += frame.height
            writer.close()
        tmp.replace(out)
    finally:
        tmp.unlink(missing_ok=True)
    return n


def write_dataset(out: Path, *, buckets: int = DEFAULT_BUCKETS, province: str = "all") -> int:
    """The log as a Parquet dataset partitioned by province, year and case bucket
    (``congvu analyze FOLDER`` reads it bucket by bucket; docs/scale.md). Each batch of tasks
    adds one part file per bucket it touches, so memory stays that of one batch. Written
    into a temporary folder renamed into place: a failed export leaves nothing behind."""
    if out.exists():
        raise FileExistsError(f"{out} đã tồn tại; chọn một thư mục mới cho bộ dữ liệu.")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    n = 0
    try:
        for part, frame in enumerate(iter_frames()):
            partitioned.write_dataset(frame, tmp, buckets=buckets, province=province, part=part)
            n += frame.height
        tmp.rename(out)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return n


def _esc(value: str) -> str:
    return (
        value.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("\n", " ")
        .replace("\r", " ")
    )


def _xes_time(value: datetime) -> str:
    return value.isoformat(timespec="microseconds")


XES_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<log xes.version="1849-2016" xes.features="" xmlns="http://www.xes-standard.org/">
<extension name="Concept" prefix="concept" uri="http://www.xes-standard.org/concept.xesext"/>
<extension name="Time" prefix="time" uri="http://www.xes-standard.org/time.xesext"/>
<extension name="Organizational" prefix="org" uri="http://www.xes-standard.org/org.xesext"/>
<extension name="Lifecycle" prefix="lifecycle" uri="http://www.xes-standard.org/lifecycle.xesext"/>
<global scope="trace">
<string key="concept:name" value="__INVALID__"/>
</global>
<global scope="event">
<string key="concept:name" value="__INVALID__"/>
<date key="time:timestamp" value="1970-01-01T00:00:00.000000+00:00"/>
<string key="lifecycle:transition" value="complete"/>
</global>
<classifier name="Activity" keys="concept:name"/>
<string key="concept:name" value="Công Vụ — nhật ký nhiệm vụ"/>
<string key="congvu:schema" value="1"/>
"""

# Canonical columns that have a standard XES key; the rest are written as congvu:<column>.
STANDARD = {
    s.ACTIVITY: "concept:name",
    s.TIMESTAMP: "time:timestamp",
    s.ACTOR: "org:resource",
    s.UNIT: "org:group",
}


def _xes_attr(key: str, value: Any, dtype: pl.DataType) -> str:
    if dtype == pl.Boolean:
        return f'<boolean key="{key}" value="{"true" if value else "false"}"/>'
    if isinstance(dtype, pl.Datetime):
        return f'<date key="{key}" value="{_xes_time(value)}"/>'
    if dtype.is_integer():
        return f'<int key="{key}" value="{value}"/>'
    return f'<string key="{key}" value="{_esc(str(value))}"/>'


def write_xes(out: Path) -> int:
    """Stream traces batch by batch: memory is bounded by one batch of tasks."""
    fh, tmp = _atomic_target(out)
    n = 0
    names = list(s.SCHEMA)
    keys = [STANDARD.get(c, f"congvu:{c}") for c in names]
    dtypes = list(s.SCHEMA.values())
    case_idx = names.index(s.CASE_ID)
    try:
        with fh:
            fh.write(XES_HEAD.encode())
            for frame in iter_frames():
                lines: list[str] = []
                current = None
                for row in frame.iter_rows():
                    case = row[case_idx]
                    if case != current:
                        if current is not None:
                            lines.append("</trace>")
                        lines.append(f'<trace>\n<string key="concept:name" value="{_esc(case)}"/>')
                        current = case
                    lines.append("<event>")
                    lines.append('<string key="lifecycle:transition" value="complete"/>')
                    for key, value, dtype, name in zip(keys, row, dtypes, names, strict=True):
                        if value is None or name == s.CASE_ID:
                            continue
                        lines.append(_xes_attr(key, value, dtype))
                    lines.append("</event>")
                    n += 1
                if current is not None:
                    lines.append("</trace>")
                fh.write(("\n".join(lines) + "\n").encode())
            fh.write(b"</log>\n")
        tmp.replace(out)
    finally:
        tmp.unlink(missing_ok=True)
    return n


WRITERS = {"csv": write_csv, "parquet": write_parquet, "xes": write_xes}
