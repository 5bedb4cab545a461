from __future__ import annotations

from django.apps import AppConfig


class WorkdaysConfig(AppConfig):
    name = "congvu.workdays"
    label = "workdays"
    verbose_name = "Lịch ngày làm việc"
