"""Agency identifier codes for the demo province (fictional province letter code H99), so the
edXML import page and the report package work on `make run` (docs/integration.md)."""

from __future__ import annotations

from congvu.exchange.codes import set_code
from congvu.org.models import Unit

PROVINCE = "H99"


def give_agency_codes() -> int:
    """The province's people's committee `000.00.00.H99`, its current direct subordinate units
    `000.00.NN.H99` (the first 99 by code). Returns how many units got a code."""
    root = Unit.objects.current().filter(parent__isnull=True).order_by("pk").first()
    if root is None:
        return 0
    set_code(root, f"000.00.00.{PROVINCE}", root.valid_from)
    children = Unit.objects.current().filter(parent=root).order_by("code")[:99]
    for i, unit in enumerate(children, 1):
        set_code(unit, f"000.00.{i:02d}.{PROVINCE}", unit.valid_from)
    return 1 + len(children)
