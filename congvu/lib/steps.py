"""The shape of a step on something other than a task (a finding's review, an evaluation
period): its key, its label, when it is offered and what it runs.

A task's steps (congvu.tasks.steps.Step) carry more — their needs raise the action's own errors
and their inputs generate the API — but a page treats all of them alike: it offers a step when
`offered(ctx)` holds, shows its `label`, and posts the form's cleaned data to `run`. The action
still decides at the moment of writing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.utils.functional import Promise

C = TypeVar("C")


@dataclass(frozen=True)
class ObjectStep(Generic[C]):
    key: str
    label: str | Promise
    offered: Callable[[C], bool]
    run: Callable[[C, dict[str, Any]], object]


def by_key(steps: Sequence[ObjectStep[C]]) -> dict[str, ObjectStep[C]]:
    return {s.key: s for s in steps}
