"""Read-only: the log is written only by congvu.audit.log.record (and refuses UPDATE/DELETE)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from congvu.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin[AuditEvent]):
    list_display = ["subject", "subject_id", "seq", "kind", "actor", "at"]
    list_filter = ["subject", "kind"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
