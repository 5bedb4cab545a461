"""Benchmark: reading XES with congvu_analytics vs pm4py, and the decompress-and-scan floor.

Run from the repository root after `pip install -c constraints.txt -e '.[dev,bench]'`:

    .venv/bin/python bench/bench_read_xes.py            # BPIC 2013 incidents + 500k synthetic
    .venv/bin/python bench/bench_read_xes.py --quick    # BPIC 2013 only

One run per measurement set (best of --repeat on the small log); prints times and ratios. This
is a benchmark, not a test: nothing is asserted, the numbers depend on the machine.
pm4py (AGPL) is only used here, via the `bench` extra.
"""

from __future__ import annotations

import argparse
import gzip
import os
import random
import sys
import time
import warnings
import zlib
from collections.abc import Callable
from pathlib import Path
from xml.sax.saxutils import quoteattr

ROOT = Path(__file__).resolve().parents[1]
BPIC = ROOT / ".." / "shared" / "data" / "bpic2013" / "BPI_Challenge_2013_incidents.xes.gz"
OUT = ROOT / "bench" / "out"
MAPPING = ROOT / "mappings" / "bpic2013_incidents.toml"

STATUSES = [
    ("Queued", "Awaiting Assignment"),
    ("Accepted", "In Progress"),
    ("Accepted", "Wait - User"),
    ("Accepted", "Assigned"),
    ("Completed", "Resolved"),
    ("Completed", "Closed"),
]
TEAMS = (
    [f"G{i}" for i in range(60)]
    + [f"V{i} 2nd" for i in range(25)]
    + [f"N{i} 3rd" for i in range(10)]
)
PEOPLE = ["Nguyễn Văn An", "Trần Thị Bình", "Lê Hoàng Cường", "Phạm Minh Dũng", "Hoàng Thu Hà"] + [
    f"Person {i}" for i in range(400)
]


def generate_synthetic(path: Path, n_events: int, seed: int = 2013) -> None:
    """A BPIC-2013-shaped XES.gz with n_events events (about 9 per trace), Vietnamese names."""
    rnd = random.Random(seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    written = 0
    case = 0
    with gzip.open(tmp, "wt", encoding="utf-8", compresslevel=6) as fh:
        fh.write(
            '<?xml version="1.0" encoding="UTF-8" ?>\n<log xes.version="1.0" xmlns="http://www.xes-standard.org/">\n'
        )
        fh.write('\t<string key="concept:name" value="synthetic"/>\n')
        while written < n_events:
            case += 1
            t = 1_300_000_000 + rnd.randrange(60_000_000)
            k = min(rnd.randint(3, 15), n_events - written)
            parts = [f'\t<trace>\n\t\t<string key="concept:name" value="1-{case:09d}"/>\n']
            team = rnd.choice(TEAMS)
            for _ in range(k):
                if rnd.random() < 0.3:
                    team = rnd.choice(TEAMS)
                status, sub = rnd.choice(STATUSES)
                t += rnd.randrange(1, 200_000)
                stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + "+01:00"
                attrs = [
                    ("org:group", team),
                    ("resource country", "Việt Nam"),
                    ("organization country", "vn"),
                    ("org:resource", rnd.choice(PEOPLE)),
                    ("organization involved", f"Org line {rnd.choice('ABC')}"),
                    ("org:role", f"A2_{rnd.randint(1, 5)}"),
                    ("concept:name", status),
                    ("impact", rnd.choice(["Low", "Medium", "High"])),
                    ("product", f"PROD{rnd.randint(1, 800)}"),
                    ("lifecycle:transition", sub),
                ]
                parts.append("\t\t<event>\n")
                parts.extend(
                    f"\t\t\t<string key={quoteattr(a)} value={quoteattr(v)}/>\n" for a, v in attrs
                )
                parts.append(f'\t\t\t<date key="time:timestamp" value="{stamp}"/>\n\t\t</event>\n')
            parts.append("\t</trace>\n")
            fh.write("".join(parts))
            written += k
        fh.write("</log>\n")
    tmp.rename(path)


def floor(path: Path) -> int:
    """The floor: decompress once and scan every byte once (count '<')."""
    d = zlib.decompressobj(wbits=47)
    n = 0
    with path.open("rb") as fh:
        while block := fh.read(1 << 24):
            n += d.decompress(block).count(b"<")
    return n


Timing = tuple[float, float]  # (wall seconds, CPU seconds of this process, all threads)


def timed(fn: Callable[[], object], repeat: int) -> Timing:
    """Best wall and CPU time of ``repeat`` runs; NaN (and the error printed) if the reader fails.

    CPU time is reported because the machine is shared: under load, wall time mostly measures
    the other processes. CPU time counts every thread, so it never flatters the multi-threaded
    polars reader against single-threaded pm4py.
    """
    best_wall = best_cpu = float("inf")
    for _ in range(repeat):
        w0, c0 = time.perf_counter(), time.process_time()
        try:
            fn()
        except Exception as exc:  # a competitor failing is a result, not a crash of the bench
            print(f"  !! failed: {type(exc).__name__}: {str(exc)[:120]}", flush=True)
            return float("nan"), float("nan")
        best_wall = min(best_wall, time.perf_counter() - w0)
        best_cpu = min(best_cpu, time.process_time() - c0)
    return best_wall, best_cpu


def run(path: Path, repeat: int, *, with_pm4py: bool) -> dict[str, Timing]:
    from congvu_analytics.io.loader import load_log
    from congvu_analytics.io.mapping import load_mapping
    from congvu_analytics.io.xes import read_xes

    mapping = load_mapping(MAPPING)

    class Shown(dict[str, Timing]):
        def __setitem__(self, key: str, value: Timing) -> None:
            print(f"  .. {key:<40} wall {value[0]:8.3f} s   cpu {value[1]:8.3f} s", flush=True)
            super().__setitem__(key, value)

    results = Shown()
    results["floor: gunzip + scan"] = timed(lambda: floor(path), repeat)
    results["congvu read_xes (fast path)"] = timed(lambda: read_xes(path), repeat)
    results["congvu load_log (read+map+validate)"] = timed(lambda: load_log(path, mapping), repeat)
    results["congvu read_xes (iterparse fallback)"] = timed(
        lambda: read_xes(path, force_fallback=True), 1
    )
    if with_pm4py:
        import pm4py
        from pm4py.util import constants

        print(
            f"  pm4py {pm4py.__version__}: default parser resolves to {constants.DEFAULT_XES_PARSER!r}",
            flush=True,
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            # Same number of repetitions as ours (best of), so that noise does not favour us.
            results["pm4py.read_xes default"] = timed(
                lambda: pm4py.read_xes(str(path), show_progress_bar=False), repeat
            )
            results["pm4py.read_xes iterparse"] = timed(
                lambda: pm4py.read_xes(str(path), variant="iterparse", show_progress_bar=False),
                repeat,
            )
            results["pm4py.read_xes chunk_regex"] = timed(
                lambda: pm4py.read_xes(str(path), variant="chunk_regex", show_progress_bar=False),
                repeat,
            )
    return results


def report(title: str, results: dict[str, Timing]) -> None:
    ours = results["congvu read_xes (fast path)"]
    print(f"\n== {title} (summary; ratios = other / ours)")
    print(f"  {'':<40} {'wall s':>8} {'cpu s':>8} {'wall x':>7} {'cpu x':>7}")
    for name, (wall, cpu) in results.items():
        print(f"  {name:<40} {wall:8.3f} {cpu:8.3f} {wall / ours[0]:7.2f} {cpu / ours[1]:7.2f}")
    for name, target in (("default", 2), ("iterparse", 10), ("chunk_regex", None)):
        key = f"pm4py.read_xes {name}"
        if key in results:
            wall, cpu = results[key]
            goal = f" (target >= {target})" if target else ""
            print(
                f"  pm4py {name} / ours: {wall / ours[0]:5.1f}x wall, {cpu / ours[1]:5.1f}x cpu{goal}"
            )
    floor_wall, floor_cpu = results["floor: gunzip + scan"]
    print(f"  ours / floor: {ours[0] / floor_wall:5.1f}x wall, {ours[1] / floor_cpu:5.1f}x cpu")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="BPIC 2013 only")
    parser.add_argument("--events", type=int, default=500_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-pm4py", action="store_true")
    args = parser.parse_args()
    load = os.getloadavg()[0]
    print(
        f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average {load:.1f}",
        flush=True,
    )
    if BPIC.exists():
        print("\n== BPIC 2013 incidents", flush=True)
        report(
            "BPIC 2013 incidents (65,533 events)",
            run(BPIC, args.repeat, with_pm4py=not args.no_pm4py),
        )
    if not args.quick:
        synth = OUT / f"synthetic_{args.events}.xes.gz"
        if not synth.exists():
            t0 = time.perf_counter()
            generate_synthetic(synth, args.events)
            print(f"\n(generated {synth.name} in {time.perf_counter() - t0:.1f} s)")
        print(f"\n== synthetic (load average now {os.getloadavg()[0]:.1f})", flush=True)
        report(
            f"synthetic XES ({args.events:,} events, {synth.stat().st_size / 1e6:.0f} MB gzip)",
            run(synth, 1, with_pm4py=not args.no_pm4py),
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
