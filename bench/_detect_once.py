"""Child process of bench/detect_scale.py: run the whole detector suite on one Parquet log.

Prints one JSON line: rows, seconds in run_all (reading included), and per-step seconds.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import polars as pl

from congvu_analytics.detect import run_all


def main() -> None:
    path = Path(sys.argv[1])
    out = Path(sys.argv[2])
    steps: dict[str, float] = {}
    last = [time.perf_counter(), ""]

    def progress(step: str) -> None:
        now = time.perf_counter()
        if last[1]:
            steps[str(last[1])] = round(now - float(last[0]), 3)
        last[:] = [now, step]

    start = time.perf_counter()
    result = run_all(pl.scan_parquet(path), progress=progress)
    progress("")
    seconds = time.perf_counter() - start
    out.mkdir(parents=True, exist_ok=True)
    result.findings.write_parquet(out / "findings.parquet")
    result.person_metrics.write_parquet(out / "person_metrics.parquet")
    result.unit_metrics.write_parquet(out / "unit_metrics.parquet")
    result.handover.write_parquet(out / "handover.parquet")
    rows = pl.scan_parquet(path).select(pl.len()).collect().item()
    print(
        json.dumps(
            {"rows": rows, "seconds": seconds, "findings": result.findings.height, "steps": steps}
        )
    )


if __name__ == "__main__":
    main()
