from __future__ import annotations

from typing import Any

from django.apps import AppConfig


def _on_pause_acknowledged(sender: Any, *, task: Any, pause: Any, review: Any, **_: Any) -> None:
    # An acknowledged legal-obstacle pause enters the registry in the review's transaction.
    if pause.reason_code != "legal_obstacle":
        return
    from congvu.legal.actions import register_acknowledged_pause

    register_acknowledged_pause(task, pause, review)


class LegalConfig(AppConfig):
    name = "congvu.legal"
    label = "legal"
    verbose_name = "Vướng mắc pháp lý"

    def ready(self) -> None:
        from congvu.tasks.signals import pause_acknowledged

        pause_acknowledged.connect(_on_pause_acknowledged, dispatch_uid="legal-registry")
