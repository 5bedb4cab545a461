"""Export the task event log in the canonical schema (congvu_analytics/schema.py).

    manage.py export_log --format csv|parquet|xes --out FILE

The file is written to a temporary name and renamed into place: a failed export leaves
nothing behind. The detection engine reads CSV and Parquet with no mapping; XES opens in
standard process-mining tools (ProM, pm4py, Disco).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand

from congvu.tasks.export import WRITERS


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--format", choices=sorted(WRITERS), required=True)
        parser.add_argument("--out", type=Path, required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        start = time.perf_counter()
        n = WRITERS[options["format"]](options["out"])
        self.stdout.write(
            self.style.SUCCESS(
                f"Đã xuất {n} sự kiện ra {options['out']} ({time.perf_counter() - start:.1f} s)."
            )
        )
