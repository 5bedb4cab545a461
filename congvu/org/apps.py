from __future__ import annotations

from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "congvu.org"
    label = "org"
    verbose_name = "Tổ chức bộ máy"
