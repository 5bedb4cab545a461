"""Stalling (làm việc cầm chừng): idle custody, hidden waiting, repeated extensions, late
completion, cases with (almost) no progress report, and a superior's slow answers and
cascades.

Time is counted in working days (:class:`congvu_analytics.workdays.WorkCalendar`). Waiting that
belongs to someone else is excused: a reviewed pause (legal obstacle), an open coordination
request (the delay is the coordinating unit's, Công điện 280/CĐ-TTg), a submitted result awaiting
approval, an opinion or extension awaiting the superior. Protected cases are left out.
"""

from __future__ import annotations

import polars as pl

from congvu_analytics.detect._common import (
    ACTING,
    AFTER_REVIEWED,
    CASE_KEY,
    END_WD,
    EVIDENCE,
    HOLDER,
    IS_PROTECTED,
    ITEM_ID,
    LEVELS,
    OBS_SCHEMA,
    PREV,
    REORGANIZED,
    SUBJECT_ID,
    SUBJECT_TYPE,
    VALUE,
    WAITER,
    WD,
    WEIGHT,
    as_obs,
    due_ordinal,
    held,
    hits_frame,
    observe,
    timeline,
    workload,
)
from congvu_analytics.detect.params import DetectionParams
from congvu_analytics.frames import ffill_within, is_group_start, shift_within
from congvu_analytics.schema import (
    ACTIVITY,
    CASE_ID,
    DUE,
    EVENT_ID,
    Activity,
)
from congvu_analytics.workdays import WorkCalendar

DUE_CARRIERS = (
    Activity.ASSIGN,
    Activity.REASSIGN,
    Activity.TRANSFER,
    Activity.EXTENSION_GRANTED,
)
NOT_CASE_DUE = (
    Activity.COORD_REQUEST,
    Activity.COORD_ANSWER,
    Activity.DEEMED_AGREE,
    Activity.EXTENSION_REQUEST,
)


def idle(prepared: pl.LazyFrame, params: DetectionParams) -> pl.LazyFrame:
    """Longest stretch (working days) with no activity while the subject held the case, outside
    excused waiting; a hit when it reaches ``idle_days``. The value is that stretch, for the
    median-idle metric."""
    line = timeline(prepared).with_columns(
        pl.when(pl.col("_excused")).then(0).otherwise(pl.col("_gap")).alias("_idle")
    )
    out = []
    for level in LEVELS:
        h = pl.col(HOLDER[level])
        # Holders are Categorical, so (holder, case) is a pair of integer keys.
        # One row per held case with its longest stretch (weight 1: the workload and the
        # median-idle metric), plus one row per hit with the evidence (weight 0).
        per_case = (
            line.filter(h.is_not_null())
            .group_by(h.alias("_h"), CASE_KEY)
            .agg(pl.col("_idle").max().alias(VALUE))
            .select(
                pl.lit(level).alias(SUBJECT_TYPE),
                pl.col("_h").cast(pl.String).alias(SUBJECT_ID),
                pl.col(VALUE).cast(pl.Float64),
                pl.lit(1).alias(WEIGHT),
            )
        )
        # The evidence: the longest stretch, from its event to the next one.
        hits = (
            line.with_columns(shift_within(pl.col(EVENT_ID), -1, CASE_KEY).alias("_next_e"))
            .filter(h.is_not_null() & (pl.col("_idle") >= params.idle_days))
            .sort("_idle", EVENT_ID, descending=[True, False])
            .group_by(h.alias("_h"), CASE_KEY)
            .agg(
                pl.col(CASE_ID).first(),
                pl.concat_list(pl.col(EVENT_ID).first(), pl.col("_next_e").first())
                .list.drop_nulls()
                .alias(EVIDENCE),
            )
            .select(
                pl.lit(level).alias(SUBJECT_TYPE),
                pl.col("_h").cast(pl.String).alias(SUBJECT_ID),
                pl.col(CASE_ID).alias(ITEM_ID),
                CASE_ID,
                EVIDENCE,
                pl.lit(0).alias(WEIGHT),
            )
        )
        out += [as_obs(per_case), as_obs(hits)]
    return pl.concat(out).select([pl.col(c).cast(t) for c, t in OBS_SCHEMA.items()])


def hidden_wait(prepared: pl.LazyFrame, params: DetectionParams) -> pl.LazyFrame:
    """Pauses without an accepted reason (not reviewed, not waiting on a coordination answer):
    a hit when they last ``min_pause_days`` or more and take more than ``pause_share`` of the
    case's cycle time. The value is that share."""
    act = pl.col(ACTIVITY)
    line = timeline(prepared)
    done = act.is_in([Activity.COMPLETE, Activity.CANCEL])
    # Cycle time from the case's first row and its completion (or the end of the log): two
    # rows per case are enough.
    cycle = (
        line.filter(is_group_start(CASE_KEY) | done)
        .group_by(CASE_KEY)
        .agg(
            (
                pl.coalesce(pl.col(WD).filter(done).first(), pl.col(END_WD).first())
                - pl.col(WD).min()
            ).alias("_cycle")
        )
    )
    # The pause lasts until the next active event that ends it; ``_gap`` only reaches the next
    # event, so sum the gaps of every row while the pause is open.
    paused_rows = line.filter(
        pl.col("_paused") & ~pl.col("_reviewed_pause") & ~pl.col("_coord_open")
    )
    out = []
    for level in LEVELS:
        # The holder, or whoever opened the pause where the mapping charges pauses to them.
        h = pl.col(WAITER[level])
        per_case = (
            paused_rows.filter(h.is_not_null())
            .group_by(h.cast(pl.String).alias(SUBJECT_ID), CASE_KEY)
            .agg(
                pl.col(CASE_ID).first(),
                pl.col("_gap").sum().alias("_paused_days"),
                pl.col(EVENT_ID)
                .filter(act.is_in([Activity.PAUSE, Activity.WAIT]))
                .alias("_pauses"),
            )
            .join(cycle, on=CASE_KEY, how="left")
            .with_columns(
                (pl.col("_paused_days") / pl.col("_cycle").clip(lower_bound=1)).alias(VALUE)
            )
        )
        hit = (pl.col("_paused_days") >= params.min_pause_days) & (
            pl.col(VALUE) > params.pause_share
        )
        # Compact: the workload counts, plus every paused case with its share as the value
        # (the mean pause share is sum / n) and the evidence when it is a hit.
        paused = per_case.select(
            pl.lit(level).alias(SUBJECT_TYPE),
            SUBJECT_ID,
            pl.col(CASE_ID).alias(ITEM_ID),
            CASE_ID,
            pl.when(hit).then(pl.col("_pauses")).alias(EVIDENCE),
            VALUE,
            pl.lit(0).alias(WEIGHT),
        )
        out.append(as_obs(workload(prepared, level, include_protected=False)))
        out.append(as_obs(_opened_not_held(paused_rows, prepared, level)))
        out.append(paused.select([pl.col(c).cast(t) for c, t in OBS_SCHEMA.items()]))
    return pl.concat(out).select([pl.col(c).cast(t) for c, t in OBS_SCHEMA.items()])


def _opened_not_held(paused_rows: pl.LazyFrame, prepared: pl.LazyFrame, level: str) -> pl.LazyFrame:
    """Workload of pauses charged to their opener ([custody] pauses = "opener"): the cases in
    which someone opened a pause without ever holding the case count for them too, so the
    rate stays a share of their cases. Empty when pauses are charged to the holder."""
    waiter = pl.col(WAITER[level])
    pairs = (
        paused_rows.filter(waiter.is_not_null() & (waiter != pl.col(HOLDER[level])).fill_null(True))
        .select(waiter.cast(pl.String).alias(SUBJECT_ID), CASE_ID)
        .unique()
        .join(held(prepared, level, include_protected=False), on=[SUBJECT_ID, CASE_ID], how="anti")
    )
    return (
        pairs.group_by(SUBJECT_ID)
        .agg(pl.len().alias(WEIGHT))
        .select(pl.lit(level).alias(SUBJECT_TYPE), SUBJECT_ID, WEIGHT)
    )


def extensions(prepared: pl.LazyFrame, params: DetectionParams) -> pl.LazyFrame:
    """Cases on which the holder asked for an extension ``repeated_extensions`` times or more.

    Requests made after a reviewed pause (a legal obstacle the superior confirmed) are its
    consequence and are not counted."""
    out = []
    for level in LEVELS:
        subject = pl.coalesce(HOLDER[level], ACTING[level])
        repeated = (
            prepared.filter(
                (pl.col(ACTIVITY) == Activity.EXTENSION_REQUEST)
                & ~pl.col(IS_PROTECTED)
                & ~pl.col(AFTER_REVIEWED)
            )
            .group_by(subject.alias("_s"), CASE_ID)
            .agg(pl.col(EVENT_ID).sort().alias("_ids"))
            .filter(pl.col("_ids").list.len() >= params.repeated_extensions)
        )
        hits = hits_frame(repeated, level, pl.col("_s"), pl.col("_ids"))
        out.append(observe(workload(prepared, level, include_protected=False), hits))
    return pl.concat(out)


def _case_deadlines(prepared: pl.LazyFrame, calendar: WorkCalendar) -> pl.LazyFrame:
    """Per unprotected case with a deadline: lateness in working days net of others' waiting."""
    act = pl.col(ACTIVITY)
    carries_due = act.is_in(list(DUE_CARRIERS)) & pl.col(DUE).is_not_null()
    # A deadline written on the case (a mapping's case attribute, on every event) where no
    # hand-over carries one: read from the case's last row, unless that row is a request whose
    # due is someone else's (coordination) or only asked for (extension).
    case_due = pl.col(DUE).is_not_null() & ~act.is_in(list(NOT_CASE_DUE))
    is_done = act == Activity.COMPLETE
    cancelled = act == Activity.CANCEL
    last_of_case = (pl.col(CASE_KEY) != pl.col(CASE_KEY).shift(-1)).fill_null(True)
    # Filter before grouping: the deadline, the completion and the last row of each case are all
    # the aggregation needs, a handful of the case's rows.
    excused = (
        timeline(prepared)
        .filter(pl.col("_others"))
        .group_by(CASE_KEY)
        .agg(pl.col("_gap").sum().alias("_excused_days"))
    )
    unprotected = ~pl.col(IS_PROTECTED)
    progress = (
        prepared.filter(unprotected & (act == Activity.PROGRESS))
        .group_by(CASE_KEY)
        .agg(pl.len().alias("_progress"))
    )
    # The last reorganisation hand-over that gave the case to a new unit (person): the case was
    # inherited, and its receiver is judged from when it reached them (see ``_receivers_late``).
    inherited = {
        level: pl.col(REORGANIZED) & (pl.col(HOLDER[level]) != pl.col(PREV[level])).fill_null(True)
        for level in LEVELS
    }
    # The rows where the case reached a new person (its first row too): the earliest at which
    # its last holder held it is among them (``_reached_wd``).
    person = pl.col(HOLDER["person"])
    reached_here = person.is_not_null() & (person != pl.col(PREV["person"])).fill_null(True)
    last_person = person.drop_nulls().last()
    return (
        prepared.filter(
            unprotected
            & (
                carries_due
                | is_done
                | cancelled
                | last_of_case
                | pl.col(REORGANIZED)
                | reached_here
            )
        )
        .group_by(CASE_KEY)
        .agg(
            pl.col(CASE_ID).first(),
            pl.coalesce(
                pl.col(DUE).filter(carries_due).last(), pl.col(DUE).filter(case_due).last()
            ).alias("_due"),
            pl.coalesce(
                pl.col(EVENT_ID).filter(carries_due).last(),
                pl.col(EVENT_ID).filter(case_due).last(),
            ).alias("_due_e"),
            pl.col(WD).filter(is_done).first().alias("_done_wd"),
            pl.col(WD).first().alias("_start_wd"),
            pl.col(EVENT_ID).filter(is_done).first().alias("_done_e"),
            cancelled.any().alias("_cancelled"),
            pl.col(EVENT_ID).last().alias("_last_e"),
            pl.col(HOLDER["unit"]).drop_nulls().last().alias("_unit"),
            last_person.alias("_person"),
            pl.col(WD).filter(person == last_person).min().alias("_reached_wd"),
            pl.col(END_WD).first(),
            *[pl.col(WD).filter(inherited[lv]).last().alias(f"_inherit_{lv}") for lv in LEVELS],
        )
        .join(progress, on=CASE_KEY, how="left")
        .with_columns(pl.col("_progress").fill_null(0))
        .filter(pl.col("_due").is_not_null() & ~pl.col("_cancelled"))
        .join(excused, on=CASE_KEY, how="left")
        .with_columns(due_ordinal(pl.col("_due"), calendar).alias("_due_wd"))
        .with_columns(
            (
                pl.coalesce("_done_wd", END_WD)
                - pl.col("_due_wd")
                - pl.col("_excused_days").fill_null(0)
            ).alias("_late_days"),
            *[_receivers_late(level) for level in LEVELS],
        )
    )


def _receivers_late(level: str) -> pl.Expr:
    """``_late_<level>``: the lateness charged to the case's last holder at ``level``.

    As ``_late_days``, except for a case its holder inherited by a reorganisation (``_inherit_
    <level>``: a dissolved unit's open case moved to them): the receiver could neither have
    kept the old deadline (often already past) nor have chosen to take the case on, so they are
    given the time the case was first given, from when it reached them, and judged against the
    later of that and the deadline. A holder whose custody did not begin with a reorganisation
    (the person who moved with their cases to the successor unit) keeps the case's deadline.
    """
    return (
        pl.coalesce("_done_wd", END_WD)
        - _receivers_deadline(level)
        - pl.col("_excused_days").fill_null(0)
    ).alias(f"_late_{level}")


def _receivers_deadline(level: str) -> pl.Expr:
    """The working-day deadline the case's last holder at ``level`` is judged against (see
    :func:`_receivers_late`)."""
    allotted = (pl.col("_due_wd") - pl.col("_start_wd")).clip(lower_bound=0)
    return pl.max_horizontal("_due_wd", pl.col(f"_inherit_{level}") + allotted)


def _deadline_obs(
    frame: pl.LazyFrame, hit: pl.Expr, *, reached_in_time: bool = False
) -> pl.LazyFrame:
    """Compact observations: one value row per case with a deadline (weight 1, the lateness),
    plus one evidence row per hit (weight 0); evidence lists are built for the hits only.

    ``reached_in_time``: a person is judged only on the cases that reached them by their
    deadline's day. A specialist handed a case after its deadline (the head sat on it, the
    previous holder ran over) could not have kept it; the lateness is the unit's, which still
    counts the case, and whoever held the case before them."""
    evidence = pl.concat_list("_due_e", pl.coalesce("_done_e", "_last_e"))
    out = []
    for level, column in (("unit", "_unit"), ("person", "_person")):
        # Lateness and the inheritance day as charged to this level's holder (``_late_days``
        # and ``_inherit`` in ``hit``): they differ only on cases inherited by a
        # reorganisation.
        rows = frame.filter(pl.col(column).is_not_null()).with_columns(
            pl.col(f"_late_{level}").alias("_late_days"),
            pl.col(f"_inherit_{level}").alias("_inherit"),
        )
        if reached_in_time and level == "person":
            rows = rows.filter(pl.col("_reached_wd") <= _receivers_deadline(level))
        subject = pl.col(column).cast(pl.String).alias(SUBJECT_ID)
        values = rows.select(
            pl.lit(level).alias(SUBJECT_TYPE),
            subject,
            pl.col("_late_days").cast(pl.Float64).alias(VALUE),
            pl.lit(1).alias(WEIGHT),
        )
        hits = rows.filter(hit).select(
            pl.lit(level).alias(SUBJECT_TYPE),
            subject,
            pl.col(CASE_ID).alias(ITEM_ID),
            CASE_ID,
            evidence.alias(EVIDENCE),
            pl.lit(0).alias(WEIGHT),
        )
        out += [as_obs(values), as_obs(hits)]
    return pl.concat(out)


def late(prepared: pl.LazyFrame, params: DetectionParams, calendar: WorkCalendar) -> pl.LazyFrame:
    """Cases completed after their (extended) deadline, or still open past it, once the time
    spent waiting on others is deducted. The subject is the last holder; the item is the case
    (for a person, only the cases that reached them by their deadline's day)."""
    frame = _case_deadlines(prepared, calendar)
    late_days = pl.col("_late_days") > params.late_grace_days
    return _deadline_obs(frame, late_days, reached_in_time=True)


def no_progress(
    prepared: pl.LazyFrame, params: DetectionParams, calendar: WorkCalendar
) -> pl.LazyFrame:
    """Cases with a deadline that ran ``silent_days`` working days or more (to completion, or
    to the end of the log) with at most ``silent_reports`` progress reports, late or not.

    Sparse reporting is what a stalling officer leaves on nearly every case, not only on the
    few where an idle spell or a pause shows: one report in two weeks or more of work. The
    time spent waiting on a coordination answer or on a reviewed pause (a legal obstacle the
    superior confirmed) is deducted, as for lateness: a case that ran long because others held
    the ball is judged on its holder's own time.
    """
    # The span is the last holder's own: from when the case reached them (a specialist cannot
    # report on a case their head has not yet handed down), less the waiting on others.
    frame = _case_deadlines(prepared, calendar)
    # A case inherited by a reorganisation is its receiver's from when it reached them.
    span = (
        pl.coalesce("_done_wd", END_WD)
        - pl.max_horizontal("_start_wd", "_reached_wd", "_inherit")
        - pl.col("_excused_days").fill_null(0)
    )
    hit = (pl.col("_progress") <= params.silent_reports) & (span >= params.silent_days)
    return _deadline_obs(frame, hit)


def overdue_silent(
    prepared: pl.LazyFrame, params: DetectionParams, calendar: WorkCalendar
) -> pl.LazyFrame:
    """Late cases (as in :func:`late`) with no progress report at all."""
    frame = _case_deadlines(prepared, calendar)
    hit = (pl.col("_late_days") > params.late_grace_days) & (pl.col("_progress") == 0)
    return _deadline_obs(frame, hit, reached_in_time=True)


REQUESTS = (Activity.SUBMIT, Activity.OPINION_REQUEST, Activity.EXTENSION_REQUEST)
ANSWERS = (
    Activity.APPROVE,
    Activity.REWORK,
    Activity.OPINION_GIVEN,
    Activity.EXTENSION_GRANTED,
    Activity.EXTENSION_REFUSED,
)
CASCADES = (Activity.REASSIGN, Activity.TRANSFER, Activity.ASSIGN)


def slow_decisions(prepared: pl.LazyFrame, params: DetectionParams) -> pl.LazyFrame:
    """Answers a superior kept others waiting for: ``decision_days`` working days or more.

    An answer (approve, rework, opinion given, extension granted or refused) to the request
    just before it in the case (submit, opinion request, extension request), from the request
    to the answer, measured by the decider's own events (a slow head makes the whole division
    slow; this is where the head's part shows). The subject is who decided (and their unit);
    the item is the answer, so the rate is the share of one's answers that were slow.
    """
    act = pl.col(ACTIVITY)
    answered = (
        prepared.filter(~pl.col(IS_PROTECTED) & act.is_in([*REQUESTS, *ANSWERS]))
        .with_columns(
            shift_within(act, 1, CASE_KEY).alias("_prev_act"),
            shift_within(pl.col(WD), 1, CASE_KEY).alias("_since"),
            shift_within(pl.col(EVENT_ID), 1, CASE_KEY).alias("_from_e"),
        )
        .filter(act.is_in(list(ANSWERS)) & pl.col("_prev_act").is_in(list(REQUESTS)))
    )
    return _decision_obs(answered, params)


def slow_cascades(prepared: pl.LazyFrame, params: DetectionParams) -> pl.LazyFrame:
    """Cases a holder sat on before handing them down their own unit (head → specialist):
    ``decision_days`` working days or more from taking the case up to the hand-over.

    A test of its own, apart from the answers (:func:`slow_decisions`): a head who sits on the
    cascade answers submissions as fast as anyone, and the two mixed in one rate halve the
    cascade's excess (every answer is an item too). Measured from the holder's own acceptance
    when the log has one (else from when the case reached them): a late acceptance is
    avoidance's ``unaccepted``, and counting it here too would charge one delay twice and
    raise every head's baseline. The item is the cascade, the subject who made it; the
    evidence the acceptance (or the hand-over in) and the cascade. A case the holder received
    in a reorganisation (``REORGANIZED``: a dissolved unit's open files, all at once) is not
    counted.

    Person level only: the case waited in the head's hands before any member had seen it, so
    it says nothing of how the division works as a whole (measured: counted for the unit too,
    a division whose head alone sits on the cascade was a unit finding as often as a division
    slow as a whole; docs/detection.md, "The cascade is the head's own").
    """
    act = pl.col(ACTIVITY)
    person = pl.col(HOLDER["person"])
    changed = (person != pl.col("_prev_actor")).fill_null(True)
    # The holder's own acceptance restarts the clock: keep it beside the custody changes.
    took_up = ((act == Activity.ACCEPT) & (pl.col(ACTING["person"]) == person)).fill_null(False)
    cascades = (
        prepared.filter(~pl.col(IS_PROTECTED) & person.is_not_null() & (changed | took_up))
        .with_columns(
            shift_within(pl.col(WD), 1, CASE_KEY).alias("_since"),
            shift_within(pl.col(EVENT_ID), 1, CASE_KEY).alias("_from_e"),
            # Whether the custody this cascade ends began with a reorganisation hand-over.
            shift_within(
                ffill_within(pl.when(changed).then(pl.col(REORGANIZED)), CASE_KEY), 1, CASE_KEY
            )
            .fill_null(False)
            .alias("_inherited"),
        )
        .filter(
            changed
            & act.is_in(list(CASCADES))
            & (pl.col(ACTING["person"]) == pl.col("_prev_actor"))
            & (pl.col(HOLDER["unit"]) == pl.col("_prev_unit"))
            # A head who inherited a dissolved unit's open files at once hands them down in
            # the days that takes: not sitting on a case they were given in the ordinary way.
            & ~pl.col("_inherited")
        )
    )
    return _decision_obs(cascades, params, levels=("person",))


def _decision_obs(
    decisions: pl.LazyFrame, params: DetectionParams, levels: tuple[str, ...] = LEVELS
) -> pl.LazyFrame:
    """Full observations of decisions (one row per decision, its delay as the value), a hit
    when the delay reaches ``decision_days``; the subject is the decider and their unit."""
    columns = [CASE_ID, EVENT_ID, WD, "_since", "_from_e", ACTING["unit"], ACTING["person"]]
    rows = (
        decisions.select(columns)
        .with_columns(pl.col(*ACTING.values()).cast(pl.String))
        .with_columns((pl.col(WD) - pl.col("_since")).alias("_delay"))
    )
    slow = pl.col("_delay") >= params.decision_days
    out = []
    for level in levels:
        subject = pl.col(ACTING[level])
        out.append(
            rows.filter(subject.is_not_null())
            .select(
                pl.lit(level).alias(SUBJECT_TYPE),
                subject.alias(SUBJECT_ID),
                pl.col(EVENT_ID).alias(ITEM_ID),
                CASE_ID,
                pl.when(slow).then(pl.concat_list("_from_e", EVENT_ID)).alias(EVIDENCE),
                pl.col("_delay").cast(pl.Float64).alias(VALUE),
                pl.lit(1).alias(WEIGHT),
            )
            .select([pl.col(c).cast(t) for c, t in OBS_SCHEMA.items()])
        )
    return pl.concat(out)
