from __future__ import annotations

from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "congvu.notify"
    label = "notify"
    verbose_name = "Thông báo thư điện tử"
