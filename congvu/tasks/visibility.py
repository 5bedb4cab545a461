"""Who reads which task: one set of conditions, any one of which suffices (issue #14).

The same list feeds the three ways the rule is asked:
- `can_see(task, ...)`: one task in memory (the task page, the API, every action's scope check);
- `TaskQuerySet.visible_to` and `congvu.web.taskquery.visible_tasks`: one WHERE with an OR;
- `congvu.web.taskquery.count_visible`: a UNION of one indexed look-up per condition.

Before this module each of the three wrote the rule itself, and they disagreed: whoever
accepted a task and then transferred it to another unit could open it (and the API listed it),
but the web list and search did not show it. Add a condition here and all three follow.

Each condition is a subquery on `pk` or a plain column test, never a join, so the OR needs no
DISTINCT and each condition can be counted through its own index.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass
from functools import reduce
from typing import TYPE_CHECKING

from django.db.models import Q

if TYPE_CHECKING:
    from congvu.org.permissions import Access
    from congvu.tasks.models import Task


@dataclass(frozen=True)
class Reader:
    """What the rule needs to know of the reader: the units whose work they read and who they
    are (None for an account without a person)."""

    unit_ids: frozenset[int]
    person_id: int | None

    @classmethod
    def of(cls, access: Access) -> Reader:
        return cls(access.read_unit_ids, access.person_id)


@dataclass(frozen=True)
class Condition:
    name: str
    # The condition as a filter on Task (None when it cannot hold for this reader).
    where: Callable[[Reader], Q | None]
    # The same condition on one task already loaded (may run one query of its own).
    holds: Callable[[Task, Reader], bool]


def _coordinated_q(r: Reader) -> Q | None:
    from congvu.tasks.models import Coordination

    if not r.unit_ids:
        return None
    return Q(pk__in=Coordination.objects.filter(unit_id__in=r.unit_ids).values("task_id"))


def _coordinated(task: Task, r: Reader) -> bool:
    return bool(r.unit_ids) and task.coordinations.filter(unit_id__in=r.unit_ids).exists()


def _involved_q(r: Reader) -> Q | None:
    from congvu.tasks.models import TaskEvent

    if r.person_id is None:
        return None
    # One subquery per column: each goes through its own index (actor, target_person).
    acted = TaskEvent.objects.filter(actor_id=r.person_id).values("task_id")
    addressed = TaskEvent.objects.filter(target_person_id=r.person_id).values("task_id")
    return Q(pk__in=acted) | Q(pk__in=addressed)


def _involved(task: Task, r: Reader) -> bool:
    return r.person_id is not None and task.events.involving(r.person_id).exists()


def _unit_q(column: str) -> Callable[[Reader], Q | None]:
    return lambda r: Q(**{f"{column}__in": r.unit_ids}) if r.unit_ids else None


def _person_q(column: str) -> Callable[[Reader], Q | None]:
    return lambda r: Q(**{column: r.person_id}) if r.person_id is not None else None


# Cheap tests first: `can_see` stops at the first that holds, and the last ones cost a query.
CONDITIONS: tuple[Condition, ...] = (
    Condition(
        "the lead person",
        _person_q("lead_person_id"),
        lambda t, r: r.person_id is not None and t.lead_person_id == r.person_id,
    ),
    Condition(
        "the assigner",
        _person_q("assigner_id"),
        lambda t, r: r.person_id is not None and t.assigner_id == r.person_id,
    ),
    Condition(
        "reads the lead unit", _unit_q("lead_unit_id"), lambda t, r: t.lead_unit_id in r.unit_ids
    ),
    Condition(
        "reads the assigning unit",
        _unit_q("assigner_unit_id"),
        lambda t, r: t.assigner_unit_id in r.unit_ids,
    ),
    Condition("reads a coordinating unit", _coordinated_q, _coordinated),
    # Whoever acted on a task, or was addressed by it, keeps seeing it after passing it on:
    # their own part of its history is theirs to read (and to explain).
    Condition("acted on it or was addressed by it", _involved_q, _involved),
)


def conditions_q(reader: Reader) -> list[Q]:
    """The conditions that can hold for this reader, as filters on Task (any one suffices;
    an empty list means the reader sees nothing)."""
    return [q for c in CONDITIONS if (q := c.where(reader)) is not None]


def visible_q(reader: Reader) -> Q:
    """All the conditions as one filter; matches nothing when none can hold."""
    parts = conditions_q(reader)
    return reduce(operator.or_, parts) if parts else Q(pk__in=[])


def can_see(task: Task, reader: Reader) -> bool:
    return any(c.holds(task, reader) for c in CONDITIONS)


def access_sees(task: Task, access: Access) -> bool:
    """The rule for an Access: a superuser reads every task."""
    return access.sees_everything or can_see(task, Reader.of(access))
