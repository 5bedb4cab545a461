"""Buck-passing (đùn đẩy): custody bouncing back, long transfer chains, transfer and return rates.

Each function takes the prepared frame (:func:`congvu_analytics.detect._common.prepare`) and
returns observations for units and people: one row per case the subject held, with the evidence
events when the case shows the behaviour. A person's workload leaves out the cases they only
passed down their own unit (:func:`congvu_analytics.detect._common.undelegated_workload`).
"""

from __future__ import annotations

import polars as pl

from congvu_analytics.detect._common import (
    ACTING,
    CASE_KEY,
    ESCALATED,
    LEGIT,
    LEVELS,
    PREV,
    first_change_rows,
    hits_frame,
    observe,
    undelegated_workload,
)
from congvu_analytics.detect.params import DetectionParams
from congvu_analytics.schema import ACTIVITY, EVENT_ID, Activity


def ping_pong(prepared: pl.LazyFrame, params: DetectionParams) -> pl.LazyFrame:
    """Custody A→B→A after a sideways transfer: the case came back to A from B unsettled.

    Who pushed it away is told by whose job it turned out to be: when A kept the case to the
    end, A's transfer had no basis and A is the subject; when it ended with B after all, B
    bounced work that was theirs and B is the subject; when it ended with a third holder, it
    was misrouted for both and nobody is. The evidence is the transfer into B and the hand-over
    back. The workload is the cases the subject held, counted once per case however many times
    it bounced. A hand-over back to whoever *assigned* the work is not a ping-pong (it is a
    return, :func:`returns`).
    """
    del params
    out = []
    for level in LEVELS:
        changes = first_change_rows(prepared, level)
        bounces = changes.filter(
            (pl.col("_h") == pl.col("_p2")) & (pl.col("_a1") == Activity.TRANSFER)
        )
        subject = (
            pl.when(pl.col("_final_h") == pl.col("_h"))
            .then(pl.col("_h"))
            .when(pl.col("_final_h") == pl.col("_p1"))
            .then(pl.col("_p1"))
        )
        hits = hits_frame(bounces, level, subject, pl.concat_list("_e1", EVENT_ID))
        out.append(observe(undelegated_workload(prepared, level), hits))
    return pl.concat(out)


def long_chain(prepared: pl.LazyFrame, params: DetectionParams) -> pl.LazyFrame:
    """Cases passed sideways through ``long_chain_holders`` or more holders.

    Only sideways hand-overs (transfer, return, decline) lengthen the chain: the cascade down
    the hierarchy (leader → division head → specialist) is how work is assigned, not passed
    around; neither do legitimate misrouted hand-overs. Every holder who passed the case on in
    such a chain is a subject, with their outgoing hand-overs as evidence — except a holder
    who only sent a sideways transfer straight back to its sender when the case did not end
    with them: as in :func:`ping_pong`, it turned out not to be their work, and sending it back
    is declining someone else's buck, not passing one (the bounce still lengthens the chain the
    others are charged for).
    """
    sideways = pl.col(ACTIVITY).is_in([Activity.TRANSFER, Activity.RETURN, Activity.DECLINE])
    # A transfer into _p1 that _p1 hands straight back to its sender (_p2).
    bounced_back = (pl.col("_h") == pl.col("_p2")) & (pl.col("_a1") == Activity.TRANSFER)
    not_theirs = bounced_back & (pl.col("_final_h") != pl.col("_p1"))
    out = []
    for level in LEVELS:
        changes = first_change_rows(prepared, level).with_columns(
            (pl.col("_p1").is_not_null() & sideways & ~pl.col(LEGIT) & ~pl.col(ESCALATED)).alias(
                "_counted"
            )
        )
        chain = changes.with_columns(
            (pl.col("_counted").sum().over(CASE_KEY) + 1).alias("_holders")
        ).filter(
            pl.col("_counted")
            & (pl.col("_holders") >= params.long_chain_holders)
            & ~not_theirs.fill_null(False)
        )
        hits = hits_frame(chain, level, pl.col("_p1"), pl.concat_list(EVENT_ID))
        out.append(observe(undelegated_workload(prepared, level), hits))
    return pl.concat(out)


def _handover_rate(prepared: pl.LazyFrame, activity: Activity) -> pl.LazyFrame:
    out = []
    for level in LEVELS:
        rows = prepared.filter((pl.col(ACTIVITY) == activity) & ~pl.col(LEGIT) & ~pl.col(ESCALATED))
        subject = pl.coalesce(PREV[level], ACTING[level])
        hits = hits_frame(rows, level, subject, pl.concat_list(EVENT_ID))
        out.append(observe(undelegated_workload(prepared, level), hits))
    return pl.concat(out)


def transfers(prepared: pl.LazyFrame, params: DetectionParams) -> pl.LazyFrame:
    """Share of held cases the subject transferred away (misrouted-then-accepted excluded)."""
    del params
    return _handover_rate(prepared, Activity.TRANSFER)


def returns(prepared: pl.LazyFrame, params: DetectionParams) -> pl.LazyFrame:
    """Share of held cases the subject handed back to whoever assigned them the work.

    Sending back a sideways transfer is judged by :func:`ping_pong` (by whose job it turned out
    to be); misrouted-then-accepted returns are legitimate; a return asking the superior to
    decide (``ReasonCode.ESCALATE``) is fear's ``push_upward``, not buck-passing.
    """
    del params
    out = []
    for level in LEVELS:
        rows = first_change_rows(prepared, level).filter(
            (pl.col(ACTIVITY) == Activity.RETURN)
            & ~pl.col(LEGIT)
            & ~pl.col(ESCALATED)
            & pl.col("_a1").is_in([Activity.ASSIGN, Activity.REASSIGN])
        )
        hits = hits_frame(rows, level, pl.col("_p1"), pl.concat_list(EVENT_ID))
        out.append(observe(undelegated_workload(prepared, level), hits))
    return pl.concat(out)
