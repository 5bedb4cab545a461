# ruff: noqa: C408 -- dict(e=..., a=...) reads like an event row; literals would not
from __future__ import annotations

from typing import Any

import polars as pl

from congvu_analytics.detect import DetectionParams, run_all
from congvu_analytics.detect._common import prepare
from congvu_analytics.detect.buck_passing import long_chain
from congvu_analytics.workdays import WorkCalendar
from tests.analytics.helpers import case, log, peers


def findings(rows: list[dict[str, Any]], detector: str, **params: Any) -> pl.DataFrame:
    result = run_all(log(rows), params=DetectionParams(**params))
    return result.findings.filter(pl.col("detectors").list.contains(detector))


def bounce_office(bounces: int, *, receiver_takes_it: bool = False) -> list[dict[str, Any]]:
    """Unit A hands 12 tasks each to X, Y and Z; X sends ``bounces`` of them straight back.
    A then does the work itself, or (``receiver_takes_it``) sends it to X again, who does it."""
    rows: list[dict[str, Any]] = []
    for receiver in ("X", "Y", "Z"):
        for i in range(12):
            cid = f"{receiver}{i:02d}"
            body: list[tuple[float, dict[str, Any]]] = [
                (0.5, dict(e=f"{cid}-tr", a="transfer", actor="a", unit="A",
                           target_unit=receiver, target_actor=receiver.lower(), reason_code="competence")),
            ]  # fmt: skip
            if receiver == "X" and i < bounces:
                body.append((1.0, dict(e=f"{cid}-rt", a="return", actor="x", unit="X")))
                if receiver_takes_it:
                    body += [
                        (1.5, dict(e=f"{cid}-tr2", a="transfer", actor="a", unit="A",
                                   target_unit="X", target_actor="x")),
                        (1.6, dict(a="accept", actor="x", unit="X")),
                    ]  # fmt: skip
            else:
                body.append((1.0, dict(a="accept", actor=receiver.lower(), unit=receiver)))
            rows += case(cid, "A", "a", start=i * 2, body=body)
    return rows


def test_a_transfer_that_comes_back_to_the_one_who_then_does_it_is_their_ping_pong() -> None:
    # A pushed work sideways that turned out to be A's own: A passed the buck, not X.
    found = findings(bounce_office(bounces=6), "ping_pong")
    unit = found.filter(pl.col("subject_type") == "unit")
    assert unit["subject_id"].to_list() == ["A"]
    row = unit.row(0, named=True)
    assert row["behaviour"] == "buck_passing"
    assert "X00-tr" in row["evidence_event_ids"]
    assert "X00-rt" in row["evidence_event_ids"]
    assert {f"X{i:02d}" for i in range(6)} <= set(row["case_ids"])
    person = found.filter(pl.col("subject_type") == "person")
    assert person["subject_id"].to_list() == ["a"]


def test_it_flags_ping_pong_by_the_unit_that_bounced_its_own_work() -> None:
    # X sent back work that was X's after all (it ended with X): X bounced it.
    found = findings(bounce_office(bounces=6, receiver_takes_it=True), "ping_pong")
    unit = found.filter(pl.col("subject_type") == "unit")
    assert "X" in unit["subject_id"].to_list()
    row = unit.filter(pl.col("subject_id") == "X").row(0, named=True)
    comp = next(c for c in row["components"] if c["detector"] == "ping_pong")
    assert (comp["k"], comp["n"]) == (6, 12)
    assert "X00-rt" in row["evidence_event_ids"]
    assert "6/12" in row["sentence"]
    assert "x" in found.filter(pl.col("subject_type") == "person")["subject_id"].to_list()


def test_it_does_not_flag_a_unit_that_accepts_what_it_receives() -> None:
    assert findings(bounce_office(bounces=0), "ping_pong").is_empty()


def transfer_office(reason: str, accepted: bool) -> list[dict[str, Any]]:
    rows = peers(("B", "C", "D"))
    for i in range(12):
        cid = f"A{i:02d}"
        body: list[tuple[float, dict[str, Any]]] = []
        if i < 8:
            body.append((1.0, dict(e=f"{cid}-tr", a="transfer", actor="a", unit="A",
                                   target_unit="Y", target_actor="y", reason_code=reason)))  # fmt: skip
            if accepted:
                body.append((1.5, dict(a="accept", actor="y", unit="Y")))
        rows += case(cid, "A", "a", start=i * 2, body=body)
    return rows


def test_it_flags_a_person_who_transfers_work_away_far_more_than_peers() -> None:
    found = findings(transfer_office("competence", accepted=True), "transfer_rate")
    person = found.filter(pl.col("subject_type") == "person").row(0, named=True)
    assert person["subject_id"] == "a"
    assert person["evidence_event_ids"] == sorted(f"A{i:02d}-tr" for i in range(8))


def test_a_misrouted_transfer_the_receiver_accepts_is_not_a_finding() -> None:
    result = run_all(log(transfer_office("misrouted", accepted=True)))
    assert result.findings.filter(pl.col("subject_id").is_in(["a", "A"])).is_empty()


def test_a_misrouted_transfer_nobody_accepts_still_counts() -> None:
    found = findings(transfer_office("misrouted", accepted=False), "transfer_rate")
    assert "a" in found["subject_id"].to_list()


def test_it_finds_long_transfer_chains_and_names_who_passed_the_case_on() -> None:
    rows = case("c", "A", "a", start=0, body=[
        (1, dict(e="t1", a="transfer", actor="a", unit="A", target_unit="B", target_actor="b")),
        (2, dict(e="t2", a="transfer", actor="b", unit="B", target_unit="C", target_actor="c")),
        (3, dict(e="t3", a="transfer", actor="c", unit="C", target_unit="D", target_actor="d")),
    ])  # fmt: skip
    obs = long_chain(prepare(log(rows), WorkCalendar()), DetectionParams()).collect()
    hits = obs.filter(pl.col("subject_type") == "unit", pl.col("evidence_event_ids").is_not_null())
    assert dict(zip(hits["subject_id"], hits["evidence_event_ids"].to_list(), strict=True)) == {
        "A": ["t1"],
        "B": ["t2"],
        "C": ["t3"],
    }


def test_the_handover_network_shows_how_much_comes_back() -> None:
    result = run_all(log(bounce_office(bounces=6)))
    edge = result.handover.filter(
        pl.col("level") == "unit", pl.col("from_holder") == "A", pl.col("to_holder") == "X"
    ).row(0, named=True)
    assert edge["count"] == 12
    assert edge["came_back"] == 6
    assert edge["came_back_share"] == 0.5


def _chain_hits(rows: list[dict[str, Any]]) -> dict[str, list[str]]:
    obs = long_chain(prepare(log(rows), WorkCalendar()), DetectionParams()).collect()
    hits = obs.filter(
        pl.col("subject_type") == "person", pl.col("evidence_event_ids").is_not_null()
    )
    out: dict[str, list[str]] = {}
    for who, ev in zip(hits["subject_id"], hits["evidence_event_ids"].to_list(), strict=True):
        out[who] = sorted([*out.get(who, []), *ev])
    return out


def test_a_long_chain_does_not_charge_the_one_who_sent_a_stray_transfer_back() -> None:
    # a pushes the case sideways to x, x sends it straight back (not x's work: it ends with a),
    # a hands it back up to the boss, who gives it to a again. Four holders: a long chain, and
    # a passed it on twice; x only declined a's buck (the measured province: division heads
    # who received other divisions' stray transfers were long-chain findings for it).
    rows = case("c", "A", "a", start=0, body=[
        (1, dict(e="t1", a="transfer", actor="a", unit="A", target_unit="X", target_actor="x")),
        (2, dict(e="rt", a="return", actor="x", unit="X", target_unit="A", target_actor="a")),
        (2.5, dict(e="r2", a="return", actor="a", unit="A", target_unit="UB", target_actor="boss")),
        (3, dict(e="ra", a="reassign", actor="boss", unit="UB", target_unit="A", target_actor="a")),
        (3.2, dict(a="accept", actor="a", unit="A")),
    ])  # fmt: skip
    hits = _chain_hits(rows)
    assert "x" not in hits
    assert hits["a"] == ["r2", "t1"]


def test_a_long_chain_still_charges_one_who_bounced_what_was_theirs() -> None:
    # The same bounce, but the case was x's after all: it comes back to x and ends there.
    rows = case("c", "A", "a", start=0, body=[
        (1, dict(e="t1", a="transfer", actor="a", unit="A", target_unit="X", target_actor="x")),
        (2, dict(e="rt", a="return", actor="x", unit="X", target_unit="A", target_actor="a")),
        (2.5, dict(e="t2", a="transfer", actor="a", unit="A", target_unit="X", target_actor="x")),
        (3, dict(a="accept", actor="x", unit="X")),
    ], progress=False, finish=0)  # fmt: skip
    rows = [r for r in rows if r["a"] not in ("submit", "approve", "complete")]
    hits = _chain_hits(rows)
    assert hits["x"] == ["rt"]
