"""Read-only: the log is written only by congvu.audit.log.record (and refuses UPDATE/DELETE)."""

from __future__ import annotations

from django.contrib import admin

from congvu.audit.models import AuditEvent
from congvu.lib.admin import ReadOnlyAdmin


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin[AuditEvent]):
    list_display = ["subject", "subject_id", "seq", "kind", "actor", "at"]
    list_filter = ["subject", "kind"]
