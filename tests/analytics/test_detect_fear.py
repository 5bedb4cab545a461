# ruff: noqa: C408 -- dict(e=..., a=...) reads like an event row; literals would not
from __future__ import annotations

from typing import Any

import polars as pl

from congvu_analytics.detect import DetectionParams, run_all
from tests.analytics.helpers import case, log, peers


def opinion_office(within: bool | None, asked: int = 6) -> list[dict[str, Any]]:
    rows = peers(("B", "C", "D"))
    for i in range(12):
        cid = f"A{i:02d}"
        body: list[tuple[float, dict[str, Any]]] = []
        if i < asked:
            body = [
                (1, dict(e=f"{cid}-oq", a="opinion_request", actor="a", unit="A",
                         target_actor="boss", target_unit="UB", within_authority=within)),
                (1.5, dict(a="opinion_given", actor="boss", unit="UB")),
            ]  # fmt: skip
        rows += case(cid, "A", "a", start=i * 2, body=body)
    return rows


def opinion_findings(rows: list[dict[str, Any]]) -> pl.DataFrame:
    return run_all(log(rows)).findings.filter(
        pl.col("detectors").list.contains("opinion_within_authority"), pl.col("subject_id") == "a"
    )


def test_it_flags_asking_superiors_about_matters_within_ones_own_authority() -> None:
    row = opinion_findings(opinion_office(within=True)).row(0, named=True)
    assert row["behaviour"] == "fear_of_responsibility"
    assert row["evidence_event_ids"] == [f"A{i:02d}-oq" for i in range(6)]


def test_asking_about_a_matter_outside_ones_authority_is_not_a_finding() -> None:
    assert opinion_findings(opinion_office(within=False)).is_empty()


def test_when_authority_is_unknown_it_compares_the_share_of_tasks_with_peers() -> None:
    assert not opinion_findings(opinion_office(within=None)).is_empty()
    assert opinion_findings(opinion_office(within=None, asked=1)).is_empty()


def upward_office(
    levels: dict[str, int] | None, reason: str = "other"
) -> tuple[list[dict[str, Any]], DetectionParams]:
    rows = peers(("B", "C", "D"))
    for i in range(12):
        cid = f"A{i:02d}"
        body: list[tuple[float, dict[str, Any]]] = []
        if i < 6:
            body = [
                (1, dict(e=f"{cid}-up", a="return", actor="a", unit="A", reason_code=reason)),
                (
                    1.5,
                    dict(a="reassign", actor="boss", unit="UB", target_unit="A", target_actor="a"),
                ),
            ]
        rows += case(cid, "A", "a", start=i * 2, body=body)
    return rows, DetectionParams(unit_levels=levels)


def test_it_flags_pushing_decisions_back_up_to_the_assigner() -> None:
    rows, params = upward_office(None)
    found = run_all(log(rows), params=params).findings
    row = found.filter(
        pl.col("detectors").list.contains("push_upward"), pl.col("subject_id") == "a"
    ).row(0, named=True)
    assert row["evidence_event_ids"] == [f"A{i:02d}-up" for i in range(6)]
    returned = found.filter(
        pl.col("detectors").list.contains("return_rate"), pl.col("subject_id") == "a"
    )
    assert returned["evidence_event_ids"].to_list() == [[f"A{i:02d}-up" for i in range(6)]]


def test_it_uses_the_unit_hierarchy_when_one_is_given() -> None:
    rows, params = upward_office({"UB": 3, "A": 1, "B": 1, "C": 1, "D": 1})
    found = run_all(log(rows), params=params).findings
    assert (
        "A"
        in found.filter(pl.col("detectors").list.contains("push_upward"))["subject_id"].to_list()
    )


def test_it_uses_a_level_column_carried_by_the_log() -> None:
    rows, _ = upward_office(None)
    frame = log(rows).with_columns(
        pl.when(pl.col("activity").is_in(["return"])).then(3).otherwise(1).alias("level")
    )
    found = run_all(frame).findings.filter(pl.col("detectors").list.contains("push_upward"))
    assert "a" in found["subject_id"].to_list()


def test_moving_down_a_level_is_not_pushing_upward() -> None:
    rows, _ = upward_office(None)
    frame = log(rows).with_columns(
        pl.when(pl.col("activity").is_in(["return"])).then(0).otherwise(1).alias("level")
    )
    found = run_all(frame).findings.filter(pl.col("detectors").list.contains("push_upward"))
    assert found.is_empty()


def test_handing_back_for_the_superior_to_decide_is_fear_not_buck_passing() -> None:
    # "Đề nghị cấp trên quyết định" (ReasonCode.ESCALATE): the same returns push the decision
    # up (fear), but they are not passing the work back "not my job" (buck-passing).
    rows, params = upward_office(None, reason="escalate")
    found = run_all(log(rows), params=params).findings.filter(pl.col("subject_id") == "a")
    fear = found.filter(pl.col("behaviour") == "fear_of_responsibility")
    assert fear.row(0, named=True)["evidence_event_ids"] == [f"A{i:02d}-up" for i in range(6)]
    assert found.filter(pl.col("behaviour") == "buck_passing").is_empty()
