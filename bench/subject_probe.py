"""What the per-subject phase's memory is made of: `congvu analyze` in this process, with the
steps of :func:`congvu_analytics.detect.subject_phase` wrapped to record the resident memory
before each step, its peak during the step (a thread samples /proc/self/statm every 5 ms) and
the estimated size of what the step returns.

    PYTHONPATH=. .venv/bin/python bench/subject_probe.py DATASET --units U --people P --out OUT

The per-case phase runs in the worker processes; the per-subject phase here in the parent, so
the figures are the parent's. Steps called once per detector are summed per step name, with the
largest single peak kept. Printed: one line per step name, then the phase's peak.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections import defaultdict
from typing import Any

import polars as pl

from congvu_analytics import detect
from congvu_analytics.cli import main

PAGE = os.sysconf("SC_PAGE_SIZE")
_peak = [0]


def rss() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * PAGE


_workers = [0]  # the largest resident set of one worker process (the per-case phase)


def _children() -> list[str]:
    out = []
    for task in os.listdir("/proc/self/task"):
        try:
            with open(f"/proc/self/task/{task}/children") as f:
                out += f.read().split()
        except OSError:
            pass
    return out


def _sampler() -> None:
    n = 0
    while True:
        now = rss()
        if now > _peak[0]:
            _peak[0] = now
        n += 1
        if n % 10 == 0:  # every 50 ms
            for pid in _children():
                try:
                    with open(f"/proc/{pid}/statm") as f:
                        _workers[0] = max(_workers[0], int(f.read().split()[1]) * PAGE)
                except OSError:
                    pass
        time.sleep(0.005)


def size_of(value: Any) -> int:
    if isinstance(value, pl.DataFrame):
        return value.estimated_size()
    if isinstance(value, tuple | list):
        return sum(size_of(v) for v in value)
    return 0


STATS: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
ORDER: list[str] = []


def wrap(name: str, fn: Any) -> Any:
    def run(*args: Any, **kwargs: Any) -> Any:
        before = rss()
        _peak[0] = before
        started = time.process_time()
        out = fn(*args, **kwargs)
        if isinstance(out, pl.LazyFrame):
            out = out.collect().lazy()  # the plan runs here, not in the caller
        s = STATS[name]
        if name not in ORDER:
            ORDER.append(name)
        s["calls"] += 1
        s["cpu"] += time.process_time() - started
        s["peak_above"] = max(s["peak_above"], _peak[0] - before)
        s["peak"] = max(s["peak"], _peak[0])
        s["out_mb"] = max(s["out_mb"], size_of(out if not isinstance(out, pl.LazyFrame)
                                               else out.collect()) / 1e6)  # fmt: skip
        return out

    return run


def probe_phase(fn: Any) -> Any:
    def run(*args: Any, **kwargs: Any) -> Any:
        before = rss()
        started, cpu = time.perf_counter(), time.process_time()
        out = fn(*args, **kwargs)
        print(f"subject_phase: rss before {before / 1e9:.2f} GB, wall "
              f"{time.perf_counter() - started:.1f} s, cpu {time.process_time() - cpu:.1f} s, "
              f"rss after {rss() / 1e9:.2f} GB", file=sys.stderr)  # fmt: skip
        return out

    return run


def install() -> None:
    for name in ("observations_of", "_gathered", "rates", "evidence", "judge", "_findings",
                 "_assessed", "peer_groups_from", "_sum_handover"):  # fmt: skip
        setattr(detect, name, wrap(name, getattr(detect, name)))
    from congvu_analytics import partitioned

    partitioned.subject_phase = probe_phase(partitioned.subject_phase)  # type: ignore[attr-defined]


def report() -> None:
    print(f"largest worker process: {_workers[0] / 1e9:.2f} GB")
    print(f"{'step':18} {'calls':>5} {'cpu s':>6} {'peak GB':>8} {'+peak MB':>9} {'out MB':>7}")
    for name in ORDER:
        s = STATS[name]
        print(f"{name:18} {s['calls']:5.0f} {s['cpu']:6.1f} {s['peak'] / 1e9:8.2f} "
              f"{s['peak_above'] / 1e6:9.0f} {s['out_mb']:7.1f}")  # fmt: skip


if __name__ == "__main__":
    threading.Thread(target=_sampler, daemon=True).start()
    install()
    code = main(["analyze", *sys.argv[1:], "--quiet", "--format", "parquet"])
    report()
    sys.exit(code)
