"""Shared plumbing for the detectors: the prepared frame, observations and the fairness test.

Every detector returns *observations* of each subject's workload (the cases it held, or for
coordination the requests it received) and of the items in it that show the behaviour, with
their evidence events. Two shapes share one schema (``OBS_SCHEMA``):

- full: one row per item, ``weight`` 1, evidence null unless it is a hit (used when a per-item
  value feeds a metric, e.g. idle days);
- compact: one workload row per subject whose ``weight`` is the number of items, plus one row
  per hit with ``weight`` 0 (no million-row join of the workload with a handful of hits).

The per-case phase compacts them further (``detect.compact_observations``): a row may then
stand for several values, ``n_values`` of them (one per subject and value, for values that are
whole working days). :func:`rates` reads both.

Scoring turns observations into rates, compares each subject with its peers and keeps only the
rates that a Wilson lower bound says are clearly above the peers'.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta

import polars as pl

from congvu_analytics.custody import derive_custody
from congvu_analytics.detect.params import DetectionParams
from congvu_analytics.frames import (
    bfill_within,
    cumsum_within,
    ffill_within,
    is_group_start,
    shift_within,
)
from congvu_analytics.org import (
    PERSON_ID,
    PERSON_UNIT,
    START_DATE,
    UNIT_ID,
    UNIT_SUCCESSOR,
    UNIT_TYPE,
    UNIT_VALID_TO,
    Org,
)
from congvu_analytics.org import (
    POSITION as ORG_POSITION,
)
from congvu_analytics.schema import (
    ACTIVITY,
    ACTIVITY_LABEL,
    ACTOR,
    CASE_ID,
    ENDS_WAIT,
    EVENT_ID,
    HOLDER_ACTOR,
    HOLDER_UNIT,
    PROTECTED,
    REASON_CODE,
    REASON_TEXT,
    REVIEWED,
    SCHEMA,
    TARGET_ACTOR,
    TARGET_UNIT,
    TIMESTAMP,
    UNIT,
    WAIT_BY_OPENER,
    Activity,
    ReasonCode,
    conform,
)
from congvu_analytics.workdays import VN_ZONE, WorkCalendar

# Observation / finding column names (outputs, not event-log columns).
SUBJECT_TYPE = "subject_type"
SUBJECT_ID = "subject_id"
ITEM_ID = "item_id"
EVIDENCE = "evidence_event_ids"
CASE_IDS = "case_ids"
VALUE = "value"
WEIGHT = "weight"
# How many per-item values a compacted observation row stands for (see the module docstring).
N_VALUES = "n_values"
HIT = "hit"

LEVELS = ("unit", "person")
# The holder's tier after each event, HIGHER = FURTHER UP (support line 1/2/3, administrative
# tier). The io branch adds it to schema.py as ``LEVEL``; until then a log column of this name
# is carried through ``prepare`` when present.
LEVEL_COLUMN = "level"
HOLDER = {"unit": HOLDER_UNIT, "person": HOLDER_ACTOR}
ACTING = {"unit": UNIT, "person": ACTOR}
TARGET = {"unit": TARGET_UNIT, "person": TARGET_ACTOR}
PREV = {"unit": "_prev_unit", "person": "_prev_actor"}

OBS_SCHEMA: dict[str, pl.DataType] = {
    SUBJECT_TYPE: pl.String(),
    SUBJECT_ID: pl.String(),
    ITEM_ID: pl.String(),
    CASE_ID: pl.String(),
    EVIDENCE: pl.List(pl.String()),
    VALUE: pl.Float64(),
    WEIGHT: pl.UInt32(),
}

# Prepared-frame helper columns.
WD = "_wd"  # working-day ordinal of the timestamp
END_WD = "_end_wd"  # working-day ordinal of the log's last instant
SEG = "_seg"  # custody segment number (global, increasing; a new case starts a new one)
IS_PROTECTED = "_protected"  # the case is under an approved innovation proposal
LEGIT = "_legit"  # a misrouted hand-over that someone else then accepted (by reason or presumed)
LEGIT_BY_REASON = "_legit_by_reason"  # ... whose reason the log gives as ``misrouted``
PRESUMED_MISROUTE = "_presumed_misroute"  # ... whose reason is unknown: see presumed_misroutes
ESCALATED = "_escalated"  # a hand-over asking the superior to decide (ReasonCode.ESCALATE)
# A hand-over made by a reorganisation (sắp xếp tổ chức bộ máy): by reason, by the organisation
# table (a dissolved unit to its successor) or presumed from the log (see reorganizations).
REORGANIZED = "_reorganized"
CLOSED = "_closed"  # the case has been completed or cancelled at or before this row
AFTER_REVIEWED = "_after_reviewed"  # a reviewed pause (legal obstacle) happened at or before

_VN_OFFSET = timedelta(hours=7)  # Vietnam has kept UTC+7 without DST since 1975


def working_day_ordinal(ts: pl.Expr, calendar: WorkCalendar) -> pl.Expr:
    """The number of working days up to and including the local date of ``ts`` in the
    calendar's zone (Vietnam by default; a foreign log's zone from its mapping).

    ``ordinal(b) - ordinal(a)`` equals ``calendar.working_days_between(a, b)`` (the first day is
    not counted, Civil Code Art. 147) for dates within the calendar's span; dates outside the
    span are clamped to it. A lookup table indexed by the day number keeps this O(n) with no
    per-row Python.
    """
    start = date(calendar.first_year, 1, 1)
    table = _ordinal_table(calendar)
    epoch_start = (start - date(1970, 1, 1)).days
    if calendar.timezone == VN_ZONE:
        # Vietnam has kept UTC+7 without DST since 1975: adding it is cheaper than a zone
        # conversion on millions of rows.
        local = ts.dt.replace_time_zone(None) + _VN_OFFSET
    else:
        local = ts.dt.convert_time_zone(calendar.timezone).dt.replace_time_zone(None)
    local_day = local.dt.date().cast(pl.Int32)
    index = (local_day - epoch_start).clip(0, len(table) - 1)
    return pl.lit(table).gather(index)


def _ordinal_table(calendar: WorkCalendar) -> pl.Series:
    """Working days up to each day of the calendar's span, built once per calendar object.

    Cached on the calendar like its own ``_span`` (a cached property): both assume the calendar
    is not edited after its first use.
    """
    cached = calendar.__dict__.get("_congvu_ordinal_table")
    if isinstance(cached, pl.Series):
        return cached
    start = date(calendar.first_year, 1, 1)
    end = date(calendar.last_year, 12, 31)
    working = set(calendar.working_day_list)
    counts: list[int] = []
    running = 0
    day = start
    while day <= end:
        running += day in working
        counts.append(running)
        day += timedelta(days=1)
    table = pl.Series("_ordinal", counts, dtype=pl.Int32)
    calendar.__dict__["_congvu_ordinal_table"] = table
    return table


def due_ordinal(due: pl.Expr, calendar: WorkCalendar) -> pl.Expr:
    """Working-day ordinal of a deadline; a deadline on a day off moves to the next working day
    (Civil Code Art. 148), i.e. one more than the ordinal of the day off."""
    ordinal = working_day_ordinal(due, calendar)
    before = working_day_ordinal(due - timedelta(days=1), calendar)
    return ordinal + (ordinal == before).cast(pl.Int32)


# Units and people repeat millions of times over a few thousand values: as Categorical they take
# 4 bytes a row instead of a string view, and compare as integers.
PEOPLE_AND_UNITS = (ACTOR, UNIT, TARGET_ACTOR, TARGET_UNIT, HOLDER_ACTOR, HOLDER_UNIT)
PASSIVE = (Activity.REMINDER, Activity.DEEMED_AGREE)  # events that show nobody working
CASE_KEY = "_cid"
DONE = (Activity.COMPLETE, Activity.CANCEL)


def _state(opens: pl.Expr, closes: pl.Expr) -> pl.Expr:
    """True from an opening event until a closing event, within the case."""
    state = pl.when(opens).then(pl.lit(True)).when(closes).then(pl.lit(False))
    return ffill_within(state, CASE_KEY).fill_null(False)


def _count(expr: pl.Expr) -> pl.Expr:
    return cumsum_within(expr.cast(pl.Int32), CASE_KEY)


def prepare(
    events: pl.LazyFrame,
    calendar: WorkCalendar,
    *,
    presorted: bool = False,
    has_holders: bool = True,
    end: datetime | None = None,
    reorganized: pl.DataFrame | None = None,
) -> pl.LazyFrame:
    """Conform, derive custody and add the helper columns every detector uses.

    Args:
        events: a canonical event log (extra columns are dropped).
        calendar: the working-day calendar.
        presorted: the log is known to be in (case, timestamp, event_id) order.
        has_holders: False when no event carries a holder (custody is derived everywhere).
        end: the log's last instant when ``events`` is one bucket of a larger log (open cases
            are measured up to the end of the whole log); default: the last of ``events``.
        reorganized: units that ended in a reorganisation (``REORG_SCHEMA``: from the
            organisation table, :func:`org_reorganizations`, or presumed from the whole log,
            :func:`presumed_reorganizations`); their hand-overs around their last day are
            ``REORGANIZED``.

    Returns:
        Events sorted by (case, timestamp, event_id) with holders and ``_``-prefixed helpers,
        among them the waiting states used by the stalling detectors: ``_coord_open`` (a
        coordination request is unanswered), ``_reviewed_pause``, ``_paused``, ``_awaiting``
        (a result, opinion or extension awaits the superior), ``_gap`` (working days to the next
        active event, or to the end of the log for an open case).
    """
    act = pl.col(ACTIVITY)
    back_or_transfer = act.is_in([Activity.TRANSFER, Activity.RETURN, Activity.DECLINE])
    next_accept_unit = shift_within(
        bfill_within(pl.when(act == Activity.ACCEPT).then(pl.col(UNIT)), CASE_KEY), -1, CASE_KEY
    )
    change = act.is_in(
        [Activity.ASSIGN, Activity.TRANSFER, Activity.REASSIGN, Activity.RETURN, Activity.DECLINE]
    )
    done = act.is_in(list(DONE))
    active = ~act.is_in(list(PASSIVE))
    awaiting = (
        _state(act == Activity.SUBMIT, act.is_in([Activity.APPROVE, Activity.REWORK]) | done)
        | _state(act == Activity.OPINION_REQUEST, (act == Activity.OPINION_GIVEN) | done)
        | _state(
            act == Activity.EXTENSION_REQUEST,
            act.is_in([Activity.EXTENSION_GRANTED, Activity.EXTENSION_REFUSED]) | done,
        )
    )
    # A foreign log's waiting state (``wait``, e.g. BPIC 2013 "Wait - User") is an informal
    # pause: it lasts until the next active event that is not itself a wait.
    reviewed = pl.col(REVIEWED).fill_null(False)
    hints = events.collect_schema().names()
    # A mapping's [[wait_end]] rule: this event ends the open pause or wait (reading hint).
    ends = pl.col(ENDS_WAIT).fill_null(False) if ENDS_WAIT in hints else pl.lit(False)
    pause_ends = (act == Activity.RESUME) | done | ends
    wait_ends = (active & (act != Activity.WAIT)) | done | ends
    coord_open = _count(act == Activity.COORD_REQUEST) - _count(
        act.is_in([Activity.COORD_ANSWER, Activity.DEEMED_AGREE])
    )
    # Working-day ordinal of the next active (non-passive) event of the case.
    next_active_wd = shift_within(
        bfill_within(pl.when(active).then(pl.col(WD)), CASE_KEY), -1, CASE_KEY
    )
    codes = [a.value for a in Activity]
    last = pl.col(TIMESTAMP).max() if end is None else pl.lit(end, pl.Datetime("us", "UTC"))
    # Activity as an Enum: the detectors compare it dozens of times, and an Enum compares as a
    # small integer; a code outside the schema's list becomes "other".
    as_enum = (
        pl.when(act.is_in(codes))
        .then(act)
        .otherwise(pl.lit(Activity.OTHER.value))
        .cast(pl.Enum(codes))
    )
    return (
        derive_custody(
            _with_level(conform(events), events)
            .drop(ACTIVITY_LABEL, REASON_TEXT)
            .with_columns(as_enum, pl.col(*PEOPLE_AND_UNITS).cast(pl.Categorical)),
            presorted=presorted,
            has_holders=has_holders,
        )
        .with_columns(pl.col(CASE_ID).rle_id().alias(CASE_KEY))
        .with_columns(
            shift_within(pl.col(HOLDER_UNIT), 1, CASE_KEY).alias("_prev_unit"),
            shift_within(pl.col(HOLDER_ACTOR), 1, CASE_KEY).alias("_prev_actor"),
            working_day_ordinal(pl.col(TIMESTAMP), calendar).alias(WD),
            working_day_ordinal(last, calendar).first().alias(END_WD),
            pl.col(PROTECTED).fill_null(False).any().over(CASE_KEY).alias(IS_PROTECTED),
            (change | is_group_start(CASE_KEY)).cast(pl.UInt32).cum_sum().alias(SEG),
            (_count(done) > 0).alias(CLOSED),
            next_accept_unit.alias("_next_accept_unit"),
            (coord_open > 0).alias("_coord_open"),
            (
                _state(reviewed & (act == Activity.PAUSE), pause_ends)
                | _state(reviewed & (act == Activity.WAIT), wait_ends)
            ).alias("_reviewed_pause"),
            (
                _state(act == Activity.PAUSE, pause_ends) | _state(act == Activity.WAIT, wait_ends)
            ).alias("_paused"),
            *_waiters(act, hints),
            awaiting.alias("_awaiting"),
            active.alias("_active"),
            # A reviewed legal obstacle so far in the case: the extensions that follow it are
            # its consequence, not the holder's stalling.
            (_count(reviewed & act.is_in([Activity.PAUSE, Activity.WAIT])) > 0).alias(
                AFTER_REVIEWED
            ),
        )
        .with_columns(
            # A misrouted hand-over is legitimate when the case is then accepted by a unit other
            # than the one that handed it over (the competent unit took it).
            (
                back_or_transfer
                & (pl.col(REASON_CODE) == ReasonCode.MISROUTED)
                & pl.col("_next_accept_unit").is_not_null()
                & (pl.col("_next_accept_unit") != pl.coalesce("_prev_unit", UNIT))
            )
            .fill_null(False)
            .alias(LEGIT_BY_REASON),
            (pl.col(REASON_CODE) == ReasonCode.ESCALATE).fill_null(False).alias(ESCALATED),
            next_active_wd.alias("_next_wd"),
        )
        .pipe(presumed_misroutes)
        .with_columns(_reorganized(reorganized).alias(REORGANIZED))
        .with_columns(
            (pl.col(LEGIT_BY_REASON) | pl.col(PRESUMED_MISROUTE) | pl.col(REORGANIZED)).alias(LEGIT)
        )
        .with_columns(
            (pl.coalesce("_next_wd", pl.when(~pl.col(CLOSED)).then(pl.col(END_WD))) - pl.col(WD))
            .fill_null(0)
            .alias("_gap"),
            (pl.col("_coord_open") | pl.col("_reviewed_pause")).alias("_others"),
            (
                pl.col("_coord_open") | pl.col("_paused") | pl.col("_awaiting") | pl.col(CLOSED)
            ).alias("_excused"),
        )
        .drop("_next_accept_unit", "_next_wd", REASON_CODE, REVIEWED, PROTECTED)
    )


# What a holder does once it has taken a case up: a hand-over after any of these is not a
# misrouting spotted at reception.
ENGAGED = (
    Activity.PROGRESS,
    Activity.WORK,
    Activity.SUBMIT,
    Activity.COORD_REQUEST,
    Activity.OPINION_REQUEST,
    Activity.EXTENSION_REQUEST,
    Activity.PAUSE,
    Activity.WAIT,
)
# More presumed misroutings than this in one case is a case that wandered (what ``long_chain``
# is for: one hand-over to the competent unit is normal, one more unusual, a third is not a
# misrouting any more).
MAX_PRESUMED_MISROUTES = 2
_CANONICAL_REASONS = [r.value for r in ReasonCode]
_PRESUMED_HELPERS = ("_tenure", "_u1", "_u2", "_u_end", "_completer", "_engaged_so_far",
                     "_end_engaged", "_engaged", "_candidate")  # fmt: skip


def presumed_misroutes(prepared: pl.LazyFrame) -> pl.LazyFrame:
    """``PRESUMED_MISROUTE``: a hand-over whose reason the log does not say in canonical terms
    (no reason, or a source value the mapping did not translate) that the log itself shows to
    be a misrouting.

    A province's data officer will not always map every reason value, and a misrouting whose
    reason is unknown would otherwise count as buck-passing or avoidance against whoever
    received the wrong task. What an office's log shows of a misrouting, whatever its reason
    column says: the unit that had the task (``A``) passed it on (transfer, return, decline)

    - before doing any work on it (no progress, submission, coordination, opinion or extension
      request, pause or wait while A held it): it was spotted at reception;
    - another unit accepted it next (the superior did not send it back to A, nor did the
      receiver), and A never held it again: not the next holder-unit change after the
      hand-over, nor the one after that (a bounce through a third unit), nor at the end;
    - the case was completed, and not by A: whoever took it kept it and finished it (a case A
      went on to finish itself was A's work after all, whoever held it on paper); or, on a case
      still open at the end of the log, the unit holding it then has started work on it;
    - and the case has at most ``MAX_PRESUMED_MISROUTES`` such hand-overs (more is a case that
      wandered).

    A buck-pass shows the opposite: the case comes back (ping-pong, the superior reassigns it
    to the same unit), or was handed on after the holder had worked on it, or wandered.

    A reason the log gives in canonical terms is authoritative and never presumed over: a
    ``competence`` transfer that stuck is still a transfer, a ``misrouted`` one is judged by
    ``LEGIT_BY_REASON``. Only units are compared, as for ``misrouted``: passing a task to a
    colleague in the same unit is never a misrouting. Needs, on ``prepared``: ``_prev_unit``,
    ``_next_accept_unit`` and ``CASE_KEY``; pure, adds one column (and drops its helpers).
    """
    act = pl.col(ACTIVITY)
    reason = pl.col(REASON_CODE)
    unit = pl.col(HOLDER_UNIT)
    hander = pl.coalesce("_prev_unit", UNIT)
    last_of_case = (pl.col(CASE_KEY) != pl.col(CASE_KEY).shift(-1)).fill_null(True)
    # Rows where the case changes unit (its first row included): each opens a unit's tenure.
    unit_change = unit.is_not_null() & (unit != pl.col("_prev_unit")).fill_null(True)

    def next_after(expr: pl.Expr) -> pl.Expr:
        """The value at the next row (strictly after this one) where ``expr`` is set."""
        return shift_within(bfill_within(expr, CASE_KEY), -1, CASE_KEY)

    def at_end(expr: pl.Expr) -> pl.Expr:
        """The value at the case's last row, on every row."""
        return bfill_within(pl.when(last_of_case).then(expr), CASE_KEY)

    unknown = reason.is_null() | ~reason.is_in(_CANONICAL_REASONS)
    candidate = (
        act.is_in([Activity.TRANSFER, Activity.RETURN, Activity.DECLINE])
        & unknown
        & pl.col("_next_accept_unit").is_not_null()
        & (pl.col("_next_accept_unit") != hander)
        & pl.col("_u1").ne_missing(hander)
        & pl.col("_u2").ne_missing(hander)
        & pl.col("_u_end").ne_missing(hander)
        & (
            (pl.col("_completer").is_not_null() & (pl.col("_completer") != hander))
            # A case still open at the log's end: the unit holding it has started work on it
            # (it took the case as its own); without this, every misrouting of the last weeks
            # would count against whoever received the wrong task.
            | (pl.col("_completer").is_null() & pl.col("_end_engaged"))
        )
        & ~pl.col("_engaged")
    ).fill_null(False)
    return (
        prepared.with_columns(
            (unit_change | is_group_start(CASE_KEY)).cast(pl.UInt32).cum_sum().alias("_tenure")
        )
        .with_columns(
            next_after(pl.when(unit_change).then(unit)).alias("_u1"),
            at_end(unit).alias("_u_end"),
            # The unit of the case's (last) completion.
            at_end(
                ffill_within(pl.when(act == Activity.COMPLETE).then(pl.col(UNIT)), CASE_KEY)
            ).alias("_completer"),
            # Work done so far in the current unit's tenure (the key restarts at each change).
            cumsum_within(act.is_in(list(ENGAGED)).cast(pl.Int32), "_tenure").alias(
                "_engaged_so_far"
            ),
        )
        .with_columns(
            next_after(pl.when(unit_change).then(pl.col("_u1"))).alias("_u2"),
            # Work in the last holder's tenure (the tenure key restarts at each unit change).
            (at_end(pl.col("_engaged_so_far")) > 0).fill_null(False).alias("_end_engaged"),
            # The hand-over row opens the next tenure: the hander's work is the row before's.
            (shift_within(pl.col("_engaged_so_far"), 1, CASE_KEY) > 0)
            .fill_null(False)
            .alias("_engaged"),
        )
        .with_columns(candidate.alias("_candidate"))
        .with_columns(
            (
                pl.col("_candidate")
                & (at_end(_count(pl.col("_candidate"))) <= MAX_PRESUMED_MISROUTES)
            ).alias(PRESUMED_MISROUTE)
        )
        .drop(*_PRESUMED_HELPERS)
    )


# Reorganisations (sắp xếp tổ chức bộ máy) -------------------------------------------------------
# A unit that ended in a reorganisation: its last working day (ordinal) and the unit that took
# over its work (null: whichever unit received its cases); ``by_org``: the organisation table
# says so (authoritative), else it is presumed from the log (:func:`presumed_reorganizations`).
REORG_SCHEMA: dict[str, pl.DataType] = {
    "unit": pl.String(),
    "successor": pl.String(),
    "last_wd": pl.Int32(),
    "by_org": pl.Boolean(),
}
# Hand-overs out of such a unit within this many working days of its last day are its
# reorganisation hand-overs: a province moves the open files in the days around the effective
# date (Nghị quyết and Quyết định on the merger name one day; the records follow within the
# week), not over a month.
REORG_WINDOW_DAYS = 5
# The structural presumption (no reason, nor an organisation table, says it) needs all of:
# the unit is absent from the log for at least this many working days before its end (it
# really ended, rather than had a quiet week: a unit that keeps working never qualifies) ...
REORG_TAIL_DAYS = 20
# ... at least this many of its cases went to one unit in the window (a mass hand-over; one or
# two transfers are an ordinary officer's choice) ...
REORG_MIN_CASES = 3
# ... and they were at least this share of the cases it still had open then (its work moved
# together; a unit that passes on a few cases and finishes the rest itself was not dissolved).
REORG_MIN_SHARE = 0.5


def _date_ordinal(day: pl.Expr, calendar: WorkCalendar) -> pl.Expr:
    """Working-day ordinal of a calendar date (noon Vietnam time, so the zone cannot move it)."""
    noon = day.cast(pl.Datetime("us")).dt.replace_time_zone("UTC") + timedelta(hours=5)
    return working_day_ordinal(noon, calendar)


def org_reorganizations(org: Org | None, calendar: WorkCalendar) -> pl.DataFrame:
    """``REORG_SCHEMA`` rows for the units the organisation table says ended (``valid_to``)
    with a successor: the authoritative signal, whatever the log's reasons say."""
    empty = pl.DataFrame(schema=REORG_SCHEMA)
    if org is None or UNIT_VALID_TO not in org.units.columns:
        return empty
    ended = org.units.filter(
        pl.col(UNIT_VALID_TO).is_not_null() & pl.col(UNIT_SUCCESSOR).is_not_null()
    )
    if ended.is_empty():
        return empty
    return ended.select(
        pl.col(UNIT_ID).alias("unit"),
        pl.col(UNIT_SUCCESSOR).alias("successor"),
        _date_ordinal(pl.col(UNIT_VALID_TO), calendar).cast(pl.Int32).alias("last_wd"),
        pl.lit(True).alias("by_org"),
    )


def presumed_reorganizations(events: pl.LazyFrame, calendar: WorkCalendar) -> pl.DataFrame:
    """``REORG_SCHEMA`` rows for the units a whole canonical log shows ended in a
    reorganisation, where neither its reasons nor an organisation table say so.

    A real export spanning 2025 carries the mass hand-overs of the effective day with a source
    reason a data officer may not map ("sap_xep_to_chuc") or with none. What the log itself
    shows of a reorganisation, whatever its reason column says: a unit ``U``

    - leaves the log: no event names it (as actor's unit, target or holder) after its last
      working day ``D``, and the log goes on for ``REORG_TAIL_DAYS`` working days or more
      without it;
    - and, within ``REORG_WINDOW_DAYS`` working days up to ``D``, transferred at least
      ``REORG_MIN_CASES`` cases to one unit ``V`` with no canonical reason (or the reason
      ``reorganization``), at least
      ``REORG_MIN_SHARE`` of the cases it still had open then (cases it touched in the window
      that were not closed by ``D``).

    Why an ordinary bad actor cannot hide behind it: the hand-overs are excused only because
    the whole unit stops existing in the log; a person who passes cases on while their unit
    keeps working (every other unit) gains nothing, nor does a unit that passes a few cases
    on and goes on with the rest. A buck-pass that moves most of a unit's work and then the
    unit vanishes for a month is, in a log, exactly what a merger looks like: the organisation
    table (``valid_to``, ``successor``) is the authoritative way to say which it was.

    Needs the whole log (a unit's last day and its open cases are not a bucket's): a log read
    bucket by bucket adds up :func:`unit_last_days` of every bucket (by maximum), then
    :func:`reorg_counts` of every bucket given them (by sum; every case is whole in one
    bucket), and decides with :func:`decide_reorganizations`. Pure, reads only canonical
    columns (``holder_unit`` where the log carries it).
    """
    last_days = unit_last_days(events, calendar)
    return decide_reorganizations(last_days, reorg_counts(events, calendar, last_days))


def _with_wd(events: pl.LazyFrame, calendar: WorkCalendar) -> pl.LazyFrame:
    return conform(events).with_columns(working_day_ordinal(pl.col(TIMESTAMP), calendar).alias(WD))


def _named(e: pl.LazyFrame, *columns: str) -> pl.LazyFrame:
    """(unit, *columns): every row naming a unit, as actor's unit, target or holder."""
    return pl.concat(
        [
            e.filter(pl.col(c).is_not_null()).select(pl.col(c).alias("unit"), *columns)
            for c in (UNIT, TARGET_UNIT, HOLDER_UNIT)
        ]
    )


def unit_last_days(events: pl.LazyFrame, calendar: WorkCalendar) -> pl.DataFrame:
    """(unit, last_wd): the last working day on which the log names each unit, plus one row
    with a null unit for the log's own last working day. Buckets combine by maximum."""
    # The last moment first, its working day after: the ordinal never decreases with time,
    # so the day of the last moment is the last day, computed for one row a unit instead of
    # for every row of the log.
    e = conform(events)
    last = pl.concat(
        [
            _named(e, TIMESTAMP).group_by("unit").agg(pl.col(TIMESTAMP).max()),
            e.select(pl.lit(None, pl.String).alias("unit"), pl.col(TIMESTAMP).max()),
        ]
    )
    return last.select(
        "unit", working_day_ordinal(pl.col(TIMESTAMP), calendar).alias("last_wd")
    ).collect()


def reorg_counts(
    events: pl.LazyFrame, calendar: WorkCalendar, last_days: pl.DataFrame
) -> pl.DataFrame:
    """(unit, target_unit, n) for the units that left the log (``last_days``, all buckets
    combined): the cases each moved to each unit with no canonical reason within
    ``REORG_WINDOW_DAYS`` of its last day, and (target_unit null) the cases it still had open
    then (touched in the window, not closed by its last day). Buckets combine by sum.
    Transfers counted: no canonical reason, or ``reorganization``."""
    e = _with_wd(events, calendar)
    reason = pl.col(REASON_CODE)
    # No canonical reason, or the log's own word for it (which alone excuses nothing: see
    # :func:`_reorganized`).
    unknown = (
        reason.is_null() | ~reason.is_in(_CANONICAL_REASONS) | (reason == ReasonCode.REORGANIZATION)
    )
    end = pl.col("last_wd").filter(pl.col("unit").is_null()).max()
    left = last_days.filter(
        pl.col("unit").is_not_null() & (pl.col("last_wd") <= end - REORG_TAIL_DAYS)
    )
    if left.is_empty():
        # The common case (no unit left the log): nothing to count, and no pass over the log
        # (4-5 CPU s on a 15M-event province, in the parent before the workers start).
        return pl.DataFrame(schema={"unit": pl.String, TARGET_UNIT: pl.String, "n": pl.UInt32})
    ended = left.lazy()
    window = (pl.col(WD) >= pl.col("last_wd") - REORG_WINDOW_DAYS) & (
        pl.col(WD) <= pl.col("last_wd")
    )
    moved = (
        e.filter(
            (pl.col(ACTIVITY) == Activity.TRANSFER)
            & unknown
            & pl.col(TARGET_UNIT).is_not_null()
            & (pl.col(TARGET_UNIT) != pl.col(UNIT))
        )
        .select(pl.col(UNIT).alias("unit"), TARGET_UNIT, CASE_ID, WD)
        .join(ended, on="unit")
        .filter(window)
        .group_by("unit", TARGET_UNIT)
        .agg(pl.col(CASE_ID).n_unique().cast(pl.UInt32).alias("n"))
    )
    closed = (
        e.filter(pl.col(ACTIVITY).is_in(list(DONE)))
        .group_by(CASE_ID)
        .agg(pl.col(WD).min().alias("_closed_wd"))
    )
    still_open = (
        _named(e, CASE_ID, WD)
        .join(ended, on="unit")
        .filter(window)
        .select("unit", CASE_ID, "last_wd")
        .unique()
        .join(closed, on=CASE_ID, how="left")
        .filter(pl.col("_closed_wd").is_null() | (pl.col("_closed_wd") > pl.col("last_wd")))
        .group_by("unit")
        .agg(pl.lit(None, pl.String).alias(TARGET_UNIT), pl.len().cast(pl.UInt32).alias("n"))
    )
    return pl.concat([moved, still_open.select("unit", TARGET_UNIT, "n")]).collect()


def decide_reorganizations(last_days: pl.DataFrame, counts: pl.DataFrame) -> pl.DataFrame:
    """``REORG_SCHEMA`` rows from :func:`unit_last_days` and :func:`reorg_counts` (each
    combined over buckets, or of the whole log): the units whose most-receiving unit took at
    least ``REORG_MIN_CASES`` cases and ``REORG_MIN_SHARE`` of those still open."""
    summed = counts.group_by("unit", TARGET_UNIT).agg(pl.col("n").sum())
    opened = summed.filter(pl.col(TARGET_UNIT).is_null()).select("unit", pl.col("n").alias("_open"))
    top = (
        summed.filter(pl.col(TARGET_UNIT).is_not_null())
        .sort("unit", "n", TARGET_UNIT, descending=[False, True, False])
        .group_by("unit", maintain_order=True)
        .first()
    )
    last = last_days.filter(pl.col("unit").is_not_null())
    return (
        top.join(last.group_by("unit").agg(pl.col("last_wd").max()), on="unit")
        .join(opened, on="unit", how="left")
        .filter(
            (pl.col("n") >= REORG_MIN_CASES)
            & (pl.col("n") >= REORG_MIN_SHARE * pl.col("_open").fill_null(0))
        )
        .select(
            "unit",
            pl.col(TARGET_UNIT).alias("successor"),
            pl.col("last_wd").cast(pl.Int32),
            pl.lit(False).alias("by_org"),
        )
        .sort("unit")
    )


def _reorganized(table: pl.DataFrame | None) -> pl.Expr:
    """``REORGANIZED``: a hand-over (transfer, return, or an assignment or reassignment that
    moves the case to another unit: the successor's leader may take the files over and assign
    them anew) that is a reorganisation hand-over: it moves the case out of a unit of
    ``table`` (``REORG_SCHEMA``) to that unit's successor within ``REORG_WINDOW_DAYS`` working
    days of the unit's last day — whatever its reason when the organisation table says so;
    with the reason ``reorganization`` or no canonical reason when the unit's end is only
    presumed from the log (another canonical reason the log gives is authoritative there, as
    for ``presumed_misroutes``).

    The reason ``reorganization`` alone excuses nothing: anyone can type it, so it counts only
    where the unit really ended (the organisation table, or the log's shape). A holder whose
    unit goes on working and who calls a buck-pass a reorganisation is judged as for any
    other transfer."""
    act = pl.col(ACTIVITY)
    reason = pl.col(REASON_CODE)
    handover = act.is_in([Activity.TRANSFER, Activity.RETURN, Activity.REASSIGN, Activity.ASSIGN])
    if table is None or table.is_empty():
        return pl.lit(False)
    units = table["unit"].to_list()
    hander = pl.coalesce("_prev_unit", UNIT).cast(pl.String)
    receiver = pl.col(HOLDER_UNIT).cast(pl.String)

    def of_hander(column: str, dtype: pl.DataType) -> pl.Expr:
        return hander.replace_strict(
            units, table[column].to_list(), default=None, return_dtype=dtype
        )

    last = of_hander("last_wd", pl.Int32())
    successor = of_hander("successor", pl.String())
    said = reason.is_null() | ~reason.is_in(_CANONICAL_REASONS)
    said = said | (reason == ReasonCode.REORGANIZATION)
    structural = (
        handover
        & last.is_not_null()
        & ((pl.col(WD) - last).abs() <= REORG_WINDOW_DAYS)
        & receiver.is_not_null()
        & (receiver != hander)
        & (successor.is_null() | (receiver == successor))
        & (of_hander("by_org", pl.Boolean()) | said)
    )
    return structural.fill_null(False)


WAITER = {"unit": "_waiter_unit", "person": "_waiter_person"}


def _waiters(act: pl.Expr, hints: list[str]) -> list[pl.Expr]:
    """Who a pause or wait is charged to: the holder, or, where the mapping says so
    (``[custody] pauses = "opener"``: a colleague's pause is not the holder's), whoever opened
    it (the actor and unit of the opening event, carried while later rows are waiting)."""
    if WAIT_BY_OPENER not in hints:
        return [pl.col(HOLDER_UNIT).alias(WAITER["unit"]),
                pl.col(HOLDER_ACTOR).alias(WAITER["person"])]  # fmt: skip
    opens = act.is_in([Activity.PAUSE, Activity.WAIT]) & pl.col(WAIT_BY_OPENER).fill_null(False)
    # Only paused rows read this column, and each pause starts at its opening row.
    return [
        pl.coalesce(
            ffill_within(pl.when(opens).then(pl.col(ACTING[level])), CASE_KEY), holder
        ).alias(WAITER[level])
        for level, holder in HOLDER.items()
    ]


def _with_level(conformed: pl.LazyFrame, events: pl.LazyFrame) -> pl.LazyFrame:
    """Keep the log's ``level`` column (dropped by ``conform`` while the schema lacks it)."""
    names = events.collect_schema().names()
    if LEVEL_COLUMN not in names or LEVEL_COLUMN in conformed.collect_schema().names():
        return conformed
    canonical = [
        (pl.col(name) if name in names else pl.lit(None)).cast(dtype).alias(name)
        for name, dtype in SCHEMA.items()
    ]
    return events.select(*canonical, pl.col(LEVEL_COLUMN).cast(pl.Int8))


def timeline(prepared: pl.LazyFrame) -> pl.LazyFrame:
    """Active (non-passive) events of unprotected cases: the rows whose ``_gap`` is a stretch of
    time the holder is answerable for unless ``_excused``."""
    return prepared.filter(pl.col("_active") & ~pl.col(IS_PROTECTED))


def _holding_rows(prepared: pl.LazyFrame, level: str, include_protected: bool) -> pl.LazyFrame:
    frame = prepared if include_protected else prepared.filter(~pl.col(IS_PROTECTED))
    h = pl.col(HOLDER[level])
    # Only rows where the holder changes can add a (holder, case) pair: filter first, then
    # deduplicate on integer keys (Categorical holder, case key).
    return frame.filter(h.is_not_null() & (h != pl.col(PREV[level])).fill_null(True)).unique(
        subset=[HOLDER[level], CASE_KEY]
    )


def held(prepared: pl.LazyFrame, level: str, *, include_protected: bool = True) -> pl.LazyFrame:
    """The workload as pairs: one row per (subject, case) the subject held at some point."""
    return _holding_rows(prepared, level, include_protected).select(
        pl.lit(level).alias(SUBJECT_TYPE),
        pl.col(HOLDER[level]).cast(pl.String).alias(SUBJECT_ID),
        pl.col(CASE_ID).alias(ITEM_ID),
        pl.col(CASE_ID),
    )


def workload(prepared: pl.LazyFrame, level: str, *, include_protected: bool = True) -> pl.LazyFrame:
    """The workload as counts: (subject_type, subject_id, weight = cases held)."""
    return count_items(_holding_rows(prepared, level, include_protected), level, HOLDER[level])


def count_items(pairs: pl.LazyFrame, level: str, subject: str) -> pl.LazyFrame:
    """(subject_type, subject_id, weight) from distinct (subject, item) rows."""
    return (
        pairs.group_by(subject)
        .agg(pl.len().alias(WEIGHT))
        .select(
            pl.lit(level).alias(SUBJECT_TYPE),
            pl.col(subject).cast(pl.String).alias(SUBJECT_ID),
            WEIGHT,
        )
    )


def hits_frame(
    frame: pl.LazyFrame, level: str, subject: pl.Expr, evidence: pl.Expr
) -> pl.LazyFrame:
    """Hits keyed by case: (subject_type, subject_id, item_id, case_id, evidence, value)."""
    return frame.select(
        pl.lit(level).alias(SUBJECT_TYPE),
        subject.cast(pl.String).alias(SUBJECT_ID),
        pl.col(CASE_ID).alias(ITEM_ID),
        pl.col(CASE_ID),
        evidence.alias(EVIDENCE),
        pl.lit(None, pl.Float64).alias(VALUE),
    )


def observe(counts: pl.LazyFrame, hits: pl.LazyFrame) -> pl.LazyFrame:
    """Compact observations: the workload counted per subject, plus the hits.

    Args:
        counts: (subject_type, subject_id, weight), the workload size per subject
            (:func:`workload`, :func:`count_items`).
        hits: (subject_type, subject_id, item_id, case_id, evidence, ...), possibly several per
            item. Callers build hits only from items in the workload (the holder's own cases).
    """
    rows = hits.filter(pl.col(SUBJECT_ID).is_not_null()).select(
        SUBJECT_TYPE, SUBJECT_ID, ITEM_ID, CASE_ID, EVIDENCE, pl.lit(0).alias(WEIGHT)
    )
    return pl.concat([as_obs(counts), as_obs(rows)], how="diagonal_relaxed")


def as_obs(frame: pl.LazyFrame) -> pl.LazyFrame:
    names = frame.collect_schema().names()
    return frame.select(
        [
            (pl.col(c) if c in names else pl.lit(None)).cast(t).alias(c)
            for c, t in OBS_SCHEMA.items()
        ]
    )


# Decisions a superior takes on someone else's work: a person whose log is mostly these is a
# leader or a head, and is compared with other deciders, not with the specialists they direct.
DECISIONS = (
    Activity.ASSIGN,
    Activity.REASSIGN,
    Activity.APPROVE,
    Activity.REWORK,
    Activity.OPINION_GIVEN,
    Activity.EXTENSION_GRANTED,
    Activity.EXTENSION_REFUSED,
)
DECIDER = "lanh_dao"  # peer-group role inferred from the log for deciders
HANDLER = "chuyen_vien"  # ... and for everyone else
NEW_STAFF = "moi"  # suffix of a new staff member's peer group
HEAVY = "nhieu_viec"  # suffix of the peer group of people with a heavy workload


# The kinds of row in :func:`subject_counts`.
_HOLD, _ADDR, _DEC, _UNIT, _PERSON, _FIRST = "hold", "addr", "dec", "unit", "person", "first"
_KIND, _N, _FIRST_DAY = "_kind", "_n", "_first_day"


def subject_counts(prepared: pl.LazyFrame) -> pl.LazyFrame:
    """What :func:`peer_groups` reads of the prepared rows, as counts that add up over any
    split of the log into whole cases: (kind, actor, unit, n, first day) with kind "hold"
    (custody changes per holder and unit), "addr" (rows addressed to a person and unit),
    "dec" (decisions per actor), "unit" and "person" (every subject seen) and one "first" row
    (the day of the earliest instant). Several such frames concatenated are read as their sum."""
    s = pl.String

    def rows(kind: str, frame: pl.LazyFrame, actor: pl.Expr | None, unit: pl.Expr | None,
             count: bool = True) -> pl.LazyFrame:  # fmt: skip
        # Grouped as they are (Categorical: integer keys), cast to text once per group.
        keys = [c for c, e in ((ACTOR, actor), (UNIT, unit)) if e is not None]
        grouped = frame.select(
            e.alias(c) for c, e in ((ACTOR, actor), (UNIT, unit)) if e is not None
        )
        agg = (
            grouped.group_by(keys).agg(pl.len().alias(_N))
            if count
            else grouped.unique().with_columns(pl.lit(0, pl.UInt32).alias(_N))
        )
        return agg.select(
            pl.lit(kind).alias(_KIND),
            pl.col(ACTOR).cast(s) if actor is not None else pl.lit(None, s).alias(ACTOR),
            pl.col(UNIT).cast(s) if unit is not None else pl.lit(None, s).alias(UNIT),
            pl.col(_N).cast(pl.UInt32),
            pl.lit(None, pl.Date).alias(_FIRST_DAY),
        )

    changed = pl.col(HOLDER_ACTOR).is_not_null() & (
        pl.col(HOLDER_ACTOR) != pl.col(PREV["person"])
    ).fill_null(True)
    holding = prepared.filter(changed)
    addressed = prepared.filter(pl.col(TARGET_ACTOR).is_not_null())
    deciding = prepared.filter(
        pl.col(ACTIVITY).is_in(list(DECISIONS)) & pl.col(ACTOR).is_not_null()
    )
    parts = [
        rows(_HOLD, holding, pl.col(HOLDER_ACTOR), pl.col(HOLDER_UNIT)),
        rows(_ADDR, addressed, pl.col(TARGET_ACTOR), pl.col(TARGET_UNIT)),
        rows(_DEC, deciding, pl.col(ACTOR), None),
        *[
            rows(_UNIT, prepared.filter(pl.col(c).is_not_null()), None, pl.col(c), count=False)
            for c in (HOLDER_UNIT, TARGET_UNIT)
        ],
        *[
            rows(_PERSON, prepared.filter(pl.col(c).is_not_null()), pl.col(c), None, count=False)
            for c in (HOLDER_ACTOR, TARGET_ACTOR)
        ],
        prepared.select(
            pl.lit(_FIRST).alias(_KIND),
            pl.lit(None, s).alias(ACTOR),
            pl.lit(None, s).alias(UNIT),
            pl.lit(0, pl.UInt32).alias(_N),
            pl.col(TIMESTAMP).min().dt.date().alias(_FIRST_DAY),
        ),
    ]
    return pl.concat(parts)


def peer_groups(
    prepared: pl.LazyFrame, params: DetectionParams, org: Org | None = None
) -> pl.LazyFrame:
    """:func:`peer_groups_from` the prepared rows."""
    return peer_groups_from(subject_counts(prepared), params, org)


def peer_groups_from(
    counts: pl.LazyFrame, params: DetectionParams, org: Org | None = None
) -> pl.LazyFrame:
    """(subject_type, subject_id, peer_group, main_unit, judged) for every unit and person.

    Units are grouped by type (the organisation's, else ``params.unit_types``). People are
    grouped by position and tier: ``position@type`` with the position from the organisation's
    people table, else the role the log shows (a person whose decisions on others' work —
    assign, approve, rework, opinion, extension — outnumber the cases they held is a decider,
    ``lanh_dao``; everyone else ``chuyen_vien``), and the type of their unit (the
    organisation's, else the unit in which they held cases most often, or were most often
    addressed). New staff (``start_date`` later than ``params.new_staff_days`` before the log's
    first day) get
    a group of their own, and so do people with a heavy workload (``params.heavy_factor`` times
    their group's median of cases held or more). New staff whose group has fewer than
    ``params.min_peers`` members are not judged (``judged`` false) rather than compared with
    seasoned colleagues; heavy-workload people with too few such peers stay in their group.

    Subjects are every holder and every unit or person an event points at (a coordinating unit
    may never hold a case and still needs its peers).
    """
    types = _unit_types(params, org)
    kind = pl.col(_KIND)
    units = (
        counts.filter(kind == _UNIT)
        .select(UNIT)
        .unique()
        .join(types, on=UNIT, how="left")
        .select(
            pl.lit("unit").alias(SUBJECT_TYPE),
            pl.col(UNIT).alias(SUBJECT_ID),
            pl.col("_type").fill_null("*").alias("peer_group"),
            pl.lit(None, pl.String).alias(MAIN_UNIT),
            pl.lit(True).alias(JUDGED),
        )
    )
    # A person's main unit: the unit in which they held cases most often (or, for someone who
    # never held one, were most often addressed).
    main_unit = (
        counts.filter(kind.is_in([_HOLD, _ADDR]) & pl.col(UNIT).is_not_null())
        .with_columns(pl.when(kind == _HOLD).then(0).otherwise(1).alias("_rank"))
        .group_by(ACTOR, UNIT, "_rank")
        .agg(pl.col(_N).sum())
        .group_by(ACTOR, UNIT)
        .agg(pl.col(_N).sum(), pl.col("_rank").min())
        .sort([ACTOR, "_rank", _N, UNIT], descending=[False, False, True, False])
        .group_by(ACTOR, maintain_order=True)
        .agg(pl.col(UNIT).first())
    )
    held_cases = counts.filter(kind == _HOLD).group_by(ACTOR).agg(pl.col(_N).sum().alias("_held"))
    decided = counts.filter(kind == _DEC).group_by(ACTOR).agg(pl.col(_N).sum().alias("_decided"))
    role = (
        pl.when(pl.col("_decided").fill_null(0) > pl.col("_held").fill_null(0))
        .then(pl.lit(DECIDER))
        .otherwise(pl.lit(HANDLER))
    )
    staff = _org_people(org)
    # New in the period: started less than ``new_staff_days`` before the log begins, or during
    # it (part of the record was made while learning the job).
    end = counts.filter(kind == _FIRST).select(pl.col(_FIRST_DAY).min().alias("_end"))
    people = (
        counts.filter(kind == _PERSON)
        .select(ACTOR)
        .unique()
        .join(main_unit, on=ACTOR, how="left")
        .join(held_cases, on=ACTOR, how="left")
        .join(decided, on=ACTOR, how="left")
        .join(staff, on=ACTOR, how="left")
        .join(end, how="cross")
        .with_columns(pl.coalesce("_org_unit", UNIT).alias(UNIT))
        .join(types, on=UNIT, how="left")
        .with_columns(
            _broadened(pl.coalesce("_position", role), role, params.min_peers, params.min_cases)
        )
        .with_columns(
            (
                pl.col("_base")
                + pl.when(
                    pl.col("_start").is_not_null()
                    & (pl.col("_start") > pl.col("_end") - timedelta(days=params.new_staff_days))
                )
                .then(pl.lit("/" + NEW_STAFF))
                .otherwise(pl.lit(""))
            ).alias("peer_group"),
        )
        # Heavy workload: several times the group's median of cases held. Such people work
        # many cases at once (longer gaps on each are the arithmetic of it), so they are
        # compared with each other.
        .with_columns(pl.col("_held").fill_null(0).alias("_held"))
        .with_columns(pl.col("_held").median().over("peer_group").alias("_median_held"))
        .with_columns(
            pl.when(
                (pl.col("_median_held") > 0)
                & (pl.col("_held") >= params.heavy_factor * pl.col("_median_held"))
            )
            .then(pl.col("peer_group") + pl.lit("/" + HEAVY))
            .otherwise(pl.col("peer_group"))
            .alias("_heavy_group")
        )
        # Too few heavy-workload peers to compare with: compared with the group after all
        # (rates, not counts, still apply). Too few new staff: not judged.
        .with_columns(
            pl.when(pl.len().over("_heavy_group") >= params.min_peers)
            .then(pl.col("_heavy_group"))
            .otherwise(pl.col("peer_group"))
            .alias("peer_group")
        )
        .with_columns(pl.len().over("peer_group").alias("_members"))
        .select(
            pl.lit("person").alias(SUBJECT_TYPE),
            pl.col(ACTOR).alias(SUBJECT_ID),
            "peer_group",
            pl.col(UNIT).alias(MAIN_UNIT),
            (
                ~pl.col("peer_group").str.contains("/" + NEW_STAFF, literal=True)
                | (pl.col("_members") >= params.min_peers)
            ).alias(JUDGED),
        )
    )
    return pl.concat([units, people])


MAIN_UNIT = "main_unit"
JUDGED = "judged"


def _broadened(position: pl.Expr, role: pl.Expr, min_peers: int, min_cases: int) -> pl.Expr:
    """``_base``: the person's peer group before the new-staff and workload splits, the finest
    of ``position@type``, ``position@*``, ``role@*`` (the role the log shows) and ``*`` that
    has at least ``min_peers`` members who held ``min_cases`` cases or more.

    A group smaller than that cannot say what is ordinary: its level is one or two colleagues'
    rates and its spread (overdispersion) cannot be fitted, so ordinary differences between
    them read as evidence. A small organisation has such groups everywhere (three heads of
    department, four division heads), a large one only at the top. Each step pools the members
    of the groups that were too small with each other, never with a group that was large
    enough: heads of divisions stay compared with heads of divisions wherever there are enough
    of them.
    """
    finer = position + pl.lit("@") + pl.col("_type").fill_null("*")
    steps = [position + pl.lit("@*"), role + pl.lit("@*"), pl.lit("*")]
    # Members who held enough cases to be judged: only they show the group's spread.
    fit = (pl.col("_held").fill_null(0) >= min_cases).cast(pl.UInt32)
    group = finer
    for broader in steps:
        group = pl.when(fit.sum().over(group) >= min_peers).then(group).otherwise(broader)
    return group.alias("_base")


def _unit_types(params: DetectionParams, org: Org | None) -> pl.LazyFrame:
    """unit -> type: the organisation's table first, then ``params.unit_types``."""
    given = _mapping_frame(params.unit_types, UNIT, "_type", pl.String())
    if org is None:
        return given
    table = org.units.lazy().select(
        pl.col(UNIT_ID).alias(UNIT), pl.col(UNIT_TYPE).alias("_org_type")
    )
    return (
        pl.concat([given.select(UNIT), table.select(UNIT)])
        .unique()
        .join(given, on=UNIT, how="left")
        .join(table, on=UNIT, how="left")
        .select(UNIT, pl.coalesce("_org_type", "_type").alias("_type"))
        .filter(pl.col("_type").is_not_null())
    )


def _org_people(org: Org | None) -> pl.LazyFrame:
    schema = {ACTOR: pl.String(), "_org_unit": pl.String(), "_position": pl.String(),
              "_start": pl.Date()}  # fmt: skip
    if org is None:
        return pl.LazyFrame(schema=schema)
    return org.people.lazy().select(
        pl.col(PERSON_ID).alias(ACTOR),
        pl.col(PERSON_UNIT).alias("_org_unit"),
        pl.col(ORG_POSITION).alias("_position"),
        pl.col(START_DATE).alias("_start"),
    )


def _mapping_frame(
    mapping: Mapping[str, object] | None, key: str, value: str, dtype: pl.DataType
) -> pl.LazyFrame:
    items = dict(mapping or {})
    return pl.LazyFrame(
        {key: list(items.keys()), value: list(items.values())},
        schema={key: pl.String(), value: dtype},
    )


def wilson_lower(k: pl.Expr, n: pl.Expr, z: float) -> pl.Expr:
    """One-sided Wilson score lower bound of the proportion k/n."""
    p = k / n
    z2 = z * z
    centre = p + z2 / (2 * n)
    margin = z * ((p * (1 - p) / n) + z2 / (4 * n * n)).sqrt()
    return (centre - margin) / (1 + z2 / n)


def rates(
    obs: pl.LazyFrame, peers: pl.LazyFrame, params: DetectionParams, *, ids: bool = True
) -> pl.LazyFrame:
    """Per-subject rate, leave-one-out peer rate, Wilson lower bound and the finding flag.

    ``obs`` are observations, compacted or not: a row with ``n_values`` stands for that many
    items of its value (counted once each in the median and the sum). With ``ids`` False the
    rows carry a boolean ``hit`` column instead of their evidence (:func:`without_ids`) and the
    result has no evidence or case ids (:func:`hit_ids` gives them for the subjects that need
    them)."""
    keys = [SUBJECT_TYPE, SUBJECT_ID]
    obs = with_value_counts(obs)
    is_hit = pl.col(EVIDENCE).is_not_null() if ids else pl.col(HIT)
    group = [SUBJECT_TYPE, "peer_group"]
    agg = (
        obs.group_by(keys)
        .agg(
            pl.col(WEIGHT).sum().alias("n"),
            pl.col(ITEM_ID).filter(is_hit).n_unique().alias("k"),
            *(_id_lists(is_hit) if ids else []),
            # A row of one value sums as that value itself (v * 1 is v, bit for bit), in the
            # order the rows come; whole numbers sum exactly in any order.
            (pl.col(VALUE) * pl.col(N_VALUES)).sum().alias("_value_sum"),
        )
        .filter(pl.col("n") > 0)
        .join(value_medians(obs), on=keys, how="left")
        .with_columns(
            pl.min_horizontal("k", "n").alias("k"),
            (pl.col("_value_sum") / pl.col("n")).alias("value_mean"),
        )
        .drop("_value_sum")
        .join(peers, on=keys, how="left")
        .with_columns(pl.col("peer_group").fill_null("*"))
    )
    others_n = pl.col("n").sum().over(group) - pl.col("n")
    others_k = pl.col("k").sum().over(group) - pl.col("k")
    lower = wilson_lower(pl.col("k").cast(pl.Float64), pl.col("n").cast(pl.Float64), params.z)
    return (
        agg.with_columns(
            (pl.col("k") / pl.col("n")).alias("rate"),
            pl.when(others_n > 0).then(others_k / others_n).alias("peer_rate"),
            lower.alias("lower"),
        )
        .with_columns(
            (
                (pl.col("n") >= params.min_cases)
                & (pl.col("k") >= params.min_hits)
                & pl.col("peer_rate").is_not_null()
                & (pl.col("lower") >= pl.col("peer_rate") * params.min_ratio)
                & (pl.col("lower") - pl.col("peer_rate") >= params.min_excess)
            )
            .fill_null(False)
            .alias("flagged"),
            (
                (pl.col("lower") - pl.col("peer_rate"))
                / (1 - pl.col("peer_rate")).clip(lower_bound=1e-9)
            )
            .clip(0.0, 1.0)
            .alias("strength"),
        )
        .sort(keys)
    )


def _id_lists(is_hit: pl.Expr) -> list[pl.Expr]:
    """A subject's evidence and case ids: the union of its hits', sorted."""
    return [
        pl.col(EVIDENCE)
        .filter(is_hit)
        .list.explode(keep_nulls=False, empty_as_null=False)
        .unique()
        .sort()
        .alias(EVIDENCE),
        pl.col(CASE_ID).filter(is_hit).unique().sort().alias(CASE_IDS),
    ]


def without_ids(obs: pl.LazyFrame) -> pl.LazyFrame:
    """Observations with a boolean ``hit`` instead of their evidence lists (what
    ``rates(..., ids=False)`` reads)."""
    return obs.with_columns(pl.col(EVIDENCE).is_not_null().alias(HIT)).drop(EVIDENCE)


def hit_ids(hits: pl.LazyFrame) -> pl.LazyFrame:
    """(subject_type, subject_id, evidence_event_ids, case_ids) of observation rows: the same
    lists :func:`rates` gives, for the subjects these rows hold (whatever their order)."""
    is_hit = pl.col(EVIDENCE).is_not_null()
    return hits.group_by(SUBJECT_TYPE, SUBJECT_ID).agg(_id_lists(is_hit))


def with_value_counts(obs: pl.LazyFrame) -> pl.LazyFrame:
    """Observations with ``n_values``: as they are if they have it, else one per value."""
    if N_VALUES in obs.collect_schema().names():
        return obs
    return obs.with_columns(pl.col(VALUE).is_not_null().cast(pl.UInt32).alias(N_VALUES))


def value_medians(obs: pl.LazyFrame) -> pl.LazyFrame:
    """(subject_type, subject_id, value_median): the median of each subject's values, each row
    counted ``n_values`` times, from the counts per subject and value (not the values one by
    one). The two middle values are interpolated as Polars' own median does, ``lo + (hi - lo)
    * 0.5``, so the result is the same bit for bit."""
    keys = [SUBJECT_TYPE, SUBJECT_ID]
    seen = pl.col(N_VALUES).cum_sum()
    total = pl.col(N_VALUES).sum()
    middle = [
        # The value at 0-based rank r is the first whose running count passes r.
        pl.col(VALUE).filter(seen > rank).first().alias(name)
        for name, rank in (("_lo", (total - 1) // 2), ("_hi", total // 2))
    ]
    return (
        with_value_counts(obs)
        .filter(pl.col(VALUE).is_not_null() & (pl.col(N_VALUES) > 0))
        .group_by(*keys, VALUE)
        .agg(pl.col(N_VALUES).sum())
        .sort(*keys, VALUE)
        .group_by(keys, maintain_order=True)
        .agg(middle)
        .select(
            *keys, (pl.col("_lo") + (pl.col("_hi") - pl.col("_lo")) * 0.5).alias("value_median")
        )
    )


def pct(expr: pl.Expr) -> pl.Expr:
    """A 0..1 rate as a whole-number percentage string."""
    return (expr * 100).round(0).cast(pl.Int64).cast(pl.String)


def first_change_rows(prepared: pl.LazyFrame, level: str) -> pl.LazyFrame:
    """Rows where the holder at ``level`` changes, with the two previous holders.

    Columns: case_id, event_id, timestamp, ``_h`` (holder after), ``_p1`` (holder before),
    ``_p2`` (holder before that), ``_e1`` and ``_a1`` (the event that gave custody to ``_p1``
    and its activity), legit flag, activity, ``_next_h`` (next holder), ``_final_h`` (the
    case's last holder).
    """
    h = pl.col(HOLDER[level])
    return (
        prepared.filter(h.is_not_null() & (h != pl.col(PREV[level])).fill_null(True))
        .select(
            CASE_KEY, CASE_ID, EVENT_ID, TIMESTAMP, ACTIVITY, LEGIT, ESCALATED, WD, h.alias("_h")
        )
        .with_columns(
            shift_within(pl.col("_h"), 1, CASE_KEY).alias("_p1"),
            shift_within(pl.col("_h"), 2, CASE_KEY).alias("_p2"),
            shift_within(pl.col(EVENT_ID), 1, CASE_KEY).alias("_e1"),
            shift_within(pl.col(ACTIVITY), 1, CASE_KEY).alias("_a1"),
            shift_within(pl.col("_h"), -1, CASE_KEY).alias("_next_h"),
            pl.col("_h").last().over(CASE_KEY).alias("_final_h"),
        )
    )


def undelegated_workload(prepared: pl.LazyFrame, level: str) -> pl.LazyFrame:
    """The workload (as :func:`workload`) without the cases a person only passed down their
    own unit: every time they held the case, it left them by an assignment to someone in the
    same unit (the head's cascade to a specialist).

    A division head holds every case of the division on its way down, but can push away only
    the ones they keep: a head who bounces the few cases they handle personally would
    otherwise be judged over all the division's cases (3 of 100, below the absolute floor),
    while a specialist with the same habit is judged over their own (3 of 12). A case the
    person handed sideways, returned or declined, or kept, stays in: those are the items
    where buck-passing can show, so every hit is still within the workload. Units keep every
    case they held (a cascade does not change the unit).
    """
    if level != "person":
        return workload(prepared, level)
    holder = pl.col(HOLDER_ACTOR)
    tenures = (
        prepared.filter(holder.is_not_null() & (holder != pl.col(PREV[level])).fill_null(True))
        .select(CASE_KEY, ACTIVITY, holder.alias("_h"), pl.col(HOLDER_UNIT).alias("_u"))
        .with_columns(
            # How this tenure ended: the next change of holder (none: the case stayed).
            (
                shift_within(pl.col(ACTIVITY), -1, CASE_KEY).is_in(
                    [Activity.ASSIGN, Activity.REASSIGN]
                )
                & (shift_within(pl.col("_u"), -1, CASE_KEY) == pl.col("_u"))
            )
            .fill_null(False)
            .alias("_passed_down")
        )
        .group_by("_h", CASE_KEY)
        .agg(pl.col("_passed_down").all().alias("_delegated"))
        .filter(~pl.col("_delegated"))
    )
    return count_items(tenures, level, "_h")
