"""The unit tree as of a date, cached in-process.

A province has at most a few thousand units, so the whole tree for a date fits in a few
dictionaries; subtree and ancestor questions are then answered without recursive SQL, the
same way on SQLite and PostgreSQL. The cache key is a fingerprint of the version table, which
only the org actions write.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.db import connection

from congvu.org.models import UnitSuccession, UnitVersion, today


def _reachable(start: Iterable[int], edges: dict[int, list[int]]) -> set[int]:
    """`start` and every unit reached from it along `edges` (cycles are harmless)."""
    out = set(start)
    stack = list(out)
    while stack:
        for nxt in edges.get(stack.pop(), ()):
            if nxt not in out:
                out.add(nxt)
                stack.append(nxt)
    return out


@dataclass
class OrgTree:
    day: date
    parent: dict[int, int | None]
    children: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))
    # successor -> its direct predecessors (successions effective on `day`): a merged unit's
    # history belongs to the unit that took it over.
    predecessors: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))
    _scopes: dict[int, frozenset[int]] = field(default_factory=dict, repr=False, compare=False)

    def __contains__(self, unit_id: object) -> bool:
        return unit_id in self.parent

    def ancestors(self, unit_id: int) -> list[int]:
        """Parents from the nearest up to the root (the unit itself excluded)."""
        out: list[int] = []
        seen = {unit_id}
        current = self.parent.get(unit_id)
        while current is not None and current not in seen:
            out.append(current)
            seen.add(current)
            current = self.parent.get(current)
        return out

    def subtree(self, unit_id: int) -> set[int]:
        """The unit and everything below it on `day`."""
        return _reachable([unit_id], self.children)

    def with_predecessors(self, unit_ids: Iterable[int]) -> set[int]:
        """`unit_ids` plus every unit they (transitively) took over."""
        return _reachable(unit_ids, self.predecessors)

    def scope(self, unit_id: int) -> frozenset[int]:
        """The unit, everything below it and every unit they took over: what a head of the
        unit directs. Memoised: the tree is immutable and shared, and every permission check
        of every request asks this for the same few units."""
        found = self._scopes.get(unit_id)
        if found is None:
            found = frozenset(self.with_predecessors(self.subtree(unit_id)))
            self._scopes[unit_id] = found
        return found

    def reporting_scope(self, unit_id: int) -> set[int]:
        """The units whose tasks count as `unit_id`'s on its dashboard, data feed and progress
        report: its scope() while it stands in the tree, itself alone once it is dissolved."""
        return set(self.scope(unit_id)) if unit_id in self else {unit_id}

    def roots(self) -> list[int]:
        return [u for u, p in self.parent.items() if p is None]

    def depth(self, unit_id: int) -> int:
        return len(self.ancestors(unit_id))


_lock = threading.Lock()
_cache: dict[tuple[object, ...], OrgTree] = {}


def _fingerprint() -> tuple[object, ...]:
    # One round trip for both tables: every permission check starts here, so on a busy server
    # the second query was a measurable share of a workflow action's latency.
    versions = UnitVersion._meta.db_table
    successions = UnitSuccession._meta.db_table
    sql = (
        f"SELECT (SELECT COUNT(*) FROM {versions}), (SELECT MAX(id) FROM {versions}),"  # noqa: S608 - table names from model metadata
        f" (SELECT COUNT(*) FROM {versions} WHERE valid_to IS NULL),"
        f" (SELECT COUNT(*) FROM {successions}), (SELECT MAX(id) FROM {successions})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        row = cursor.fetchone()
    return tuple(row)


def tree_as_of(day: date | None = None) -> OrgTree:
    day = day or today()
    key = (day, *_fingerprint())
    tree = _cache.get(key)
    if tree is not None:
        return tree
    parent: dict[int, int | None] = {}
    children: dict[int, list[int]] = defaultdict(list)
    for unit_id, parent_id in UnitVersion.objects.active_on(day).values_list(
        "unit_id", "parent_id"
    ):
        parent[unit_id] = parent_id
        if parent_id is not None:
            children[parent_id].append(unit_id)
    preds: dict[int, list[int]] = defaultdict(list)
    successions = UnitSuccession.objects.filter(effective_date__lte=day)
    for pred, succ in successions.values_list("predecessor_id", "successor_id"):
        preds[succ].append(pred)
    tree = OrgTree(day=day, parent=parent, children=children, predecessors=preds)
    with _lock:
        if len(_cache) > 64:
            _cache.clear()
        _cache[key] = tree
    return tree
