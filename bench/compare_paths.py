"""Findings of the app log against those of the foreign export, on one seed (issue #11).

    .venv/bin/python bench/compare_paths.py --seed 1 [--mapping mappings/province_vn.toml]

Runs ``run_all`` on the test province's canonical log (with its organisation) and ``congvu
analyze`` on its foreign export with the mapping (and the export's org tables when the mapping
has ``[org]``), then prints per (behaviour, detector) how many people and units each path
flagged, and the subjects flagged by one path only: where the foreign path loses what the app
log knows, or the other way round. Use the tuning seeds (1-3) only.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import polars as pl

from congvu_analytics.detect import run_all

sys.path.insert(0, str(Path(__file__).resolve().parent))
from detect_quality import _foreign_findings, _province

ROOT = Path(__file__).resolve().parent.parent
KEYS = ["behaviour", "detector", "subject_type", "subject_id"]


def compare(app: pl.DataFrame, foreign: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(counts per behaviour and detector in each path, subjects flagged by one path only)."""

    def rows(findings: pl.DataFrame, path: str) -> pl.DataFrame:
        return (
            findings.select("behaviour", "subject_type", "subject_id", "detectors")
            .explode("detectors", empty_as_null=True)
            .rename({"detectors": "detector"})
            .select(KEYS)
            .unique()
            .with_columns(pl.lit(path).alias("path"))
        )

    both = pl.concat([rows(app, "app"), rows(foreign, "foreign")])
    counts = (
        both.group_by("behaviour", "detector", "subject_type", "path")
        .len()
        .pivot(on="path", index=["behaviour", "detector", "subject_type"], values="len")
        .fill_null(0)
        .sort("behaviour", "detector", "subject_type")
    )
    only = (
        both.group_by(KEYS)
        .agg(pl.col("path").unique())
        .filter(pl.col("path").list.len() == 1)
        .with_columns(pl.col("path").list.first().alias("only_in"))
        .drop("path")
        .sort(KEYS)
    )
    return counts, only


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--size", default="small", choices=["tiny", "small"])
    parser.add_argument("--mapping", type=Path, default=ROOT / "mappings" / "province_vn.toml")
    parser.add_argument("--cache", type=Path, default=ROOT / "var" / "sim")
    args = parser.parse_args(argv)
    province = _province(args.seed, args.size, args.cache)
    app = run_all(province.events.lazy(), org=province.org).findings
    work = args.cache / f"{args.size}-{args.seed}-foreign"
    foreign = _foreign_findings(province, work, args.mapping)
    counts, only = compare(app, foreign)
    with pl.Config(tbl_rows=200, tbl_width_chars=160):
        print(f"app log: {app.height} findings; foreign: {foreign.height} findings")
        print(counts)
        print(f"{only.height} (behaviour, detector, subject) flagged by one path only")
        if only.height:
            print(only)


if __name__ == "__main__":
    main()
