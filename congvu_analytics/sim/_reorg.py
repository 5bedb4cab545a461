"""A reorganisation inside the test province's log (issue #11, "a reorganisation is not
buck-passing").

Vietnam reorganised its provinces in 2025 (departments merged 3/2025, the district level
abolished 1/7/2025, communes merged): on the effective day every open case of a dissolved unit
is handed to its successor, and the unit's people move there. A real log that spans such a day
shows a mass of transfers made after work had begun, which an engine that does not know them
would read as buck-passing by ordinary people. This module plants one in a generated province:

- ``count`` divisions of departments (sở/ban) or communes are merged, each into a sibling
  division of the same parent (one merger per parent), on the effective day;
- every case a merged division holds then and that is still open is transferred on the
  effective day (07:30, before any other event of the day) by its holder (the division's head
  when no person holds it) to the successor, the holder moving with it (``target_actor`` is
  the holder: they go on with it in the successor);
- from that instant on, every event that names the merged division names the successor (the
  merged division has no events afterwards); people of the merged divisions belong to the
  successor in the people table; the units table says when the merged division ended and who
  succeeded it (``valid_to``, ``successor``);
- the transfers carry the canonical reason ``reorganization`` and the text "Chuyển do sắp xếp
  tổ chức bộ máy" (the foreign export writes the source code ``sap_xep_to_chuc``), or no reason
  at all (``blank``), as many real exports do.

The merged divisions' people are the look-alike group ``reorganised``. Pure in its inputs: the
same province, count, day and flags give the same result; it draws from its own generator, so
the province without a reorganisation is untouched, event for event.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

import polars as pl

from congvu_analytics.custody import derive_custody
from congvu_analytics.org import Org

REORG_TEXT = "Chuyển do sắp xếp tổ chức bộ máy"
GROUP = "reorganised"


def merge_divisions(
    seed: int,
    events: pl.DataFrame,
    org: Org,
    *,
    count: int,
    effective: date,
    blank: bool = False,
) -> tuple[pl.DataFrame, Org, list[str]]:
    """(events, org, people of the merged divisions) after merging ``count`` divisions on
    ``effective`` (see the module docstring)."""
    rng = random.Random(seed * 7_919 + 11)  # noqa: S311 (reproducible simulation)
    units = org.units
    kinds = dict(units.select("unit", "type").iter_rows())
    # Divisions of departments and of communes (both were merged in 2025), each merged into a
    # sibling of the same parent that is not merged itself.
    divisions = units.filter(
        (pl.col("type") == "phong")
        & pl.col("parent").replace_strict(kinds, default=None).is_in(["so", "xa", "phuong"])
    )
    by_parent: dict[str, list[str]] = {}
    for unit, parent in divisions.select("unit", "parent").iter_rows():
        by_parent.setdefault(parent, []).append(unit)
    pairs = []
    for parent in sorted(by_parent):
        siblings = sorted(by_parent[parent])
        if len(siblings) >= 2:
            merged, into = rng.sample(siblings, 2)
            pairs.append((merged, into))
    rng.shuffle(pairs)
    successor = dict(pairs[:count])
    # 07:30 Vietnam time on the effective day: before any office-hours event of that day.
    at = datetime(effective.year, effective.month, effective.day, 0, 30, tzinfo=UTC)
    heads = dict(units.select("unit", "head").iter_rows())
    held = (
        derive_custody(events.lazy())
        .filter(pl.col("timestamp") < at)
        .group_by("case_id")
        .agg(
            pl.col("holder_unit").last(),
            pl.col("holder_actor").last(),
            pl.col("activity").is_in(["complete", "cancel"]).any().alias("_closed"),
        )
        .filter(~pl.col("_closed") & pl.col("holder_unit").is_in(list(successor)))
        .sort("case_id")
        .collect()
    )
    holder = pl.coalesce("holder_actor", pl.col("holder_unit").replace_strict(heads, default=None))
    transfers = held.select(
        (pl.col("case_id") + "-R01").alias("event_id"),
        "case_id",
        pl.lit("transfer").alias("activity"),
        pl.lit("Chuyển xử lý").alias("activity_label"),
        pl.lit(at).cast(pl.Datetime("us", "UTC")).alias("timestamp"),
        holder.alias("actor"),
        pl.col("holder_unit").alias("unit"),
        holder.alias("target_actor"),
        pl.col("holder_unit").replace_strict(successor).alias("target_unit"),
        pl.lit(None if blank else "reorganization", pl.String).alias("reason_code"),
        pl.lit(None if blank else REORG_TEXT, pl.String).alias("reason_text"),
    )
    after = pl.col("timestamp") >= at
    renamed = events.with_columns(
        pl.when(after & pl.col(c).is_in(list(successor)))
        .then(pl.col(c).replace(successor))
        .otherwise(pl.col(c))
        .alias(c)
        for c in ("unit", "target_unit")
    )
    out = (
        pl.concat([renamed, transfers], how="diagonal_relaxed")
        .select(events.columns)
        .cast(events.schema)
        .sort("case_id", "timestamp", "event_id")
    )
    moved = org.people.filter(pl.col("unit").is_in(list(successor)))["person"].to_list()
    new_units = units.with_columns(
        pl.when(pl.col("unit").is_in(list(successor)))
        .then(pl.lit(effective - timedelta(days=1)))
        .cast(pl.Date)
        .alias("valid_to"),
        pl.col("unit").replace_strict(successor, default=None).alias("successor"),
    )
    new_people = org.people.with_columns(pl.col("unit").replace(successor))
    return out, Org(new_units, new_people), sorted(moved)
