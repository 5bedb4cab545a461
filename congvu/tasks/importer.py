"""Bulk import of tasks from the spreadsheet a document-management system exports (xlsx/csv).

Columns (headers matched without accents or case): Số ký hiệu, Ngày văn bản, Trích yếu,
Đơn vị chủ trì, Người chủ trì, Đơn vị phối hợp, Hạn xử lý; optional: Tên nhiệm vụ (defaults
to the excerpt), Cơ quan ban hành, Kết quả cần đạt.

All or nothing: every row goes through do_assign inside one transaction (each in its own
savepoint, so every bad row is reported, not just the first); the transaction is rolled
back if any row failed or on a dry run. Nothing is written unless all rows are valid.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q

from congvu.lib.errors import ActionError
from congvu.lib.sheets import SheetError, csv_matrix, xlsx_sheets
from congvu.lib.text import fold
from congvu.org.models import Membership, Person, Unit
from congvu.tasks import actions
from congvu.tasks.state import VN_TZ
from congvu.workdays.calendar import add_working_days

NUMBER, DOC_DATE, EXCERPT, LEAD_UNIT, LEAD_PERSON, COORD, DEADLINE = (
    "Số ký hiệu",
    "Ngày văn bản",
    "Trích yếu",
    "Đơn vị chủ trì",
    "Người chủ trì",
    "Đơn vị phối hợp",
    "Hạn xử lý",
)
TITLE, ISSUER, RESULT = "Tên nhiệm vụ", "Cơ quan ban hành", "Kết quả cần đạt"
DOC_ID = "Mã văn bản"  # the document-management system's own id of the document
REQUIRED = (NUMBER, EXCERPT, LEAD_UNIT, LEAD_PERSON, DEADLINE)
ALL = (NUMBER, DOC_DATE, EXCERPT, LEAD_UNIT, LEAD_PERSON, COORD, DEADLINE, TITLE, ISSUER, RESULT,
       DOC_ID)  # fmt: skip
ALIASES = {fold(c): c for c in ALL} | {
    "so, ky hieu": NUMBER,
    "so ky hieu van ban": NUMBER,
    "so/ky hieu": NUMBER,
    "ngay ban hanh": DOC_DATE,
    "han hoan thanh": DEADLINE,
    "thoi han": DEADLINE,
    "don vi phoi hop": COORD,
    "noi dung": EXCERPT,
    "id van ban": DOC_ID,
    "ma dinh danh van ban": DOC_ID,
}
# ActionError.field -> the spreadsheet column it came from.
FIELD_COLUMN = {
    "title": EXCERPT,
    "source_number": NUMBER,
    "lead_unit": LEAD_UNIT,
    "lead_person": LEAD_PERSON,
    "deadline": DEADLINE,
    "working_days": DEADLINE,
    "unit": COORD,
    "due": COORD,
    "request_text": COORD,
}
COORDINATION_WORKING_DAYS = 5
_WD = re.compile(r"^(\d{1,3})\s*(ngay|ngay lam viec)?$")


@dataclass(frozen=True)
class Issue:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"Dòng {self.row}, cột «{self.column}»: {self.message}"


@dataclass
class ImportReport:
    rows: int = 0
    valid: int = 0
    created: list[int] = field(default_factory=list)
    # (row, task id) of rows imported before (same document and task name, same unit): a
    # re-run of the same file creates nothing twice.
    skipped: list[tuple[int, int]] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.issues

    @property
    def written(self) -> bool:
        return bool(self.created)


class BadFileError(ActionError):
    def __init__(self, message: str) -> None:
        super().__init__("bad_file", message, field="file")


def read_rows(name: str, content: bytes) -> list[tuple[int, dict[str, Any]]]:
    """(spreadsheet row number, {canonical column: value}) for every non-empty data row."""
    lower = name.lower()
    if lower.endswith(".xlsx"):
        raw = _xlsx_rows(content)
    elif lower.endswith(".csv"):
        raw = _csv_rows(content)
    else:
        raise BadFileError(f"Tệp {name}: chỉ nhận .xlsx hoặc .csv.")
    # The header is the first row (of the first 20) naming at least three known columns: DMS
    # exports often put a title and the export date above it.
    header_at, columns = None, {}
    for i, (_, cells) in enumerate(raw[:20]):
        found = {
            j: ALIASES[fold(str(c))]
            for j, c in enumerate(cells)
            if not _blank(c) and fold(str(c)) in ALIASES
        }
        if len(found) >= 3:
            header_at, columns = i, found
            break
    if header_at is None:
        raise BadFileError(f"Tệp {name}: không tìm thấy dòng tiêu đề (Số ký hiệu, Trích yếu, ...).")
    header_row = raw[header_at][0]
    missing = [c for c in REQUIRED if c not in columns.values()]
    if missing:
        raise BadFileError(
            f"Tệp {name}, dòng tiêu đề {header_row}: thiếu cột {', '.join(missing)}."
        )
    out = []
    for row_no, cells in raw[header_at + 1 :]:
        if all(_blank(c) for c in cells):
            continue
        out.append(
            (row_no, {col: cells[i] if i < len(cells) else None for i, col in columns.items()})
        )
    return out


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _xlsx_rows(content: bytes) -> list[tuple[int, list[Any]]]:
    try:
        for _title, rows in xlsx_sheets(content, "Tệp xlsx", first_only=True):
            return list(enumerate(rows, start=1))
    except SheetError as exc:  # bounded and XML-safe reading: congvu.lib.sheets
        raise BadFileError(str(exc)) from exc
    return []


def _csv_rows(content: bytes) -> list[tuple[int, list[Any]]]:
    head = content[:4096].decode("utf-8-sig", errors="replace").split("\n", 1)[0]
    delimiter = ";" if head.count(";") > head.count(",") else ","
    try:
        return list(enumerate(csv_matrix(content, "Tệp csv", delimiter=delimiter), start=1))
    except SheetError as exc:
        raise BadFileError(str(exc)) from exc


def _parse_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    for fmt in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a calendar date
        except ValueError:
            continue
    return None


def _find_unit(text: str, day: date) -> Unit | None:
    text = text.strip()
    unit = Unit.objects.filter(code__iexact=text).first()
    if unit is None:
        folded = fold(text)
        matches = [
            u
            for u in Unit.objects.active_on(day).filter(search_text__contains=folded)
            if fold(u.name) == folded or fold(u.short_name) == folded
        ]
        unit = matches[0] if len(matches) == 1 else None
    return unit


def _find_person(text: str, unit: Unit | None, day: date) -> Person | None:
    text = text.strip()
    person: Person | None = Person.objects.filter(
        Q(code__iexact=text) | Q(user__username=text)
    ).first()
    if person is not None:
        return person
    members = Membership.objects.active_on(day).select_related("person")
    if unit is not None:
        members = members.filter(unit=unit)
    found = [m.person for m in members if fold(m.person.full_name) == fold(text)]
    return found[0] if len(found) == 1 else None


def _import_key(row: dict[str, Any], number: str, doc_date: date | None, title: str) -> str:
    """The document (its id in the source system, else its number and date) and the task's
    name: one document may assign several tasks, each imported once."""
    doc = str(row.get(DOC_ID) or "").strip()
    doc = f"id:{doc}" if doc else f"so:{fold(number)}|{doc_date.isoformat() if doc_date else ''}"
    return f"{doc}|{fold(title)}"[:300]


def import_tasks(
    name: str,
    content: bytes,
    *,
    assigner: Person,
    dry_run: bool,
    at: datetime | None = None,
) -> ImportReport:
    report = ImportReport(dry_run=dry_run)
    rows = read_rows(name, content)
    report.rows = len(rows)
    when = at or datetime.now(tz=VN_TZ)
    day = when.astimezone(VN_TZ).date()
    with transaction.atomic():
        for row_no, row in rows:
            problems_before = len(report.issues)

            def bad(column: str, message: str, row_no: int = row_no) -> None:
                report.issues.append(Issue(row_no, column, message))

            for col in REQUIRED:
                if _blank(row.get(col)):
                    bad(col, "Không được để trống.")
            if len(report.issues) > problems_before:
                continue
            number = str(row[NUMBER]).strip()
            doc_date = None
            if not _blank(row.get(DOC_DATE)):
                doc_date = _parse_date(row[DOC_DATE])
                if doc_date is None:
                    bad(DOC_DATE, f"Ngày không hợp lệ: «{row[DOC_DATE]}» (dùng dd/mm/yyyy).")
            lead_unit = _find_unit(str(row[LEAD_UNIT]), day)
            if lead_unit is None:
                bad(LEAD_UNIT, f"Không tìm thấy đơn vị «{row[LEAD_UNIT]}».")
            lead_person = _find_person(str(row[LEAD_PERSON]), lead_unit, day)
            if lead_person is None:
                bad(LEAD_PERSON, f"Không tìm thấy cán bộ «{row[LEAD_PERSON]}» (hoặc trùng tên).")
            deadline: date | None = None
            working_days: int | None = None
            raw_deadline = row[DEADLINE]
            if isinstance(raw_deadline, int | float) and not isinstance(raw_deadline, bool):
                working_days = int(raw_deadline)
            else:
                m = _WD.match(fold(str(raw_deadline)))
                if m:
                    working_days = int(m.group(1))
                else:
                    deadline = _parse_date(raw_deadline)
                    if deadline is None:
                        bad(
                            DEADLINE,
                            f"Hạn xử lý không hợp lệ: «{raw_deadline}» (ngày dd/mm/yyyy "
                            "hoặc số ngày làm việc).",
                        )
            coords: list[actions.CoordinationSpec] = []
            if not _blank(row.get(COORD)):
                for part in re.split(r"[;\n]", str(row[COORD])):
                    if not part.strip():
                        continue
                    unit = _find_unit(part, day)
                    if unit is None:
                        bad(COORD, f"Không tìm thấy đơn vị phối hợp «{part.strip()}».")
                        continue
                    coords.append(
                        actions.CoordinationSpec(
                            unit=unit,
                            request_text=f"Phối hợp thực hiện: {row[EXCERPT]}",
                            due=add_working_days(day, COORDINATION_WORKING_DAYS),
                        )
                    )
            if len(report.issues) > problems_before:
                continue
            assert lead_unit is not None and lead_person is not None
            if deadline is not None:
                coords = [
                    actions.CoordinationSpec(c.unit, c.request_text, min(c.due, max(deadline, day)))
                    for c in coords
                ]
            excerpt = str(row[EXCERPT]).strip()
            title = str(row.get(TITLE) or excerpt).strip()[:500]
            try:
                with transaction.atomic():
                    task = actions.do_assign(
                        import_key=_import_key(row, number, doc_date, title),
                        assigner=assigner,
                        title=title,
                        lead_unit=lead_unit,
                        lead_person=lead_person,
                        deadline=deadline,
                        working_days=working_days,
                        expected_result=str(row.get(RESULT) or ""),
                        source_number=number,
                        source_date=doc_date,
                        source_issuer=str(row.get(ISSUER) or ""),
                        source_excerpt=excerpt,
                        coordinations=coords,
                        at=when + timedelta(microseconds=len(report.created)),
                    )
                report.created.append(task.pk)
            except actions.AlreadyImportedError as exc:
                report.skipped.append((row_no, exc.task_id))
            except IntegrityError:  # the same key committed by a concurrent import just now
                report.skipped.append((row_no, 0))
            except ActionError as exc:
                bad(FIELD_COLUMN.get(exc.field or "", LEAD_UNIT), exc.message)
        report.valid = len(report.created)
        if dry_run or report.issues:
            transaction.set_rollback(True)
            report.created = []
    return report
