# ruff: noqa: C408 -- dict(e=..., a=...) reads like an event row; literals would not
"""What a stalling or buck-passing officer leaves in the log beyond the few sightings: sparse
progress reports, a head's slow cascade, a head bouncing the cases they keep; and the
look-alikes each must leave alone (docs/detection.md, "Sparse reports, slow cascades and the
cases a head keeps")."""

from __future__ import annotations

from typing import Any

import polars as pl

from congvu_analytics.detect import run_all
from tests.analytics.helpers import case, division_case, log

PEER_UNITS = ("B", "C", "D", "E")


def findings(rows: list[dict[str, Any]], subject: str, behaviour: str) -> pl.DataFrame:
    return run_all(log(rows)).findings.filter(
        (pl.col("subject_id") == subject) & (pl.col("behaviour") == behaviour)
    )


def report(cid: str, unit: str, person: str, offset: float) -> tuple[float, dict[str, Any]]:
    return (offset, dict(e=f"{cid}-r{offset:g}", a="progress", actor=person, unit=unit))


def reporting_office(make: Any) -> list[dict[str, Any]]:
    """Colleagues B-E with three-week tasks reported on three times; A's first 6 of 12 tasks
    are built by ``make``, the rest like the colleagues'."""
    rows: list[dict[str, Any]] = []
    for u in (*PEER_UNITS, "A"):
        person = u.lower()
        for i in range(12):
            cid = f"{u}{i:02d}"
            if u == "A" and i < 6:
                rows += make(cid, i * 3)
                continue
            body = [report(cid, u, person, d) for d in (3, 8, 13)]
            rows += case(cid, u, person, i * 3, progress=False, finish=18, due=30, body=body)
    return rows


def test_a_holder_who_reports_once_on_long_cases_is_stalling() -> None:
    # Three weeks of work with a single progress report, on half of A's tasks; never two weeks
    # without any event (so no idle custody), never late, never paused.
    def sparse(cid: str, start: float) -> list[dict[str, Any]]:
        return case(cid, "A", "a", start, progress=False, finish=18, due=30,
                    body=[report(cid, "A", "a", 8)])  # fmt: skip

    found = findings(reporting_office(sparse), "a", "stalling")
    assert found.height == 1
    row = found.row(0, named=True)
    assert row["detectors"] == ["no_progress"]
    assert row["case_ids"] == [f"A{i:02d}" for i in range(6)]
    assert "tối đa 1 báo cáo tiến độ" in row["sentence"]


def test_a_long_wait_on_a_reviewed_legal_obstacle_is_not_a_sparsely_reported_case() -> None:
    # One report, then a legal obstacle the superior confirmed: three weeks paused, a few days
    # of work after it. The case ran long because the law held it, not the holder.
    def legal(cid: str, start: float) -> list[dict[str, Any]]:
        return case(cid, "A", "a", start, progress=False, finish=28, due=40, body=[
            report(cid, "A", "a", 2),
            (3, dict(e=f"{cid}-pa", a="pause", actor="a", unit="A",
                     reason_code="legal_obstacle", reviewed=True)),
            (24, dict(e=f"{cid}-rs", a="resume", actor="a", unit="A")),
        ])  # fmt: skip

    assert findings(reporting_office(legal), "a", "stalling").is_empty()


def heads(special: Any) -> list[dict[str, Any]]:
    """Five ordinary heads (B-F) who each check two of 12 results at length (approval after
    eight days) but cascade at once, and the head of S, whose 12 cases ``special`` builds."""
    rows: list[dict[str, Any]] = []
    for u in (*PEER_UNITS, "F"):
        for i in range(12):
            rows += division_case(f"{u}{i:02d}", u, i * 2, approve=8.0 if i < 2 else 0.5)
    for i in range(12):
        rows += special(f"S{i:02d}", i * 2, i)
    return rows


def test_a_head_who_sits_on_the_cascade_is_stalling() -> None:
    # Approves as promptly as anyone, but hands three of 12 cases down only after ten days.
    # Mixed with the approvals (where colleagues are the slow ones) the delay used to vanish.
    def sits(cid: str, start: float, i: int) -> list[dict[str, Any]]:
        return division_case(cid, "S", start, cascade=10.0 if i < 3 else 0.5)

    found = findings(heads(sits), "hs", "stalling")
    assert found.height == 1
    row = found.row(0, named=True)
    assert "slow_cascade" in row["detectors"]
    assert {"S00-ac", "S00-rs"} <= set(row["evidence_event_ids"])


def test_a_head_slow_to_take_a_case_up_is_not_sitting_on_the_cascade() -> None:
    # Takes three of 12 cases up only after ten days, then cascades them at once: a late
    # acceptance (avoidance's ``unaccepted``), not a case held back from the division.
    def late_take_up(cid: str, start: float, i: int) -> list[dict[str, Any]]:
        return division_case(cid, "S", start, take_up=10.0 if i < 3 else 0.1)

    assert findings(heads(late_take_up), "hs", "stalling").is_empty()


def kept(unit: str, start: float, cid: str, *, bounce: str | None = None,
         misrouted_to: str | None = None) -> list[dict[str, Any]]:  # fmt: skip
    """A case the head of ``unit`` keeps and handles personally. ``bounce``: they first
    transfer it "not our remit" to that unit's head, who sends it straight back.
    ``misrouted_to``: it was not theirs; they pass it on "sai thẩm quyền" and that unit
    accepts and completes it."""
    head = f"h{unit.lower()}"
    rows = [
        dict(e=f"{cid}-as", c=cid, a="assign", d=start, actor="director", unit="UB",
             target_unit=unit, target_actor=head, due=start + 30),
        dict(e=f"{cid}-ac", c=cid, a="accept", d=start + 0.1, actor=head, unit=unit),
    ]  # fmt: skip
    t = start + 0.5
    if misrouted_to:
        other = f"h{misrouted_to.lower()}"
        return [*rows,
            dict(e=f"{cid}-tr", c=cid, a="transfer", d=t, actor=head, unit=unit,
                 target_unit=misrouted_to, target_actor=other, reason_code="misrouted"),
            dict(e=f"{cid}-ac2", c=cid, a="accept", d=t + 0.5, actor=other, unit=misrouted_to),
            dict(e=f"{cid}-su", c=cid, a="submit", d=t + 5, actor=other, unit=misrouted_to),
            dict(e=f"{cid}-ap", c=cid, a="approve", d=t + 5.5, actor="director", unit="UB"),
            dict(e=f"{cid}-co", c=cid, a="complete", d=t + 5.6, actor=other, unit=misrouted_to),
        ]  # fmt: skip
    if bounce:
        other = f"h{bounce.lower()}"
        rows += [
            dict(e=f"{cid}-tr", c=cid, a="transfer", d=t, actor=head, unit=unit,
                 target_unit=bounce, target_actor=other, reason_code="competence"),
            dict(e=f"{cid}-rt", c=cid, a="return", d=t + 2, actor=other, unit=bounce,
                 target_unit=unit, target_actor=head, reason_code="competence"),
            dict(e=f"{cid}-ac3", c=cid, a="accept", d=t + 2.5, actor=head, unit=unit),
        ]  # fmt: skip
        t += 3
    return [*rows,
        dict(e=f"{cid}-pr", c=cid, a="progress", d=t + 2, actor=head, unit=unit),
        dict(e=f"{cid}-su", c=cid, a="submit", d=t + 5, actor=head, unit=unit),
        dict(e=f"{cid}-ap", c=cid, a="approve", d=t + 5.5, actor="director", unit="UB"),
        dict(e=f"{cid}-co", c=cid, a="complete", d=t + 5.6, actor=head, unit=unit),
    ]  # fmt: skip


def busy_heads(special: Any) -> list[dict[str, Any]]:
    """Six heads (B-F, S) who each cascade 100 cases to their specialist and keep 8; the 8 of
    the head of S are built by ``special``."""
    rows: list[dict[str, Any]] = []
    for u in (*PEER_UNITS, "F", "S"):
        for i in range(100):
            rows += division_case(f"{u}{i:03d}", u, i * 2)
        for i in range(8):
            cid = f"{u}K{i}"
            rows += special(cid, i * 20, i) if u == "S" else kept(u, i * 20, cid)
    return rows


def test_a_head_who_bounces_the_cases_they_keep_is_buck_passing() -> None:
    # Three of the eight cases the head keeps go sideways and come straight back. Over all
    # 108 cases of the division (3%) that was below the floor; over the 8 they kept it is 38%.
    def bounces(cid: str, start: float, i: int) -> list[dict[str, Any]]:
        return kept("S", start, cid, bounce="B" if i < 3 else None)

    found = findings(busy_heads(bounces), "hs", "buck_passing")
    assert found.height == 1
    row = found.row(0, named=True)
    assert row["case_ids"] == ["SK0", "SK1", "SK2"]
    assert {"SK0-tr", "SK0-rt"} <= set(row["evidence_event_ids"])


def test_a_head_who_passes_misrouted_cases_they_kept_on_is_not_buck_passing() -> None:
    # Three of the eight were not the division's: passed on "sai thẩm quyền" to the competent
    # division, which took them and finished them.
    def misrouted(cid: str, start: float, i: int) -> list[dict[str, Any]]:
        return kept("S", start, cid, misrouted_to="C" if i < 3 else None)

    assert findings(busy_heads(misrouted), "hs", "buck_passing").is_empty()


def test_a_head_who_sits_on_the_cascade_is_their_own_finding_not_the_divisions() -> None:
    # Six divisions of three specialists, 24 cases each. S's head hands half of them down only
    # after ten days; the cases waited with the head before any member had seen them. That is
    # the head's ``slow_cascade``, neither evidence that the division works slowly as a whole
    # nor a long silence of the specialist who then did the case in a week.
    rows: list[dict[str, Any]] = []
    for u in (*PEER_UNITS, "F", "S"):
        for i in range(24):
            slow = u == "S" and i % 2 == 0
            rows += division_case(
                f"{u}{i:02d}", u, i, cascade=10.0 if slow else 0.5, member=i % 3 + 1
            )
    assert "slow_cascade" in findings(rows, "hs", "stalling").row(0, named=True)["detectors"]
    assert findings(rows, "S", "stalling").is_empty()
