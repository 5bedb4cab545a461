from __future__ import annotations

from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "congvu.jobs"
    label = "jobs"
    verbose_name = "Tác vụ định kỳ"

    def ready(self) -> None:
        # Each app registers its periodic jobs in a `jobs.py` module.
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("jobs")
