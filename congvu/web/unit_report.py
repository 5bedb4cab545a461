"""Báo cáo tiến độ thực hiện nhiệm vụ của đơn vị: for a unit (with its divisions) and a
period, the tasks received (assigned in the period), how many were completed on time or late,
how many are open and overdue or still in progress, by division and by lead person, and the
list of overdue tasks. One computation, two renderings: XLSX (typed cells, through
congvu.web.exports) and PDF in administrative form (congvu.lib.documents, as the task
sheet). Figures are as of the report day (today, or the period's end if earlier). Always in
Vietnamese: the report is filed, whatever the reader's UI."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from congvu.lib.documents import Doc, Table, place_date
from congvu.org.models import Person, Unit, UnitVersion
from congvu.org.tree import OrgTree
from congvu.tasks.models import Status, Task
from congvu.tasks.state import VN_TZ
from congvu.web.metrics import TaskFacts, task_facts


@dataclass
class Figures:
    received: int = 0
    on_time: int = 0
    late: int = 0
    overdue: int = 0
    in_progress: int = 0
    cancelled: int = 0

    def add(self, f: TaskFacts, day: date) -> None:
        self.received += 1
        kind = f.timeliness(day)
        if f.status == Status.CANCELLED:
            self.cancelled += 1
        elif kind == "on_time":
            self.on_time += 1
        elif kind == "late":
            self.late += 1
        elif kind == "overdue":
            self.overdue += 1
        else:
            self.in_progress += 1

    def row(self) -> list[int]:
        return [self.received, self.on_time, self.late, self.overdue, self.in_progress]


@dataclass
class OverdueTask:
    pk: int
    title: str
    lead_unit: str
    lead_person: str
    assigned_on: date
    deadline: date
    days_late: int


@dataclass
class Report:
    unit_name: str
    start: date
    end: date
    day: date
    total: Figures = field(default_factory=Figures)
    divisions: list[tuple[str, Figures]] = field(default_factory=list)
    people: list[tuple[str, Figures]] = field(default_factory=list)
    overdue: list[OverdueTask] = field(default_factory=list)


FIGURE_HEADERS = [
    "Số nhiệm vụ nhận",
    "Hoàn thành đúng hạn",
    "Hoàn thành quá hạn",
    "Quá hạn chưa hoàn thành",
    "Đang thực hiện",
]


def build_report(unit: Unit, tree: OrgTree, start: date, end: date) -> Report:
    day = min(end, timezone.localdate())
    name = (
        UnitVersion.objects.active_on(day).filter(unit=unit).values_list("name", flat=True).first()
        or unit.name
    )
    report = Report(unit_name=name, start=start, end=end, day=day)
    scope = tree.reporting_scope(unit.pk)
    tasks = Task.objects.filter(
        lead_unit_id__in=scope,
        assigned_at__gte=datetime.combine(start, time.min, tzinfo=VN_TZ),
        assigned_at__lt=datetime.combine(end + timedelta(days=1), time.min, tzinfo=VN_TZ),
    )
    facts, _handovers = task_facts(tasks)
    # Each division (a child unit) with everything under it; the unit's own tasks apart.
    division_of: dict[int, int] = {}
    children = tree.children.get(unit.pk, []) if unit.pk in tree else []
    for child in children:
        for u in tree.with_predecessors(tree.subtree(child)):
            division_of[u] = child
    by_division: dict[int, Figures] = {}
    by_person: dict[int, Figures] = {}
    for f in facts:
        report.total.add(f, day)
        by_division.setdefault(division_of.get(f.lead_unit_id, unit.pk), Figures()).add(f, day)
        by_person.setdefault(f.lead_person_id, Figures()).add(f, day)
    unit_names = dict(
        UnitVersion.objects.active_on(day)
        .filter(unit_id__in=[*children, unit.pk])
        .values_list("unit_id", "name")
    )
    report.divisions = sorted(
        (
            (
                unit_names.get(uid, "") + (" (trực tiếp)" if uid == unit.pk else ""),
                figures,
            )
            for uid, figures in by_division.items()
        ),
        key=lambda d: d[0],
    )
    names = dict(Person.objects.filter(pk__in=by_person).values_list("pk", "full_name"))
    report.people = sorted(
        ((names.get(pid, "?"), figures) for pid, figures in by_person.items()),
        key=lambda p: (-p[1].overdue, p[0]),
    )
    overdue_ids = [f.pk for f in facts if f.timeliness(day) == "overdue"]
    for t in (
        Task.objects.filter(pk__in=overdue_ids)
        .select_related("lead_unit", "lead_person")
        .order_by("deadline", "pk")
    ):
        report.overdue.append(
            OverdueTask(
                pk=t.pk,
                title=t.title,
                lead_unit=t.lead_unit.name,
                lead_person=t.lead_person.full_name,
                assigned_on=t.assigned_at.astimezone(VN_TZ).date(),
                deadline=t.deadline,
                days_late=(day - t.deadline).days,
            )
        )
    return report


def report_sheets(report: Report) -> list[tuple[str, list[str], list[list[object]]]]:
    """The XLSX workbook: one sheet per table, numbers as numbers and dates as dates."""
    period: list[object] = ["Từ ngày", report.start, "Đến ngày", report.end]
    summary: list[list[object]] = [
        ["Đơn vị", report.unit_name],
        period,
        ["Số liệu tính đến ngày", report.day],
        *([h, n] for h, n in zip(FIGURE_HEADERS, report.total.row(), strict=True)),
    ]
    return [
        ("Tổng hợp", ["Nội dung", "Giá trị"], summary),
        (
            "Theo phòng, đơn vị",
            ["Phòng, đơn vị", *FIGURE_HEADERS],
            [[name, *f.row()] for name, f in report.divisions],
        ),
        (
            "Theo người chủ trì",
            ["Người chủ trì", *FIGURE_HEADERS],
            [[name, *f.row()] for name, f in report.people],
        ),
        (
            "Nhiệm vụ quá hạn",
            [
                "Mã",
                "Tên nhiệm vụ",
                "Đơn vị chủ trì",
                "Người chủ trì",
                "Ngày giao",
                "Hạn xử lý",
                "Số ngày quá hạn",
            ],
            [
                [o.pk, o.title, o.lead_unit, o.lead_person, o.assigned_on, o.deadline, o.days_late]
                for o in report.overdue
            ],
        ),
    ]


def _d(day: date) -> str:
    return f"{day:%d/%m/%Y}"


def report_doc(report: Report, agency_parent: str, viewer: Person | None) -> Doc:
    doc = Doc(
        agency_parent=agency_parent,
        agency=report.unit_name.upper(),
        number="Số: …/BC",
        place_date=place_date(report.day),
        title="BÁO CÁO",
        subtitle=(
            "Tiến độ thực hiện nhiệm vụ của đơn vị "
            f"từ ngày {_d(report.start)} đến ngày {_d(report.end)}"
        ),
        sign_left_title="NGƯỜI LẬP BÁO CÁO",
        sign_left_name=viewer.full_name if viewer else "",
        sign_right_title="THỦ TRƯỞNG ĐƠN VỊ",
        landscape=True,
    )
    t = report.total
    doc.blocks.append("I. TÌNH HÌNH CHUNG")
    doc.blocks.append(
        f"Trong kỳ, {report.unit_name} nhận {t.received} nhiệm vụ; đã hoàn thành đúng hạn "
        f"{t.on_time}, hoàn thành quá hạn {t.late}; quá hạn chưa hoàn thành {t.overdue}; "
        f"đang thực hiện {t.in_progress}. Số liệu tính đến ngày {_d(report.day)}."
    )
    widths: list[float] = [6, 2, 2, 2, 2, 2]
    doc.blocks.append("II. THEO PHÒNG, ĐƠN VỊ")
    doc.blocks.append(
        Table(
            ["Phòng, đơn vị", *FIGURE_HEADERS],
            [[name, *map(str, f.row())] for name, f in report.divisions]
            + [["Tổng cộng", *map(str, t.row())]],
            widths,
        )
    )
    doc.blocks.append("III. THEO NGƯỜI CHỦ TRÌ")
    doc.blocks.append(
        Table(
            ["Người chủ trì", *FIGURE_HEADERS],
            [[name, *map(str, f.row())] for name, f in report.people]
            or [["(không có)", "", "", "", "", ""]],
            widths,
        )
    )
    doc.blocks.append("IV. DANH SÁCH NHIỆM VỤ QUÁ HẠN")
    doc.blocks.append(
        Table(
            ["TT", "Tên nhiệm vụ", "Đơn vị, người chủ trì", "Ngày giao", "Hạn xử lý", "Quá hạn"],
            [
                [
                    str(i),
                    f"{o.title} (mã {o.pk})",
                    f"{o.lead_unit} — {o.lead_person}",
                    _d(o.assigned_on),
                    _d(o.deadline),
                    f"{o.days_late} ngày",
                ]
                for i, o in enumerate(report.overdue, 1)
            ]
            or [["", "(không có nhiệm vụ quá hạn)", "", "", "", ""]],
            [1, 7, 5, 2, 2, 2],
        )
    )
    return doc
