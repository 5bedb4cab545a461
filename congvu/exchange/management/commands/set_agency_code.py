"""Give a unit its agency identifier code (mã định danh, QĐ 20/2020/QĐ-TTg) from a date.

    manage.py set_agency_code UNIT_CODE 000.00.12.H12 [--from YYYY-MM-DD]
    manage.py set_agency_code --list

The unit's previous code ends the day before; packages dated earlier still resolve to it.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from congvu.exchange import codes
from congvu.exchange.models import AgencyCode
from congvu.lib.errors import ActionError
from congvu.org.models import Unit


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("unit", nargs="?")
        parser.add_argument("code", nargs="?")
        parser.add_argument("--from", dest="valid_from", type=date.fromisoformat)
        parser.add_argument("--list", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["list"]:
            for row in AgencyCode.objects.select_related("unit").order_by(
                "unit__code", "valid_from"
            ):
                end = f"{row.valid_to:%d/%m/%Y}" if row.valid_to else "nay"
                self.stdout.write(
                    f"{row.unit.code}\t{row.code}\t{row.valid_from:%d/%m/%Y}–{end}\t{row.unit.name}"
                )
            return
        if not options["unit"] or not options["code"]:
            raise CommandError("Cần mã đơn vị và mã định danh (hoặc --list).")
        unit = Unit.objects.filter(code=options["unit"]).first()
        if unit is None:
            raise CommandError(f"Không có đơn vị mã {options['unit']!r}.")
        try:
            row = codes.set_code(
                unit, options["code"], options["valid_from"] or timezone.localdate()
            )
        except ActionError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"{unit.name}: {row.code} từ {row.valid_from:%d/%m/%Y}.")
