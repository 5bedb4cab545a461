from __future__ import annotations

from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "congvu.ops"
    label = "ops"
    verbose_name = "Vận hành"

    def ready(self) -> None:
        from congvu.ops import signals  # noqa: F401 - registers the sign-in audit receivers
