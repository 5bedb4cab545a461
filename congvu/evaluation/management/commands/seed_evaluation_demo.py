"""Demo evaluations for a unit subtree (`manage.py seed_evaluation_demo --unit CODE`).

2025 is classified under ND 90/48 and the first --months months of 2026 are tracked under
ND 335, all through the real actions and the sealed log. Deterministic from --seed; refuses
to run twice on the same people (periods are unique per person).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from congvu.evaluation.demo import generate_evaluations
from congvu.lib.errors import ActionError
from congvu.org.models import Unit


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--unit", required=True, help="Mã đơn vị gốc")
        parser.add_argument("--months", type=int, default=3)
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args: Any, **options: Any) -> None:
        unit = Unit.objects.filter(code=options["unit"]).first()
        if unit is None:
            raise CommandError(f"Không có đơn vị mã “{options['unit']}”.")
        if not 1 <= options["months"] <= 12:
            raise CommandError("--months phải từ 1 đến 12.")
        try:
            r = generate_evaluations(unit, seed=options["seed"], months=options["months"])
        except ActionError as exc:
            raise CommandError(f"[{exc.code}] {exc.message}") from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Đã tạo {r.months} kỳ tháng, {r.years} kỳ năm, {r.proposals} đề xuất "
                f"(bỏ qua {r.skipped})."
            )
        )
