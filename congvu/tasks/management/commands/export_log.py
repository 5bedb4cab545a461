"""Export the task event log in the canonical schema (congvu_analytics/schema.py).

    manage.py export_log --format csv|parquet|xes --out FILE
    manage.py export_log --format dataset --out FOLDER [--buckets 16] [--province CODE]

The file is written to a temporary name and renamed into place: a failed export leaves
nothing behind. The detection engine reads CSV and Parquet with no mapping; XES opens in
standard process-mining tools (ProM, pm4py, Disco). The dataset is Parquet partitioned by
province, year and case bucket, for `congvu analyze FOLDER` and its Spark engine (docs/scale.md).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from congvu.tasks.export import WRITERS, write_dataset
from congvu_analytics.partitioned import DEFAULT_BUCKETS

MAX_BUCKETS = 4096


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--format", choices=[*sorted(WRITERS), "dataset"], required=True)
        parser.add_argument("--out", type=Path, required=True)
        parser.add_argument(
            "--buckets",
            type=int,
            default=DEFAULT_BUCKETS,
            help=f"số nhóm hồ sơ của bộ dữ liệu (--format dataset; 1–{MAX_BUCKETS})",
        )
        parser.add_argument(
            "--province",
            default=None,
            help="mã tỉnh ghi vào tên thư mục province=… (mặc định: CONGVU_PROVINCE_CODE)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        start = time.perf_counter()
        out: Path = options["out"]
        if options["format"] == "dataset":
            buckets = options["buckets"]
            if not 1 <= buckets <= MAX_BUCKETS:
                raise CommandError(f"--buckets phải từ 1 đến {MAX_BUCKETS} (nhận {buckets}).")
            province = options["province"] or settings.PROVINCE_CODE
            if not province or not all(ch.isalnum() or ch in "-_" for ch in province):
                raise CommandError(f"--province chỉ gồm chữ, số, '-' và '_' (nhận {province!r}).")
            try:
                n = write_dataset(out, buckets=buckets, province=province)
            except FileExistsError as exc:
                raise CommandError(str(exc)) from exc
        else:
            n = WRITERS[options["format"]](out)
        self.stdout.write(
            self.style.SUCCESS(
                f"Đã xuất {n} sự kiện ra {options['out']} ({time.perf_counter() - start:.1f} s)."
            )
        )
