"""The hand-over network: who passes cases to whom, and how much of it comes back."""

from __future__ import annotations

import polars as pl

from congvu_analytics.detect._common import LEVELS, first_change_rows

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
        prepared: the output of :func:`congvu_analytics.detect._common.prepare`.

    Returns:
        One row per (level, from_holder, to_holder), sorted.
    """
    out = []
    for level in LEVELS:
        edges = (
            first_change_rows(prepared, level)
            .filter(pl.col("_p1").is_not_null())
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
