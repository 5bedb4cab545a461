"""A national-scale partitioned dataset without holding it in memory (issue #19's 100M target).

    .venv/bin/python bench/national_dataset.py                         # 7 large provinces ≈ 107M events
    .venv/bin/python bench/national_dataset.py --provinces 2 --size small --out var/national-small

Generates one simulated province at a time (``generate(seed, size)``, seeds ``--seed``,
``--seed``+1, ...), writes it straight into ``OUT/dataset/province=P01/year=<y>/bucket=<b>/``
with its codes prefixed by its province code (``congvu_analytics.sim.national``), frees it and
goes on to the next: peak memory is one province's generation, not the country's. The
organisation tables of all provinces are written as ``OUT/units.csv`` and ``OUT/people.csv``
(canonical columns) for ``congvu analyze OUT/dataset --units OUT/units.csv --people
OUT/people.csv``.

With ``--analyze``, then runs ``congvu analyze`` on the first province alone and on the whole
dataset, each a fresh process under /usr/bin/time -v: wall time, CPU seconds (user + system),
peak resident memory, and the load average (1 min) at the start and at the end.

A province whose folder is complete (``OUT/done/<code>.json``) is kept, so an interrupted run
resumes where it stopped; a half-written province is removed and generated again.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parent.parent


def _rss_gb(time_pid: int) -> float:
    """Resident memory of the process /usr/bin/time runs (its child), 0 if gone."""
    try:
        child = Path(f"/proc/{time_pid}/task/{time_pid}/children").read_text().split()
        status = Path(f"/proc/{child[0]}/status").read_text() if child else ""
    except OSError:
        return 0.0
    found = re.search(r"VmRSS:\s+(\d+) kB", status)
    return int(found.group(1)) / 1024 / 1024 if found else 0.0


def timed_analyze(log: Path, units: Path, people: Path, out: Path) -> dict[str, float]:
    """`congvu analyze` in a fresh process under /usr/bin/time -v."""
    cmd = ["/usr/bin/time", "-v", sys.executable, "-m", "congvu_analytics.cli", "analyze",
           str(log), "--units", str(units), "--people", str(people), "--out", str(out),
           "--format", "parquet,json", "--quiet"]  # fmt: skip
    load = os.getloadavg()[0]
    started = time.perf_counter()
    # RSS of the analysing process every 5 s (out/../rss-<name>.tsv): with provinces analysed
    # one by one it should rise and fall per province, not grow with the country.
    samples: list[tuple[float, float]] = []
    with subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT
    ) as proc:
        while proc.poll() is None:
            samples.append((time.perf_counter() - started, _rss_gb(proc.pid)))
            time.sleep(5)
        _, stderr = proc.communicate()
    wall = time.perf_counter() - started
    (out.parent / f"rss-{out.name}.tsv").write_text(
        "".join(f"{s:.0f}\t{gb:.2f}\n" for s, gb in samples), encoding="utf-8"
    )
    done = subprocess.CompletedProcess(cmd, proc.returncode, "", stderr)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)}\n{done.stderr[-3000:]}")

    def field(name: str) -> float:
        found = re.search(rf"{re.escape(name)}: ([0-9.:]+)", done.stderr)
        if found is None:
            raise SystemExit(f"/usr/bin/time -v printed no {name!r}")
        return float(found.group(1))

    return {
        "wall_s": wall,
        "cpu_s": field("User time (seconds)") + field("System time (seconds)"),
        "peak_gb": field("Maximum resident set size (kbytes)") / 1024 / 1024,
        "load_start": load,
        "load_end": os.getloadavg()[0],
    }


def analyze(out: Path) -> None:
    """The first province alone, then the whole dataset."""
    events = sum(json.loads(m.read_text())["events"] for m in (out / "done").glob("*.json"))
    first = json.loads((out / "done" / "P01.json").read_text())["events"]
    runs = [
        ("P01 alone", first, out / "dataset" / "province=P01",
         out / "org" / "units-P01.csv", out / "org" / "people-P01.csv"),
        ("all provinces", events, out / "dataset", out / "units.csv", out / "people.csv"),
    ]  # fmt: skip
    for name, n, log, units, people in runs:
        figures = timed_analyze(log, units, people, out / f"out-{name.split()[0]}")
        print(
            f"{name:14} {n:>12,} events  wall {figures['wall_s']:6.0f} s  "
            f"CPU {figures['cpu_s']:6.0f} s  peak {figures['peak_gb']:5.2f} GB  "
            f"load {figures['load_start']:.1f} → {figures['load_end']:.1f}",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--provinces", type=int, default=7)
    parser.add_argument("--size", default="large", choices=["tiny", "small", "large"])
    parser.add_argument("--seed", type=int, default=201, help="seed of the first province")
    parser.add_argument("--people", type=int, help="people per province (default: the size's)")
    parser.add_argument("--tasks", type=int, help="tasks per province (default: the size's)")
    parser.add_argument("--buckets", type=int, default=16, help="case buckets per province-year")
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "national")
    parser.add_argument("--analyze", action="store_true", help="then time `congvu analyze`")
    args = parser.parse_args()
    if args.provinces < 1 or args.buckets < 1:
        raise SystemExit("--provinces and --buckets must be at least 1")

    from congvu_analytics.sim import generate
    from congvu_analytics.sim.national import province_org, write_province

    dataset, done, org_dir = args.out / "dataset", args.out / "done", args.out / "org"
    for folder in (dataset, done, org_dir):
        folder.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    total = 0
    for i in range(args.provinces):
        code, seed = f"P{i + 1:02d}", args.seed + i
        marker = done / f"{code}.json"
        if marker.exists():
            total += json.loads(marker.read_text())["events"]
            print(f"{code}: kept ({marker})", flush=True)
            continue
        shutil.rmtree(dataset / f"province={code}", ignore_errors=True)
        t0 = time.perf_counter()
        overrides = {k: v for k, v in (("people", args.people), ("tasks", args.tasks)) if v}
        province = generate(seed, args.size, **overrides)
        t1 = time.perf_counter()
        files = write_province(province, dataset, code, buckets=args.buckets)
        org = province_org(province, code)
        org.units.write_csv(org_dir / f"units-{code}.csv")
        org.people.write_csv(org_dir / f"people-{code}.csv")
        events = province.events.height
        del province, org
        gc.collect()
        t2 = time.perf_counter()
        total += events
        marker.write_text(json.dumps({"seed": seed, "size": args.size, "events": events}))
        print(
            f"{code} (seed {seed}): {events:,} events, generated in {t1 - t0:.0f} s, "
            f"{files} files written in {t2 - t1:.0f} s; {total:,} events so far",
            flush=True,
        )
    # One national table of each kind (each province's codes are prefixed, so none repeats).
    codes = [f"P{i + 1:02d}" for i in range(args.provinces)]
    for kind in ("units", "people"):
        frames = [pl.read_csv(org_dir / f"{kind}-{c}.csv", infer_schema=False) for c in codes]
        pl.concat(frames).write_csv(args.out / f"{kind}.csv")
    print(
        f"{args.out}: {args.provinces} provinces, {total:,} events in "
        f"{time.perf_counter() - started:.0f} s",
        flush=True,
    )
    if args.analyze:
        analyze(args.out)


if __name__ == "__main__":
    main()
