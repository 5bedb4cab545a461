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
    LEGIT_BY_REASON,
    LEVEL_COLUMN,
    LEVELS,
    PREV,
    REORGANIZED,
    SUBJECT_ID,
    SUBJECT_TYPE,
    held,
    hits_frame,
    observe,
    workload,
)
from congvu_analytics.detect.params import DetectionParams
from congvu_analytics.frames import shift_within
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
        # The asker may not be a holder of the case (a deputy asking for the holder): keep only
        # requests on cases in the asker's own workload.
        hits = hits_frame(rows, level, pl.col(ACTING[level]), pl.concat_list(EVENT_ID)).join(
            held(prepared, level), on=[SUBJECT_TYPE, SUBJECT_ID, ITEM_ID], how="semi"
        )
        out.append(observe(workload(prepared, level), hits))
    return pl.concat(out)


def push_up(prepared: pl.LazyFrame, params: DetectionParams) -> pl.LazyFrame:
    """Custody moves that push the case upward instead of deciding it.

    A move is a change of holder made by the holder's side (not the first assignment, not a
    reassignment by the assigner, not a decline, not a legitimate misrouting, not a
    reorganisation's hand-over). It is upward when
    the receiving unit's level is higher (HIGHER = FURTHER UP, as the ``level`` column of the
    schema) according to, in order: ``params.unit_levels``; a ``level`` column carried by the
    log (the holder's tier after each event, e.g. support lines 1/2/3 mapped from BPIC 2013);
    otherwise "back to the case's assigner" (unit, or person).
    """
    act = pl.col(ACTIVITY)
    names = prepared.collect_schema().names()
    not_a_push = [Activity.ASSIGN, Activity.REASSIGN, Activity.DECLINE]
    moved = {
        level: pl.col(HOLDER[level]).is_not_null()
        & pl.col(PREV[level]).is_not_null()
        & (pl.col(HOLDER[level]) != pl.col(PREV[level]))
        for level in LEVELS
    }
    frame = prepared
    if not params.unit_levels and LEVEL_COLUMN in names:
        frame = frame.with_columns(
            shift_within(pl.col(LEVEL_COLUMN), 1, CASE_KEY).alias("_from_lvl")
        )
    # Candidate moves first (a small share of the rows), then everything else on them.
    moves = frame.filter(
        # Only a hand-over the log calls misrouted is excused here: a presumed misrouting
        # (unknown reason, see ``presumed_misroutes``) is about work passed *sideways*; whether
        # moving a case up the tiers was fear is this detector's own question. A reorganisation
        # hand-over is nobody's decision to push: the unit itself ended.
        (moved["unit"] | moved["person"])
        & ~act.is_in(not_a_push)
        & ~pl.col(LEGIT_BY_REASON)
        & ~pl.col(REORGANIZED)
    ).with_columns(pl.col(HOLDER_UNIT, "_prev_unit").cast(pl.String).name.prefix("_s"))
    assigners = (
        prepared.filter(act == Activity.ASSIGN)
        .group_by(CASE_KEY)
        .agg(
            pl.col(UNIT).first().alias("_assigner_unit"),
            pl.col(ACTING["person"]).first().alias("_assigner_actor"),
        )
    )
    moves = moves.join(assigners, on=CASE_KEY, how="left")
    if params.unit_levels:
        levels = pl.LazyFrame(
            {UNIT: list(params.unit_levels), "_lvl": list(params.unit_levels.values())},
            schema={UNIT: pl.String(), "_lvl": pl.Int64()},
        )
        moves = (
            moves.join(levels.rename({UNIT: "_s" + HOLDER_UNIT, "_lvl": "_to_lvl"}), on="_s" + HOLDER_UNIT, how="left")
            .join(levels.rename({UNIT: "_s_prev_unit", "_lvl": "_from_lvl"}), on="_s_prev_unit", how="left")
        )  # fmt: skip
        to_lvl: pl.Expr | None = pl.col("_to_lvl")
    elif LEVEL_COLUMN in names:
        to_lvl = pl.col(LEVEL_COLUMN)
    else:
        to_lvl = None
    # "Back to the case's assigner": the rule when no tiers are known, and the fallback for a
    # move whose tiers are unknown (a unit missing from the map, a log row without a level).
    upward = {
        "unit": (pl.col(HOLDER_UNIT) == pl.col("_assigner_unit"))
        & (pl.col("_prev_unit") != pl.col("_assigner_unit")),
        "person": (pl.col(HOLDER["person"]) == pl.col("_assigner_actor"))
        & (pl.col("_prev_actor") != pl.col("_assigner_actor")),
    }
    if to_lvl is not None:
        known = to_lvl.is_not_null() & pl.col("_from_lvl").is_not_null()
        upward = {
            level: pl.when(known).then(to_lvl > pl.col("_from_lvl")).otherwise(rule)
            for level, rule in upward.items()
        }
    out = []
    for level in LEVELS:
        rows = moves.filter(moved[level] & upward[level].fill_null(False))
        hits = hits_frame(rows, level, pl.col(PREV[level]), pl.concat_list(EVENT_ID))
        out.append(observe(workload(prepared, level), hits))
    return pl.concat(out)
