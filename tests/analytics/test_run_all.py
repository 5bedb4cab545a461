# ruff: noqa: C408 -- dict(e=..., a=...) reads like an event row; literals would not
from __future__ import annotations

import polars as pl
import pytest

from congvu_analytics.detect import FINDING_SCHEMA, DetectionParams, run_all
from congvu_analytics.synth import generate
from tests.analytics.helpers import case, log, peers


@pytest.fixture(scope="module")
def synth_result() -> tuple[object, object]:
    s = generate(3000, seed=11)
    return s, run_all(s.events.lazy(), params=DetectionParams(unit_types=s.unit_types))


def test_findings_have_the_documented_columns_and_stable_ids() -> None:
    rows = peers(("B", "C"))
    for i in range(12):
        rows += case(f"A{i:02d}", "A", "a", start=i * 2, progress=False, finish=24, due=10)
    first = run_all(log(rows))
    second = run_all(log(list(reversed(rows))))  # input order must not matter
    assert first.findings.schema == pl.Schema(FINDING_SCHEMA)
    assert not first.findings.is_empty()
    assert first.findings["finding_id"].to_list() == second.findings["finding_id"].to_list()
    assert first.findings["finding_id"].n_unique() == first.findings.height
    assert first.findings["strength"].is_between(0, 1).all()


def test_it_reports_progress_before_each_step() -> None:
    steps: list[str] = []
    run_all(log(case("c", "A", "a", start=0)), progress=steps.append)
    assert steps == ["prepare", "detect"]


def test_heavy_workload_alone_is_not_a_finding() -> None:
    # "h" has four times the tasks and four times the transfers of each peer: the same rate.
    rows = []
    for unit, person, n in (("A", "h", 48), ("B", "b", 12), ("C", "c", 12), ("D", "d", 12)):
        for i in range(n):
            body = []
            if i % 12 == 0:
                body = [
                    (
                        1,
                        dict(
                            a="transfer", actor=person, unit=unit, target_unit="Y", target_actor="y"
                        ),
                    )
                ]
            rows += case(f"{unit}{i:02d}", unit, person, start=i, body=body)
    result = run_all(log(rows))
    assert result.findings.filter(pl.col("subject_id").is_in(["h", "A"])).is_empty()


def test_it_finds_every_injected_behaviour_in_the_synthetic_log(synth_result) -> None:
    s, result = synth_result
    expected = (
        s.truth.filter(~pl.col("lookalike"))
        .explode("detectors", empty_as_null=False)
        .select("subject_type", "subject_id", pl.col("detectors").alias("detector"))
    )
    # A finding is one behaviour's judgement; the detectors that made it are in "detectors".
    judged = result.findings.explode("detectors", empty_as_null=False).select(
        "subject_type", "subject_id", pl.col("detectors").alias("detector")
    )
    found = expected.join(judged, on=["subject_type", "subject_id", "detector"], how="semi")
    assert found.height == expected.height  # recall 1.0 on the injected ground truth


def test_look_alikes_in_the_synthetic_log_produce_no_finding(synth_result) -> None:
    s, result = synth_result
    look = s.truth.filter(pl.col("lookalike"))
    subjects = look["subject_id"].to_list() + look["unit"].to_list()
    assert result.findings.filter(pl.col("subject_id").is_in(subjects)).is_empty()


def test_findings_in_the_synthetic_log_are_precise(synth_result) -> None:
    s, result = synth_result
    bad = s.truth.filter(~pl.col("lookalike")).explode("behaviours", empty_as_null=False)
    # A finding is correct when it names an injected subject, its unit, or a person of an
    # injected unit, for one of the injected behaviours.
    allowed = pl.concat(
        [
            bad.select(pl.col("subject_id").alias("key"), pl.col("behaviours").alias("behaviour")),
            bad.select(pl.col("unit").alias("key"), pl.col("behaviours").alias("behaviour")),
        ]
    ).unique()
    findings = result.findings.with_columns(
        pl.when(pl.col("subject_type") == "person")
        .then(pl.col("subject_id").str.split("-").list.first())
        .otherwise(pl.col("subject_id"))
        .alias("unit_key")
    )
    correct = findings.join(
        allowed, left_on=["subject_id", "behaviour"], right_on=["key", "behaviour"], how="semi"
    ).vstack(
        findings.join(
            allowed, left_on=["unit_key", "behaviour"], right_on=["key", "behaviour"], how="semi"
        )
    )
    precision = correct["finding_id"].n_unique() / findings.height
    # Findings are controlled at a false-discovery rate (params.fdr, 10%): precision is at
    # least 1 - fdr in expectation; one log of about fifteen findings may miss that by one.
    assert precision >= 1 - 2 * DetectionParams().fdr


def test_the_synthetic_log_is_deterministic() -> None:
    a = generate(200, seed=3).events
    b = generate(200, seed=3).events
    c = generate(200, seed=4).events
    assert a.equals(b)
    assert not a.equals(c)


def test_an_empty_log_gives_empty_results_with_their_columns() -> None:
    from congvu_analytics.schema import empty_events

    result = run_all(empty_events().lazy())
    assert result.findings.is_empty()
    assert result.findings.schema == pl.Schema(FINDING_SCHEMA)
    assert "on_time_rate" in result.unit_metrics.columns
    assert result.handover.is_empty()


def test_the_lean_handover_path_gives_the_same_network_as_run_all(synth_result) -> None:
    from congvu_analytics.detect.handover import handover_from_events

    s, result = synth_result
    assert handover_from_events(s.events.lazy()).equals(result.handover)
