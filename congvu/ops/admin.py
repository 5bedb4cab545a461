from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy

from congvu.lib.admin import ReadOnlyAdmin
from congvu.lib.choices import shown
from congvu.ops.models import SignInRecord

# The admin lists and filters a choice field by its stored (Vietnamese) label; these follow
# the reader's language like the app's pages (congvu.lib.choices).
KIND_CONTEXT = SignInRecord.choice_contexts["kind"]


class KindFilter(admin.SimpleListFilter):
    title = gettext_lazy("Loại")
    parameter_name = "kind"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[Any, str]]:
        return [(code, shown(label, KIND_CONTEXT)) for code, label in SignInRecord.Kind.choices]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.filter(kind=self.value()) if self.value() else queryset


@admin.register(SignInRecord)
class SignInRecordAdmin(ReadOnlyAdmin[SignInRecord]):
    list_display = ("at", "kind_shown", "username", "ip_address")
    list_filter = (KindFilter,)
    search_fields = ("username", "ip_address")
    date_hierarchy = "at"

    @admin.display(description=gettext_lazy("Loại"), ordering="kind")
    def kind_shown(self, obj: SignInRecord) -> str:
        return obj.get_kind_display()
