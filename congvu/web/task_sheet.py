"""Phiếu theo dõi nhiệm vụ: one task on paper, in the administrative layout of
congvu.lib.documents (the national motto, the issuing unit, the task, its lead, the
coordinating units with their deadlines, and every step of the timeline with who took it,
for whom, and why). Always in Vietnamese: the sheet is filed, whatever the reader's UI."""

from __future__ import annotations

from datetime import date, datetime

from django.conf import settings
from django.utils import timezone, translation

from congvu.lib.documents import Doc, Table, place_date, render_pdf
from congvu.org.models import Person, Unit, UnitVersion
from congvu.tasks.events import REASON_LABELS
from congvu.tasks.models import Coordination, Task, TaskEvent


def _d(day: date | None) -> str:
    return f"{day:%d/%m/%Y}" if day else ""


def _dt(at: datetime | None) -> str:
    return f"{timezone.localtime(at):%d/%m/%Y %H:%M}" if at else ""


def _agency(unit: Unit, day: date) -> tuple[str, str]:
    """The issuing unit and the one above it, as named on `day` (the header's left column)."""
    version = UnitVersion.objects.active_on(day).filter(unit=unit).select_related("parent").first()
    parent = version.parent if version else unit.parent
    above = (
        UnitVersion.objects.active_on(day)
        .filter(unit=parent)
        .values_list("name", flat=True)
        .first()
        if parent
        else None
    )
    name = version.name if version else unit.name
    return (above or str(settings.PROVINCE_NAME)).upper(), name.upper()


def _source(task: Task) -> str:
    if task.is_ad_hoc:
        return "Giao trực tiếp, không có văn bản"
    parts = [task.source_number]
    if task.source_date:
        parts.append(f"ngày {_d(task.source_date)}")
    if task.source_issuer:
        parts.append(f"của {task.source_issuer}")
    text = " ".join(p for p in parts if p)
    return f"{text}: {task.source_excerpt}" if task.source_excerpt else text


def _step_reason(ev: TaskEvent) -> str:
    bits = []
    if ev.reason_code or ev.reason_text:
        label = REASON_LABELS.get(ev.reason_code, ev.reason_code) if ev.reason_code else ""
        bits.append(f"{label}: {ev.reason_text}" if label else ev.reason_text)
    payload = ev.payload or {}
    if payload.get("deadline"):
        bits.append(f"Hạn: {_d(date.fromisoformat(str(payload['deadline'])[:10]))}")
    if payload.get("percent") not in (None, ""):
        bits.append(f"Tiến độ: {payload['percent']} %")
    return "; ".join(b for b in bits if b)


def _actor(ev: TaskEvent) -> str:
    who = ev.actor.full_name if ev.actor else "Hệ thống"
    if ev.unit:
        who += f" ({ev.unit.name})"
    on_behalf = getattr(ev, "on_behalf", "")
    return f"{who} — {on_behalf}" if on_behalf else who


def task_sheet_doc(
    task: Task,
    events: list[TaskEvent],
    coordinations: list[Coordination],
    *,
    viewer: Person | None,
    day: date,
) -> Doc:
    parent, agency = _agency(task.assigner_unit, day)
    doc = Doc(
        agency_parent=parent,
        agency=agency,
        number=f"Mã nhiệm vụ: {task.pk}",
        place_date=place_date(day),
        title="PHIẾU THEO DÕI NHIỆM VỤ",
        subtitle=task.title,
        sign_left_title="NGƯỜI LẬP PHIẾU",
        sign_left_name=viewer.full_name if viewer else "",
        sign_right_title="THỦ TRƯỞNG ĐƠN VỊ",
    )
    doc.blocks.append("I. THÔNG TIN NHIỆM VỤ")
    facts = [
        ["Tên nhiệm vụ", task.title],
        ["Văn bản chỉ đạo", _source(task)],
        ["Người giao", f"{task.assigner.full_name} — {task.assigner_unit.name}"],
        ["Đơn vị chủ trì", task.lead_unit.name],
        ["Người chủ trì", task.lead_person.full_name],
        ["Ngày giao", _dt(task.assigned_at)],
        [
            "Hạn xử lý",
            _d(task.deadline)
            + (
                f" ({task.deadline_working_days} ngày làm việc)"
                if task.deadline_working_days
                else ""
            ),
        ],
        ["Mức độ ưu tiên", str(task.get_priority_display())],
        ["Trạng thái", str(task.get_status_display())],
        ["Tiến độ", f"{task.shown_progress} %"],
    ]
    if task.expected_result:
        facts.append(["Kết quả cần đạt", task.expected_result])
    doc.blocks.append(Table(["Nội dung", "Thông tin"], facts, [4, 11]))
    doc.blocks.append("II. ĐƠN VỊ PHỐI HỢP")
    doc.blocks.append(
        Table(
            ["TT", "Đơn vị phối hợp", "Nội dung đề nghị", "Hạn trả lời", "Trả lời"],
            [
                [
                    str(i),
                    c.unit.name,
                    c.request_text,
                    _d(c.due),
                    (
                        f"{_dt(c.answered_at)}: {c.get_position_display()}"
                        + (f" — {c.answer_text}" if c.answer_text else "")
                    )
                    if c.answered_at
                    else ("Quá hạn, chưa trả lời" if c.due < day else "Chưa trả lời"),
                ]
                for i, c in enumerate(coordinations, 1)
            ]
            or [["", "(không có đơn vị phối hợp)", "", "", ""]],
            [1, 3.5, 4.5, 3, 4.5],
        )
    )
    doc.blocks.append("III. DIỄN BIẾN XỬ LÝ")
    doc.blocks.append(
        Table(
            ["TT", "Thời điểm", "Bước xử lý", "Người thực hiện", "Lý do, nội dung"],
            [
                [
                    str(ev.seq),
                    _dt(ev.at),
                    str(ev.get_type_display()),
                    _actor(ev),
                    _step_reason(ev),
                ]
                for ev in events
            ],
            [1.2, 3, 3.5, 5, 6],
        )
    )
    doc.blocks.append(
        f"Phiếu lập lúc {_dt(timezone.now())} từ nhật ký niêm phong của hệ thống Công Vụ "
        f"({len(events)} bước)."
    )
    return doc


def task_sheet_pdf(
    task: Task,
    events: list[TaskEvent],
    coordinations: list[Coordination],
    *,
    viewer: Person | None,
) -> bytes:
    with translation.override("vi"):
        doc = task_sheet_doc(task, events, coordinations, viewer=viewer, day=timezone.localdate())
        return render_pdf(doc)
