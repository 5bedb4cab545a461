from __future__ import annotations

from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "congvu.privacy"
    label = "privacy"
    verbose_name = "Bảo vệ dữ liệu cá nhân"
