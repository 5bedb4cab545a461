"""Read-only admin: every change goes through congvu.evaluation.actions (audited, sealed)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from congvu.evaluation.models import (
    ProductCatalogItem,
    RuleParameterChange,
    RuleSet,
)


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(RuleSet)
class RuleSetAdmin(ReadOnlyAdmin):
    list_display = ["code", "scheme", "valid_from", "valid_to"]


@admin.register(RuleParameterChange)
class RuleParameterChangeAdmin(ReadOnlyAdmin):
    list_display = ["rule_set", "key", "changed_by", "changed_at"]
    list_filter = ["rule_set"]


@admin.register(ProductCatalogItem)
class ProductCatalogItemAdmin(ReadOnlyAdmin):
    list_display = ["job_position", "code", "name", "coefficient", "valid_from"]
    search_fields = ["job_position", "code", "name"]
