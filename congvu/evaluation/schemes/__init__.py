"""One module per evaluation decree (see base.py); `scheme_of` picks a rule set's."""

from __future__ import annotations

from typing import Any

from congvu.evaluation.schemes import nd90, nd335
from congvu.evaluation.schemes.base import EvaluationScheme

SCHEMES: dict[str, EvaluationScheme] = {s.code: s for s in (nd335.SCHEME, nd90.SCHEME)}


def scheme_of(rule_set: Any) -> EvaluationScheme:
    """The scheme of a rule set (or of a scheme code)."""
    code = rule_set if isinstance(rule_set, str) else rule_set.scheme
    return SCHEMES[code]
