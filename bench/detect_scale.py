"""Benchmark: the whole detector suite on 1M, 3M and 10M synthetic events.

Run: .venv/bin/python bench/detect_scale.py [--sizes 1m,3m,10m]

Each size runs in a fresh subprocess under /usr/bin/time -v, so the peak memory is that run's
own maximum resident set size. Logs are generated once into bench/out/ (deterministic, seed 7)
and reused. Targets (2-core machine): <= 15 s and <= 4 GB at 10M events.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import time
from pathlib import Path

from congvu_analytics.synth import write_parquet

OUT = Path(__file__).parent / "out"
SIZES = {"1m": 1_000_000, "3m": 3_000_000, "10m": 10_000_000}


def ensure_log(name: str) -> Path:
    path = OUT / f"synth_{name}.parquet"
    if not path.exists():
        OUT.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        write_parquet(path, SIZES[name], seed=7)
        print(f"generated {path.name} in {time.perf_counter() - started:.1f} s")
    return path


def run(name: str) -> dict[str, object]:
    path = ensure_log(name)
    cmd = ["/usr/bin/time", "-v", sys.executable, str(Path(__file__).parent / "_detect_once.py"),
           str(path), str(OUT / f"detect_{name}")]  # fmt: skip
    wall_start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, check=True)
    wall = time.perf_counter() - wall_start
    result: dict[str, object] = json.loads(proc.stdout.strip().splitlines()[-1])
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr)
    result["peak_mb"] = int(rss.group(1)) / 1024 if rss else float("nan")
    cpu = re.findall(r"(?:User|System) time \(seconds\): ([\d.]+)", proc.stderr)
    result["cpu_seconds"] = sum(float(x) for x in cpu)
    result["process_seconds"] = wall
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1m,3m,10m")
    args = parser.parse_args()
    results: list[dict[str, object]] = []
    with open("/proc/loadavg") as fh:
        load = fh.read().split()[:3]
    print(f"load average before: {' '.join(load)} (2 cores shared; other work inflates wall time)")
    print(
        f"{'log':>4} {'events':>11} {'run_all s':>10} {'process s':>10} {'cpu s':>7} "
        f"{'peak MB':>8} {'s/M ev':>7} {'time x':>7}"
    )
    previous: tuple[int, float] | None = None
    for name in args.sizes.split(","):
        r = run(name)
        rows = int(str(r["rows"]))
        seconds = float(str(r["seconds"]))
        growth = f"{seconds / previous[1]:.2f}" if previous else "-"
        size_growth = f" (events x{rows / previous[0]:.2f})" if previous else ""
        print(
            f"{name:>4} {rows:>11,} {seconds:>10.2f} {float(str(r['process_seconds'])):>10.2f} "
            f"{float(str(r['cpu_seconds'])):>7.1f} {float(str(r['peak_mb'])):>8.0f} "
            f"{seconds / rows * 1e6:>7.2f} {growth:>7}{size_growth}"
        )
        previous = (rows, seconds)
        results.append({"log": name, "load_before": load, **r})
    steps = results[-1]["steps"]
    assert isinstance(steps, dict)
    slowest = sorted(steps.items(), key=lambda kv: -kv[1])[:5]
    print("slowest steps on the largest log:", ", ".join(f"{k} {v:.2f} s" for k, v in slowest))
    (OUT / "detect_scale.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
