"""Write a test province to disk: ``python -m congvu_analytics.sim --seed 101 --size small
--export var/sim/tinh-101 [--parquet var/sim/small-101]``.

``--export`` writes the foreign export (events.csv.gz, units.csv, people.csv, README.txt);
``--parquet`` keeps the canonical log, the organisation and the ground truth as Parquet.
"""

from __future__ import annotations

import argparse
import sys
import time

from congvu_analytics.sim import SIZES, generate, save_province, write_export


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m congvu_analytics.sim", description="Sinh tỉnh mẫu có đáp án (issue #11)."
    )
    parser.add_argument("--seed", type=int, required=True, help="hạt giống (1-3 để tinh chỉnh)")
    parser.add_argument("--size", default="small", choices=sorted(SIZES), help="cỡ tỉnh")
    parser.add_argument("--export", help="thư mục bản xuất kiểu nhật ký nước ngoài")
    parser.add_argument("--parquet", help="thư mục lưu nhật ký chuẩn, tổ chức và đáp án")
    args = parser.parse_args(argv)
    if not args.export and not args.parquet:
        parser.error("cần ít nhất một trong --export, --parquet")
    started = time.perf_counter()
    province = generate(args.seed, args.size)
    sys.stderr.write(
        f"Đã sinh {province.events.height:,} sự kiện, {province.org.people.height:,} cán bộ"
        f" trong {time.perf_counter() - started:.1f} s\n"
    )
    if args.parquet:
        sys.stderr.write(f"Đã lưu {save_province(province, args.parquet)}\n")
    if args.export:
        sys.stderr.write(f"Đã xuất {write_export(province, args.export)}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
