from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from congvu.detection.actions import run_detection
from congvu.detection.models import quarter_of
from congvu.jobs.registry import job


@job(
    "detection",
    every=timedelta(hours=6),
    description="Phát hiện biểu hiện trên nhật ký (quý hiện tại và quý trước)",
)
def scheduled_detection(now: datetime) -> dict[str, Any]:
    today = now.date()
    label, start, _ = quarter_of(today)
    periods = [label]
    # Late events still change last quarter's picture for a month after it closes.
    if (today - start).days < 31:
        periods.append(quarter_of(start - timedelta(days=1))[0])
    out = {}
    for period in periods:
        run = run_detection(period, trigger="schedule")
        out[period] = {"run": run.pk, "new": run.findings_new, "updated": run.findings_updated}
    return out
