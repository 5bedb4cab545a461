"""Dashboard figures computed from the task table and the event log, a few queries per page.

Rates follow DOMAIN.md: the on-time rate counts overdue open work as late; a unit with fewer
than MIN_SAMPLE judged tasks gets no rate ("too few tasks to judge"), not a misleading 0 or 100%.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Max, QuerySet

from congvu.org.tree import OrgTree
from congvu.tasks.events import TaskEventType as E
from congvu.tasks.models import CLOSED, Status, Task, TaskEvent
from congvu.workdays.calendar import get_calendar

MIN_SAMPLE = 5
CUSTODY = (E.ASSIGNED, E.TRANSFERRED, E.RETURNED, E.LEAD_REASSIGNED)
HANDOVER = (E.TRANSFERRED, E.RETURNED, E.LEAD_REASSIGNED, E.DECLINED)


@dataclass
class Stats:
    total: int = 0
    open: int = 0
    overdue: int = 0
    completed: int = 0
    on_time: int = 0
    late: int = 0
    cancelled: int = 0
    declines: int = 0
    pingpong: int = 0
    handovers: int = 0
    findings: int = 0  # current congvu.detection findings, filled in by the province view
    by_status: Counter[str] = field(default_factory=Counter)

    @property
    def judged(self) -> int:
        return self.completed + self.overdue

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.judged if self.judged >= MIN_SAMPLE else None

    @property
    def decline_rate(self) -> float | None:
        return self.declines / self.total if self.total >= MIN_SAMPLE else None

    @property
    def pingpong_rate(self) -> float | None:
        return self.pingpong / self.total if self.total >= MIN_SAMPLE else None


@dataclass
class TaskFacts:
    pk: int
    lead_unit_id: int
    lead_person_id: int
    status: str
    deadline: date
    assigned_at: object
    done_on: date | None = None
    declines: int = 0
    pingpong: bool = False

    def timeliness(self, day: date) -> str | None:
        if self.status == Status.CANCELLED:
            return None
        if self.status == Status.COMPLETED:
            if self.done_on is None:
                return "on_time"
            return "late" if self.done_on > self.deadline else "on_time"
        return "overdue" if day > self.deadline else "open"


def task_facts(tasks: QuerySet[Task]) -> tuple[list[TaskFacts], list[Handover]]:
    """Facts per task plus the hand-overs between units, in three queries."""
    facts = {
        pk: TaskFacts(pk, lu, lp, st, dl, at)
        for pk, lu, lp, st, dl, at in tasks.values_list(
            "pk", "lead_unit_id", "lead_person_id", "status", "deadline", "assigned_at"
        )
    }
    ids = tasks.values("pk")
    from congvu.tasks.state import VN_TZ

    for task_id, last in (
        TaskEvent.objects.filter(task_id__in=ids, type=E.SUBMITTED, task__status=Status.COMPLETED)
        .values("task_id")
        .annotate(last=Max("at"))
        .values_list("task_id", "last")
    ):
        facts[task_id].done_on = last.astimezone(VN_TZ).date()
    handovers: list[Handover] = []
    custody: dict[int, list[int]] = defaultdict(list)
    for task_id, etype, target_unit_id, at in (
        TaskEvent.objects.filter(task_id__in=ids, type__in=(*CUSTODY, E.DECLINED))
        .order_by("task_id", "seq")
        .values_list("task_id", "type", "target_unit_id", "at")
    ):
        if etype == E.DECLINED:
            facts[task_id].declines += 1
        src, again = _follow(custody[task_id], etype, target_unit_id)
        if src is not None:
            handovers.append(Handover.of(src, target_unit_id, etype, at))
        if again:
            facts[task_id].pingpong = True
    return list(facts.values()), handovers


def _follow(chain: list[int], etype: int, target: int | None) -> tuple[int | None, bool]:
    """One custody or decline event applied to a task's chain of holding units: the unit the
    task left if the event handed it to another (else None), and whether custody came back to
    a unit that already held it and passed it on (A→B→A)."""
    if etype == E.DECLINED:
        # A decline proposes the competent unit; custody stays until the assigner decides.
        return (chain[-1] if chain and target else None), False
    src = chain[-1] if etype != E.ASSIGNED and chain and target and target != chain[-1] else None
    again = False
    if target and (not chain or chain[-1] != target):
        again = target in chain[:-1]
        chain.append(target)
    return src, again


@dataclass(frozen=True)
class Handover:
    """`n` hand-overs from unit `src` to unit `dst` on the local day `on`."""

    src: int
    dst: int
    # Trả lại: sent back to whoever handed the task over (or its assigner), as opposed to a
    # transfer, a decline proposing another unit or a change of lead.
    is_return: bool
    on: date
    n: int = 1

    @classmethod
    def of(cls, src: int, dst: int, etype: int, at: datetime) -> Handover:
        from congvu.tasks.state import VN_TZ

        return cls(src, dst, etype == E.RETURNED, at.astimezone(VN_TZ).date())


def handovers_in(
    start: date, end: date, *, tasks: QuerySet[Task] | None = None, into: set[int] | None = None
) -> list[Handover]:
    """The hand-overs between units made from `start` to `end` (whole local days), of `tasks`
    (all when None) or only those received by a unit of `into`.

    The period bounds the work: the hand-over events of the period come off the event-time
    index, then only the tasks they belong to are followed from their assignment (where a
    task was before is needed to know where it left from)."""
    from congvu.tasks.state import VN_TZ

    lo = datetime.combine(start, time.min, tzinfo=VN_TZ)
    hi = datetime.combine(end + timedelta(days=1), time.min, tzinfo=VN_TZ)
    moved = TaskEvent.objects.filter(type__in=HANDOVER, at__gte=lo, at__lt=hi)
    if tasks is not None:
        moved = moved.filter(task_id__in=tasks.values("pk"))
    if into is not None:
        moved = moved.filter(target_unit_id__in=into)
    out: list[Handover] = []
    custody: dict[int, list[int]] = defaultdict(list)
    for task_id, etype, target_unit_id, at in (
        TaskEvent.objects.filter(
            task_id__in=moved.values("task_id"), type__in=(*CUSTODY, E.DECLINED), at__lt=hi
        )
        .order_by("task_id", "seq")
        .values_list("task_id", "type", "target_unit_id", "at")
    ):
        src, _again = _follow(custody[task_id], etype, target_unit_id)
        if src is None or at < lo or (into is not None and target_unit_id not in into):
            continue
        out.append(Handover.of(src, target_unit_id, etype, at))
    return out


def summarise(facts: list[TaskFacts], day: date) -> Stats:
    stats = Stats()
    for f in facts:
        stats.total += 1
        stats.by_status[f.status] += 1
        kind = f.timeliness(day)
        if f.status == Status.CANCELLED:
            stats.cancelled += 1
        elif f.status == Status.COMPLETED:
            stats.completed += 1
            if kind == "on_time":
                stats.on_time += 1
            else:
                stats.late += 1
        else:
            stats.open += 1
            if kind == "overdue":
                stats.overdue += 1
        stats.declines += 1 if f.declines else 0
        stats.pingpong += 1 if f.pingpong else 0
    return stats


def group_of(tree: OrgTree, unit_id: int, top: set[int]) -> int | None:
    """The ranked unit (a child of the root) that `unit_id` belongs to."""
    if unit_id in top:
        return unit_id
    for anc in tree.ancestors(unit_id):
        if anc in top:
            return anc
    # A dissolved unit: its successor's group, if any.
    for succ, preds in tree.predecessors.items():
        if unit_id in preds:
            return group_of(tree, succ, top)
    return None


def monthly(facts: list[TaskFacts], months: int, day: date) -> list[tuple[str, int, int, int]]:
    """(mm/yyyy, assigned, completed on time, completed late) for the last `months` months."""
    from congvu.tasks.state import VN_TZ

    keys: list[tuple[int, int]] = []
    y, m = day.year, day.month
    for _ in range(months):
        keys.append((y, m))
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    keys.reverse()
    assigned: Counter[tuple[int, int]] = Counter()
    on_time: Counter[tuple[int, int]] = Counter()
    late: Counter[tuple[int, int]] = Counter()
    for f in facts:
        at = f.assigned_at.astimezone(VN_TZ)  # type: ignore[attr-defined]
        assigned[(at.year, at.month)] += 1
        if f.status == Status.COMPLETED and f.done_on is not None:
            key = (f.done_on.year, f.done_on.month)
            if f.done_on > f.deadline:
                late[key] += 1
            else:
                on_time[key] += 1
    return [
        (f"{mm:02d}/{yy}", assigned[(yy, mm)], on_time[(yy, mm)], late[(yy, mm)]) for yy, mm in keys
    ]


def working_days_ago(day: date, n: int) -> date:
    cal = get_calendar()
    count = 0
    current = day
    while count < n:
        current -= timedelta(days=1)
        if cal.is_working_day(current):
            count += 1
    return current


OPEN_STATUSES = [s for s in Status.values if s not in CLOSED]
