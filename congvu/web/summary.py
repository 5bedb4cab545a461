"""Pre-aggregated dashboard figures: one row per unit per day, refreshed by a job.

The province dashboard ranks every unit on figures folded from every task (congvu.web.metrics).
At 500,000 tasks that fold takes seconds per request, so the `dashboard_summaries` job
(hourly, `manage.py run_jobs`) folds once per unit into UnitSummary (and the hand-overs per
pair of units and day into HandoverSummary), and the dashboard sums a few hundred unit rows
instead. The figures are those of the last refresh
(the page says when); without a refresh for today the dashboard folds live as before.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field, fields
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from congvu.org.tree import OrgTree
from congvu.tasks.models import Task
from congvu.web.metrics import (
    Handover,
    Stats,
    TaskFacts,
    group_of,
    monthly,
    summarise,
    task_facts,
)
from congvu.web.models import HandoverSummary, PersonSummary, UnitSummary

MONTHS = 12
KEEP_DAYS = 2
COUNTS = (
    *("total", "open", "overdue", "completed", "on_time", "late", "cancelled"),
    *("declines", "pingpong"),
)


@dataclass
class Snapshot:
    computed_at: datetime
    stats: dict[int, Stats] = field(default_factory=dict)  # lead unit → its figures
    trend: dict[int, list[list[object]]] = field(default_factory=dict)


def refresh(day: date) -> dict[str, int]:
    """Fold every task once and store the per-unit figures as of `day`."""
    now = timezone.now()
    facts, handovers = task_facts(Task.objects.all())
    by_unit: dict[int, list[TaskFacts]] = defaultdict(list)
    for f in facts:
        by_unit[f.lead_unit_id].append(f)
    rows = []
    people: list[PersonSummary] = []
    for unit_id, unit_facts in by_unit.items():
        st = summarise(unit_facts, day)
        by_person: dict[int, list[TaskFacts]] = defaultdict(list)
        for f in unit_facts:
            by_person[f.lead_person_id].append(f)
        for person_id, person_facts in by_person.items():
            pst = summarise(person_facts, day)
            people.append(
                PersonSummary(
                    day=day,
                    unit_id=unit_id,
                    person_id=person_id,
                    **{c: getattr(pst, c) for c in COUNTS},
                )
            )
        rows.append(
            UnitSummary(
                day=day,
                unit_id=unit_id,
                computed_at=now,
                by_status=dict(st.by_status),
                monthly=[list(m) for m in monthly(unit_facts, MONTHS, day)],
                **{c: getattr(st, c) for c in COUNTS},
            )
        )
    edges: dict[tuple[int, int, date], list[int]] = defaultdict(lambda: [0, 0])
    for h in handovers:
        counts = edges[(h.src, h.dst, h.on)]
        counts[0] += 1
        counts[1] += h.is_return
    with transaction.atomic():
        UnitSummary.objects.filter(day=day).delete()
        PersonSummary.objects.filter(day=day).delete()
        HandoverSummary.objects.filter(day=day).delete()
        UnitSummary.objects.bulk_create(rows, batch_size=2000)
        PersonSummary.objects.bulk_create(people, batch_size=2000)
        HandoverSummary.objects.bulk_create(
            [
                HandoverSummary(day=day, on=on, src_unit_id=a, dst_unit_id=b, n=n, returns=r)
                for (a, b, on), (n, r) in edges.items()
            ],
            batch_size=2000,
        )
        cutoff = day - timedelta(days=KEEP_DAYS)
        UnitSummary.objects.filter(day__lt=cutoff).delete()
        PersonSummary.objects.filter(day__lt=cutoff).delete()
        HandoverSummary.objects.filter(day__lt=cutoff).delete()
    return {
        "units": len(rows),
        "people": len(people),
        "tasks": len(facts),
        "edges": len({(a, b) for a, b, _on in edges}),
    }


def load(day: date) -> Snapshot | None:
    rows = list(UnitSummary.objects.filter(day=day))
    if not rows:
        return None
    snap = Snapshot(computed_at=min(r.computed_at for r in rows))
    for r in rows:
        st = Stats(by_status=Counter(r.by_status), **{c: getattr(r, c) for c in COUNTS})
        snap.stats[r.unit_id] = st
        snap.trend[r.unit_id] = r.monthly
    return snap


def handovers(day: date, start: date, end: date, *, into: set[int] | None = None) -> list[Handover]:
    """The hand-overs from `start` to `end` as of the refresh of `day`, summed per pair of
    units (those received by a unit of `into` only, when given)."""
    rows = HandoverSummary.objects.filter(day=day, on__gte=start, on__lte=end)
    if into is not None:
        rows = rows.filter(dst_unit_id__in=into)
    out = []
    for a, b, n, r in (
        rows.values("src_unit_id", "dst_unit_id")
        .annotate(n=Sum("n"), r=Sum("returns"))
        .values_list("src_unit_id", "dst_unit_id", "n", "r")
    ):
        if n - r:
            out.append(Handover(a, b, False, end, n - r))
        if r:
            out.append(Handover(a, b, True, end, r))
    return out


@dataclass
class UnitFigures:
    """A unit dashboard's figures from the last refresh: the scope's total."""

    computed_at: datetime
    stats: Stats


def unit_figures(day: date, scope: set[int]) -> UnitFigures | None:
    """The pre-aggregated figures of the tasks led by the units in `scope`, or None when the
    job has not refreshed them for `day` yet (the dashboard then folds live)."""
    rows = list(UnitSummary.objects.filter(day=day, unit_id__in=scope))
    if not rows:
        return None
    total = Stats()
    for r in rows:
        add(total, Stats(by_status=Counter(r.by_status), **{c: getattr(r, c) for c in COUNTS}))
    return UnitFigures(min(r.computed_at for r in rows), total)


def top_people(day: date, scope: set[int], limit: int) -> tuple[list[tuple[int, Stats]], int]:
    """The `limit` lead persons of `scope` with the most overdue, then open, work (summed over
    the units they lead in) and how many persons there are: summed and ranked by the
    database, since a whole province has tens of thousands of rows."""
    rows = PersonSummary.objects.filter(day=day, unit_id__in=scope)
    ranked = (
        rows.values("person_id")
        .annotate(**{f"sum_{c}": Sum(c) for c in COUNTS})
        .order_by("-sum_overdue", "-sum_open", "person_id")[:limit]
    )
    people = []
    for r in ranked:
        counts: dict[str, Any] = {c: int(r[f"sum_{c}"]) for c in COUNTS}
        people.append((int(r["person_id"]), Stats(**counts)))
    return people, rows.values("person_id").distinct().count()


def add(total: Stats, part: Stats) -> None:
    """total += part, field by field (the counters and by_status)."""
    for f in fields(Stats):
        if f.name == "by_status":
            total.by_status.update(part.by_status)
        else:
            setattr(total, f.name, getattr(total, f.name) + getattr(part, f.name))


def add_trend(total: list[list[object]], part: list[list[object]]) -> list[list[object]]:
    if not total:
        return [list(m) for m in part]
    for t, p in zip(total, part, strict=True):
        for i in (1, 2, 3):
            t[i] = int(t[i]) + int(p[i])  # type: ignore[call-overload]
    return total


def province_figures(
    snap: Snapshot, tree: OrgTree, top: set[int], day: date
) -> tuple[dict[int, Stats], Stats, list[tuple[str, int, int, int]]]:
    """What the province dashboard folds live, from the snapshot: figures per ranked unit,
    the province total and the 12-month trend (the hand-overs: `handovers`)."""
    group_stats: dict[int, Stats] = {u: Stats() for u in top}
    trend_rows: list[list[object]] = []
    total = Stats()
    for unit_id, st in snap.stats.items():
        add(total, st)
        trend_rows = add_trend(trend_rows, snap.trend[unit_id])
        g = group_of(tree, unit_id, top)
        if g is not None:
            add(group_stats[g], st)
    trend = [
        (str(m[0]), int(m[1]), int(m[2]), int(m[3]))  # type: ignore[call-overload]
        for m in trend_rows
    ] or monthly([], MONTHS, day)
    return group_stats, total, trend
