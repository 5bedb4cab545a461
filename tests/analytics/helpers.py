# ruff: noqa: C408 -- dict(e=..., a=...) reads like an event row; literals would not
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


def case(
    cid: str,
    unit: str,
    person: str,
    start: float,
    *,
    body: list[tuple[float, dict[str, Any]]] | None = None,
    progress: bool = True,
    finish: float = 7.6,
    due: float = 14,
    protected: bool | None = None,
    accept: bool = True,
) -> list[dict[str, Any]]:
    """One routine task: assigned by "boss" (unit UB) to ``person`` in ``unit`` on day ``start``,
    accepted, two progress reports, submitted, approved, completed on ``start + finish``.
    ``body`` adds (day offset, row) events; their ids are ``<cid>-b<j>`` unless given."""
    rows: list[dict[str, Any]] = [
        dict(e=f"{cid}-as", c=cid, a="assign", d=start, actor="boss", unit="UB",
             target_unit=unit, target_actor=person, due=start + due, protected=protected),
    ]  # fmt: skip
    if accept:
        rows.append(dict(e=f"{cid}-ac", c=cid, a="accept", d=start + 0.2, actor=person, unit=unit))
    for j, (offset, row) in enumerate(body or []):
        rows.append({"e": f"{cid}-b{j}", **row, "c": cid, "d": start + offset})
    if progress:
        for k, offset in enumerate((2.0, 5.0)):
            rows.append(
                dict(
                    e=f"{cid}-p{k}", c=cid, a="progress", d=start + offset, actor=person, unit=unit
                )
            )
    rows += [
        dict(e=f"{cid}-su", c=cid, a="submit", d=start + finish - 0.6, actor=person, unit=unit),
        dict(e=f"{cid}-ap", c=cid, a="approve", d=start + finish - 0.1, actor="boss", unit="UB"),
        dict(e=f"{cid}-co", c=cid, a="complete", d=start + finish, actor=person, unit=unit),
    ]
    return rows


def peers(units: tuple[str, ...] = ("B", "C", "D"), n: int = 12) -> list[dict[str, Any]]:
    """Ordinary colleagues: ``n`` routine tasks for each unit (person = lower-case unit name)."""
    rows: list[dict[str, Any]] = []
    for u in units:
        for i in range(n):
            rows += case(f"{u}{i:02d}", u, u.lower(), start=i * 2)
    return rows
