from __future__ import annotations

from django.apps import AppConfig


class LegalConfig(AppConfig):
    name = "congvu.legal"
    label = "legal"
    verbose_name = "Vướng mắc pháp lý"
