"""What the run tables (detection runs, scheduled jobs) share: how a failure is written down."""

from __future__ import annotations

import traceback
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone


def mark_failed(run: QuerySet[Any], state: str, exc: BaseException) -> None:
    """Close the run as failed, keeping the end of its traceback (where the cause is); the
    whole traceback goes to the log."""
    run.update(
        state=state,
        finished_at=timezone.now(),
        error="".join(traceback.format_exception(exc))[-4000:],
    )
