"""Agency identifier codes (mã định danh điện tử, QĐ 20/2020/QĐ-TTg) on units, by date.

The format is `000.00.00.H00`-like: four groups separated by dots, the first three of digits
(3, 2, 2) and the last a letter followed by two digits (e.g. `000.00.12.H12`, a department of
the province whose code is H12). A code change closes the old row the day before the new one
starts, so an old package still resolves to the unit that held its code on its date.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from django.db import transaction

from congvu.exchange.models import AgencyCode
from congvu.lib.errors import ActionError
from congvu.org.models import Person, Unit

CODE_RE = re.compile(r"^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}$")


def check_format(code: str, field: str = "code") -> str:
    code = code.strip().upper()
    if not CODE_RE.match(code):
        raise ActionError(
            "invalid_agency_code",
            f"Mã định danh “{code}” không đúng định dạng QĐ 20/2020/QĐ-TTg (ví dụ 000.00.12.H12).",
            field=field,
        )
    return code


def unit_for_code(code: str, day: date) -> Unit | None:
    row = AgencyCode.objects.active_on(day).filter(code=code).select_related("unit").first()
    return row.unit if row is not None else None


def code_of(unit: Unit | int, day: date) -> str:
    unit_id = unit if isinstance(unit, int) else unit.pk
    row = AgencyCode.objects.active_on(day).filter(unit_id=unit_id).first()
    return row.code if row is not None else ""


@transaction.atomic
def set_code(unit: Unit, code: str, valid_from: date, actor: Person | None = None) -> AgencyCode:
    """Give `unit` the code `code` from `valid_from` on (closing its previous code)."""
    code = check_format(code)
    holder = (
        AgencyCode.objects.select_for_update()
        .filter(code=code, valid_to__isnull=True)
        .exclude(unit=unit)
        .select_related("unit")
        .first()
    )
    if holder is not None:
        raise ActionError(
            "code_in_use",
            f"Mã định danh {code} đang là của {holder.unit.name}; đóng mã đó trước.",
            field="code",
        )
    current = (
        AgencyCode.objects.select_for_update().filter(unit=unit, valid_to__isnull=True).first()
    )
    if current is not None:
        if current.code == code:
            return current
        if valid_from <= current.valid_from:
            raise ActionError(
                "code_date_order",
                f"Ngày hiệu lực phải sau {current.valid_from:%d/%m/%Y} (mã hiện tại {current.code}).",
                field="valid_from",
            )
        current.valid_to = valid_from - timedelta(days=1)
        current.save(update_fields=["valid_to"])
    return AgencyCode.objects.create(unit=unit, code=code, valid_from=valid_from, set_by=actor)
