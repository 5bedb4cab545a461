"""Decree 335/2025: 100 points per month or quarter from products, the year from the periods."""

from __future__ import annotations

from congvu.evaluation import defaults
from congvu.evaluation.schemes.base import EvaluationScheme

SCHEME = EvaluationScheme(
    code="points",
    decree="NĐ 335/2025",
    defaults=defaults.ND335,
    periodic=True,
    sheet="general",
    level_capped_by_points=True,
)
