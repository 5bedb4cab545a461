# ruff: noqa: C408 -- dict(e=..., a=...) reads like an event row; literals would not
from __future__ import annotations

from typing import Any

import polars as pl

from congvu_analytics.detect import run_all
from tests.analytics.helpers import case, log, peers


def decline_office(n: int, declined: int, protected: bool | None = None) -> list[dict[str, Any]]:
    rows = peers(("B", "C", "D"))
    for i in range(n):
        cid = f"A{i:02d}"
        if i < declined:
            rows += [
                dict(e=f"{cid}-as", c=cid, a="assign", d=i * 2, actor="boss", unit="UB",
                     target_unit="A", target_actor="a", due=i * 2 + 14, protected=protected),
                dict(e=f"{cid}-de", c=cid, a="decline", d=i * 2 + 0.5, actor="a", unit="A",
                     reason_code="competence", target_unit="C"),
                dict(e=f"{cid}-re", c=cid, a="reassign", d=i * 2 + 1, actor="boss", unit="UB",
                     target_unit="A", target_actor="a2"),
                dict(e=f"{cid}-ac", c=cid, a="accept", d=i * 2 + 1.2, actor="a2", unit="A"),
                dict(e=f"{cid}-co", c=cid, a="complete", d=i * 2 + 5, actor="a2", unit="A"),
            ]  # fmt: skip
        else:
            rows += case(cid, "A", "a", start=i * 2, protected=protected)
    return rows


def test_it_flags_a_person_who_declines_far_more_than_peers() -> None:
    found = run_all(log(decline_office(12, 6))).findings.filter(
        pl.col("detectors").list.contains("decline_rate")
    )
    row = found.filter(pl.col("subject_id") == "a").row(0, named=True)
    assert row["behaviour"] == "avoidance"
    assert row["evidence_event_ids"] == [f"A{i:02d}-de" for i in range(6)]
    assert row["n"] == 12


def test_too_few_tasks_to_judge_produce_no_finding() -> None:
    result = run_all(log(decline_office(4, 3)))
    assert result.findings.filter(pl.col("subject_id") == "a").is_empty()
    metrics = result.person_metrics.filter(pl.col("subject_id") == "a").row(0, named=True)
    assert metrics["decline_rate"] == 0.75  # the rate is reported, just not judged


def test_protected_cases_produce_no_avoidance_finding() -> None:
    rows = decline_office(12, 6, protected=True)
    # Colleague a3 in the same unit works ordinary, unprotected tasks: unit A keeps a workload.
    rows += [r for i in range(12) for r in case(f"A3{i:02d}", "A", "a3", start=i * 2)]
    result = run_all(log(rows))
    assert result.findings.filter(pl.col("subject_id").is_in(["a", "A"])).is_empty()


def coordination_office(silent: int, unclear: int = 1) -> list[dict[str, Any]]:
    """Leads in A, B, C each ask units S, T and V to coordinate (12 requests per unit); S lets
    ``silent`` requests lapse (deemed agree) and answers ``unclear`` more with no position."""
    rows: list[dict[str, Any]] = []
    for lead in ("A", "B", "C"):
        for i, coord in enumerate(("S", "T", "V") * 4):
            cid = f"{lead}{coord}{i:02d}"
            req = f"{cid}-rq"
            body: list[tuple[float, dict[str, Any]]] = [
                (1, dict(e=req, a="coord_request", actor=lead.lower(), unit=lead, target_unit=coord,
                         target_actor=coord.lower(), due=i * 2 + 1 + 5)),
            ]  # fmt: skip
            k = i // 3
            if coord == "S" and k < silent:
                body.append(
                    (
                        6.5,
                        dict(
                            e=f"{cid}-dm",
                            a="deemed_agree",
                            actor="system",
                            unit="UB",
                            ref_event_id=req,
                        ),
                    )
                )
            elif coord == "S" and k < silent + unclear:
                body.append(
                    (
                        3,
                        dict(
                            e=f"{cid}-an",
                            a="coord_answer",
                            actor="s",
                            unit="S",
                            ref_event_id=req,
                            position="none",
                        ),
                    )
                )
            else:
                body.append(
                    (
                        3,
                        dict(
                            e=f"{cid}-an",
                            a="coord_answer",
                            actor=coord.lower(),
                            unit=coord,
                            ref_event_id=req,
                            position="agree",
                        ),
                    )
                )
            rows += case(cid, lead, lead.lower(), start=i * 2, body=body)
    return rows


def test_it_flags_a_coordinating_unit_that_lets_requests_lapse() -> None:
    found = run_all(log(coordination_office(silent=3))).findings.filter(
        pl.col("detectors").list.contains("coordination"), pl.col("subject_type") == "unit"
    )
    row = found.row(0, named=True)
    assert row["subject_id"] == "S"
    assert row["n"] == 12  # per request received
    assert "AS00-rq" in row["evidence_event_ids"]
    assert "AS00-dm" in row["evidence_event_ids"]
    assert "AS09-an" in row["evidence_event_ids"]  # the answer with no clear position
    assert "280/CĐ-TTg" in row["sentence"]


def test_units_that_answer_on_time_with_a_position_are_not_flagged() -> None:
    found = run_all(log(coordination_office(silent=0, unclear=0))).findings
    assert found.filter(pl.col("detectors").list.contains("coordination")).is_empty()


def test_it_flags_hand_overs_left_unaccepted() -> None:
    rows = peers(("B", "C", "D"))
    for i in range(12):
        cid = f"A{i:02d}"
        if i < 6:
            # Nobody in A reacts for two weeks; then the head takes it back and closes it.
            rows += case(cid, "A", "a", start=i * 2, accept=False, progress=False, finish=14)
        else:
            rows += case(cid, "A", "a", start=i * 2)
    found = run_all(log(rows)).findings.filter(pl.col("detectors").list.contains("unaccepted"))
    row = found.filter(pl.col("subject_id") == "a").row(0, named=True)
    assert row["evidence_event_ids"] == [f"A{i:02d}-as" for i in range(6)]


def test_coordinating_units_are_compared_with_units_of_the_same_type() -> None:
    from congvu_analytics.detect import DetectionParams

    types = {"S": "so", "T": "so", "V": "xa", "A": "phong", "B": "phong", "C": "phong"}
    result = run_all(log(coordination_office(silent=3)), params=DetectionParams(unit_types=types))
    metrics = result.unit_metrics.filter(pl.col("subject_id") == "S").row(0, named=True)
    assert metrics["peer_group"] == "so"
    found = result.findings.filter(
        pl.col("detectors").list.contains("coordination"), pl.col("subject_id") == "S"
    )
    assert found["peer_rate"].to_list() == [0.0]  # compared with T only
