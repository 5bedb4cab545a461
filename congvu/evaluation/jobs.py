"""Periodic jobs of the evaluation app."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from congvu.jobs.registry import job
from congvu.tasks.state import VN_TZ


@job(
    "evaluation_periods",
    every=timedelta(days=1),
    description="Khóa sổ kỳ theo dõi đánh giá vừa kết thúc: mở kỳ, ghi sản phẩm từ nhiệm vụ",
    stale_after=timedelta(hours=2),
)
def evaluation_periods(now: datetime) -> dict[str, Any]:
    from congvu.evaluation.periods import close_ended_periods

    return close_ended_periods(now.astimezone(VN_TZ).date())
