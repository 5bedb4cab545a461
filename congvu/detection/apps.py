from __future__ import annotations

from django.apps import AppConfig


class DetectionConfig(AppConfig):
    name = "congvu.detection"
    label = "detection"
    verbose_name = "Phát hiện biểu hiện né tránh, đùn đẩy"
