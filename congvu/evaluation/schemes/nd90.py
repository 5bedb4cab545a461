"""Decree 90/2020 (amended by Decree 48/2023): criteria, evaluated once a year."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from congvu.evaluation import defaults
from congvu.evaluation.schemes.base import EvaluationScheme


def _kht_options(year: int, params: Mapping[str, Any]) -> dict[str, Any]:
    from congvu.evaluation.scoring import discipline_needs_duty_link

    return {"duty_link": discipline_needs_duty_link(year, params)}


SCHEME = EvaluationScheme(
    code="criteria",
    decree="NĐ 90/2020, NĐ 48/2023",
    defaults=defaults.ND90,
    periodic=False,
    sheet="criteria",
    level_capped_by_points=False,
    kht_options=_kht_options,
)
