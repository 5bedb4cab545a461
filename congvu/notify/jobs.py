from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from congvu.jobs.registry import job
from congvu.notify import mail


@job(
    "email_notifications",
    every=timedelta(minutes=5),
    description="Gửi thư thông báo sự kiện nhiệm vụ",
)
def email_notifications(now: datetime) -> dict[str, Any]:
    if not settings.EMAIL_ENABLED:
        return {"skipped": "EMAIL_HOST chưa cấu hình"}
    queued = mail.queue_new_events(now)
    retried = mail.retry_failed()
    return {"queued": queued, "retried": retried, **mail.send_pending()}


@job("daily_digest", every=timedelta(days=1), description="Bản tin hằng ngày cho lãnh đạo đơn vị")
def daily_digest(now: datetime) -> dict[str, Any]:
    if not settings.EMAIL_ENABLED:
        return {"skipped": "EMAIL_HOST chưa cấu hình"}
    return mail.send_digests(timezone.localtime(now).date())
