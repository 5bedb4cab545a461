"""The engine (reader + mapping + polars queries) agrees with the plain-Python reference."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from congvu_analytics import bpic
from congvu_analytics.io.loader import load_log
from congvu_analytics.io.mapping import load_mapping

from . import bpic_reference as ref

DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "bpic2013"
ROOT = Path(__file__).resolve().parents[2]
LOGS = {
    "incidents": ("BPI_Challenge_2013_incidents.xes.gz", "bpic2013_incidents.toml", "org:group"),
    "closed_problems": (
        "BPI_Challenge_2013_closed_problems.xes.gz",
        "bpic2013_closed_problems.toml",
        "organization involved",
    ),
}

pytestmark = pytest.mark.skipif(not DATA.exists(), reason="BPIC 2013 logs not available")


@pytest.fixture(scope="module", params=sorted(LOGS))
def both(request):
    log_name, mapping_name, team_key = LOGS[request.param]
    loaded = load_log(DATA / log_name, load_mapping(ROOT / "mappings" / mapping_name))
    return loaded.events.lazy(), ref.prepared(DATA / log_name, team_key)


def test_it_counts_the_same_cases_with_team_ping_pong(both):
    events, cases = both
    with_bounce, total, _ = ref.ping_pong(cases)
    summary = bpic.ping_pong_summary(events).collect().row(0, named=True)
    assert summary["cases"] == len(cases)
    assert summary["cases_with_ping_pong"] == with_bounce
    assert summary["bounces"] == total


def test_it_ranks_the_same_team_pairs(both):
    events, cases = both
    _, _, ranked = ref.ping_pong(cases)
    pairs = bpic.ping_pong_pairs(events).collect()
    assert [tuple(r) for r in pairs.iter_rows()] == ranked


def test_it_finds_the_same_wait_user_share_per_team(both):
    events, cases = both
    expected = ref.wait_user(cases, min_cases=1)
    got = bpic.wait_user_share(events, min_cases=1).collect()
    assert got.get_column("holder_unit").to_list() == [r[0] for r in expected]
    assert got.get_column("cases").to_list() == [r[1] for r in expected]
    assert got.get_column("handling_hours").to_list() == pytest.approx(
        [r[2] for r in expected], rel=1e-9
    )
    assert got.get_column("wait_user_hours").to_list() == pytest.approx(
        [r[3] for r in expected], rel=1e-9, abs=1e-9
    )


def test_it_measures_the_same_push_to_higher_lines(both):
    events, cases = both
    expected = ref.escalation(cases)
    got = bpic.escalation_summary(events).collect().row(0, named=True)
    assert set(got) == set(expected)
    for key, value in expected.items():
        assert got[key] == pytest.approx(value, rel=1e-9), key


def test_it_reads_the_whole_incident_log():
    loaded = load_log(
        DATA / LOGS["incidents"][0], load_mapping(ROOT / "mappings" / LOGS["incidents"][1])
    )
    assert loaded.events.height == 65533
    assert loaded.report.n_cases == 7554
    assert loaded.report.unknown_labels == {}
    assert loaded.events.get_column("timestamp").dtype == pl.Datetime("us", "UTC")
