"""Fear of responsibility (sợ trách nhiệm, không dám làm): asking superiors about matters within
one's own authority, and pushing decisions upward.

Công điện 280/CĐ-TTg names "không quyết định công việc thuộc thẩm quyền; đẩy việc lên cấp trên".
Pushing work sideways is measured by the transfer rate (buck-passing).
"""

from __future__ import annotations

import polars as pl

from congvu_analytics.detect._common import (
    ACTING,
    CASE_KEY,
    HOLDER,
    ITEM_ID,
    LEGIT,
    LEVELS,
    PREV,
    SUBJECT_ID,
    SUBJECT_TYPE,
    held,
    hits_frame,
    observe,
)
from congvu_analytics.detect.params import DetectionParams
from congvu_analytics.schema import (
    ACTIVITY,
    EVENT_ID,
    HOLDER_UNIT,
    SUBJECT_AUTHORITY,
    UNIT,
    Activity,
)


def opinions(prepared: pl.LazyFrame, params: DetectionParams) -> pl.LazyFrame:
    """Share of held cases on which the subject asked a superior for an opinion on a matter
    within their own authority. When the log does not say (``within_authority`` null), every
    opinion request counts, so the rate becomes "share of tasks with an opinion request",
    compared with peers; a request marked outside the asker's authority never counts."""
    del params
    out = []
    for level in LEVELS:
        rows = prepared.filter(
            (pl.col(ACTIVITY) == Activity.OPINION_REQUEST)
            & pl.col(SUBJECT_AUTHORITY).fill_null(True)
        )
        workload = held(prepared, level)
        # The asker may not be a holder of the case (a deputy asking for the holder): keep only
        # requests on cases in the asker's own workload.
        hits = hits_frame(rows, level, pl.col(ACTING[level]), pl.concat_list(EVENT_ID)).join(
            workload, on=[SUBJECT_TYPE, SUBJECT_ID, ITEM_ID], how="semi"
        )
        out.append(observe(workload, hits))
    return pl.concat(out)


def push_up(prepared: pl.LazyFrame, params: DetectionParams) -> pl.LazyFrame:
    """Transfers and returns that move the case upward instead of deciding it.

    Upward means to a unit of a higher level when ``params.unit_levels`` is given (level 1 is the
    top); otherwise back to the case's assigner (the unit, or person, that assigned it).
    Legitimate misrouted hand-overs are excluded.
    """
    act = pl.col(ACTIVITY)
    assigner = {
        level: pl.col(ACTING[level]).filter(act == Activity.ASSIGN).first().over(CASE_KEY)
        for level in LEVELS
    }
    moves = prepared.with_columns(
        assigner["unit"].alias("_assigner_unit"), assigner["person"].alias("_assigner_actor")
    ).filter(act.is_in([Activity.TRANSFER, Activity.RETURN]) & ~pl.col(LEGIT))
    if params.unit_levels:
        levels = pl.LazyFrame(
            {UNIT: list(params.unit_levels), "_lvl": list(params.unit_levels.values())},
            schema={UNIT: pl.String(), "_lvl": pl.Int64()},
        )
        moves = (
            moves.join(levels.rename({UNIT: "_to", "_lvl": "_to_lvl"}), left_on=pl.col(HOLDER_UNIT).cast(pl.String), right_on="_to", how="left")
            .join(levels.rename({UNIT: "_from", "_lvl": "_from_lvl"}), left_on=pl.col("_prev_unit").cast(pl.String), right_on="_from", how="left")
        )  # fmt: skip
        upward = {level: pl.col("_to_lvl") < pl.col("_from_lvl") for level in LEVELS}
    else:
        upward = {
            "unit": (pl.col(HOLDER_UNIT) == pl.col("_assigner_unit"))
            & (pl.col("_prev_unit") != pl.col("_assigner_unit")),
            "person": (pl.col(HOLDER["person"]) == pl.col("_assigner_actor"))
            & (pl.col("_prev_actor") != pl.col("_assigner_actor")),
        }
    out = []
    for level in LEVELS:
        rows = moves.filter(upward[level].fill_null(False))
        subject = pl.coalesce(PREV[level], ACTING[level])
        hits = hits_frame(rows, level, subject, pl.concat_list(EVENT_ID))
        out.append(observe(held(prepared, level), hits))
    return pl.concat(out)
