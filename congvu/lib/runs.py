"""What the run tables (detection runs, scheduled jobs) share: their states and how a failure
is written down."""

from __future__ import annotations

import traceback
from typing import Any

from django.db import models
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_noop


class RunState(models.TextChoices):
    """A run is STARTED until it is DONE or FAILED; a STARTED run whose worker died is redone."""

    STARTED = "started", gettext_noop("Đang chạy")
    DONE = "done", gettext_noop("Hoàn thành")
    FAILED = "failed", gettext_noop("Lỗi")


def mark_failed(run: QuerySet[Any], exc: BaseException) -> None:
    """Close the run as failed, keeping the end of its traceback (where the cause is); the
    whole traceback goes to the log."""
    run.update(
        state=RunState.FAILED,
        finished_at=timezone.now(),
        error="".join(traceback.format_exception(exc))[-4000:],
    )
