"""Tiny event logs written as rows, for the detector tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import polars as pl

from congvu_analytics.schema import conform

# Monday 3 March 2025, 09:00 Vietnam time (02:00 UTC); no holidays in the following weeks.
START = datetime(2025, 3, 3, 2, 0, tzinfo=UTC)


def day(n: float) -> datetime:
    """Calendar day ``n`` after START (Monday 3/3/2025)."""
    return START + timedelta(days=n)


def log(rows: list[dict[str, Any]]) -> pl.LazyFrame:
    """Rows with keys e (event id), c (case), a (activity), d (calendar day), and any canonical
    column name; missing event ids are numbered."""
    out = []
    for i, row in enumerate(rows):
        r = dict(row)
        rec: dict[str, Any] = {
            "event_id": str(r.pop("e", f"e{i}")),
            "case_id": r.pop("c"),
            "activity": r.pop("a"),
            "timestamp": day(r.pop("d")),
        }
        if "due" in r and not isinstance(r["due"], datetime):
            r["due"] = day(r["due"])
        rec.update(r)
        out.append(rec)
    return conform(pl.LazyFrame(out, infer_schema_length=None))
