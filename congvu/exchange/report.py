"""The outgoing report package (báo cáo kết quả) of a task whose result is accepted.

Sender: the lead unit's agency code; receiver: the code of the directive's issuer (the
sender of the imported package, or the registering unit's code for a directive typed in).
The package answers the directive (ResponseFor: its code, number and date); its content is
the accepted result, the text of the last submission.
"""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from congvu.exchange import codes
from congvu.exchange.edxml import Organ, write_package
from congvu.exchange.models import ImportedDocument
from congvu.exchange.xmlsig import sign_package
from congvu.lib.errors import ActionError
from congvu.org.models import Membership
from congvu.tasks.events import TaskEventType as E
from congvu.tasks.models import DONE, Task


def result_text(task: Task) -> str:
    last = task.events.filter(type=E.SUBMITTED).order_by("-seq").first()
    return last.reason_text if last is not None else ""


def issuer_code(task: Task, day: date) -> str:
    directive = task.directive
    if directive is None:
        return ""
    imported = ImportedDocument.objects.filter(directive=directive).first()
    if imported is not None:
        return imported.sender_code
    return codes.code_of(directive.unit_id, day)


def report_package(task: Task, day: date | None = None) -> bytes:
    day = day or timezone.localdate()
    if task.status not in DONE:
        raise ActionError(
            "not_done", "Chỉ lập gói báo cáo cho nhiệm vụ đã được duyệt kết quả.", field="status"
        )
    if task.directive is None:
        raise ActionError(
            "no_directive",
            "Nhiệm vụ không gắn với văn bản chỉ đạo nào: không có cơ quan nhận báo cáo.",
            field="directive",
        )
    sender = codes.code_of(task.lead_unit_id, day)
    receiver = issuer_code(task, day)
    missing = [
        name
        for name, code in ((task.lead_unit.name, sender), (task.directive.issuer, receiver))
        if not code
    ]
    if missing:
        raise ActionError(
            "no_agency_code",
            f"Chưa có mã định danh cho: {', '.join(missing)} (trang Mã định danh).",
            field="code",
        )
    receiver_unit = codes.unit_for_code(receiver, day)
    title = (
        Membership.objects.active_on(day)
        .filter(person_id=task.lead_person_id, unit_id=task.lead_unit_id)
        .values_list("position_title", flat=True)
        .first()
    )
    directive = task.directive
    return sign_package(
        write_package(
            sender=Organ(sender, task.lead_unit.name),
            receivers=[Organ(receiver, receiver_unit.name if receiver_unit else directive.issuer)],
            code_number=str(task.pk),
            notation=f"BC-{task.lead_unit.code}",
            issued_on=day,
            place="",
            subject=f"Báo cáo kết quả thực hiện: {task.title}"[:1000],
            content=result_text(task),
            signer_position=title or "",
            signer_name=task.lead_person.full_name,
            response_for=(receiver, directive.number, directive.issued_on),
        )
    )
