# ruff: noqa: C408 -- dict(e=..., a=...) reads like an event row; literals would not
"""A small organisation (issue #11, the app's run with its organisation): position groups of two
or three people cannot say what is ordinary, so they broaden (``peer_groups_from``), and tasks
misrouted to someone are recognised by their reason code whatever the peers."""

from __future__ import annotations

from typing import Any

import polars as pl

from congvu_analytics.detect import run_all
from congvu_analytics.org import Org
from tests.analytics.helpers import case, head, log, office_org

# Three divisions of each of two unit types: three heads per position@type, fewer than
# min_peers (5); six heads once the types are pooled.
PHONG = ("B", "C", "D")
BAN = ("E", "F", "G")
OFFENDER = "hg"  # leaves half the tasks handed to them unaccepted for a week
SWAMPED = "hb"  # an ordinary head who receives many tasks meant for another division


def misrouted(cid: str, unit: str, competent: str, start: float) -> list[dict[str, Any]]:
    """A task handed to ``unit``'s head that belongs to ``competent``: it takes the head four
    days to find out and pass it on as misrouted; the competent head takes it at once."""
    h, other = head(unit), head(competent)
    return [
        dict(e=f"{cid}-as", c=cid, a="assign", d=start, actor="boss", unit="UB",
             target_unit=unit, target_actor=h, due=start + 14),
        dict(e=f"{cid}-ac", c=cid, a="accept", d=start + 4, actor=h, unit=unit),
        dict(e=f"{cid}-tr", c=cid, a="transfer", d=start + 4.5, actor=h, unit=unit,
             target_unit=competent, target_actor=other, reason_code="misrouted"),
        dict(e=f"{cid}-ac2", c=cid, a="accept", d=start + 4.6, actor=other, unit=competent),
        dict(e=f"{cid}-su", c=cid, a="submit", d=start + 7, actor=other, unit=competent),
        dict(e=f"{cid}-ap", c=cid, a="approve", d=start + 7.5, actor="boss", unit="UB"),
        dict(e=f"{cid}-co", c=cid, a="complete", d=start + 7.6, actor=other, unit=competent),
    ]  # fmt: skip


def late_accept(cid: str, unit: str, start: float) -> list[dict[str, Any]]:
    """A routine task its head accepts only a week after it was handed over."""
    h = head(unit)
    return case(cid, unit, h, start, accept=False, progress=False, finish=10,
                body=[(7, dict(a="accept", actor=h, unit=unit))])  # fmt: skip


def province() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for u in PHONG + BAN:
        for i in range(14):
            cid, start = f"{u}{i:02d}", i * 2.0
            # The offender on every other task; everyone now and then (the first task).
            if (head(u) == OFFENDER and i % 2 == 0) or i == 0:
                rows += late_accept(cid, u, start)
            else:
                rows += case(cid, u, head(u), start)
    # Misrouted tasks: many to the swamped head, one to each other head.
    for i in range(7):
        rows += misrouted(f"MB{i}", "B", "C", 1.0 + i * 4)
    for u, competent in zip(PHONG[1:] + BAN, ("D", "B", "F", "G", "E"), strict=True):
        rows += misrouted(f"M{u}", u, competent, 3.0)
    return rows


def org() -> Org:
    heads = [(head(u), u, "nguoi_dung_dau") for u in PHONG + BAN]
    types = {**dict.fromkeys(PHONG, "phong"), **dict.fromkeys(BAN, "ban")}
    return office_org(types, [("boss", "UB", "nguoi_dung_dau"), *heads], top="boss")


def test_a_tiny_position_group_broadens_to_the_position_across_unit_types() -> None:
    result = run_all(log(province()), org=org())
    groups = dict(result.person_metrics.select("subject_id", "peer_group").iter_rows())
    assert {groups[head(u)] for u in PHONG + BAN} == {"nguoi_dung_dau@*"}


def test_ordinary_heads_with_misrouted_tasks_are_not_flagged_and_the_offender_is() -> None:
    findings = run_all(log(province()), org=org()).findings.filter(
        pl.col("subject_type") == "person"
    )
    flagged = set(findings["subject_id"])
    assert SWAMPED not in flagged
    assert flagged == {OFFENDER}
    found = findings.row(0, named=True)
    assert found["behaviour"] == "avoidance"
    assert found["evidence_event_ids"] and found["sentence"].startswith(f"Cán bộ {OFFENDER} ")
    assert "người đứng đầu" in found["sentence"]


def test_members_with_too_few_cases_do_not_make_a_group_large_enough() -> None:
    # Two more divisions of the first type whose heads held one task each: five heads of a
    # "phong" in the table, but only three with enough cases to show what is ordinary.
    rows = province()
    for u in ("H", "I"):
        rows += case(f"{u}00", u, head(u), 1.0)
    base = org()
    units = pl.concat(
        [
            base.units,
            pl.DataFrame(
                {
                    "unit": ["H", "I"],
                    "type": ["phong"] * 2,
                    "parent": ["UB"] * 2,
                    "head": ["hh", "hi"],
                }
            ),
        ],
        how="diagonal_relaxed",
    )
    people = pl.concat(
        [
            base.people,
            pl.DataFrame(
                {"person": ["hh", "hi"], "unit": ["H", "I"], "position": ["nguoi_dung_dau"] * 2}
            ),
        ],
        how="diagonal_relaxed",
    )
    result = run_all(log(rows), org=Org.of(units, people))
    groups = dict(result.person_metrics.select("subject_id", "peer_group").iter_rows())
    assert {groups[head(u)] for u in PHONG} == {"nguoi_dung_dau@*"}
