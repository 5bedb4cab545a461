"""The only code that writes congvu.web's own tables (STYLE.md §7.1)."""

from __future__ import annotations

import hashlib

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from congvu.lib.errors import ActionError, ActionPermissionError
from congvu.lib.filetypes import content_matches
from congvu.org.models import Person
from congvu.org.permissions import access_for
from congvu.tasks.actions import do_record_attachment
from congvu.tasks.models import CLOSED, Task
from congvu.web.models import TaskAttachment

ATTACHMENT_TYPES = (
    ".pdf",
    ".jpg",
    ".jpeg",
    ".png",
    ".doc",
    ".docx",
    ".xls",
    ".xlsx",
    ".odt",
    ".ods",
    ".txt",
)
ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024


def can_attach(task: Task, person: Person) -> bool:
    """The lead side, the assigner side, and members of a coordinating unit, while open."""
    if task.status in CLOSED:
        return False
    access = access_for(person)
    if person.pk in (task.lead_person_id, task.assigner_id):
        return True
    if access.can_act_on_unit(task.lead_unit_id) or access.can_act_on_unit(task.assigner_unit_id):
        return True
    return task.coordinations.filter(unit_id__in=access.member_unit_ids).exists()


@transaction.atomic
def attach_document(
    task: Task, person: Person, upload: UploadedFile, *, note: str = ""
) -> TaskAttachment:
    if not can_attach(task, person):
        raise ActionPermissionError("Bạn không được đính kèm tài liệu vào nhiệm vụ này.")
    name = (upload.name or "").rsplit("/", 1)[-1].strip()
    if not name.lower().endswith(ATTACHMENT_TYPES):
        raise ActionError(
            "attachment_type",
            "Tài liệu phải là PDF, ảnh, Word, Excel, ODF hoặc văn bản.",
            field="file",
        )
    if (upload.size or 0) > ATTACHMENT_MAX_BYTES:
        raise ActionError("attachment_size", "Tài liệu không được quá 20 MB.", field="file")
    extension = "." + name.rsplit(".", 1)[-1].lower()
    if not content_matches(extension, upload):
        raise ActionError(
            "attachment_content",
            f"Nội dung tệp «{name}» không phải {extension[1:].upper()} như phần mở rộng của tên "
            "tệp. Hãy đính kèm đúng tệp, hoặc lưu lại với đúng định dạng.",
            field="file",
        )
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    row = TaskAttachment(
        task=task,
        name=name[:255],
        size=upload.size or 0,
        sha256=digest.hexdigest(),
        uploaded_by=person,
        uploaded_at=timezone.now(),
        note=note.strip()[:255],
    )
    row.file.save(name, upload, save=False)
    row.save(force_insert=True)
    # The same transaction seals the document's digest into the task's log.
    do_record_attachment(
        task,
        person,
        name=row.name,
        sha256=row.sha256,
        size=row.size,
        note=row.note,
        at=row.uploaded_at,
    )
    return row
