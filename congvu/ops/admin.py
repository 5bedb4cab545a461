from __future__ import annotations

from django.contrib import admin

from congvu.lib.admin import ReadOnlyAdmin
from congvu.ops.models import SignInRecord


@admin.register(SignInRecord)
class SignInRecordAdmin(ReadOnlyAdmin[SignInRecord]):
    list_display = ("at", "kind", "username", "ip_address")
    list_filter = ("kind",)
    search_fields = ("username", "ip_address")
    date_hierarchy = "at"
