"""A dataset of several provinces is analysed province by province: each province's findings
and metrics are those of the province analysed alone (issue #19, docs/scale.md)."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from congvu_analytics.cli import main
from congvu_analytics.sim import generate
from congvu_analytics.sim.national import province_org, write_province
from congvu_analytics.spark import spark_missing

TABLES = ("findings", "person_metrics", "unit_metrics", "handover")
CODES = ("P01", "P02")


@pytest.fixture(scope="module")
def national(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two tiny provinces in one dataset, with one national table of units and of people,
    and each province's own tables beside."""
    root = tmp_path_factory.mktemp("national")
    units, people = [], []
    for code, seed in zip(CODES, (3, 4), strict=True):
        province = generate(seed, "tiny")
        write_province(province, root / "dataset", code, buckets=3)
        org = province_org(province, code)
        org.units.write_csv(root / f"units-{code}.csv")
        org.people.write_csv(root / f"people-{code}.csv")
        units.append(org.units)
        people.append(org.people)
    pl.concat(units).write_csv(root / "units.csv")
    pl.concat(people).write_csv(root / "people.csv")
    return root


def _analyze(log: Path, out: Path, units: Path, people: Path) -> Path:
    args = ["analyze", str(log), "--out", str(out), "--quiet", "--format", "parquet,json"]
    assert main([*args, "--units", str(units), "--people", str(people)]) == 0
    return out


def test_each_province_gets_the_findings_it_gets_alone(national: Path, tmp_path: Path) -> None:
    both = _analyze(
        national / "dataset", tmp_path / "both", national / "units.csv", national / "people.csv"
    )
    findings = pl.read_parquet(both / "findings.parquet")
    assert findings.columns[0] == "province"
    assert set(findings.get_column("province")) == set(CODES)
    assessed: dict[tuple[str, str], dict[str, int]] = {}
    for code in CODES:
        alone = _analyze(
            national / "dataset" / f"province={code}",
            tmp_path / code,
            national / f"units-{code}.csv",
            national / f"people-{code}.csv",
        )
        for table in TABLES:
            mine = pl.read_parquet(both / f"{table}.parquet").filter(pl.col("province") == code)
            expected = pl.read_parquet(alone / f"{table}.parquet")
            assert expected.height > 0, table  # the comparison means something
            assert "province" not in expected.columns  # one province: the outputs as before
            assert_frame_equal(mine.drop("province"), expected, check_dtypes=True)
        report = json.loads((alone / "load_report.json").read_text(encoding="utf-8"))
        for detector, kinds in report["assessed"].items():
            for kind, counts in kinds.items():
                into = assessed.setdefault((detector, kind), dict.fromkeys(counts, 0))
                for name, n in counts.items():
                    into[name] += n
    # What could be assessed adds up over the provinces.
    report = json.loads((both / "load_report.json").read_text(encoding="utf-8"))
    got = {(d, k): c for d, kinds in report["assessed"].items() for k, c in kinds.items()}
    assert got == assessed


def test_a_province_code_that_is_not_a_plain_code_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="Mã tỉnh không hợp lệ"):
        write_province(generate(3, "tiny"), tmp_path, "P/01")
    assert not any(tmp_path.iterdir())


def test_provinces_parked_on_disk_combine_as_kept_in_memory(tmp_path: Path) -> None:
    # Each province's result waits on disk while the next one runs (so that the results do
    # not pile up in memory); read back, the combined tables must be those combined in memory,
    # types and all, including a province whose table lacks a column or has no rows.
    from congvu_analytics.detect import DetectionResult
    from congvu_analytics.partitioned import _combine, _park, combine_provinces

    def result(n: int, *, handover: bool) -> DetectionResult:
        findings = pl.DataFrame(
            {
                "finding_id": [f"f{i}" for i in range(n)],
                "n": pl.Series(range(n), dtype=pl.UInt32),
                "ids": [[f"e{i}", None] for i in range(n)],
                "components": [[{"detector": "d", "k": i, "rate": 0.5}] for i in range(n)],
            }
        )
        rows = pl.DataFrame({"subject_id": ["a", "b"], "rate": [0.1, None]})
        moves = pl.DataFrame({"level": ["unit"], "count": pl.Series([3], dtype=pl.UInt32)})
        assessed = pl.DataFrame({"detector": ["d"], "observed": pl.Series([n], dtype=pl.UInt32)})
        return DetectionResult(
            findings=findings,
            person_metrics=rows.with_columns(extra=pl.lit(n)) if n else rows,
            unit_metrics=rows.clear(),
            handover=moves if handover else moves.clear().drop("count"),
            assessed=assessed,
        )

    results = [("P01", result(3, handover=True)), ("P02", result(0, handover=False))]
    parked = [_park(code, one, tmp_path / f"result-{i}") for i, (code, one) in enumerate(results)]
    got, expected = _combine(parked), combine_provinces(results)
    for name in (*TABLES, "assessed"):
        assert_frame_equal(getattr(got, name), getattr(expected, name), check_dtypes=True)


@pytest.mark.spark
@pytest.mark.skipif(spark_missing() is not None, reason=f"Spark: {spark_missing()}")
def test_spark_parks_each_province_and_gives_the_single_node_outputs(
    national: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Spark runs the provinces one after another through the same parking as the single-node
    # engine (partitioned.run_provinces): each province's result on disk, read back combined.
    from congvu_analytics import partitioned

    parked: list[str] = []
    park = partitioned._park

    def spy(code: str, result, folder: Path):  # type: ignore[no-untyped-def]
        parked.append(code)
        return park(code, result, folder)

    monkeypatch.setattr(partitioned, "_park", spy)
    units, people = national / "units.csv", national / "people.csv"
    one = _analyze(national / "dataset", tmp_path / "one", units, people)
    assert parked == list(CODES)
    spark = tmp_path / "spark"
    args = ["analyze", str(national / "dataset"), "--out", str(spark), "--quiet"]
    args += ["--format", "parquet,json", "--units", str(units), "--people", str(people)]
    assert main([*args, "--engine", "spark", "--master", "local[2]"]) == 0
    assert parked == [*CODES, *CODES]
    for table in TABLES:
        assert (one / f"{table}.parquet").read_bytes() == (spark / f"{table}.parquet").read_bytes()
