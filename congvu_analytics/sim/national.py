"""Several test provinces as one national dataset, written province by province.

A national dataset is what the provinces' nightly exports add up to (docs/scale.md, "National
plan"): ``province=<code>/year=<y>/bucket=<b>/part-<n>.parquet`` under one folder, and one
organisation table of units and one of people for the whole country. ``write_province`` adds one
simulated province to such a folder, so a caller can generate a province, write it, free it and
go on to the next: the country is never in memory at once (``bench/national_dataset.py``).

Codes. Every simulated province numbers its units, people and cases the same way (``UBND``,
``CB000001``, ``NV0000001``), so each province's codes are prefixed with its code
(``P01-CB000001``). In the real system the codes are national already: units carry the national
agency code of the electronic document exchange (mã định danh cơ quan), people their national
personnel record number, so one national organisation table can hold them all.
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import polars as pl

from congvu_analytics import org as org_schema
from congvu_analytics import schema as s
from congvu_analytics.org import Org
from congvu_analytics.partitioned import DEFAULT_BUCKETS, write_dataset
from congvu_analytics.sim import Province, _case_bounds

# Event columns that hold a code of a case, event, person or unit.
EVENT_CODES = (
    s.EVENT_ID,
    s.CASE_ID,
    s.ACTOR,
    s.UNIT,
    s.TARGET_ACTOR,
    s.TARGET_UNIT,
    s.HOLDER_ACTOR,
    s.HOLDER_UNIT,
    s.REF_EVENT_ID,
)
UNIT_CODES = (org_schema.UNIT_ID, org_schema.UNIT_PARENT, org_schema.UNIT_HEAD)
PEOPLE_CODES = (org_schema.PERSON_ID, org_schema.PERSON_UNIT)
# Rows written per Parquet part: a large province (15M events) is prefixed and written in
# slices of whole cases, so the copy the prefixing makes is a slice's, not the province's.
PART_ROWS = 4_000_000
_CODE = re.compile(r"[A-Za-z0-9_]+")


def _prefixed(frame: pl.DataFrame, columns: tuple[str, ...], prefix: str) -> pl.DataFrame:
    return frame.with_columns(
        (pl.lit(prefix) + pl.col(c)).alias(c) for c in columns if c in frame.columns
    )


def province_org(province: Province, code: str) -> Org:
    """The province's organisation tables with its codes prefixed by ``code``."""
    prefix = f"{code}-"
    return Org(
        _prefixed(province.org.units, UNIT_CODES, prefix),
        _prefixed(province.org.people, PEOPLE_CODES, prefix),
    )


def write_province(
    province: Province, out: Path, code: str, *, buckets: int = DEFAULT_BUCKETS
) -> int:
    """Add ``province`` to the national dataset ``out`` as ``province=<code>`` (its codes
    prefixed by ``code``); returns the number of Parquet files written.

    The province's events are in case order (the generator builds them so), so they are
    written in slices of whole cases, each slice a new part of its buckets."""
    if not _CODE.fullmatch(code):
        raise ValueError(f"Mã tỉnh không hợp lệ: {code!r} (chỉ chữ, số và dấu gạch dưới)")
    if (out / f"province={code}").exists():
        raise ValueError(f"{out}: đã có tỉnh {code!r} trong bộ dữ liệu")
    prefix = f"{code}-"
    events = province.events
    bounds = _case_bounds(events.get_column(s.CASE_ID), PART_ROWS)
    written = 0
    for part, (lo, hi) in enumerate(itertools.pairwise(bounds)):
        piece = _prefixed(events.slice(lo, hi - lo), EVENT_CODES, prefix)
        written += write_dataset(piece, out, buckets=buckets, province=code, part=part)
    return written


def append_org(org: Org, units: Path, people: Path) -> None:
    """Append a province's organisation tables to the national CSV tables (written with a
    header the first time)."""
    for frame, path in ((org.units, units), (org.people, people)):
        first = not path.exists()
        with path.open("a", encoding="utf-8", newline="") as handle:
            frame.write_csv(handle, include_header=first)
