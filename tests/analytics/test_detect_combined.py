# ruff: noqa: C408 -- dict(e=..., a=...) reads like an event row; literals would not
"""The combined detector of a behaviour: sightings spread over several detectors add up."""

from __future__ import annotations

from typing import Any

import polars as pl
import pytest

from congvu_analytics.detect import DetectionParams, run_all
from congvu_analytics.detect.score import judge
from tests.analytics.helpers import case, log, peers

COLLEAGUES = ("B", "C", "D", "E", "F", "G", "H", "K")


def spread_buck_passer(*, transfers: int, returns: int) -> list[dict[str, Any]]:
    """Eight ordinary colleagues with 12 routine tasks each, and "m" (unit M) with 12 tasks of
    which ``transfers`` are pushed sideways to unit N and ``returns`` handed back to the boss,
    who assigns them to m again."""
    rows = peers(COLLEAGUES)
    for i in range(12):
        cid = f"M{i:02d}"
        body: list[tuple[float, dict[str, Any]]] = []
        if i < transfers:
            body = [
                (0.5, dict(e=f"{cid}-tr", a="transfer", actor="m", unit="M", target_unit="N",
                           target_actor="n")),
                (0.6, dict(a="accept", actor="n", unit="N")),
            ]  # fmt: skip
        elif i < transfers + returns:
            body = [
                (0.5, dict(e=f"{cid}-rt", a="return", actor="m", unit="M")),
                (0.9, dict(a="reassign", actor="boss", unit="UB", target_unit="M",
                           target_actor="m")),
                (1.0, dict(a="accept", actor="m", unit="M")),
            ]  # fmt: skip
        rows += case(cid, "M", "m", start=i * 2, body=body)
    return rows


def buck_passing(rows: list[dict[str, Any]], params: DetectionParams | None = None) -> pl.DataFrame:
    # Without the per-subject cap unless asked: these tests are about how the detectors add up.
    found = run_all(log(rows), params=params or DetectionParams(max_p=1.0)).findings
    return found.filter(
        pl.col("behaviour") == "buck_passing",
        pl.col("subject_type") == "person",
        pl.col("subject_id") == "m",
    )


def test_sightings_spread_over_two_detectors_add_up_to_one_finding() -> None:
    # One transfer and one return: neither detector has the two hits it needs on its own.
    found = buck_passing(spread_buck_passer(transfers=1, returns=1))
    assert found.height == 1
    row = found.row(0, named=True)
    assert row["detectors"] == ["any_buck_passing"]
    assert {"M00-tr", "M01-rt"} <= set(row["evidence_event_ids"])
    assert set(row["case_ids"]) == {"M00", "M01"}
    # The sentence still compares the person with comparable colleagues.
    assert "2/12" in row["sentence"]
    assert "trong khi các cán bộ cùng nhóm" in row["sentence"]


def test_a_single_sighting_is_still_no_finding() -> None:
    assert buck_passing(spread_buck_passer(transfers=1, returns=0)).is_empty()


def test_the_per_subject_cap_asks_more_than_two_sightings_in_twelve_tasks() -> None:
    # Two sightings in twelve tasks against peers who show none: the combined p is about 0.01,
    # which the FDR alone accepts in a small office; the cap (max_p) wants more. Three are
    # enough.
    defaults = DetectionParams()
    assert buck_passing(spread_buck_passer(transfers=1, returns=1), defaults).is_empty()
    found = buck_passing(spread_buck_passer(transfers=2, returns=1), defaults)
    assert found["p_value"].item() <= defaults.max_p


def test_a_cap_outside_zero_to_one_is_refused() -> None:
    with pytest.raises(ValueError, match="max_p"):
        DetectionParams(max_p=0.0)


def _detector_rows(subject: str, p_values: list[float]) -> pl.DataFrame:
    """One person's detector rows of one behaviour (``p`` 1.0: tested, not counting)."""
    return pl.DataFrame(
        {
            "subject_type": "person",
            "subject_id": subject,
            "behaviour": "buck_passing",
            "detector": [f"d{i}" for i in range(len(p_values))],
            "p": p_values,
            "z": [2.0] * len(p_values),
            "counts": [p < 1.0 for p in p_values],
            "tested": True,
            "_needs_members": False,
            "_member_counts": [p < 1.0 for p in p_values],
            "n": 10,
            "k": 3,
            "rate": 0.3,
            "baseline": 0.05,
            "evidence_event_ids": [["e"]] * len(p_values),
            "case_ids": [["c"]] * len(p_values),
        }
    )


def test_a_finding_seen_by_one_detector_alone_needs_stronger_proof() -> None:
    # "alone": one detector counts, at p 0.0004 over the two it was tested on (combined about
    # 2 x 0.0004); "seen_twice": two detectors count, combined about 0.0008 too. Under the cap
    # (0.0015) both would be findings; one measure alone must reach 0.0015 / 3.
    rows = pl.concat([_detector_rows("alone", [0.0004, 1.0]), _detector_rows("seen_twice",
                      [0.0008, 0.0008])])  # fmt: skip
    strict = judge([rows], 0.1, max_p=0.0015, corroboration=3.0).sort("subject_id")
    assert strict["subject_id"].to_list() == ["alone", "seen_twice"]
    assert strict["p_value"].to_list() == pytest.approx([0.0008, 0.0008], rel=0.01)
    assert strict["flagged"].to_list() == [False, True]
    # One alone but strong enough: a finding.
    strong = judge([_detector_rows("alone", [0.0002, 1.0])], 0.1, max_p=0.0015, corroboration=3.0)
    assert strong["flagged"].to_list() == [True]
    # corroboration 1 turns the rule off.
    off = judge([rows], 0.1, max_p=0.0015, corroboration=1.0)
    assert off["flagged"].to_list() == [True, True]


def test_a_corroboration_below_one_or_not_finite_is_refused() -> None:
    for bad in (0.5, float("inf"), float("nan")):
        with pytest.raises(ValueError, match="corroboration"):
            DetectionParams(corroboration=bad)


def _judged(p_values: list[float], combine: str) -> float:
    """The combined p of one person whose detectors of one behaviour gave ``p_values`` (1.0: the
    detector tested them but did not count)."""
    return judge([_detector_rows("a", p_values)], 0.1, combine=combine)["p_value"].item()


def test_detectors_that_see_the_same_sightings_add_up_under_the_cauchy_combination() -> None:
    # A buck-passer's sightings seen by several detectors at once (a transfer that came back is
    # a transfer, a ping-pong and a case of the combined detector), and one detector that
    # tested the person but did not count: Simes pays for the m = 5 detectors, the Cauchy
    # combination adds their evidence up, yet never goes below the strongest detector alone.
    nested = [0.001, 0.003, 0.003, 0.02, 1.0]
    assert _judged(nested, "simes") == pytest.approx(0.005)
    assert 0.001 < _judged(nested, "cauchy") < 0.0035


def test_one_detector_alone_keeps_its_p_and_nothing_counting_is_no_evidence() -> None:
    assert _judged([0.01], "cauchy") == pytest.approx(0.01, rel=1e-6)
    assert _judged([1.0, 1.0, 1.0], "cauchy") == 1.0
    # One strong detector among four that do not count: about m * p, as Bonferroni.
    assert _judged([0.0001, 1.0, 1.0, 1.0], "cauchy") == pytest.approx(0.0004, rel=0.01)


def _tied(detector: str, subjects: int) -> pl.DataFrame:
    """``subjects`` people on whom ``detector`` counts with the same p and z as every other
    detector built here: only the suite's order can tell which one leads."""
    return pl.DataFrame(
        {
            "subject_type": "person",
            "subject_id": [f"p{i:06d}" for i in range(subjects)],
            "behaviour": "avoidance",
            "detector": detector,
            "p": 0.001,
            "z": 3.0,
            "counts": True,
            "tested": True,
            "_needs_members": False,
            "_member_counts": True,
            "n": 12,
            "k": 4,
            "rate": 4 / 12,
            "baseline": 0.05,
            "evidence_event_ids": [[f"{detector}-e"]] * subjects,
            "case_ids": [[f"{detector}-c"]] * subjects,
        }
    )


def test_detectors_tied_on_p_and_z_are_led_by_the_first_in_the_suite_whatever_the_sort() -> None:
    # On a real province, over a thousand people have two counting detectors of one behaviour
    # with the same p and z (a combined detector and its one part). The lead detector, the
    # rate the sentence quotes and the order of the components must not depend on how a
    # parallel sort happens to order ties: the detector's place in the suite decides.
    subjects = 200_000
    found = judge([_tied("unaccepted", subjects), _tied("any_avoidance", subjects)], 0.1)
    assert found.height == subjects
    assert found["main"].unique().to_list() == ["unaccepted"]
    leads = found["components"].list.first().struct.field("detector")
    assert leads.unique().to_list() == ["unaccepted"]
    again = judge([_tied("unaccepted", subjects), _tied("any_avoidance", subjects)], 0.1)
    assert found.equals(again)


def asked_and_lapsed(*, late: int, lapsed: int) -> list[dict[str, Any]]:
    """The colleagues and "m" hold 12 routine tasks each; "m" accepts ``late`` of them days
    after the hand-over. A lead in unit L asks each of them three times to coordinate: the
    colleagues answer the next day with a position, "m" lets ``lapsed`` requests lapse (deemed
    agreed)."""
    rows = peers(COLLEAGUES)
    for i in range(12):
        cid = f"M{i:02d}"
        if i < late:
            accept = (4.2, dict(e=f"{cid}-ac", a="accept", actor="m", unit="M"))
            rows += case(cid, "M", "m", start=i * 2, accept=False, body=[accept], progress=False)
        else:
            rows += case(cid, "M", "m", start=i * 2)
    for j, person in enumerate([*(c.lower() for c in COLLEAGUES), "m"] * 3):
        cid, unit = f"L{j:02d}", person.upper()
        req = f"{cid}-rq"
        body: list[tuple[float, dict[str, Any]]] = [
            (1, dict(e=req, a="coord_request", actor="l", unit="L", target_unit=unit,
                     target_actor=person, due=j + 1 + 5)),
        ]  # fmt: skip
        if person == "m" and j // (len(COLLEAGUES) + 1) < lapsed:
            body.append((7.5, dict(e=f"{cid}-dm", a="deemed_agree", actor="system", unit="UB",
                                   ref_event_id=req)))  # fmt: skip
        else:
            body.append((2, dict(e=f"{cid}-an", a="coord_answer", actor=person, unit=unit,
                                 ref_event_id=req, position="agree")))  # fmt: skip
        rows += case(cid, "L", "l", start=j, body=body)
    return rows


def avoidance_of_m(rows: list[dict[str, Any]]) -> pl.DataFrame:
    found = run_all(log(rows), params=DetectionParams(max_p=1.0)).findings
    return found.filter(
        pl.col("behaviour") == "avoidance",
        pl.col("subject_type") == "person",
        pl.col("subject_id") == "m",
    )


def test_a_late_acceptance_and_lapsed_coordination_requests_add_up_to_one_finding() -> None:
    # One late acceptance is a single sighting, and three requests are too few for the
    # coordination test alone (min_cases): each is silent on its own. Asked of "m" alike, the
    # tasks and the requests are one workload, and the three sightings one finding.
    found = avoidance_of_m(asked_and_lapsed(late=1, lapsed=2))
    assert found.height == 1
    row = found.row(0, named=True)
    assert row["detectors"] == ["any_avoidance"]
    assert {"M00-as", "L08-rq", "L08-dm", "L17-rq", "L17-dm"} <= set(row["evidence_event_ids"])
    assert "3/15 nhiệm vụ và yêu cầu phối hợp được giao" in row["sentence"]
    assert "trong khi các cán bộ cùng nhóm" in row["sentence"]


def test_one_lapsed_request_beside_prompt_acceptances_is_no_finding() -> None:
    assert avoidance_of_m(asked_and_lapsed(late=0, lapsed=1)).is_empty()
