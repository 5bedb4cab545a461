# ruff: noqa: C408 -- dict(e=..., a=...) reads like an event row; literals would not
"""Tiny event logs written as rows, for the detector tests."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import polars as pl

from congvu_analytics.org import Org
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


def head(unit: str) -> str:
    """The head of division ``unit`` in these offices: "h" and the division's name."""
    return f"h{unit.lower()}"


def division_case(cid: str, unit: str, start: float, *, member: int = 1, take_up: float = 0.1,
                  cascade: float = 0.5, work: float = 6.0, approve: float = 0.5,
                  due: float = 30) -> list[dict[str, Any]]:  # fmt: skip
    """The director assigns to the head of ``unit``, who takes it up after ``take_up`` days and
    cascades it to the division's specialist number ``member`` ``cascade`` days after that; the
    specialist works ``work`` days (a progress report half way) and submits; the head approves
    after ``approve`` days. Due ``due`` days after the start."""
    h, person = head(unit), f"{unit.lower()}{member}"
    t = start + take_up
    rows = [
        dict(e=f"{cid}-as", c=cid, a="assign", d=start, actor="director", unit="UB",
             target_unit=unit, target_actor=h, due=start + due),
        dict(e=f"{cid}-ac", c=cid, a="accept", d=t, actor=h, unit=unit),
    ]  # fmt: skip
    t += cascade
    rows += [
        dict(e=f"{cid}-rs", c=cid, a="reassign", d=t, actor=h, unit=unit, target_unit=unit,
             target_actor=person),
        dict(e=f"{cid}-ac2", c=cid, a="accept", d=t + 0.1, actor=person, unit=unit),
        dict(e=f"{cid}-pr", c=cid, a="progress", d=t + work / 2, actor=person, unit=unit),
        dict(e=f"{cid}-su", c=cid, a="submit", d=t + work, actor=person, unit=unit),
    ]  # fmt: skip
    t += work + approve
    rows += [
        dict(e=f"{cid}-ap", c=cid, a="approve", d=t, actor=h, unit=unit),
        dict(e=f"{cid}-co", c=cid, a="complete", d=t + 0.1, actor=person, unit=unit),
    ]
    return rows


def office_org(
    types: dict[str, str],
    people: list[tuple[str, str, str]],
    *,
    top: str = "director",
    start_dates: dict[str, date] | None = None,
) -> Org:
    """The province office UB, headed by ``top``, over divisions of the given unit types, each
    headed by ``head(unit)``. ``people``: (person, unit, position) rows; ``start_dates``: when
    some of them started (the others unknown)."""
    units = pl.DataFrame(
        {
            "unit": ["UB", *types],
            "type": ["ubnd_tinh", *types.values()],
            "parent": [None, *["UB"] * len(types)],
            "head": [top, *[head(u) for u in types]],
        }
    )
    dates = start_dates or {}
    frame = pl.DataFrame(
        {
            "person": [p for p, _, _ in people],
            "unit": [u for _, u, _ in people],
            "position": [pos for _, _, pos in people],
            "start_date": [dates.get(p) for p, _, _ in people],
        },
        schema_overrides={"start_date": pl.Date},
    )
    return Org.of(units, frame)
