"""Which regulations block the most work: tasks blocked and working days lost, per regulation.

Days lost by one obstacle = working days from the pause to the end of the pause (the first
resume, completion or cancellation after it in the task's log) or to today while it lasts,
counted by congvu.workdays (the first day is not counted, Civil Code Art. 147). Obstacles the
legal department concluded are "not an obstacle" are left out of the ranking.
Four queries (with the calendar's freshness check) whatever the number of obstacles.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import QuerySet

from congvu.legal.models import LegalObstacle
from congvu.org.models import today
from congvu.privacy.models import Policy, policy_params
from congvu.tasks.events import TaskEventType as E
from congvu.tasks.models import TaskEvent
from congvu.tasks.state import VN_TZ
from congvu.workdays.calendar import get_calendar
from congvu_analytics.workdays import WorkCalendar

ENDS_PAUSE = (E.RESUMED, E.COMPLETED, E.CANCELLED)


@dataclass
class RegulationRow:
    number: str
    articles: set[str] = field(default_factory=set)
    task_ids: set[int] = field(default_factory=set)
    obstacles: int = 0
    open_obstacles: int = 0
    days_lost: int = 0

    @property
    def tasks_blocked(self) -> int:
        return len(self.task_ids)

    @property
    def article_list(self) -> str:
        return "; ".join(sorted(a for a in self.articles if a))


def pause_ends(obstacles: list[LegalObstacle]) -> dict[int, datetime | None]:
    """obstacle id → when its pause ended (None while the task is still paused)."""
    task_ids = {o.task_id for o in obstacles}
    ends: dict[int, list[tuple[int, datetime]]] = defaultdict(list)
    for task_id, seq, at in (
        TaskEvent.objects.filter(task_id__in=task_ids, type__in=[int(e) for e in ENDS_PAUSE])
        .order_by("task_id", "seq")
        .values_list("task_id", "seq", "at")
    ):
        ends[task_id].append((seq, at))
    return {
        o.pk: next((at for seq, at in ends[o.task_id] if seq > o.pause_seq), None)
        for o in obstacles
    }


def days_lost(
    paused_at: datetime, ended_at: datetime | None, day: date, cal: WorkCalendar | None = None
) -> int:
    cal = cal or get_calendar()
    end = ended_at.astimezone(VN_TZ).date() if ended_at else day
    return max(0, cal.working_days_between(paused_at.astimezone(VN_TZ).date(), end))


def ranking(
    obstacles: QuerySet[LegalObstacle] | None = None, day: date | None = None
) -> list[RegulationRow]:
    """Regulations ranked by tasks blocked, then working days lost, then number."""
    day = day or today()
    qs = obstacles if obstacles is not None else LegalObstacle.objects.all()
    rows = list(
        qs.exclude(status=LegalObstacle.Status.NOT_AN_OBSTACLE).prefetch_related("citations")
    )
    ends = pause_ends(rows)
    cal = get_calendar()
    by_key: dict[str, RegulationRow] = {}
    for o in rows:
        lost = days_lost(o.paused_at, ends[o.pk], day, cal)
        for c in o.citations.all():
            r = by_key.setdefault(c.key, RegulationRow(number=c.number))
            r.articles.add(c.article)
            r.task_ids.add(o.task_id)
            r.obstacles += 1
            r.open_obstacles += 0 if o.is_closed else 1
            r.days_lost += lost
    return sorted(by_key.values(), key=lambda r: (-r.tasks_blocked, -r.days_lost, r.number))


def ranking_xlsx(rows: list[RegulationRow], day: date) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from congvu_analytics.safe_csv import defused_bytes

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Vướng mắc pháp lý"
    ws.append([f"Tổng hợp vướng mắc pháp lý theo văn bản (đến ngày {day:%d/%m/%Y})"])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append([])
    header = [
        "STT",
        "Văn bản",
        "Điều, khoản vướng mắc",
        "Số nhiệm vụ bị vướng",
        "Số vướng mắc",
        "Đang xử lý",
        "Ngày làm việc bị chậm",
    ]
    ws.append(header)
    for cell in ws[3]:
        cell.font = Font(bold=True)
    for i, r in enumerate(rows, start=1):
        ws.append(
            [
                i,
                r.number,
                r.article_list,
                r.tasks_blocked,
                r.obstacles,
                r.open_obstacles,
                r.days_lost,
            ]
        )
    for col, width in zip("ABCDEFG", (6, 34, 40, 14, 12, 12, 16), strict=True):
        ws.column_dimensions[col].width = width
    return defused_bytes(wb)


# --- NQ 206/2025/QH15: the report the province sends ---------------------------------------


@dataclass
class Nq206Report:
    day: date
    policy_name: str
    legal_basis: str
    report_to: str
    plan_due: date
    counts: dict[tuple[str, str], int]  # (criterion, route) → obstacles
    rows: list[LegalObstacle]
    overdue: set[int]  # obstacle ids past their deadline and not resolved
    unrouted: int  # acknowledged under NQ 206 but not yet routed


def nq206_report(day: date) -> Nq206Report:
    """Obstacles acknowledged while NQ 206 is in force, by criterion and route, each with its
    competent body, deadline and status; overdue ones flagged (a fixed number of queries)."""
    policy, params = policy_params(Policy.Topic.OBSTACLES, day)
    qs = (
        LegalObstacle.objects.filter(rule=policy.code)
        .exclude(status=LegalObstacle.Status.NOT_AN_OBSTACLE)
        .select_related("task", "reported_unit")
        .prefetch_related("citations")
        .order_by("deadline", "pk")
    )
    rows = list(qs)
    routed = [o for o in rows if o.route]
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for o in routed:
        counts[(o.criterion, o.route)] += 1
    done = {LegalObstacle.Status.RESOLVED, LegalObstacle.Status.GUIDANCE_ISSUED}
    overdue = {o.pk for o in routed if o.deadline and o.deadline < day and o.status not in done}
    return Nq206Report(
        day,
        policy.name,
        policy.legal_basis,
        str(params.get("report_to", "")),
        date.fromisoformat(params["plan_due"]),
        dict(counts),
        rows,
        overdue,
        len(rows) - len(routed),
    )
