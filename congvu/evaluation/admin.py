"""Read-only admin: every change goes through congvu.evaluation.actions (audited, sealed)."""

from __future__ import annotations

from django.contrib import admin

from congvu.evaluation.models import (
    ProductCatalogItem,
    RuleParameterChange,
    RuleSet,
)
from congvu.lib.admin import ReadOnlyAdmin


@admin.register(RuleSet)
class RuleSetAdmin(ReadOnlyAdmin[RuleSet]):
    list_display = ["code", "scheme", "valid_from", "valid_to"]


@admin.register(RuleParameterChange)
class RuleParameterChangeAdmin(ReadOnlyAdmin[RuleParameterChange]):
    list_display = ["rule_set", "key", "changed_by", "changed_at"]
    list_filter = ["rule_set"]


@admin.register(ProductCatalogItem)
class ProductCatalogItemAdmin(ReadOnlyAdmin[ProductCatalogItem]):
    list_display = ["job_position", "code", "name", "coefficient", "valid_from"]
    search_fields = ["job_position", "code", "name"]
