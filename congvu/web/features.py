"""Parts of the web app switch on when the apps they show are installed."""

from __future__ import annotations

from django.apps import apps


def tasks_enabled() -> bool:
    return apps.is_installed("congvu.tasks")


def detection_enabled() -> bool:
    return apps.is_installed("congvu.detection")
