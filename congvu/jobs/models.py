from __future__ import annotations

from django.db import models

from congvu.lib.choices import TranslatedChoices
from congvu.lib.runs import RunState


class JobRun(TranslatedChoices):
    """One run of a periodic job for one time slot.

    The unique (job, slot) pair is the claim: two workers started at once both try to insert
    the row and exactly one succeeds, so a slot's work is done once. A run whose worker died
    (no heartbeat for `stale_after`) is taken over by the next worker and redone; job bodies
    are written to be idempotent, so redoing a half-done slot is safe.
    """

    State = RunState

    job = models.CharField(max_length=80)
    slot = models.CharField(max_length=40)
    state = models.CharField(max_length=10, choices=State.choices, default=State.STARTED)
    worker = models.CharField(max_length=120, blank=True)
    attempts = models.PositiveSmallIntegerField(default=1)
    started_at = models.DateTimeField()
    heartbeat_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    result = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        verbose_name = "lần chạy tác vụ"
        verbose_name_plural = "lần chạy tác vụ"
        constraints = [models.UniqueConstraint(fields=["job", "slot"], name="jobrun_one_per_slot")]
        indexes = [
            # Used by the runner to find stale STARTED runs of a job.
            models.Index(fields=["job", "state"], name="jobrun_job_state_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.job} @ {self.slot}: {self.get_state_display()}"
