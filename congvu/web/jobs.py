"""Periodic jobs of the web app: the dashboards' pre-aggregated figures."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from congvu.jobs.registry import job
from congvu.tasks.state import VN_TZ


@job(
    "dashboard_summaries",
    every=timedelta(hours=1),
    description="Tổng hợp số liệu bảng điều hành theo đơn vị",
    stale_after=timedelta(minutes=30),
)
def dashboard_summaries(now: datetime) -> dict[str, Any]:
    from congvu.web.summary import refresh

    return refresh(now.astimezone(VN_TZ).date())
