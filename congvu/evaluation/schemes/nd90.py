"""Decree 90/2020 (amended by Decree 48/2023): criteria, evaluated once a year."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from congvu.evaluation import defaults
from congvu.evaluation.schemes.base import EvaluationScheme


def _kht_options(year: int, params: Mapping[str, Any]) -> dict[str, Any]:
    # ND 48/2023: from its entry into force, a discipline counts towards KHT only when it is
    # linked to the duties (a rule-set parameter); before, any discipline did.
    from congvu.evaluation.scoring import nd48_applies

    duty_link = (
        bool(params.get("kht_discipline_requires_duty_link", False))
        if nd48_applies(year, params)
        else True
    )
    return {"duty_link": duty_link}


SCHEME = EvaluationScheme(
    code="criteria",
    decree="NĐ 90/2020, NĐ 48/2023",
    defaults=defaults.ND90,
    periodic=False,
    sheet="criteria",
    level_capped_by_points=False,
    kht_options=_kht_options,
)
