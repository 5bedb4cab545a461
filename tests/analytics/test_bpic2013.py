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


def test_it_counts_the_same_cases_with_a_team_cycle_of_any_length(both):
    events, cases = both
    with_cycle, with_bounce, returns, _ = ref.cycles(cases)
    got = bpic.cycle_summary(events).collect().row(0, named=True)
    assert got["cases_with_cycle"] == with_cycle
    assert got["cases_with_bounce"] == with_bounce
    assert got["cases_only_longer"] == with_cycle - with_bounce
    assert got["returns"] == returns


def test_every_immediate_bounce_is_also_a_cycle(both):
    events, _ = both
    cycles = bpic.cycle_summary(events).collect().row(0, named=True)
    bounces = bpic.ping_pong_summary(events).collect().row(0, named=True)
    assert cycles["cases_with_bounce"] == bounces["cases_with_ping_pong"]
    assert cycles["cases_with_cycle"] >= bounces["cases_with_ping_pong"]


def test_it_ranks_the_same_teams_that_cases_come_back_to(both):
    events, cases = both
    *_, ranked = ref.cycles(cases)
    got = bpic.cycle_teams(events).collect()
    assert [tuple(r) for r in got.iter_rows()] == ranked


def test_it_counts_the_same_moves_between_support_lines(both):
    events, cases = both
    moves, down, skip = ref.line_moves(cases)
    got = bpic.line_moves(events).collect()
    assert {(r[0], r[1]): (r[2], r[3]) for r in got.iter_rows()} == moves
    wrong = {(r[0], r[1]) for r in got.iter_rows() if r[4]}
    assert wrong == {k for k in moves if (k[0] >= 2 and k[1] == 1) or k == (1, 3)}
    summary = bpic.line_order_summary(events).collect().row(0, named=True)
    assert summary["cases_back_to_first"] == len(down)
    assert summary["cases_skipping_second"] == len(skip)
    assert summary["cases_out_of_order"] == len(down | skip)


def test_the_published_cycle_figure_is_81_incidents_above_the_immediate_one():
    """Paszkiewicz & Picard count any A->...->A; on the incident log that is 81 incidents more
    than the immediate A->B->A definition (1,258 against 1,177)."""
    loaded = load_log(
        DATA / LOGS["incidents"][0], load_mapping(ROOT / "mappings" / LOGS["incidents"][1])
    )
    got = bpic.cycle_summary(loaded.events.lazy()).collect().row(0, named=True)
    assert (got["cases_with_cycle"], got["cases_with_bounce"]) == (1258, 1177)
    assert got["cases_only_longer"] == 81


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
