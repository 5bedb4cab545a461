"""Periodic job of the exchange: deliver the outbox (run by `manage.py run_jobs`)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from congvu.exchange.outbox import deliver, prune
from congvu.jobs.registry import job


@job(
    "deliver_outbox",
    every=timedelta(minutes=1),
    description="Gửi sự kiện nhiệm vụ đến các hệ thống đăng ký (webhook có chữ ký HMAC)",
)
def deliver_outbox(now: datetime) -> dict[str, Any]:
    return {**deliver(), "pruned": prune(now)}
