"""Official outputs in Vietnamese administrative layout (Nghị định 30/2020/NĐ-CP style):
the self-assessment form, the classification notice and the unit's summary table, as XLSX
(openpyxl) and PDF (reportlab with DejaVu Serif from Debian's fonts-dejavu-core).

One neutral document structure (`Doc`) is built from the data and rendered twice, so the two
formats always say the same thing. Every export is a read: the caller passes the viewer, the
evaluations are checked with privacy.can_view and the read is logged.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from django.conf import settings
from django.utils import timezone, translation

from congvu.evaluation import privacy, services
from congvu.evaluation.models import Evaluation, Level, ProductRecord, Scheme
from congvu.evaluation.schemes import scheme_of
from congvu.lib.documents import MOTTO_1, MOTTO_2, Doc, Table, place_date, render_pdf
from congvu.lib.errors import ActionError, ActionPermissionError
from congvu.org.models import Person, Unit
from congvu.org.permissions import Access
from congvu.org.tree import tree_as_of

# --- data → Doc -----------------------------------------------------------------------------


def _agency_lines(unit: Unit) -> tuple[str, str]:
    tree = tree_as_of(timezone.localdate())
    parent_id = tree.parent.get(unit.pk) if unit.pk in tree else unit.parent_id
    parent = Unit.objects.filter(pk=parent_id).first() if parent_id else None
    return (
        (parent.name.upper() if parent else str(settings.PROVINCE_NAME).upper()),
        unit.name.upper(),
    )


def _fmt(value: Decimal | None) -> str:
    if value is None:
        return ""
    return f"{value:.2f}".replace(".", ",")


def _level(code: str) -> str:
    return Level(code).label if code else "…"


def _position(e: Evaluation) -> str:
    from congvu.org.models import Membership

    m = (
        Membership.objects.filter(person=e.person, unit=e.unit)
        .overlapping(e.start, e.end)
        .order_by("-valid_from")
        .first()
    )
    title = m.position_title if m else ""
    return ", ".join(x for x in (title, e.job_position) if x) or "…"


def self_assessment_doc(e: Evaluation) -> Doc:
    parent, agency = _agency_lines(e.unit)
    params = e.rule_set.params_with_defaults
    doc = Doc(
        agency_parent=parent,
        agency=agency,
        number="",
        place_date=place_date(None),
        title="PHIẾU ĐÁNH GIÁ, XẾP LOẠI CHẤT LƯỢNG",
        subtitle=f"Kỳ đánh giá: {e.period_label} — áp dụng {e.rule_set.name}",
        sign_left_title="NGƯỜI TỰ ĐÁNH GIÁ",
        sign_left_name=e.person.full_name,
        sign_right_title="THỦ TRƯỞNG ĐƠN VỊ",
    )
    doc.blocks.append(f"Họ và tên: {e.person.full_name}")
    doc.blocks.append(f"Chức vụ, vị trí việc làm: {_position(e)}")
    doc.blocks.append(f"Đơn vị công tác: {e.unit.name}")
    if scheme_of(e.rule_set).has_products(e.kind):
        doc.blocks.append("I. TIÊU CHÍ CHUNG (tối đa 30 điểm)")
        rows = []
        for i, c in enumerate(params["general_criteria"], 1):
            rows.append(
                [
                    str(i),
                    c["name"],
                    str(c["max"]),
                    str(e.general_self.get(c["code"], "")),
                    str(e.general_head.get(c["code"], "")),
                ]
            )
        doc.blocks.append(
            Table(
                ["TT", "Tiêu chí", "Điểm tối đa", "Tự chấm", "Thủ trưởng chấm"],
                rows,
                [1, 9, 2, 2, 2.5],
            )
        )
        doc.blocks.append("II. KẾT QUẢ THỰC HIỆN NHIỆM VỤ (tối đa 70 điểm)")
        prows = []
        for i, p in enumerate(
            ProductRecord.objects.filter(evaluation=e).prefetch_related("issues"), 1
        ):
            issues = list(p.issues.all())
            q = sum(1 for x in issues if x.kind == "quality" and not x.is_excused)
            d = sum(1 for x in issues if x.kind == "delay" and not x.is_excused)
            prows.append(
                [
                    str(i),
                    p.name,
                    _fmt(p.coefficient),
                    _fmt(p.quantity_assigned),
                    _fmt(p.quantity_completed),
                    str(q),
                    str(d),
                ]
            )
        doc.blocks.append(
            Table(
                ["TT", "Sản phẩm, công việc", "Hệ số", "Giao", "Hoàn thành", "Lỗi CL", "Chậm"],
                prows or [["", "(chưa có sản phẩm)", "", "", "", "", ""]],
                [1, 8, 1.6, 1.6, 2, 1.5, 1.5],
            )
        )
        doc.blocks.append(
            f"Điểm tiêu chí chung: {_fmt(e.general_score)}; điểm kết quả nhiệm vụ: "
            f"{_fmt(e.task_score)}; tổng điểm: {_fmt(e.total_score)}."
        )
    elif e.rule_set.scheme == Scheme.CRITERIA:
        crit = e.criteria.get("head") or e.criteria.get("self") or {}
        labels = {
            "tasks_total": "Số nhiệm vụ được giao",
            "tasks_completed": "Số nhiệm vụ hoàn thành",
            "tasks_on_time_quality": "Hoàn thành đúng tiến độ, bảo đảm chất lượng",
            "tasks_exceeded": "Hoàn thành vượt mức",
            "tasks_short": "Chưa bảo đảm tiến độ, chất lượng, hiệu quả",
        }
        rows = [[label, str(crit.get(key, ""))] for key, label in labels.items()]
        doc.blocks.append("KẾT QUẢ THỰC HIỆN NHIỆM VỤ THEO TIÊU CHÍ")
        doc.blocks.append(Table(["Tiêu chí", "Số lượng"], rows, [10, 3]))
    else:
        doc.blocks.append(f"Điểm bình quân các kỳ theo dõi trong năm: {_fmt(e.total_score)}.")
    doc.blocks.append(f"Tự nhận xét: {e.self_comment or '…'}")
    doc.blocks.append(f"Tự xếp loại: {_level(e.self_level)}")
    doc.blocks.append(f"Ý kiến của tập thể: {e.collective_comments or '…'}")
    doc.blocks.append(
        f"Nhận xét, đề xuất của thủ trưởng: {e.head_comment or '…'} — đề xuất mức: {_level(e.proposed_level)}"
    )
    return doc


def notice_doc(e: Evaluation, number: str = "") -> Doc:
    if not e.is_locked:
        raise ActionError("not_final", "Chỉ thông báo kết quả đã chốt.")
    parent, agency = _agency_lines(e.unit)
    day = timezone.localtime(e.finalised_at).date() if e.finalised_at else None
    doc = Doc(
        agency_parent=parent,
        agency=agency,
        number=number or f"Số: {e.pk}/TB-ĐGXL",
        place_date=place_date(day),
        title="THÔNG BÁO",
        subtitle=f"Kết quả đánh giá, xếp loại chất lượng {e.period_label}",
        sign_right_title="THỦ TRƯỞNG ĐƠN VỊ",
        sign_right_name=e.finalised_by.full_name if e.finalised_by else "",
        recipients=["- Cá nhân được đánh giá;", "- Lưu hồ sơ cán bộ, công chức;", "- Lưu: VT."],
    )
    doc.blocks.append(f"Căn cứ {e.rule_set.legal_basis}")
    doc.blocks.append(
        f"Xét kết quả tự đánh giá, ý kiến của tập thể và đề xuất của thủ trưởng, {e.unit.name} "
        f"thông báo kết quả đánh giá, xếp loại chất lượng {e.period_label} như sau:"
    )
    doc.blocks.append(f"Họ và tên: {e.person.full_name}")
    doc.blocks.append(f"Chức vụ, vị trí việc làm: {_position(e)}")
    if e.total_score is not None:
        doc.blocks.append(f"Tổng điểm: {_fmt(e.total_score)}")
    doc.blocks.append(f"Xếp loại: {_level(e.final_level).upper()}")
    for reason in e.level_reasons:
        doc.blocks.append(f"- {reason}")
    corrections = list(e.decisions.filter(kind="correction").order_by("decided_at", "id"))
    for c in corrections:
        doc.blocks.append(
            f"Điều chỉnh ngày {timezone.localtime(c.decided_at):%d/%m/%Y}"
            f"{' theo ' + c.decision_ref if c.decision_ref else ''}: {_level(c.level)} — {c.reason}"
        )
    from congvu.evaluation.actions import appeal_window

    window = appeal_window(e)
    # The notice states the same window the action enforces (actions.appeal_window): counted
    # from the day the result is made known, a last day on a day off moving forward.
    when = (
        f"{window.describe()}; cấp có thẩm quyền trả lời trong {window.answer_working_days} "
        "ngày làm việc"
        if window
        else "thời hạn quy định kể từ ngày nhận thông báo"
    )
    doc.blocks.append(
        "Kết quả đánh giá, xếp loại được lưu vào hồ sơ cán bộ, công chức. Trường hợp không nhất "
        f"trí, người được đánh giá có quyền kiến nghị trong thời hạn {when}."
    )
    return doc


def unit_summary_doc(
    unit: Unit, year: int, evaluations: list[Evaluation], *, period: str = ""
) -> Doc:
    """The unit's table for a year (quota checked) or, with `period`, for a month/quarter."""
    parent, agency = _agency_lines(unit)
    doc = Doc(
        agency_parent=parent,
        agency=agency,
        number="",
        place_date=place_date(timezone.localdate()),
        title="BẢNG TỔNG HỢP KẾT QUẢ ĐÁNH GIÁ, XẾP LOẠI CHẤT LƯỢNG",
        subtitle=f"{(period or f'năm {year}').capitalize()} — {unit.name}",
        sign_left_title="NGƯỜI LẬP BIỂU",
        sign_right_title="THỦ TRƯỞNG ĐƠN VỊ",
        landscape=True,
    )
    rows = []
    counts = {lv.value: 0 for lv in Level}
    for i, e in enumerate(evaluations, 1):
        level = e.final_level or e.decided_level
        if level:
            counts[level] += 1
        rows.append(
            [
                str(i),
                e.person.full_name,
                _position(e),
                e.group_key,
                _fmt(e.total_score),
                e.self_level,
                e.proposed_level,
                level,
                "Đã chốt" if e.is_locked else Evaluation.Status(e.status).label,
            ]
        )
    doc.blocks.append(
        Table(
            [
                "TT",
                "Họ và tên",
                "Chức vụ, vị trí việc làm",
                "Nhóm nhiệm vụ",
                "Điểm",
                "Tự xếp loại",
                "Đề xuất",
                "Kết quả",
                "Ghi chú",
            ],
            rows or [["", "(chưa có kết quả)", "", "", "", "", "", "", ""]],
            [1.3, 5, 5, 3.5, 2, 2.2, 2.2, 2.2, 4],
        )
    )
    doc.blocks.append(
        "Ghi chú: HTXS — Hoàn thành xuất sắc nhiệm vụ; HTT — Hoàn thành tốt nhiệm vụ; "
        "HT — Hoàn thành nhiệm vụ; KHT — Không hoàn thành nhiệm vụ."
    )
    total = sum(counts.values())
    summary = [
        [Level(k).label, str(v), f"{(100 * v / total):.1f}%".replace(".", ",") if total else "0%"]
        for k, v in counts.items()
    ]
    doc.blocks.append("TỔNG HỢP")
    doc.blocks.append(Table(["Mức xếp loại", "Số người", "Tỷ lệ"], summary, [8, 3, 3]))
    if evaluations and not period:
        pending = {
            e.pk: (e.final_level or e.decided_level or e.proposed_level, e.group_key)
            for e in evaluations
        }
        for v in services.quota_check(unit.pk, year, pending):
            doc.blocks.append(f"Cảnh báo: {v.message}")
        overrides = {e.quota_override_reason for e in evaluations if e.quota_override_reason}
        for reason in sorted(overrides):
            doc.blocks.append(f"Lý do vượt tỷ lệ đã được chấp thuận: {reason}")
    return doc


# --- Doc → XLSX ---------------------------------------------------------------------------


def render_xlsx(doc: Doc) -> bytes:  # noqa: PLR0915 - a page layout reads top to bottom
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    from congvu_analytics.safe_csv import defused_bytes

    wb = Workbook()
    ws = wb.active
    ws.title = "Bieu mau"
    ncols = max([len(b.headers) for b in doc.blocks if isinstance(b, Table)] + [6])
    half = max(2, ncols // 2)
    font = "Times New Roman"
    bold = Font(name=font, bold=True, size=12)
    normal = Font(name=font, size=12)
    italic = Font(name=font, italic=True, size=12)
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)
    wrap = Alignment(horizontal="left", vertical="top", wrap_text=True)
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)

    def line(row: int, c1: int, c2: int, text: str, f: Font, *, align: Alignment = center) -> None:
        ws.merge_cells(start_row=row, start_column=c1, end_row=row, end_column=c2)
        cell = ws.cell(row=row, column=c1, value=text)
        cell.font, cell.alignment = f, align

    line(1, 1, half, doc.agency_parent, normal)
    line(1, half + 1, ncols, MOTTO_1, bold)
    line(2, 1, half, doc.agency, bold)
    line(2, half + 1, ncols, MOTTO_2, bold)
    line(3, 1, half, doc.number, normal)
    line(3, half + 1, ncols, doc.place_date, italic)
    line(5, 1, ncols, doc.title, bold)
    row = 6
    if doc.subtitle:
        line(row, 1, ncols, doc.subtitle, bold)
        row += 1
    row += 1
    for block in doc.blocks:
        if isinstance(block, Table):
            for j, h in enumerate(block.headers, 1):
                cell = ws.cell(row=row, column=j, value=h)
                cell.font, cell.alignment, cell.border = bold, center, box
            row += 1
            for r in block.rows:
                for j, v in enumerate(r, 1):
                    cell = ws.cell(row=row, column=j, value=v)
                    cell.font, cell.alignment, cell.border = normal, wrap, box
                row += 1
        else:
            line(row, 1, ncols, block, normal, align=wrap)
            ws.row_dimensions[row].height = 16 * max(1, len(block) // 90 + 1)
            row += 1
    row += 1
    if doc.recipients:
        ws.cell(row=row, column=1, value="Nơi nhận:").font = Font(name=font, bold=True, italic=True)
        for k, recipient in enumerate(doc.recipients, 1):
            ws.cell(row=row + k, column=1, value=recipient).font = Font(name=font, size=10)
    if doc.sign_left_title:
        line(row, 1, half, doc.sign_left_title, bold)
        line(row + 1, 1, half, "(Ký, ghi rõ họ tên)", italic)
        line(row + 5, 1, half, doc.sign_left_name, bold)
    line(row, half + 1, ncols, doc.sign_right_title, bold)
    line(row + 1, half + 1, ncols, "(Ký, ghi rõ họ tên, đóng dấu)", italic)
    line(row + 5, half + 1, ncols, doc.sign_right_name, bold)
    widths = next((b.widths for b in doc.blocks if isinstance(b, Table)), [1] * ncols)
    for j in range(1, ncols + 1):
        w = widths[j - 1] if j - 1 < len(widths) else 2
        ws.column_dimensions[get_column_letter(j)].width = max(6, 4.5 * w)
    ws.page_setup.orientation = "landscape" if doc.landscape else "portrait"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    return defused_bytes(wb)


# --- entry points for views and commands (privacy-checked, reads logged) -----------------


def _authorise(
    viewer: Person | None, evaluations: list[Evaluation], access: Access | None, purpose: str
) -> None:
    for e in evaluations:
        if not privacy.can_view(viewer, e, access):
            raise ActionPermissionError("Bạn không có quyền xem kết quả đánh giá này.")
    privacy.record_read(viewer, evaluations, purpose=purpose)


def _render(build: Callable[[], Doc], fmt: str) -> bytes:
    if fmt not in ("pdf", "xlsx"):
        raise ActionError("invalid_format", "Định dạng phải là pdf hoặc xlsx.", field="format")
    # An official document is Vietnamese whatever language its reader browses in: labels that
    # pages translate (get_*_display, shown()) must come out as stored here.
    with translation.override("vi"):
        doc = build()
        return render_pdf(doc) if fmt == "pdf" else render_xlsx(doc)


def self_assessment(
    evaluation: Evaluation, fmt: str, *, viewer: Person | None, access: Access | None = None
) -> bytes:
    _authorise(viewer, [evaluation], access, f"export_{fmt}")
    return _render(lambda: self_assessment_doc(evaluation), fmt)


def notice(
    evaluation: Evaluation,
    fmt: str,
    *,
    viewer: Person | None,
    access: Access | None = None,
    number: str = "",
) -> bytes:
    _authorise(viewer, [evaluation], access, f"export_{fmt}")
    return _render(lambda: notice_doc(evaluation, number), fmt)


def unit_summary(
    unit: Unit,
    year: int,
    fmt: str,
    *,
    viewer: Person | None,
    access: Access | None = None,
    kind: str = Evaluation.Kind.YEAR,
    number: int = 0,
) -> bytes:
    """The unit's results for a year (or a month/quarter) that the viewer may see; others are
    left out, not refused."""
    visible = privacy.visible_evaluations(viewer, access)
    evaluations = list(
        visible.filter(unit=unit, year=year, kind=kind, number=number)
        .select_related("person", "rule_set", "unit")
        .order_by("person__full_name")
    )
    privacy.record_read(viewer, evaluations, purpose=f"summary_{fmt}")
    period = ""
    if kind != Evaluation.Kind.YEAR:
        period = Evaluation(kind=kind, year=year, number=number).period_label
    return _render(lambda: unit_summary_doc(unit, year, evaluations, period=period), fmt)
