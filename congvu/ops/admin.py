from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from congvu.ops.models import SignInRecord


@admin.register(SignInRecord)
class SignInRecordAdmin(admin.ModelAdmin[SignInRecord]):
    list_display = ("at", "kind", "username", "ip_address")
    list_filter = ("kind",)
    search_fields = ("username", "ip_address")
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: SignInRecord | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: SignInRecord | None = None) -> bool:
        return False
