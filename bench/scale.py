"""End to end at province scale: `congvu analyze` on a province's foreign CSV.gz export, read
whole (the baseline: ``--buckets 0``) and bucket by bucket (the default), in the same run.

    .venv/bin/python bench/scale.py                    # large province, seed 101 (≈ 15M events)
    .venv/bin/python bench/scale.py --size small       # ≈ 0.3M events, a quick look
    .venv/bin/python bench/scale.py --dataset          # also from a partitioned Parquet dataset

Issues #11 and #19 ask for 16M events from CSV.gz in ≤ 60 s and ≤ 4 GB peak on this 2-core
machine. Each run is a fresh `congvu analyze` process under /usr/bin/time -v (its CPU includes
the worker processes); the peak is given for the largest process and for the process tree
summed. The export (and the dataset) are generated once into var/scale/ and reused. The load
average is printed beside the figures: on a shared machine wall time moves with it, peak
memory does not. Both runs must give the same findings.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAPPING = ROOT / "mappings" / "province_vn.toml"  # what a data officer writes (docs/mapping.md)


def ensure_export(size: str, seed: int, work: Path) -> Path:
    export = work / f"{size}-{seed}" / "export"
    if not (export / "events.csv.gz").exists():
        from congvu_analytics.sim import generate, write_export

        started = time.perf_counter()
        write_export(generate(seed, size), export)
        print(f"generated {export} in {time.perf_counter() - started:.0f} s", flush=True)
    return export


def ensure_dataset(export: Path, buckets: int) -> Path:
    """The export mapped once into a partitioned Parquet dataset (what `export_log --format
    dataset` writes for Công Vụ's own log)."""
    dataset = export.parent / f"dataset-{buckets}"
    if not dataset.exists():
        import polars as pl

        from congvu_analytics.io.loader import load_log
        from congvu_analytics.io.mapping import load_mapping
        from congvu_analytics.partitioned import write_dataset

        # One-off preparation, in memory: the dataset is what a province would keep.
        log = load_log(export / "events.csv.gz", load_mapping(MAPPING))
        tmp = dataset.with_name(dataset.name + ".tmp")
        frame: pl.DataFrame = log.events
        write_dataset(frame, tmp, buckets=buckets, province="sim")
        tmp.rename(dataset)
        # Its organisation tables under the canonical column names (a dataset has no mapping).
        units = pl.read_csv(export / "units.csv", infer_schema=False)
        units.rename({"ma_don_vi": "unit", "ten_don_vi": "name", "loai_don_vi": "type",
                      "ma_don_vi_cap_tren": "parent", "nguoi_dung_dau": "head", "cap": "level"}
                     ).with_columns(pl.col("level").replace({"1": "3", "3": "1"})
                     ).write_csv(dataset.parent / "dataset-units.csv")  # fmt: skip
        people = pl.read_csv(export / "people.csv", infer_schema=False)
        people.rename({"ma_can_bo": "person", "ho_ten": "name", "ma_don_vi": "unit",
                       "chuc_vu": "position", "ngay_nhan_nhiem_vu": "start_date"}
                      ).write_csv(dataset.parent / "dataset-people.csv")  # fmt: skip
    return dataset


def org_args(source: Path, export: Path) -> list[str]:
    if source.is_file():
        return ["--mapping", str(MAPPING), "--units", str(export / "units.csv"),
                "--people", str(export / "people.csv")]  # fmt: skip
    # A dataset is canonical: no mapping, the tables under canonical names.
    return ["--units", str(export.parent / "dataset-units.csv"),
            "--people", str(export.parent / "dataset-people.csv")]  # fmt: skip


def _tree_rss(root: int) -> int:
    """Resident bytes of ``root`` and all its descendants (the worker processes), found
    through the kernel's children lists rather than a scan of every process."""
    total, todo = 0, [str(root)]
    while todo:
        pid = todo.pop()
        try:
            with open(f"/proc/{pid}/statm") as f:
                total += int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
            for task in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{task}/children") as f:
                    todo += f.read().split()
        except (OSError, IndexError, ValueError):
            continue  # the process ended between two reads
    return total


def timed_analyze(args: list[str], out: Path) -> dict[str, float | str]:
    """`congvu analyze ARGS --out OUT` in a fresh process under /usr/bin/time -v: wall time,
    CPU (user and system, workers included), minor page faults, the largest process's peak,
    the process tree's summed peak (sampled every 0.3 s), the load average at the start and a
    digest of the findings."""
    cmd = ["/usr/bin/time", "-v", sys.executable, "-m", "congvu_analytics.cli", "analyze",
           *args, "--out", str(out), "--format", "parquet", "--quiet"]  # fmt: skip
    load = os.getloadavg()[0]
    started = time.perf_counter()
    process = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    tree = 0
    while process.poll() is None:
        tree = max(tree, _tree_rss(process.pid))
        time.sleep(0.3)
    wall = time.perf_counter() - started
    stderr = process.stderr.read() if process.stderr else ""
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)}\n{stderr[-3000:]}")

    def field(name: str) -> float:
        return float(re.search(rf"{re.escape(name)}: ([\d.]+)", stderr).group(1))  # type: ignore[union-attr]

    digest = hashlib.sha256((out / "findings.parquet").read_bytes()).hexdigest()[:12]
    return {
        "wall_s": wall,
        "user_s": field("User time (seconds)"),
        "sys_s": field("System time (seconds)"),
        "faults": field("Minor (reclaiming a frame) page faults"),
        "peak_gb": field("Maximum resident set size (kbytes)") / 1024 / 1024,
        "tree_gb": tree / 1024**3,
        "load": load,
        "findings": digest,
    }


def analyze(source: Path, out: Path, extra: list[str], export: Path) -> dict[str, float | str]:
    return timed_analyze([str(source), *org_args(source, export), *extra], out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", default="large", choices=["tiny", "small", "large"])
    parser.add_argument("--seed", type=int, default=101)
    parser.add_argument("--work", type=Path, default=ROOT / "var" / "scale")
    parser.add_argument("--dataset", action="store_true", help="also run on a Parquet dataset")
    args = parser.parse_args()

    export = ensure_export(args.size, args.seed, args.work)
    log = export / "events.csv.gz"
    size_mb = log.stat().st_size / 1e6
    print(f"{log} ({size_mb:.0f} MB), 2 cores; each row one fresh process\n")
    rows: list[tuple[str, dict[str, float | str]]] = []
    runs = [("whole file (--buckets 0), baseline", log, ["--buckets", "0"]),
            ("bucket by bucket (default)", log, [])]  # fmt: skip
    if args.dataset:
        runs.append(("partitioned Parquet dataset", ensure_dataset(export, 16), []))
    for name, source, extra in runs:
        figures = analyze(source, export.parent / f"out-{len(rows)}", extra, export)
        rows.append((name, figures))
        print(f"{name:38} {figures['wall_s']:7.1f} s  CPU {figures['user_s']:.0f} + "
              f"{figures['sys_s']:.0f} s  {figures['faults'] / 1e6:.1f}M faults  largest "
              f"{figures['peak_gb']:.2f} GB, tree {figures['tree_gb']:.2f} GB  load "
              f"{figures['load']:.1f}  findings {figures['findings']}", flush=True)  # fmt: skip
    base = rows[0][1]
    print()
    for name, figures in rows[1:]:
        print(f"{name}: time x{float(figures['wall_s']) / float(base['wall_s']):.2f}, "
              f"peak memory x{float(figures['peak_gb']) / float(base['peak_gb']):.2f} "
              f"against the baseline; same findings: {figures['findings'] == base['findings']}")  # fmt: skip


if __name__ == "__main__":
    main()
