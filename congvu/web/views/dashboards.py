"""Dashboards: a unit's for its head, the province's for its leaders."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from congvu.lib.http import login_required
from congvu.org.http import get_access
from congvu.org.models import Person, Unit, UnitVersion, today
from congvu.org.permissions import Access, Role
from congvu.org.tree import tree_as_of
from congvu.tasks.models import Coordination, Status, Task
from congvu.tasks.state import VN_TZ
from congvu.web import charts, features, summary
from congvu.web.metrics import (
    Handover,
    Stats,
    group_of,
    handovers_in,
    monthly,
    summarise,
    task_facts,
    working_days_ago,
)
from congvu.web.taskquery import visible_tasks, with_countdowns, with_names

IDLE_WORKING_DAYS = 10
NETWORK_EDGES = 30


@dataclass(frozen=True)
class Row:
    pk: int
    name: str
    stats: Stats


LIST_LIMIT = 15
PEOPLE_LIMIT = 50


def _get_directed_unit(request: HttpRequest, unit_id: int) -> Unit:
    unit: Unit = get_object_or_404(Unit, pk=unit_id)
    access = get_access(request)
    if not (
        access.can_act_on_unit(unit)
        or access.can_see_evaluations_of(unit)
        or access.sees_everything
    ):
        raise PermissionDenied
    return unit


@login_required
@require_GET
def unit_dashboard_home(request: HttpRequest) -> HttpResponse:
    """The dashboard of the (first) unit this person heads."""
    access = get_access(request)
    directed = sorted(access.member_unit_ids & access.act_unit_ids) or sorted(access.act_unit_ids)
    if not directed:
        raise PermissionDenied
    return HttpResponseRedirect(reverse("web:unit_dashboard", args=[directed[0]]))


@dataclass(frozen=True)
class Pairs:
    """Hand-overs between the groups a dashboard compares, per (from, to) pair: every
    hand-over, and among them the returns (Trả lại)."""

    moved: Counter[tuple[int, int]]
    returned: Counter[tuple[int, int]]


def _pairs(tree: Any, groups: set[int], handovers: Iterable[Handover]) -> Pairs:
    """Folds hand-overs into pairs of groups (sub-units counted in their group); a hand-over
    inside one group is not drawn."""
    pairs = Pairs(Counter(), Counter())
    for h in handovers:
        a, b = group_of(tree, h.src, groups), group_of(tree, h.dst, groups)
        if a is not None and b is not None and a != b:
            pairs.moved[(a, b)] += h.n
            if h.is_return:
                pairs.returned[(a, b)] += h.n
    return pairs


def _network(
    pairs: Pairs, names: dict[int, str], sizes: dict[int, int] | None = None
) -> dict[str, Any]:
    """The hand-over picture and its table, for the province and a unit's divisions."""
    # The picture keeps the most frequent hand-overs (a hairball helps nobody); the table
    # gives each pair its transfers and returns apart, its way back (a ping-pong shows on both
    # rows) and its share of all hand-overs.
    moved = pairs.moved
    # Ties by name: the same figures read the same whether folded live or summed hourly.
    drawn = sorted(
        moved.items(), key=lambda kv: (-kv[1], names.get(kv[0][0], ""), names.get(kv[0][1], ""))
    )[:NETWORK_EDGES]
    involved: Counter[int] = Counter()
    for (a, b), n in drawn:
        involved[a] += n
        involved[b] += n
    nodes = [
        (u, names.get(u, "?"), (sizes or involved).get(u, 0))
        for u in sorted(involved, key=lambda u: names.get(u, ""))
    ]
    edges = [(a, b, n) for (a, b), n in drawn]
    total = sum(moved.values())
    returns = sum(pairs.returned.values())
    return {
        "network_chart": charts.network(
            _("Mạng lưới chuyển giao nhiệm vụ giữa các đơn vị"), nodes, edges
        )
        if edges
        else None,
        "edges": [
            (
                names.get(a, "?"),
                names.get(b, "?"),
                n - pairs.returned[(a, b)],
                pairs.returned[(a, b)],
                moved[(b, a)],
                n / (total or 1),
            )
            for a, b, n in edges[:LIST_LIMIT]
        ],
        "edges_total": len(moved),
        "edges_drawn": len(drawn),
        "handovers_total": total,
        "returns_total": returns,
        "returns_share": returns / total if total else None,
    }


def _network_period(request: HttpRequest, day: date) -> dict[str, Any]:
    """The period the hand-over network counts (?tu=&den=, as the unit report): by default the
    quarter so far."""
    quarter_start = day.replace(month=3 * ((day.month - 1) // 3) + 1, day=1)
    start, end = _report_period(request, day, default_start=quarter_start)
    return {"network_start": start, "network_end": end}


def _span(period: dict[str, Any]) -> tuple[date, date]:
    return period["network_start"], period["network_end"]


@login_required
@require_GET
def unit_dashboard(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = _get_directed_unit(request, unit_id)
    day = today()
    period = _network_period(request, day)
    tree = tree_as_of(day)
    scope = tree.reporting_scope(unit.pk)
    tasks = Task.objects.filter(lead_unit_id__in=scope)
    figures = summary.unit_figures(day, scope)
    computed_at = None
    if figures is not None and figures.stats.total > settings.DASHBOARD_LIVE_TASKS:
        # A large unit (a whole Sở: tens of thousands of tasks) reads the hourly figures.
        computed_at, stats = figures.computed_at, figures.stats
        shown, people_total = summary.top_people(day, scope, PEOPLE_LIMIT)
        moves = summary.handovers(day, *_span(period), into=scope)
    else:
        facts, _handovers = task_facts(tasks)
        # Hand-overs received inside the unit in the period, whichever task they belong to.
        moves = handovers_in(*_span(period), into=scope)
        stats = summarise(facts, day)
        by_person: dict[int, list[Any]] = {}
        for f in facts:  # one pass, not one pass per person
            by_person.setdefault(f.lead_person_id, []).append(f)
        ranked = sorted(
            ((pid, summarise(fs, day)) for pid, fs in by_person.items()),
            key=lambda kv: (-kv[1].overdue, -kv[1].open, kv[0]),
        )
        shown, people_total = ranked[:PEOPLE_LIMIT], len(ranked)
    overdue = with_countdowns(
        with_names(tasks.overdue(day)).order_by("deadline", "pk")[:LIST_LIMIT], day
    )
    # "No action for N working days": the task's cached time of its last event, indexed per
    # lead unit, instead of aggregating the event log of every open task.
    cutoff = datetime.combine(working_days_ago(day, IDLE_WORKING_DAYS), time.min, tzinfo=VN_TZ)
    # The page of ids first, then their names: joining before the LIMIT made PostgreSQL join
    # every open task of a wide scope (0.4 s for the whole province).
    idle_ids = list(
        tasks.open()
        .filter(last_event_at__lt=cutoff)
        .order_by("last_event_at", "pk")
        .values_list("pk", flat=True)[:LIST_LIMIT]
    )
    idle = list(with_names(Task.objects.filter(pk__in=idle_ids)).order_by("last_event_at", "pk"))
    incoming = list(
        Coordination.objects.waiting()
        .filter(unit_id__in=scope)
        .select_related("task", "unit")
        .order_by("due")[:LIST_LIMIT]
    )
    outgoing = list(
        Coordination.objects.waiting()
        .filter(task__lead_unit_id__in=scope)
        .select_related("task", "unit")
        .order_by("due")[:LIST_LIMIT]
    )
    for c in (*incoming, *outgoing):
        c.overdue = c.due < day  # type: ignore[attr-defined]
    # Who needs attention first: most overdue, then most open work; a Sở has thousands of
    # people, so the table shows the first PEOPLE_LIMIT and says how many there are.
    names = dict(
        Person.objects.filter(pk__in=[pid for pid, _ in shown]).values_list("pk", "full_name")
    )
    per_person = [Row(pid, names.get(pid, "?"), st) for pid, st in shown]
    findings, findings_count = _findings(scope)
    children = sorted(
        UnitVersion.objects.active_on(day)
        .filter(unit_id__in=tree.children.get(unit.pk, []))
        .values_list("unit_id", "name"),
        key=lambda c: c[1],
    )
    return render(
        request,
        "web/dashboards/unit.html",
        {
            "unit": unit,
            "stats": stats,
            "statuses": [
                (_(label), stats.by_status.get(value, 0), value) for value, label in Status.choices
            ],
            "overdue": overdue,
            "idle": idle,
            "idle_days": IDLE_WORKING_DAYS,
            "incoming": incoming,
            "outgoing": outgoing,
            "per_person": per_person,
            "people_total": people_total,
            "summary_at": computed_at,
            "children": children,
            # Between the divisions directly under the unit (their sub-units folded in).
            **period,
            **_network(_pairs(tree, {uid for uid, _name in children}, moves), dict(children)),
            "findings": findings,
            "findings_count": findings_count,
            "detection": features.detection_enabled(),
            "can_see_evaluation": _sees_evaluation(get_access(request), unit.pk),
            "nav_active": "unit_dashboard",
            "report_start": day.replace(day=1),
            "report_end": day,
        },
    )


def _report_period(
    request: HttpRequest, day: date, default_start: date | None = None
) -> tuple[date, date]:
    """The period of `?tu=&den=` (ISO dates, as <input type=date> sends them); by default
    from `default_start` (the month's first day) to `day`. A malformed or reversed period is
    refused with 400."""
    try:
        start = date.fromisoformat(
            request.GET.get("tu") or (default_start or day.replace(day=1)).isoformat()
        )
        end = date.fromisoformat(request.GET.get("den") or day.isoformat())
    except ValueError as exc:
        raise SuspiciousOperation("bad period") from exc
    if end < start:
        raise SuspiciousOperation("bad period")
    return start, end


@login_required
@require_GET
def unit_report(request: HttpRequest, unit_id: int) -> HttpResponse:
    """Báo cáo tiến độ thực hiện nhiệm vụ của đơn vị (XLSX or PDF), for whoever sees the
    unit's dashboard (the same check)."""
    from congvu.lib.http import pdf_response
    from congvu.org.http import get_person
    from congvu.web.exports import xlsx_book_response
    from congvu.web.task_sheet import _agency
    from congvu.web.unit_report import build_report, report_doc, report_sheets

    unit = _get_directed_unit(request, unit_id)
    start, end = _report_period(request, today())
    report = build_report(unit, tree_as_of(today()), start, end)
    name = f"bao-cao-tien-do-{unit.pk}-{start:%Y%m%d}-{end:%Y%m%d}"
    if request.GET.get("dinh_dang") == "pdf":
        from congvu.lib.documents import render_pdf

        parent, _name = _agency(unit, report.day)

        def make() -> bytes:
            with translation.override("vi"):
                return render_pdf(report_doc(report, parent, get_person(request)))

        return pdf_response(
            request, make, f"{name}.pdf", back=reverse("web:unit_dashboard", args=[unit.pk])
        )
    # An official report: Vietnamese whatever language the reader browses in.
    with translation.override("vi"):
        sheets = report_sheets(report)
    return xlsx_book_response(f"{name}.xlsx", sheets)


def _findings(scope: set[int]) -> tuple[list[Any], int]:
    """The unit's current findings (congvu.detection), strongest first, when detection runs."""
    if not features.detection_enabled():
        return [], 0
    from congvu.detection.models import Finding

    found = Finding.objects.current().about_units(scope)
    rows = list(
        found.select_related("subject_person", "subject_unit").order_by("-strength", "pk")[
            :LIST_LIMIT
        ]
    )
    for f in rows:
        f.tasks = [int(c) for c in (f.case_ids or [])[:5]]  # type: ignore[attr-defined]
    return rows, found.count()


def _top_units(access: Access, tree: Any) -> list[int]:
    """The units a province dashboard ranks: the children of the scope's root(s)."""
    if access.sees_everything:
        read = set(tree.parent)
    else:
        read = {u for u in access.read_unit_ids if u in tree}
    roots = [u for u in read if tree.parent.get(u) not in read]
    if len(roots) == 1:
        return [*tree.children.get(roots[0], [])] or roots
    return roots


@login_required
@require_GET
def province_dashboard(request: HttpRequest) -> HttpResponse:
    access = get_access(request)
    if not (
        access.sees_everything
        or access.has_role(Role.LEADER)
        or access.has_role(Role.HR)
        or access.has_role(Role.INSPECTOR)
    ):
        raise PermissionDenied
    day = today()
    period = _network_period(request, day)
    tree = tree_as_of(day)
    top = set(_top_units(access, tree))
    names = dict(
        UnitVersion.objects.active_on(day).filter(unit_id__in=top).values_list("unit_id", "name")
    )
    snap = summary.load(day)
    # The pre-aggregated figures (congvu.web.summary) cover every task; they answer for whoever
    # reads every unit that leads one (the province's leaders, HR). A narrower scope folds live.
    if snap is not None and (access.sees_everything or set(snap.stats) <= access.read_unit_ids):
        computed_at = snap.computed_at
        group_stats, total, trend = summary.province_figures(snap, tree, top, day)
        sizes = {u: st.total for u, st in group_stats.items()}
        moves = summary.handovers(day, *_span(period))
    else:
        computed_at = None
        tasks = visible_tasks(access)
        facts, _handovers = task_facts(tasks)
        moves = handovers_in(*_span(period), tasks=tasks)
        grouped: dict[int, list[Any]] = {u: [] for u in top}
        for f in facts:
            g = group_of(tree, f.lead_unit_id, top)
            if g is not None:
                grouped[g].append(f)
        group_stats = {u: summarise(fs, day) for u, fs in grouped.items()}
        trend = monthly(facts, 12, day)
        total = summarise(facts, day)
        sizes = {u: len(fs) for u, fs in grouped.items()}
    rows = [Row(u, names.get(u, "?"), st) for u, st in group_stats.items()]
    # Ranked by on-time rate; units too small to judge go last, then by name.
    rows.sort(key=lambda r: (r.stats.on_time_rate is None, -(r.stats.on_time_rate or 0), r.name))
    findings_by_group: Counter[int] = Counter()
    if features.detection_enabled():
        from congvu.detection.models import Finding

        for subject_unit, context_unit in Finding.objects.current().values_list(
            "subject_unit_id", "context_unit_id"
        ):
            # mypy reads both columns as int; a finding has one or the other.
            unit: int | None = subject_unit or context_unit
            g = group_of(tree, unit, top) if unit else None
            if g is not None:
                findings_by_group[g] += 1
    for r in rows:
        r.stats.findings = findings_by_group.get(r.pk, 0)
    network = _network(_pairs(tree, top, moves), names, sizes)
    return render(
        request,
        "web/dashboards/province.html",
        {
            "rows": rows,
            "total": total,
            "trend": trend,
            "trend_chart": charts.bar_chart(
                _("Nhiệm vụ theo tháng"),
                [t[0] for t in trend],
                [
                    (_("Được giao"), [t[1] for t in trend]),
                    (_("Hoàn thành đúng hạn"), [t[2] for t in trend]),
                    (_("Hoàn thành trễ hạn"), [t[3] for t in trend]),
                ],
            ),
            **network,
            **period,
            "detection": features.detection_enabled(),
            "summary_at": computed_at,
            "nav_active": "province",
        },
    )


def _sees_evaluation(access: Access, unit_id: int) -> bool:
    """Whether the unit's evaluation summary (congvu.evaluation) would open for this person."""
    from django.apps import apps

    if not apps.is_installed("congvu.evaluation"):
        return False
    return access.sees_everything or access.can_see_evaluations_of(unit_id)
