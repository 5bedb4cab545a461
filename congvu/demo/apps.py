from __future__ import annotations

from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo province (`manage.py seed_demo`): the top layer, it drives every app below."""

    name = "congvu.demo"
    label = "demo"
    verbose_name = "Tỉnh mẫu"
