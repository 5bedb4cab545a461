from __future__ import annotations

from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    name = "congvu.indicators"
    label = "indicators"
    verbose_name = "Mục tiêu, chỉ tiêu"
