"""Export the task event log for analysis and benchmarks without names (Parquet).

--mode pseudonymised (default): every person code becomes a keyed pseudonym, stable within
one --context (a different context gives unlinkable pseudonyms), free text dropped.
--mode deidentified: no person columns at all, times cut to the day, units with fewer than
--k people folded into "(khác)". Under Law 91/2025 de-identified data is no longer personal
data; pseudonymised data still is (the key holder can link it back).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from congvu.privacy.access import keyed_hash
from congvu.tasks.export import events_frame
from congvu_analytics.privacy import deidentify, people, pseudonymise


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("out", help="tệp .parquet sẽ ghi")
        parser.add_argument(
            "--mode", choices=["pseudonymised", "deidentified"], default="pseudonymised"
        )
        parser.add_argument("--context", default="export", help="nhãn tạo bí danh")
        parser.add_argument("--k", type=int, default=5, help="số người tối thiểu mỗi đơn vị")

    def handle(self, *args: Any, **options: Any) -> None:
        out = Path(options["out"])
        if out.suffix != ".parquet":
            raise CommandError(f"Tệp xuất phải có đuôi .parquet: {out}")
        if options["k"] < 1:
            raise CommandError("--k phải từ 1 trở lên.")
        events = events_frame().lazy()
        if options["mode"] == "pseudonymised":
            codes = people(events).collect()["person"].to_list()
            context = f"export:{options['context']}"
            result = pseudonymise(events, {c: keyed_hash(c, context)[:16] for c in codes})
        else:
            result = deidentify(events, k=options["k"])
        frame = result.collect()
        out.parent.mkdir(parents=True, exist_ok=True)
        frame.write_parquet(out)
        self.stdout.write(self.style.SUCCESS(f"Đã ghi {frame.height} sự kiện vào {out}."))
