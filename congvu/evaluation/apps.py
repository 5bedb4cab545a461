from __future__ import annotations

from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "congvu.evaluation"
    label = "evaluation"
    verbose_name = "Đánh giá, xếp loại chất lượng"

    def ready(self) -> None:
        # Tasks under an approved innovation proposal are not evidence of stalling (ND 73).
        from congvu.detection.actions import PROTECTED_TASK_PROVIDERS
        from congvu.evaluation.actions import protected_task_ids

        if protected_task_ids not in PROTECTED_TASK_PROVIDERS:
            PROTECTED_TASK_PROVIDERS.append(protected_task_ids)
