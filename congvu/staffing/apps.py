from __future__ import annotations

from django.apps import AppConfig


class StaffingConfig(AppConfig):
    name = "congvu.staffing"
    label = "staffing"
    verbose_name = "Tinh giản biên chế, thay thế cán bộ"
