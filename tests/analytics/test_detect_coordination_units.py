# ruff: noqa: C408 -- dict(e=..., a=...) reads like an event row; literals would not
"""A unit that answers coordination slowly as a whole answers for it; its focal person is not
singled out (look-alike: an overloaded coordinating unit)."""

from __future__ import annotations

from typing import Any

import polars as pl

from congvu_analytics.detect import run_all
from tests.analytics.helpers import case, log

COORDINATING = ("S", "T", "V", "W", "X", "Y")


def coordination_rounds(late: dict[str, int]) -> list[dict[str, Any]]:
    """Leads a, b, c ask every coordinating unit's three officers (``<unit>1`` the focal
    person, ``<unit>2``, ``<unit>3``) eight times each; ``late[person]`` of those answers come
    a week after the due date, the rest two days after the request with a position."""
    rows: list[dict[str, Any]] = []
    i = 0
    for unit in COORDINATING:
        for member in (1, 2, 3):
            person = f"{unit.lower()}{member}"
            for j in range(8):
                lead = "abc"[j % 3]
                cid = f"{person}-{j}"
                req = f"{cid}-rq"
                start = (i % 40) * 1.5
                i += 1
                answer_at = 13.0 if j < late.get(person, 0) else 3.0
                body: list[tuple[float, dict[str, Any]]] = [
                    (1, dict(e=req, a="coord_request", actor=lead, unit=lead.upper(),
                             target_unit=unit, target_actor=person, due=start + 6)),
                    (answer_at, dict(e=f"{cid}-an", a="coord_answer", actor=person, unit=unit,
                                     ref_event_id=req, position="agree")),
                ]  # fmt: skip
                rows += case(cid, lead.upper(), lead, start=start, body=body, finish=15)
    return rows


def coordination(rows: list[dict[str, Any]], subject_type: str) -> set[str]:
    found = run_all(log(rows)).findings.filter(
        pl.col("detectors").list.contains("coordination"), pl.col("subject_type") == subject_type
    )
    return set(found["subject_id"].to_list())


def test_a_unit_slow_to_coordinate_as_a_whole_answers_for_it_not_its_focal_person() -> None:
    rows = coordination_rounds({"s1": 5, "s2": 4, "s3": 4})
    assert "S" in coordination(rows, "unit")
    assert not {"s1", "s2", "s3"} & coordination(rows, "person")


def test_one_officer_slow_to_coordinate_in_a_prompt_unit_is_their_own_finding() -> None:
    assert "t1" in coordination(coordination_rounds({"t1": 5}), "person")
