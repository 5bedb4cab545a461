"""The per-case phase on Apache Spark (local[2]) against the single-node engine, same dataset,
same run (issue #19).

    .venv/bin/python bench/scale_spark.py                 # 10M synthetic events
    .venv/bin/python bench/scale_spark.py --events 1000000

The synthetic log (congvu_analytics.synth, seed 7) is written once as a partitioned Parquet
dataset under var/scale/ (16 case buckets) and analysed twice by `congvu analyze`: with the
default engine (bucket by bucket in one process) and with ``--engine spark --master local[2]``.
Each is a fresh process under /usr/bin/time -v; for Spark the peak is the driver's own (the
JVM and the Python workers are its children and are reported separately by `time` as the
largest child). Prints wall time, peak memory, the ratio Spark / single node, and whether the
findings are byte-identical. Needs the spark extra and Java 17 (see docs/scale.md).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def ensure_dataset(events: int, work: Path) -> Path:
    dataset = work / f"synth-{events}"
    if not dataset.exists():
        import polars as pl

        from congvu_analytics.partitioned import write_dataset
        from congvu_analytics.synth import write_parquet

        started = time.perf_counter()
        single = work / f"synth-{events}.parquet"
        if not single.exists():
            work.mkdir(parents=True, exist_ok=True)
            write_parquet(single, events, seed=7)
        tmp = dataset.with_name(dataset.name + ".tmp")
        write_dataset(pl.read_parquet(single), tmp, buckets=16, province="synth")
        tmp.rename(dataset)
        print(f"wrote {dataset} in {time.perf_counter() - started:.0f} s", flush=True)
    return dataset


def analyze(dataset: Path, out: Path, extra: list[str]) -> dict[str, float | str]:
    from scale import timed_analyze  # bench/scale.py, beside this script

    return timed_analyze([str(dataset), *extra], out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--work", type=Path, default=ROOT / "var" / "scale")
    args = parser.parse_args()
    from congvu_analytics.spark import spark_missing

    if (reason := spark_missing()) is not None:
        raise SystemExit(f"Spark: {reason}")
    dataset = ensure_dataset(args.events, args.work)
    print(f"{dataset}: {args.events:,} events, 16 buckets, 2 cores\n")
    single = analyze(dataset, args.work / "out-single", [])
    spark = analyze(dataset, args.work / "out-spark", ["--engine", "spark", "--master", "local[2]"])
    for name, f in (("single node (polars, bucket by bucket)", single), ("spark local[2]", spark)):
        print(f"{name:40} {f['wall_s']:7.1f} s {f['peak_gb']:6.2f} GB  load {f['load']:.1f}  "
              f"findings {f['findings']}")  # fmt: skip
    print(f"\nspark / single node: time x{float(spark['wall_s']) / float(single['wall_s']):.2f}; "
          f"identical findings: {spark['findings'] == single['findings']}")  # fmt: skip


if __name__ == "__main__":
    main()
