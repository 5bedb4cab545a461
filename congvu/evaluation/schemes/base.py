"""What differs between evaluation decrees, as one object per decree (issue #14).

The actions, pages and documents ask the rule set's scheme (`scheme_of(rule_set)`) instead of
branching on its code: a new decree is one new module here, registered in __init__.py.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

YEAR = "year"  # Evaluation.Kind.YEAR (models imports this package: no import back)


@dataclass(frozen=True)
class EvaluationScheme:
    code: str  # RuleSet.scheme
    decree: str
    defaults: Mapping[str, Any]  # the documented parameters, under the rule set's own
    # Evaluates months or quarters from products (ND 335); False: only the year (ND 90).
    periodic: bool
    # Where a sheet is kept: "criteria" (evaluation.criteria[who]) or "general"
    # (evaluation.general_self / general_head).
    sheet: str
    # The decided level may not be above the level of the points (ND 335 Art. 20).
    level_capped_by_points: bool
    # Extra arguments to scoring.kht_overrides for a year and its parameters.
    kht_options: Callable[[int, Mapping[str, Any]], dict[str, Any]] = field(
        default=lambda year, params: {}
    )

    def has_products(self, kind: str) -> bool:
        return self.periodic and kind != YEAR

    def store_sheet(self, evaluation: Any, who: str, sheet: dict[str, Any]) -> None:
        """Keep the self-assessment ("self") or the head's sheet ("head") where this scheme
        reads it."""
        if self.sheet == "criteria":
            criteria = {} if who == "self" else dict(evaluation.criteria)
            evaluation.criteria = {**criteria, who: sheet}
        else:
            setattr(evaluation, f"general_{who}", sheet)
