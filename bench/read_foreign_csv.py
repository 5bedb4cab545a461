"""Reading a province's CSV.gz export through the mapping (issue #11: 16M events, ≤ 60 s and
≤ 4 GB end to end on this 2-core machine; this measures the loader's share).

    .venv/bin/python bench/read_foreign_csv.py [--events 16000000] [--keep /tmp/export.csv.gz]

Writes an export in the shape of ``mappings/province_vn.toml`` (Vietnamese labels, the
source's reason codes, pauses with the superior's later verdict, opinion requests with
answers, coordination requests and answers with no reference between them; ~16 events per
task, 3,000 units, 30,000 people), then, each in its own process so that peak memory is its
own:

* baseline: ``polars.read_csv`` of the same file, all columns as text (the floor: decompress
  and parse, nothing else);
* ``load_log`` with ``mappings/province_vn.toml``: mapping, reason table, timestamps, checks,
  duplicate and order checks, acknowledgement rules and coordination pairing.

Prints wall time and peak RSS of both. Timings on a shared machine vary; compare the two
lines of one run.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parents[1]
MAPPING = ROOT / "mappings" / "province_vn.toml"

# One task's life: (label, reason, offset in hours from the task's start). Four variants so
# that pauses, verdicts, opinions and coordination occur as in a province's log.
_COMMON = [
    ("Giao việc", None, 0),
    ("Tiếp nhận", None, 2),
    ("Giao việc", None, 20),
    ("Tiếp nhận", None, 24),
    ("Báo cáo tiến độ", None, 60),
]
_TAILS = [
    [
        ("Tạm dừng", "vuong_mac_phap_ly", 70),
        ("Cho ý kiến", "xac_nhan_vuong_mac", 90),
        ("Tiếp tục", None, 300),
        ("Đề nghị phối hợp", "cho_phoi_hop", 310),
        ("Trả lời phối hợp", None, 360),
        ("Báo cáo tiến độ", None, 400),
        ("Xin ý kiến", "xin_huong_dan", 410),
        ("Cho ý kiến", "thuoc_tham_quyen", 430),
        ("Trình duyệt", None, 480),
        ("Phê duyệt", None, 500),
        ("Hoàn thành", None, 501),
    ],
    [
        ("Đề nghị phối hợp", "cho_phoi_hop", 70),
        ("Đề nghị phối hợp", "cho_phoi_hop", 71),
        ("Trả lời phối hợp", None, 120),
        ("Coi như đồng ý", None, 200),
        ("Đôn đốc", None, 220),
        ("Xin gia hạn", "cho_phoi_hop", 230),
        ("Đồng ý gia hạn", None, 240),
        ("Trình duyệt", None, 300),
        ("Yêu cầu làm lại", None, 320),
        ("Trình duyệt", None, 360),
        ("Phê duyệt", None, 380),
    ],
    [
        ("Tạm dừng", "khac", 70),
        ("Cho ý kiến", "khong_xac_nhan", 100),
        ("Tiếp tục", None, 110),
        ("Xin ý kiến", "xin_huong_dan", 150),
        ("Cho ý kiến", "ngoai_tham_quyen", 170),
        ("Báo cáo tiến độ", None, 200),
        ("Đôn đốc", None, 260),
        ("Trình duyệt", None, 300),
        ("Phê duyệt", None, 320),
        ("Hoàn thành", None, 321),
        ("Báo cáo tiến độ", None, 330),
    ],
    [
        ("Chuyển xử lý", "sai_tham_quyen", 65),
        ("Tiếp nhận", None, 68),
        ("Báo cáo tiến độ", None, 100),
        ("Báo cáo tiến độ", None, 200),
        ("Đôn đốc", None, 210),
        ("Báo cáo tiến độ", None, 260),
        ("Trình duyệt", None, 300),
        ("Phê duyệt", None, 310),
        ("Hoàn thành", None, 311),
        ("Báo cáo tiến độ", None, 312),
        ("Báo cáo tiến độ", None, 313),
    ],
]
PER_TASK = len(_COMMON) + len(_TAILS[0])


def write_export(path: Path, n_events: int) -> int:
    """Write the export; returns the number of events."""
    tasks = max(1, n_events // PER_TASK)
    template = pl.DataFrame(
        [
            {"variant": v, "step": i, "thao_tac": label, "ma_ly_do": reason, "hours": hours}
            for v, tail in enumerate(_TAILS)
            for i, (label, reason, hours) in enumerate(_COMMON + tail)
        ],
        schema={
            "variant": pl.Int64,
            "step": pl.Int64,
            "thao_tac": pl.String,
            "ma_ly_do": pl.String,
            "hours": pl.Int64,
        },
    )
    task = pl.DataFrame({"task": pl.arange(0, tasks, eager=True)}).with_columns(
        (pl.col("task").hash(7) % len(_TAILS)).cast(pl.Int64).alias("variant"),
        (pl.col("task").hash(11) % 3000).alias("unit"),
        (pl.col("task").hash(13) % 30000).alias("person"),
        (pl.col("task").hash(17) % (365 * 24)).cast(pl.Int64).alias("start"),
    )
    events = (
        task.join(template, on="variant")
        .sort("task", "step")
        .with_columns(
            (pl.int_range(pl.len()) + 1).cast(pl.String).alias("ma_thao_tac"),
            pl.format("NV{}", pl.col("task").cast(pl.String).str.zfill(8)).alias("ma_nhiem_vu"),
            (pl.datetime(2025, 7, 1) + pl.duration(hours=pl.col("start") + pl.col("hours")))
            .dt.strftime("%d/%m/%Y %H:%M:%S")
            .alias("thoi_gian"),
            pl.format("CB{}", (pl.col("person") + pl.col("step") % 3).cast(pl.String)).alias(
                "nguoi_thuc_hien"
            ),
            pl.when(pl.col("thao_tac").is_in(["Trả lời phối hợp", "Coi như đồng ý"]))
            .then(pl.format("DV{}", ((pl.col("unit") + 1) % 3000).cast(pl.String)))
            .otherwise(pl.format("DV{}", pl.col("unit").cast(pl.String)))
            .alias("don_vi_thuc_hien"),
            pl.format("CB{}", ((pl.col("person") + 1) % 30000).cast(pl.String)).alias("nguoi_nhan"),
            pl.when(pl.col("thao_tac") == "Đề nghị phối hợp")
            .then(pl.format("DV{}", ((pl.col("unit") + 1) % 3000).cast(pl.String)))
            .alias("don_vi_nhan"),
            pl.when(pl.col("step") == 0)
            .then(
                (pl.datetime(2025, 7, 1) + pl.duration(hours=pl.col("start") + 600)).dt.strftime(
                    "%d/%m/%Y 23:59:59"
                )
            )
            .alias("han_xu_ly"),
            pl.when(pl.col("thao_tac") == "Trả lời phối hợp")
            .then(pl.lit("dong_y"))
            .alias("y_kien"),
            pl.lit(None, dtype=pl.String).alias("ma_sang_kien"),
        )
        .select(
            "ma_thao_tac",
            "ma_nhiem_vu",
            "thao_tac",
            "thoi_gian",
            "nguoi_thuc_hien",
            "don_vi_thuc_hien",
            "nguoi_nhan",
            "don_vi_nhan",
            "ma_ly_do",
            "han_xu_ly",
            "y_kien",
            "ma_sang_kien",
        )
    )
    events.write_csv(path, compression="gzip", compression_level=5)
    return events.height


def _child(kind: str, path: str) -> None:
    t0 = time.perf_counter()
    if kind == "baseline":
        n = pl.read_csv(path, infer_schema=False).height
    else:
        from congvu_analytics.io.loader import load_log
        from congvu_analytics.io.mapping import load_mapping

        n = load_log(path, load_mapping(MAPPING)).events.height
    seconds = time.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"kind": kind, "events": n, "seconds": seconds, "peak_mb": peak_mb}))


def _run(kind: str, path: Path) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", kind, str(path)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    result: dict[str, float] = json.loads(out.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=16_000_000)
    parser.add_argument("--keep", help="write the export here and keep it")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(*args.child)
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(args.keep) if args.keep else Path(tmp) / "events.csv.gz"
        t0 = time.perf_counter()
        n = write_export(path, args.events)
        size_mb = path.stat().st_size / 1e6
        print(
            f"export: {n:,} events, {size_mb:,.0f} MB gzip, written in {time.perf_counter() - t0:.0f} s"
        )
        for kind in ("baseline", "load_log"):
            r = _run(kind, path)
            label = "baseline read_csv (text)" if kind == "baseline" else "load_log + mapping"
            print(f"{label:28} {r['seconds']:7.1f} s   peak {r['peak_mb']:8,.0f} MB")


if __name__ == "__main__":
    main()
