"""The per-subject phase's leaner steps give what the plain ones gave, value for value: the
dispersion fit in one pass over each peer group, the evidence and case ids gathered only for
the subjects whose detector counts, and the hits read bucket file by bucket file."""

from __future__ import annotations

import math
import random
from pathlib import Path

import polars as pl
import pytest

from congvu_analytics.detect import (
    DetectionParams,
    _sources,
    _with_ids,
    case_phase,
    detectors,
    reduce_phases,
    subject_phase,
)
from congvu_analytics.detect._common import (
    CASE_IDS,
    EVIDENCE,
    SUBJECT_ID,
    SUBJECT_TYPE,
    hit_ids,
    peer_groups_from,
    rates,
    without_ids,
)
from congvu_analytics.detect.score import _CLIP, _CLIPPED_MEAN, _RHO_GRID, _dispersion
from congvu_analytics.io.loader import load_log
from congvu_analytics.io.mapping import load_mapping
from congvu_analytics.partitioned import bucket_of
from congvu_analytics.sim import generate, write_export

ROOT = Path(__file__).resolve().parents[2]
KEYS = [SUBJECT_TYPE, SUBJECT_ID]


def _dispersion_by_cross_join(
    frame: pl.DataFrame, group: list[str], min_peers: int
) -> pl.DataFrame:
    """The fit as it was written first: every subject crossed with the grid."""
    rows = frame.filter(pl.col("_fit") & pl.col("_r2").is_finite()).select(*group, "n_test", "_r2")
    grid = pl.DataFrame({"_rho": _RHO_GRID})
    scaled = (pl.col("_r2") / (1 + (pl.col("n_test") - 1) * pl.col("_rho"))).clip(upper_bound=_CLIP)
    return (
        rows.join(grid, how="cross")
        .group_by(*group, "_rho")
        .agg(scaled.mean().alias("_mean"), pl.len().alias("_members"))
        .filter((pl.col("_members") >= min_peers) & (pl.col("_mean") <= _CLIPPED_MEAN))
        .group_by(group)
        .agg(pl.col("_rho").min())
    )


def test_the_dispersion_fit_in_one_pass_is_the_fit_over_the_grid() -> None:
    """Groups of every size (below ``min_peers`` too), ordinary and overdispersed spreads, a
    few outliers, groups that no grid value fits, non-finite residuals and rows not fitted."""
    rng = random.Random(19)
    rows = []
    for g in range(60):
        spread = rng.choice([0.0, 0.3, 1.0, 5.0, 40.0])
        for _ in range(rng.choice([1, 2, 3, 5, 8, 20, 60, 300])):
            n = rng.randint(1, 400)
            r2 = rng.expovariate(1.0) * (1 + (n - 1) * spread * 0.001)
            if rng.random() < 0.02:
                r2 = rng.choice([math.inf, math.nan, 50.0])
            rows.append(("person" if g % 3 else "unit", f"g{g % 23}", float(n), r2,
                         rng.random() < 0.9))  # fmt: skip
    schema = ["subject_type", "peer_group", "n_test", "_r2", "_fit"]
    frame = pl.DataFrame(rows, schema=schema, orient="row")
    group = ["subject_type", "peer_group"]
    for min_peers in (1, 3, 5, 50):
        want = _dispersion_by_cross_join(frame, group, min_peers).sort(group)
        got = _dispersion(frame, group, min_peers).sort(group)
        assert want.height > 3
        assert got.equals(want), min_peers


@pytest.fixture(scope="module")
def events(tmp_path_factory: pytest.TempPathFactory) -> pl.DataFrame:
    """The tiny test province's events (every behaviour and look-alike)."""
    export = write_export(generate(3, "tiny"), tmp_path_factory.mktemp("export") / "tinh")
    mapping = load_mapping(ROOT / "mappings" / "province_vn.toml")
    return load_log(export / "events.csv.gz", mapping).events


def test_ids_gathered_for_some_subjects_are_those_rates_gives(events: pl.DataFrame) -> None:
    params = DetectionParams()
    part = case_phase(events.lazy())
    peers = peer_groups_from(part.subjects.lazy(), params).collect()
    seen = 0
    for i, _det in enumerate(detectors(params)):
        obs = part.observations[i]
        full = rates(obs.lazy(), peers.lazy(), params).collect()
        lean = rates(without_ids(obs.lazy()), peers.lazy(), params, ids=False).collect()
        # Everything but the lists, the same, row for row.
        assert lean.equals(full.drop(EVIDENCE, CASE_IDS))
        # The lists of the subjects with hits, gathered apart, in any order of the rows.
        lists = hit_ids(obs.sample(fraction=1.0, shuffle=True, seed=i).lazy()).collect()
        joined = full.join(lists, on=KEYS, how="inner", suffix="_apart")
        assert joined.height == lists.height
        seen += joined.height
        for c in (EVIDENCE, CASE_IDS):
            assert joined.get_column(c).equals(joined.get_column(f"{c}_apart"), check_names=False)
        # A subject without hits: empty lists from rates, nothing gathered.
        assert full.join(lists, on=KEYS, how="anti").get_column(EVIDENCE).list.len().sum() == 0
    assert seen > 0


def test_ids_only_where_the_detector_counts_and_empty_without_hits() -> None:
    hits = pl.DataFrame(
        {
            SUBJECT_TYPE: ["person"] * 3,
            SUBJECT_ID: ["a", "a", "b"],
            "case_id": ["c2", "c1", "c3"],
            EVIDENCE: [["e3", "e1"], ["e2"], ["e9"]],
        }
    )
    judged = pl.DataFrame(
        {SUBJECT_TYPE: ["person"] * 3, SUBJECT_ID: ["b", "a", "z"], "counts": [False, True, True]}
    )
    got = _with_ids(judged, [hits.lazy().head(1), hits.lazy().tail(2)])
    assert got.select(KEYS).equals(judged.select(KEYS))  # the rows in their order
    assert got.get_column(EVIDENCE).to_list() == [None, ["e1", "e2", "e3"], []]
    assert got.get_column(CASE_IDS).to_list() == [None, ["c1", "c2"], []]


def test_the_subject_phase_from_spilled_bucket_files_is_the_one_from_memory(
    events: pl.DataFrame, tmp_path: Path
) -> None:
    """The hits read back file by file (one per bucket) give the results the rows kept in
    memory give: findings with their evidence, metrics, what could be assessed."""
    buckets = bucket_of(events.get_column("case_id"), 4)
    end = events.get_column("timestamp").max()
    phases = [case_phase(events.filter(buckets == b).lazy(), end=end) for b in range(4)]
    kept = reduce_phases(iter(phases))
    (tmp_path / "spill").mkdir()
    spilled = reduce_phases(iter(phases), tmp_path / "spill")
    assert max(len(_sources(spilled, i)) for i in range(len(spilled.observations))) > 2
    want, got = subject_phase([kept]), subject_phase([spilled])
    for name in ("findings", "person_metrics", "unit_metrics", "handover", "assessed"):
        assert getattr(got, name).equals(getattr(want, name)), name
    assert want.findings.height > 0
    assert want.findings.get_column(EVIDENCE).list.len().min() > 0  # type: ignore[operator]
    # The whole log in one phase: the same findings.
    whole = subject_phase([case_phase(events.lazy())])
    assert whole.findings.equals(want.findings)
