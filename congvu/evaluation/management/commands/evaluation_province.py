"""Evaluate the whole province for a year: `manage.py evaluation_province 2026`.

Rules (congvu/evaluation/province.py, docs/evaluation.md):
- every công chức with a primary post gets each month of the year up to --today scored under
  the rule set in force (ND 335/2025 from 1/1/2026): products from the tasks they led that fell
  due in the month (delays, rework requests and acknowledged objective causes read from the
  sealed task log) plus their routine work from the job position's catalogue; self-assessment,
  the superior's proposal and decision, finalisation;
- then the year: the average of the months, decided, and the HTXS quota (≤ 20 % of HTT per unit
  and per group of similar jobs) checked unit by unit — a unit within the quota is finalised,
  a unit over it stays decided and is listed with its warning;
- unless --no-previous-year, the year before is classified under the rule set then in force
  (ND 90/2020 + 48/2023) for everyone with a rule set, from the same task log.
Idempotent: periods that exist are left alone. Deterministic from --seed.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from congvu.evaluation.province import run_year
from congvu.lib.errors import ActionError


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("year", type=int)
        parser.add_argument("--today", type=date.fromisoformat, help="Ngày chạy (YYYY-MM-DD)")
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument(
            "--no-previous-year", action="store_true", help="Không đánh giá năm trước"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        year: int = options["year"]
        today: date = options["today"] or timezone.localdate()
        if not 2000 <= year <= today.year:
            raise CommandError(
                f"Năm {year} chưa bắt đầu hoặc không hợp lệ (hôm nay {today:%d/%m/%Y})."
            )
        verbosity = int(options["verbosity"])

        def progress(msg: str) -> None:
            if verbosity >= 1:
                self.stdout.write(f"  {msg}")

        try:
            r = run_year(
                year,
                today=today,
                seed=options["seed"],
                previous_year=not options["no_previous_year"],
                progress=progress,
            )
        except ActionError as exc:
            raise CommandError(f"[{exc.code}] {exc.message}") from exc
        for code, warnings in sorted(r.over_quota_units.items()):
            for w in warnings:
                self.stdout.write(self.style.WARNING(f"Cảnh báo tỷ lệ ({code}): {w}"))
        self.stdout.write(
            self.style.SUCCESS(
                f"Năm {year}: {r.periods} kỳ tháng ({r.months} tháng; {r.task_products} sản phẩm "
                f"từ nhiệm vụ, {r.excused} lỗi có nguyên nhân khách quan), {r.years} kết quả năm, "
                f"{r.finalised_years} đã chốt, {len(r.over_quota_units)} đơn vị vượt tỷ lệ HTXS "
                f"chờ cấp có thẩm quyền; năm {year - 1}: {r.previous_year} kết quả; "
                f"bỏ qua {r.skipped}; {r.seconds:.1f} giây."
            )
        )
