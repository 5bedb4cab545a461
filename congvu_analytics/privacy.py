"""Exports for analysis without names: pseudonymised and de-identified event frames.

Pure frame-in/frame-out (no Django). The keyed pseudonyms are made by the caller (they need
the key, which never enters the analytics package) and passed in as a mapping.
"""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

from congvu_analytics import schema as s

PERSON_COLUMNS = (s.ACTOR, s.TARGET_ACTOR, s.HOLDER_ACTOR)
UNIT_COLUMNS = (s.UNIT, s.TARGET_UNIT, s.HOLDER_UNIT)
# Free text may name people or describe their health or family: never exported.
FREE_TEXT_COLUMNS = (s.REASON_TEXT,)
OTHER = "(khác)"


def people(events: pl.LazyFrame) -> pl.LazyFrame:
    """The distinct person codes of the frame (one column `person`), for the caller to map.

    Examples:
        >>> lf = pl.LazyFrame({"actor": ["A", "B"], "target_actor": ["B", None],
        ...                    "holder_actor": [None, "C"]})
        >>> sorted(people(lf).collect()["person"].to_list())
        ['A', 'B', 'C']
    """
    cols = [c for c in PERSON_COLUMNS if c in events.collect_schema().names()]
    return pl.concat([events.select(pl.col(c).alias("person")) for c in cols]).drop_nulls().unique()


def pseudonymise(events: pl.LazyFrame, pseudonyms: Mapping[str, str]) -> pl.LazyFrame:
    """Replace every person code by its pseudonym (a code missing from the mapping becomes
    null rather than leak) and drop free text. Units, times and activities stay."""
    names = events.collect_schema().names()
    return events.with_columns(
        *(
            pl.col(c).replace_strict(dict(pseudonyms), default=None, return_dtype=pl.String)
            for c in PERSON_COLUMNS
            if c in names
        ),
        *(pl.lit(None, dtype=pl.String).alias(c) for c in FREE_TEXT_COLUMNS if c in names),
    )


def deidentify(events: pl.LazyFrame, *, k: int = 5) -> pl.LazyFrame:
    """No person columns at all, times cut to the day, and units with fewer than `k` distinct
    people acting in them folded into "(khác)" — a unit of two people would name them.

    Examples:
        >>> from datetime import datetime
        >>> lf = pl.LazyFrame({"actor": ["A", "B", "C"], "unit": ["U1", "U1", "U2"],
        ...                    "timestamp": [datetime(2026, 3, 2, 9, 30)] * 3})
        >>> deidentify(lf, k=2).collect()["unit"].to_list()
        ['U1', 'U1', '(khác)']
    """
    names = events.collect_schema().names()
    small = (
        events.group_by(s.UNIT)
        .agg(pl.col(s.ACTOR).n_unique().alias("_people"))
        .filter(pl.col("_people") < k)
        .select(s.UNIT)
    )
    small_units = small.collect()[s.UNIT].to_list()
    return events.with_columns(
        *(
            pl.when(pl.col(c).is_in(small_units)).then(pl.lit(OTHER)).otherwise(pl.col(c)).alias(c)
            for c in UNIT_COLUMNS
            if c in names
        ),
        *([pl.col(s.TIMESTAMP).dt.truncate("1d")] if s.TIMESTAMP in names else []),
    ).drop([c for c in (*PERSON_COLUMNS, *FREE_TEXT_COLUMNS) if c in names])
