from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.core.management import call_command
from django.db.models.signals import post_migrate


def create_cache_table(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    """`migrate` also creates the database cache table (API rate-limit counters) if missing,
    so a fresh clone or a new server needs no separate `createcachetable` step."""
    call_command("createcachetable", database=using, verbosity=0)


class OpsConfig(AppConfig):
    name = "congvu.ops"
    label = "ops"
    verbose_name = "Vận hành"

    def ready(self) -> None:
        from congvu.ops import signals  # noqa: F401 - registers the sign-in audit receivers

        post_migrate.connect(create_cache_table, sender=self, dispatch_uid="congvu-cache-table")
