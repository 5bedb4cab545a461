from __future__ import annotations

from django.apps import AppConfig


class TwoFactorConfig(AppConfig):
    name = "congvu.twofactor"
    label = "twofactor"
    verbose_name = "Xác thực hai bước"
