"""The canonical event-log schema: column names and dtypes in ONE place.

Every reader (XES, CSV, Parquet, the web app's own export) produces a frame with these
columns; every detector reads only these names. Optional columns may be entirely null.

Activities are normalised to the codes in ``Activity``; the original label is kept in
``activity_label`` so that evidence can be shown in the source's own words.
"""

from __future__ import annotations

from enum import StrEnum

import polars as pl


class Activity(StrEnum):
    """Canonical activity codes (the web app's TaskEventType maps onto these)."""

    ASSIGN = "assign"  # task created/assigned: target_* is the lead, due is the deadline
    ACCEPT = "accept"
    DECLINE = "decline"  # reason mandatory; target_unit = proposed competent unit
    TRANSFER = (  # custody moves to target_*; reason_code e.g. misrouted/competence/workload,
        "transfer"  # or reorganization (the unit was dissolved or merged into target_unit)
    )
    RETURN = "return"  # returned to sender: custody goes back to whoever passed it
    REASSIGN = "reassign"  # assigner changes the lead
    PROGRESS = "progress"  # progress report
    COORD_REQUEST = "coord_request"  # target_unit asked to coordinate by `due`
    COORD_ANSWER = "coord_answer"  # ref_event_id = the request; position = agree/disagree/none
    DEEMED_AGREE = "deemed_agree"  # request unanswered past its due (Công điện 280/CĐ-TTg)
    EXTENSION_REQUEST = "extension_request"
    EXTENSION_GRANTED = "extension_granted"  # due = the new deadline
    EXTENSION_REFUSED = "extension_refused"
    PAUSE = "pause"  # reason_code legal_obstacle/dependency/external/other
    RESUME = "resume"
    OPINION_REQUEST = "opinion_request"  # asks a superior; target_actor/target_unit = the superior
    OPINION_GIVEN = "opinion_given"
    SUBMIT = "submit"
    APPROVE = "approve"
    REWORK = "rework"  # returned for rework
    COMPLETE = "complete"
    CANCEL = "cancel"
    REMINDER = "reminder"
    WORK = "work"  # any other activity that shows the holder is acting (foreign logs)
    WAIT = "wait"  # a foreign log's waiting state that is not a formal pause
    OTHER = "other"


class ReasonCode(StrEnum):
    MISROUTED = "misrouted"  # sai thẩm quyền: legitimate when the receiver accepts
    COMPETENCE = "competence"
    WORKLOAD = "workload"
    LEGAL_OBSTACLE = "legal_obstacle"
    DEPENDENCY = "dependency"
    EXTERNAL = "external"
    OTHER = "other"
    # đề nghị cấp trên quyết định: the holder hands the case back asking the superior to decide
    # it. Fear of responsibility (push_upward), not buck-passing: a return with this reason
    # never counts as passing the work sideways or back "not my job".
    ESCALATE = "escalate"
    # sắp xếp tổ chức bộ máy: the unit was dissolved or merged and its open cases go to the
    # successor (2025: departments merged, districts abolished, communes merged). A hand-over
    # with this reason never counts as buck-passing, avoidance, fear's push or a chain's hop
    # against anyone, and an inherited case is judged against its receiver from when it
    # reached them (docs/detection.md, "A reorganisation is not buck-passing").
    REORGANIZATION = "reorganization"


# Column names -------------------------------------------------------------------------------
EVENT_ID = "event_id"  # unique within the log (string)
CASE_ID = "case_id"  # the task / incident
ACTIVITY = "activity"  # an Activity code
ACTIVITY_LABEL = "activity_label"  # the source's own label
TIMESTAMP = "timestamp"  # timezone-aware, stored as UTC
ACTOR = "actor"  # person who performed the event
UNIT = "unit"  # the actor's unit at the time
TARGET_ACTOR = "target_actor"  # person the event points at (new lead, superior asked, ...)
TARGET_UNIT = "target_unit"  # unit the event points at (transfer target, coordinating unit, ...)
HOLDER_ACTOR = "holder_actor"  # who holds the case AFTER this event (filled by a custody mapping
HOLDER_UNIT = "holder_unit"  # or derived by congvu_analytics.custody from assign/transfer events)
# Tier of the holder after this event, HIGHER = FURTHER UP: support line 1/2/3 (BPIC 2013), or an
# administrative tier where a mapping defines one ([level] in docs/mapping.md); null if unknown.
LEVEL = "level"
REASON_CODE = "reason_code"  # a ReasonCode value or a source-specific code
REASON_TEXT = "reason_text"
DUE = "due"  # deadline carried by the event (assign, extension_granted, coord_request)
REF_EVENT_ID = "ref_event_id"  # the event this one answers/resolves (coord_answer -> request)
POSITION = "position"  # coord_answer: agree / disagree / none (no clear position)
REVIEWED = "reviewed"  # pause: the legal obstacle/dependency was reviewed and accepted
PROTECTED = "protected"  # case under an approved innovation proposal (Decree 73/2023)
SUBJECT_AUTHORITY = (
    "within_authority"  # opinion_request: the matter is within the asker's authority
)

SCHEMA: dict[str, pl.DataType] = {
    EVENT_ID: pl.String(),
    CASE_ID: pl.String(),
    ACTIVITY: pl.String(),
    ACTIVITY_LABEL: pl.String(),
    TIMESTAMP: pl.Datetime("us", "UTC"),
    ACTOR: pl.String(),
    UNIT: pl.String(),
    TARGET_ACTOR: pl.String(),
    TARGET_UNIT: pl.String(),
    HOLDER_ACTOR: pl.String(),
    HOLDER_UNIT: pl.String(),
    REASON_CODE: pl.String(),
    REASON_TEXT: pl.String(),
    DUE: pl.Datetime("us", "UTC"),
    REF_EVENT_ID: pl.String(),
    POSITION: pl.String(),
    REVIEWED: pl.Boolean(),
    PROTECTED: pl.Boolean(),
    SUBJECT_AUTHORITY: pl.Boolean(),
    LEVEL: pl.Int8(),
}

REQUIRED = (EVENT_ID, CASE_ID, ACTIVITY, TIMESTAMP)

# Reading hints: optional columns that only a mapping adds (docs/mapping.md, "What the log
# means"); the app's own log never carries them, and ``conform`` keeps them only when present,
# so every other reader and writer sees the canonical columns alone.
SEQ = "seq"  # order of the case's events where timestamps tie (declared, else file order)
ENDS_WAIT = "ends_wait"  # this event ends the case's open pause or wait ([[wait_end]])
WAIT_BY_OPENER = "wait_by_opener"  # pause/wait charged to whoever opened it ([custody] pauses)
HINTS: dict[str, pl.DataType] = {
    SEQ: pl.UInt32(),
    ENDS_WAIT: pl.Boolean(),
    WAIT_BY_OPENER: pl.Boolean(),
}


def empty_events() -> pl.DataFrame:
    """An empty frame with the canonical schema."""
    return pl.DataFrame(schema=SCHEMA)


def conform(frame: pl.LazyFrame) -> pl.LazyFrame:
    """Add missing optional columns as nulls and cast every column to its canonical dtype;
    reading hints (``HINTS``) present in the frame are kept, absent ones are not added."""
    names = frame.collect_schema().names()
    missing = [c for c in REQUIRED if c not in names]
    if missing:
        raise ValueError(f"Thiếu cột bắt buộc: {', '.join(missing)}")
    exprs = [
        (pl.col(name) if name in names else pl.lit(None)).cast(dtype).alias(name)
        for name, dtype in SCHEMA.items()
    ]
    exprs += [pl.col(name).cast(dtype) for name, dtype in HINTS.items() if name in names]
    return frame.select(exprs)
