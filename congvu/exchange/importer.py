"""Incoming documents → a registered directive and one task per receiving unit.

Two sources with the same checks: an edXML package (congvu.exchange.edxml) and a plain
CSV/XLSX sheet, one document per row. `plan_*` reads and checks everything against the
database without writing (the page's preview); `do_import` writes it all in one transaction
through the tasks app's own actions (do_register_directive, do_assign_directive), so every
task's first event is sealed as if a person had typed it. A refusal writes nothing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from congvu.exchange import codes
from congvu.exchange.edxml import Attachment, Organ, Package, parse_date, read_package
from congvu.exchange.models import ImportedDocument
from congvu.lib.errors import ActionError, ActionPermissionError, refuse_all
from congvu.lib.sheets import SheetError, cell_text, csv_matrix, header_key, xlsx_sheets
from congvu.org.models import Membership, Person, Unit
from congvu.org.permissions import access_for
from congvu.tasks import directives as D
from congvu.tasks.models import Directive, Task

DEFAULT_WORKING_DAYS = 10


@dataclass
class Receiver:
    code: str
    unit: Unit
    head: Person


@dataclass
class Plan:
    """One document, checked: who sent it, which units get a task and who leads each."""

    package: Package
    source: str
    sender_unit: Unit
    receivers: list[Receiver] = field(default_factory=list)

    @property
    def label(self) -> str:
        p = self.package
        return f"{p.number} ngày {p.issued_on:%d/%m/%Y}"


def _err(code: str, message: str, field_name: str) -> ActionError:
    return ActionError(code, message, field=field_name)


def _check(
    package: Package, source: str, prefix: str = ""
) -> tuple[Plan | None, list[ActionError]]:
    """Resolve the codes on the document's date; every problem, each naming what is wrong."""
    day = package.issued_on
    problems: list[ActionError] = []
    sender = codes.unit_for_code(package.sender.code, day)
    if sender is None:
        problems.append(
            _err(
                "unknown_agency_code",
                f"{prefix}Mã định danh cơ quan gửi {package.sender.code} không thuộc đơn vị nào "
                f"vào ngày {day:%d/%m/%Y}.",
                "From/OrganId",
            )
        )
    receivers: list[Receiver] = []
    seen: set[int] = set()
    for organ in package.receivers:
        unit = codes.unit_for_code(organ.code, day)
        if unit is None:
            problems.append(
                _err(
                    "unknown_agency_code",
                    f"{prefix}Mã định danh cơ quan nhận {organ.code}"
                    f"{f' ({organ.name})' if organ.name else ''} không thuộc đơn vị nào "
                    f"vào ngày {day:%d/%m/%Y}.",
                    "To/OrganId",
                )
            )
            continue
        if unit.pk in seen:
            continue
        seen.add(unit.pk)
        head = Membership.objects.current().head_of(unit)
        if head is None:
            problems.append(
                _err(
                    "no_head",
                    f"{prefix}{unit.name} ({organ.code}) chưa có người đứng đầu để chủ trì.",
                    "To/OrganId",
                )
            )
            continue
        receivers.append(Receiver(organ.code, unit, head))
    if ImportedDocument.objects.filter(
        sender_code=package.sender.code, number=package.number, issued_on=day
    ).exists():
        problems.append(
            _err(
                "duplicate_document",
                f"{prefix}Văn bản {package.number} ngày {day:%d/%m/%Y} của cơ quan "
                f"{package.sender.code} đã được nhập trước đây.",
                "Code",
            )
        )
    if problems or sender is None:
        return None, problems
    return Plan(package, source, sender, receivers), []


def plan_edxml(data: bytes) -> Plan:
    plan, problems = _check(read_package(data), ImportedDocument.Source.EDXML)
    refuse_all(problems)
    assert plan is not None
    return plan


# --- CSV / XLSX ------------------------------------------------------------------------------

# Header (accents and case ignored, congvu.lib.sheets.header_key) → field.
COLUMNS = {
    "so_ky_hieu": "number",
    "ngay_van_ban": "issued_on",
    "ma_co_quan_ban_hanh": "sender",
    "trich_yeu": "subject",
    "ma_don_vi_nhan": "receivers",
    "han_xu_ly": "due_on",
    "nguoi_ky": "signer",
}
REQUIRED = ("number", "issued_on", "sender", "subject", "receivers")
LABELS = {
    "number": "Số ký hiệu",
    "issued_on": "Ngày văn bản",
    "sender": "Mã cơ quan ban hành",
    "subject": "Trích yếu",
    "receivers": "Mã đơn vị nhận",
}


def _rows(data: bytes, name: str) -> list[list[str]]:
    """The sheet's cells as text, through the bounded readers of congvu.lib.sheets."""
    try:
        if name.lower().endswith(".xlsx"):
            matrix: list[list[object]] = []
            for _title, rows in xlsx_sheets(data, name, first_only=True):
                matrix = list(rows)
        elif name.lower().endswith(".csv"):
            matrix = csv_matrix(data, name)
        else:
            raise _err("bad_sheet", f"{name}: chỉ nhận tệp .csv hoặc .xlsx.", "file")
    except SheetError as exc:
        raise _err("bad_sheet", str(exc), "file") from None
    return [[cell_text(c) for c in row] for row in matrix]


def plan_sheet(data: bytes, name: str) -> list[Plan]:
    """Every row checked; the problems of all rows reported together, each with its row."""
    rows = [r for r in _rows(data, name) if any(c.strip() for c in r)]
    if not rows:
        raise _err("empty", "Tệp không có dòng nào.", "file")
    header = [COLUMNS.get(header_key(h), "") for h in rows[0]]
    absent = [LABELS[c] for c in REQUIRED if c not in header]
    if absent:
        raise _err("missing_column", f"Thiếu cột: {', '.join(absent)}.", "file")
    plans: list[Plan] = []
    problems: list[ActionError] = []
    seen: set[tuple[str, str, date]] = set()
    for i, row in enumerate(rows[1:], 2):
        values = {k: (row[j].strip() if j < len(row) else "") for j, k in enumerate(header) if k}
        prefix = f"Dòng {i}: "
        missing = [LABELS[c] for c in REQUIRED if not values.get(c)]
        if missing:
            problems.append(_err("missing_field", f"{prefix}thiếu {', '.join(missing)}.", "file"))
            continue
        issued_on = parse_date(values["issued_on"])
        due_on = parse_date(values["due_on"]) if values.get("due_on") else None
        if issued_on is None or (values.get("due_on") and due_on is None):
            problems.append(
                _err("invalid_date", f"{prefix}ngày không đúng dạng ngày/tháng/năm.", "file")
            )
            continue
        package = Package(
            sender=Organ(values["sender"].upper(), ""),
            receivers=[
                Organ(c.strip().upper(), "")
                for c in values["receivers"].replace(",", ";").split(";")
                if c.strip()
            ],
            number=values["number"],
            issued_on=issued_on,
            subject=values["subject"],
            signer=values.get("signer", ""),
            due_on=due_on,
            sha256=hashlib.sha256(("|".join(row)).encode()).hexdigest(),
        )
        key = (package.sender.code, package.number, issued_on)
        if key in seen:
            problems.append(
                _err(
                    "duplicate_document",
                    f"{prefix}văn bản {package.number} lặp lại trong tệp.",
                    "file",
                )
            )
            continue
        seen.add(key)
        plan, row_problems = _check(package, ImportedDocument.Source.SHEET, prefix)
        problems += row_problems
        if plan is not None:
            plans.append(plan)
    refuse_all(problems)
    return plans


# --- writing ---------------------------------------------------------------------------------


def _assigner(actor: Person, unit: Unit, day: date) -> tuple[Person, Person | None]:
    """The actor when he directs the registering unit; for its clerk, the unit's head."""
    if access_for(actor, day).can_act_on_unit(unit):
        return actor, None
    head = Membership.objects.active_on(day).head_of(unit)
    if head is not None and D.is_clerk_of(actor, unit.pk, day):
        return head, actor
    raise ActionPermissionError(
        f"Chỉ lãnh đạo hoặc văn thư của {unit.name} mới được nhập văn bản của đơn vị này."
    )


def _write(actor: Person, plan: Plan, at: datetime, working_days: int) -> Directive:
    p = plan.package
    day = timezone.localtime(at).date()
    assigner, recorded_by = _assigner(actor, plan.sender_unit, day)
    upload = None
    if p.attachments:
        first: Attachment = p.attachments[0]
        upload = SimpleUploadedFile(first.name, first.content, first.content_type)
    directive = D.do_register_directive(
        actor,
        unit=plan.sender_unit,
        number=p.number,
        issued_on=p.issued_on,
        issuer=plan.sender_unit.name,
        subject=p.subject,
        file=upload,
        at=at,
    )
    if p.due_on is not None and p.due_on < day:
        raise _err(
            "past_due",
            f"Hạn xử lý {p.due_on:%d/%m/%Y} của văn bản {plan.label} đã qua.",
            "DueDate",
        )
    D.do_assign_directive(
        assigner,
        directive,
        [D.UnitPart(r.unit, r.head) for r in plan.receivers],
        title=p.subject[:500],
        expected_result=p.content[:2000],
        deadline=p.due_on,
        working_days=None if p.due_on else working_days,
        recorded_by=recorded_by,
        at=at,
    )
    doc = ImportedDocument(
        sender_code=p.sender.code,
        number=p.number,
        issued_on=p.issued_on,
        directive=directive,
        source=plan.source,
        sha256=p.sha256,
        signer=p.signer,
        imported_by=actor,
        imported_at=at,
    )
    if p.raw:
        doc.package.save(f"{p.sha256[:16]}.xml", ContentFile(p.raw), save=False)
    doc.save()
    return directive


@transaction.atomic
def do_import(
    actor: Person,
    plans: Sequence[Plan],
    *,
    working_days: int = DEFAULT_WORKING_DAYS,
    at: datetime | None = None,
) -> list[Directive]:
    """All documents or none. The checks run again inside the transaction (another import
    may have come in since the preview)."""
    at = at or timezone.now()
    out: list[Directive] = []
    problems: list[ActionError] = []
    for plan in plans:
        fresh, again = _check(plan.package, plan.source)
        if fresh is None:
            problems += again
            continue
        try:
            with transaction.atomic():
                out.append(_write(actor, fresh, at, working_days))
        except ActionPermissionError:
            raise
        except ActionError as exc:
            for e in getattr(exc, "errors", None) or [exc]:
                problems.append(_err(e.code, f"{plan.label}: {e.message}", e.field or "file"))
        except IntegrityError:  # the same document imported at this very moment by someone else
            problems.append(
                _err(
                    "duplicate_document",
                    f"{plan.label}: văn bản vừa được nhập bởi người khác.",
                    "Code",
                )
            )
    if problems:
        transaction.set_rollback(True)
        refuse_all(problems)
    return out


def tasks_of(directives: Sequence[Directive]) -> list[Task]:
    return list(Task.objects.filter(directive__in=directives).order_by("directive_id", "id"))
