from __future__ import annotations

from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "congvu.audit"
    label = "audit"
    verbose_name = "Nhật ký kiểm tra (ngoài nhiệm vụ)"
