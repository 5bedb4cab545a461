"""Calibration of the per-detector evidence on ordinary people: a rare detector must not make
findings of people who differ from their peers only as much as people do (docs/detection.md,
"The spread of rare detectors")."""

from __future__ import annotations

import math
import random

import polars as pl

from congvu_analytics.detect._common import as_obs, rates
from congvu_analytics.detect.params import DetectionParams
from congvu_analytics.detect.score import evidence, relative_spread, with_spread_floor

PEOPLE = 3000
CASES = 60
# A common detector (15% of cases: nine expected hits each, enough for the group's own fit)
# and a rare one (1.5%: under one expected hit, where the clipped fit says "no spread").
DETECTORS = {"common": 0.15, "rare": 0.015}


def ordinary_people(seed: int) -> dict[str, pl.DataFrame]:
    """Observations of ``PEOPLE`` ordinary colleagues in one peer group, ``CASES`` cases each.
    Nobody offends: each person's own propensity is lognormal (σ 0.6) around the detector's
    base rate, the same multiplier for both detectors (a person prone to one slip is prone to
    another), as the test province draws them."""
    rng = random.Random(seed)
    multipliers = [math.exp(rng.gauss(0.0, 0.6) - 0.18) for _ in range(PEOPLE)]
    out = {}
    for name, base in DETECTORS.items():
        rows: list[dict[str, object]] = []
        for i, m in enumerate(multipliers):
            person = f"P{i:04d}"
            rows.append({"subject_type": "person", "subject_id": person, "weight": CASES})
            hits = sum(rng.random() < min(base * m, 1.0) for _ in range(CASES))
            rows += [
                {
                    "subject_type": "person",
                    "subject_id": person,
                    "item_id": f"{person}-{name}-{h}",
                    "case_id": f"{person}-{h}",
                    "evidence_event_ids": [f"{person}-{name}-{h}"],
                    "weight": 0,
                }
                for h in range(hits)
            ]
        out[name] = as_obs(pl.DataFrame(rows).lazy()).collect()
    return out


def per_detector(seed: int, params: DetectionParams) -> list[pl.DataFrame]:
    observations = ordinary_people(seed)
    peers = pl.DataFrame(
        {
            "subject_type": "person",
            "subject_id": [f"P{i:04d}" for i in range(PEOPLE)],
            "peer_group": "chuyen_vien@phong",
            "main_unit": None,
            "judged": True,
        },
        schema_overrides={"main_unit": pl.String()},
    )
    judged = [
        evidence(
            rates(obs.lazy(), peers.lazy(), params).collect(),
            peers,
            params,
            detector=name,
            behaviour="buck_passing",
        )
        for name, obs in observations.items()
    ]
    if params.spread == "pooled":
        spread = relative_spread(judged, params.min_peers)
        judged = [with_spread_floor(d, spread) for d in judged]
    return judged


# No cap and no relevance floor: the p-values alone are the question.
BARE = DetectionParams(max_p=1.0, relevance_ratio=1.0)


def test_borrowing_the_spread_halves_the_ordinary_people_a_rare_detector_singles_out() -> None:
    # With each peer group's own spread fit the rare detector's spread comes out near 0, and
    # the ordinary top of the spread (people 3-4 times as prone as the median, over 60 cases)
    # gets p-values below the per-subject cap 5-8 times as often as the cap says. Borrowing
    # the common detector's relative spread (relative_spread) halves that; it does not bring
    # it to nominal (the lognormal tail is heavier than a variance inflation assumes:
    # docs/detection.md, "The spread of rare detectors").
    pooled_params = DetectionParams(max_p=1.0, relevance_ratio=1.0, spread="pooled")
    below = {"group": 0, "pooled": 0}
    for seed in (1, 2, 3):
        for name, params in (("group", BARE), ("pooled", pooled_params)):
            rare = per_detector(seed, params)[1]
            below[name] += rare.filter(pl.col("p") < 0.0015).height
    assert below["group"] > 3 * PEOPLE * 0.0015 * 4  # > 4 times nominal over three seeds
    assert below["pooled"] <= below["group"] / 2


def test_on_ordinary_people_a_rare_detector_gives_p_below_1_percent_to_about_1_percent() -> None:
    # Calibration stated directly: among ordinary people, P(p < 0.01) should be about 0.01
    # (at most, as the test is discrete). The floor (min_ratio, min_excess) is left out: it
    # sets p to 1 for most people and would hide the question.
    loose = {"min_ratio": 0.0, "min_excess": 0.0, "min_hits": 0}
    for spread, low, high in (("pooled", 0.002, 0.015), ("group", 0.02, 1.0)):
        params = DetectionParams(max_p=1.0, relevance_ratio=1.0, spread=spread, **loose)  # type: ignore[arg-type]
        rare = per_detector(1, params)[1]
        share = rare.select((pl.col("p") < 0.01).mean()).item()
        assert low <= share <= high, (spread, share)
