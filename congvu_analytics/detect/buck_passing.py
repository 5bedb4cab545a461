"""Buck-passing (đùn đẩy): custody bouncing back, long transfer chains, transfer and return rates.

Each function takes the prepared frame (:func:`congvu_analytics.detect._common.prepare`) and
returns observations for units and people: one row per case the subject held, with the evidence
events when the case shows the behaviour.
"""

from __future__ import annotations

import polars as pl

from congvu_analytics.detect._common import (
    ACTING,
    CASE_KEY,
    LEGIT,
    LEVELS,
    PREV,
    count_items,
    first_change_rows,
    hits_frame,
    observe,
    workload,
)
from congvu_analytics.detect.params import DetectionParams
from congvu_analytics.schema import ACTIVITY, EVENT_ID, Activity


def ping_pong(prepared: pl.LazyFrame, params: DetectionParams) -> pl.LazyFrame:
    """Custody A→B→A: the case came back to A from B without being settled.

    The subject is B, the holder who sent it back; the evidence is the hand-over into B and the
    hand-over back. The workload is the cases B received from another holder (only those can
    bounce), counted once per case however many times it bounced.
    """
    del params
    out = []
    for level in LEVELS:
        changes = first_change_rows(prepared, level)
        received = count_items(
            changes.filter(pl.col("_p1").is_not_null()).unique(subset=["_h", CASE_KEY]),
            level,
            "_h",
        )
        bounces = changes.filter(pl.col("_h") == pl.col("_p2"))
        hits = hits_frame(bounces, level, pl.col("_p1"), pl.concat_list("_e1", EVENT_ID))
        out.append(observe(received, hits))
    return pl.concat(out)


def long_chain(prepared: pl.LazyFrame, params: DetectionParams) -> pl.LazyFrame:
    """Cases whose custody passed through ``long_chain_holders`` or more holders.

    Legitimate misrouted hand-overs do not lengthen the chain. Every holder who passed the case
    on in such a chain is a subject, with their outgoing hand-overs as evidence.
    """
    out = []
    for level in LEVELS:
        changes = first_change_rows(prepared, level).with_columns(
            (pl.col("_p1").is_not_null() & ~pl.col(LEGIT)).alias("_counted")
        )
        chain = changes.with_columns(
            (pl.col("_counted").sum().over(CASE_KEY) + 1).alias("_holders")
        ).filter(pl.col("_counted") & (pl.col("_holders") >= params.long_chain_holders))
        hits = hits_frame(chain, level, pl.col("_p1"), pl.concat_list(EVENT_ID))
        out.append(observe(workload(prepared, level), hits))
    return pl.concat(out)


def _handover_rate(prepared: pl.LazyFrame, activity: Activity) -> pl.LazyFrame:
    out = []
    for level in LEVELS:
        rows = prepared.filter((pl.col(ACTIVITY) == activity) & ~pl.col(LEGIT))
        subject = pl.coalesce(PREV[level], ACTING[level])
        hits = hits_frame(rows, level, subject, pl.concat_list(EVENT_ID))
        out.append(observe(workload(prepared, level), hits))
    return pl.concat(out)


def transfers(prepared: pl.LazyFrame, params: DetectionParams) -> pl.LazyFrame:
    """Share of held cases the subject transferred away (misrouted-then-accepted excluded)."""
    del params
    return _handover_rate(prepared, Activity.TRANSFER)


def returns(prepared: pl.LazyFrame, params: DetectionParams) -> pl.LazyFrame:
    """Share of held cases the subject returned to the sender (misrouted-then-accepted excluded)."""
    del params
    return _handover_rate(prepared, Activity.RETURN)
