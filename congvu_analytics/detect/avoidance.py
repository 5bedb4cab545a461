"""Avoidance (né tránh): declines, coordination requests left unanswered or answered with no
clear position, and hand-overs left unaccepted.

Protected cases (approved innovation proposal, Decree 73/2023) are left out entirely.
"""

from __future__ import annotations

import polars as pl

from congvu_analytics.detect._common import (
    ACTING,
    CASE_KEY,
    CLOSED,
    END_WD,
    EVIDENCE,
    HOLDER,
    IS_PROTECTED,
    ITEM_ID,
    LEGIT,
    LEVELS,
    PREV,
    REORGANIZED,
    SEG,
    SUBJECT_ID,
    SUBJECT_TYPE,
    WD,
    WEIGHT,
    due_ordinal,
    hits_frame,
    observe,
    workload,
)
from congvu_analytics.detect.params import DetectionParams
from congvu_analytics.frames import bfill_within, is_group_start, shift_within
from congvu_analytics.schema import (
    ACTIVITY,
    ACTOR,
    CASE_ID,
    DUE,
    EVENT_ID,
    POSITION,
    REF_EVENT_ID,
    TARGET_ACTOR,
    TARGET_UNIT,
    TIMESTAMP,
    Activity,
)
from congvu_analytics.workdays import WorkCalendar

# Anything the holder does that shows they have taken the hand-over up (or turned it down).
RESPONSES = (
    Activity.ACCEPT,
    Activity.DECLINE,
    Activity.RETURN,
    Activity.TRANSFER,
    Activity.PROGRESS,
    Activity.WORK,
    Activity.SUBMIT,
    Activity.COMPLETE,
    Activity.PAUSE,
)


def declines(prepared: pl.LazyFrame, params: DetectionParams) -> pl.LazyFrame:
    """Share of held cases the subject declined (misrouted declines that the competent unit then
    accepted are legitimate)."""
    del params
    out = []
    for level in LEVELS:
        rows = prepared.filter(
            (pl.col(ACTIVITY) == Activity.DECLINE) & ~pl.col(LEGIT) & ~pl.col(IS_PROTECTED)
        )
        subject = pl.coalesce(PREV[level], ACTING[level])
        hits = hits_frame(rows, level, subject, pl.concat_list(EVENT_ID))
        out.append(observe(workload(prepared, level, include_protected=False), hits))
    return pl.concat(out)


def coordination(
    prepared: pl.LazyFrame, params: DetectionParams, calendar: WorkCalendar
) -> pl.LazyFrame:
    """Coordination requests not answered by their due, closed by ``deemed_agree`` (Công điện
    280/CĐ-TTg: silence counts as agreement and the consulted body bears responsibility), or
    answered with no clear position. The subject is the coordinating unit (and the person asked,
    when known); the item is the request, so the rate is per request received. An answer with
    a clear position counts as late from ``coord_late_days`` working days after the due date
    (a slip into the next morning is not avoidance).
    """
    act = pl.col(ACTIVITY)
    requests = prepared.filter((act == Activity.COORD_REQUEST) & ~pl.col(IS_PROTECTED)).select(
        pl.col(EVENT_ID).alias("_req"),
        CASE_ID,
        TARGET_UNIT,
        TARGET_ACTOR,
        END_WD,
        due_ordinal(pl.col(DUE), calendar).alias("_due_wd"),
    )
    answers = (
        prepared.filter((act == Activity.COORD_ANSWER) & pl.col(REF_EVENT_ID).is_not_null())
        .sort(TIMESTAMP, EVENT_ID)
        .group_by(REF_EVENT_ID)
        .agg(
            pl.col(EVENT_ID).first().alias("_ans"),
            pl.col(WD).first().alias("_ans_wd"),
            pl.col(POSITION).first().alias("_position"),
            pl.col(ACTOR).first().alias("_ans_actor"),
        )
    )
    deemed = (
        prepared.filter((act == Activity.DEEMED_AGREE) & pl.col(REF_EVENT_ID).is_not_null())
        .group_by(REF_EVENT_ID)
        .agg(pl.col(EVENT_ID).min().alias("_deemed"))
    )
    joined = requests.join(answers, left_on="_req", right_on=REF_EVENT_ID, how="left").join(
        deemed, left_on="_req", right_on=REF_EVENT_ID, how="left"
    )
    answered = pl.col("_ans").is_not_null()
    unclear = answered & (pl.col("_position").is_null() | (pl.col("_position") == "none"))
    hit = (
        pl.col("_deemed").is_not_null()
        | (~answered & (pl.col("_due_wd") < pl.col(END_WD)))
        | (pl.col("_ans_wd") - pl.col("_due_wd") >= params.coord_late_days).fill_null(False)
        | unclear
    ).fill_null(False)
    evidence = pl.concat_list("_req", "_ans", "_deemed").list.drop_nulls()
    subjects = {"unit": pl.col(TARGET_UNIT), "person": pl.coalesce(TARGET_ACTOR, "_ans_actor")}
    out = []
    for level, subject in subjects.items():
        rows = joined.filter(subject.is_not_null())
        counts = rows.select(
            pl.lit(level).alias(SUBJECT_TYPE), subject.cast(pl.String).alias(SUBJECT_ID)
        ).with_columns(pl.lit(1).alias(WEIGHT))
        hits = rows.filter(hit).select(
            pl.lit(level).alias(SUBJECT_TYPE),
            subject.cast(pl.String).alias(SUBJECT_ID),
            pl.col("_req").alias(ITEM_ID),
            CASE_ID,
            evidence.alias(EVIDENCE),
        )
        out.append(observe(counts, hits))
    return pl.concat(out)


def unaccepted(prepared: pl.LazyFrame, params: DetectionParams) -> pl.LazyFrame:
    """Hand-overs (assign/transfer/reassign) the receiver neither accepted nor acted on within
    ``accept_days`` working days (or has not yet, at the end of the log); not those the
    receiver then passed on as misrouted to a unit that took them (a legitimate misrouting), nor
    a reorganisation's hand-over of a dissolved unit's open cases."""
    act = pl.col(ACTIVITY)
    start = is_group_start(SEG)
    last_of_case = (pl.col(CASE_KEY) != pl.col(CASE_KEY).shift(-1)).fill_null(True)

    def next_after(expr: pl.Expr) -> pl.Expr:
        """The value at the next row (strictly after this one) where ``expr`` is set."""
        return shift_within(bfill_within(expr, CASE_KEY), -1, CASE_KEY)

    # Whole-frame passes (fills), then only the hand-over rows: no per-segment grouping.
    late = (
        prepared.with_columns(
            next_after(pl.when(act.is_in(list(RESPONSES))).then(pl.col(WD))).alias("_resp"),
            next_after(pl.when(start).then(pl.col(WD))).alias("_next"),
            # Whether the custody this hand-over opened ended in a legitimate misrouting (passed
            # on as ``misrouted`` and taken by the competent unit).
            # (A reorganisation hand-over ending it is not that: the wait before it is judged.)
            next_after(pl.when(start).then(pl.col(LEGIT) & ~pl.col(REORGANIZED))).alias(
                "_next_legit"
            ),
            bfill_within(pl.when(last_of_case).then(pl.col(CLOSED)), CASE_KEY).alias("_closed"),
        )
        .filter(
            start
            & ~pl.col(IS_PROTECTED)
            & act.is_in([Activity.ASSIGN, Activity.TRANSFER, Activity.REASSIGN])
            # A misrouted hand-over that the receiver routed on to the competent unit is not
            # theirs to accept: the days spent finding out whose it is are the misrouting's,
            # as the misrouted pass-on itself counts for no detector.
            & ~pl.col("_next_legit").fill_null(False)
            # A reorganisation moves a unit's open files en masse: receiving them is not a
            # hand-over anyone chose to leave unanswered (its idle days are still ``idle``'s).
            & ~pl.col(REORGANIZED)
        )
        .with_columns(
            # The hand-over ends at the first response or the next custody change, whichever
            # comes first; an open case with neither runs to the end of the log.
            pl.coalesce(
                pl.min_horizontal("_resp", "_next"),
                pl.when(~pl.col("_closed")).then(pl.col(END_WD)),
            ).alias("_end"),
            pl.col(HOLDER["unit"]).alias("_unit"),
            pl.col(HOLDER["person"]).alias("_person"),
        )
        .filter(((pl.col("_end") - pl.col(WD)) > params.accept_days).fill_null(False))
    )
    out = []
    for level, column in (("unit", "_unit"), ("person", "_person")):
        hits = hits_frame(late, level, pl.col(column), pl.concat_list(EVENT_ID))
        out.append(observe(workload(prepared, level, include_protected=False), hits))
    return pl.concat(out)
