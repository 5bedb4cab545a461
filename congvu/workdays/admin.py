from __future__ import annotations

from django.contrib import admin

from congvu.workdays.models import CalendarAdjustment


@admin.register(CalendarAdjustment)
class CalendarAdjustmentAdmin(admin.ModelAdmin[CalendarAdjustment]):
    list_display = ("day", "is_working_day", "reason", "decision_ref")
    list_filter = ("is_working_day",)
    search_fields = ("reason", "decision_ref")
    date_hierarchy = "day"
