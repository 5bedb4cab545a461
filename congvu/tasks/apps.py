from __future__ import annotations

from django.apps import AppConfig


class TasksConfig(AppConfig):
    name = "congvu.tasks"
    label = "tasks"
    verbose_name = "Giao việc và nhật ký sự kiện"
