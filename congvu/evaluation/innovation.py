"""ND 73/2023 read side for other apps: detection imports `protected_task_ids` from here.

The writers (do_register_innovation, do_cast_innovation_vote, ...) live in actions.py.
"""

from __future__ import annotations

from congvu.evaluation.actions import (
    employing_agency,
    innovation_voters,
    overdue_innovations,
    protected_task_ids,
)

__all__ = ["employing_agency", "innovation_voters", "overdue_innovations", "protected_task_ids"]
