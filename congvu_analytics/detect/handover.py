"""The hand-over network: who passes cases to whom, and how much of it comes back."""

from __future__ import annotations

import polars as pl

from congvu_analytics.custody import CUSTODY_CHANGES, derive_custody, log_facts
from congvu_analytics.detect._common import CASE_KEY, HOLDER, LEVELS, PEOPLE_AND_UNITS
from congvu_analytics.frames import shift_within
from congvu_analytics.schema import (
    ACTIVITY,
    ACTOR,
    CASE_ID,
    EVENT_ID,
    HOLDER_ACTOR,
    HOLDER_UNIT,
    TARGET_ACTOR,
    TARGET_UNIT,
    TIMESTAMP,
    UNIT,
    Activity,
    conform,
)

HANDOVER_SCHEMA: dict[str, pl.DataType] = {
    "level": pl.String(),
    "from_holder": pl.String(),
    "to_holder": pl.String(),
    "count": pl.UInt32(),
    "came_back": pl.UInt32(),
    "came_back_share": pl.Float64(),
}


def handover_network(prepared: pl.LazyFrame) -> pl.LazyFrame:
    """Edges from holder to holder at unit and person level.

    ``count`` is the number of custody changes from ``from_holder`` to ``to_holder``;
    ``came_back`` counts those whose next custody change in the same case went straight back
    (a ping-pong), and ``came_back_share`` is their share.

    Args:
        prepared: events sorted by (case, timestamp, event_id) with holder columns and the
            integer case key ``_cid`` (the output of ``prepare`` or of :func:`with_custody`).

    Returns:
        One row per (level, from_holder, to_holder), sorted.
    """
    out = []
    for level in LEVELS:
        h = pl.col(HOLDER[level])
        prev = shift_within(h, 1, CASE_KEY)
        changes = (
            prepared.filter(h.is_not_null() & (h != prev).fill_null(True))
            .select(CASE_KEY, h.alias("_h"))
            .with_columns(
                shift_within(pl.col("_h"), 1, CASE_KEY).alias("_p1"),
                shift_within(pl.col("_h"), -1, CASE_KEY).alias("_next_h"),
            )
        )
        edges = (
            changes.filter(pl.col("_p1").is_not_null())
            .group_by(pl.col("_p1").alias("from_holder"), pl.col("_h").alias("to_holder"))
            .agg(
                pl.len().alias("count"),
                (pl.col("_next_h") == pl.col("_p1")).fill_null(False).sum().alias("came_back"),
            )
            .with_columns(
                pl.lit(level).alias("level"),
                (pl.col("came_back") / pl.col("count")).alias("came_back_share"),
            )
        )
        out.append(edges.select([pl.col(c).cast(t) for c, t in HANDOVER_SCHEMA.items()]))
    return pl.concat(out).sort("level", "from_holder", "to_holder")


def with_custody(events: pl.LazyFrame) -> pl.LazyFrame:
    """The lean preparation the hand-over network needs: conformed columns for custody only,
    units and people as Categorical, holders derived, the integer case key added.

    When the log carries no holders, custody can only change at assign/transfer/reassign/
    return/decline/accept events, so only those rows are kept: the sequence of holders, hence
    the network, is the same, from a fraction of the rows.
    """
    columns = (EVENT_ID, CASE_ID, ACTIVITY, TIMESTAMP, ACTOR, UNIT, TARGET_ACTOR, TARGET_UNIT,
               HOLDER_ACTOR, HOLDER_UNIT)  # fmt: skip
    lean = conform(events).select(*columns)
    facts = log_facts(lean)
    if not facts.has_holders:
        moves = [a.value for a in (*CUSTODY_CHANGES, Activity.ACCEPT)]
        lean = lean.filter(pl.col(ACTIVITY).is_in(moves))
    lean = lean.with_columns(pl.col(*PEOPLE_AND_UNITS).cast(pl.Categorical))
    return derive_custody(
        lean, presorted=facts.presorted, has_holders=facts.has_holders
    ).with_columns(pl.col(CASE_ID).rle_id().alias(CASE_KEY))


def handover_from_events(events: pl.LazyFrame) -> pl.DataFrame:
    """The hand-over network straight from a canonical log (custody derived where missing).

    Examples:
        >>> from datetime import datetime, UTC
        >>> t = lambda d: datetime(2025, 3, d, tzinfo=UTC)
        >>> log = pl.LazyFrame({
        ...     "event_id": ["1", "2", "3"], "case_id": ["c", "c", "c"],
        ...     "activity": ["assign", "transfer", "return"], "timestamp": [t(3), t(4), t(5)],
        ...     "actor": ["boss", "a", "b"], "unit": ["UB", "A", "B"],
        ...     "target_unit": ["A", "B", None], "target_actor": ["a", "b", None]})
        >>> handover_from_events(log).filter(level="unit").rows()
        [('unit', 'A', 'B', 1, 1, 1.0), ('unit', 'B', 'A', 1, 0, 0.0)]
    """
    return handover_network(with_custody(events)).collect()
