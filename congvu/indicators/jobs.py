"""Early warnings on indicators (run by `manage.py run_jobs`, see congvu/jobs)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from congvu.indicators.actions import email_warnings, send_warnings
from congvu.jobs.registry import job


@job(
    "indicator_warnings",
    every=timedelta(hours=6),
    description="Cảnh báo sớm chỉ tiêu có nguy cơ chậm hoặc chậm tới người đứng đầu đơn vị",
)
def indicator_warnings(now: datetime) -> dict[str, Any]:
    sent = send_warnings(timezone.localtime(now).date(), now)
    return {"warned": sent, "emailed": email_warnings(now)}
