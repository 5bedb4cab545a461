"""The sealed, append-only log of every event that is not a step on a task.

Evaluation steps, finding reviews, legal obstacles, org and calendar changes: each subject has
its own HMAC-SHA256 chain (congvu.audit.log). The table keeps the name it had when it lived in
congvu.evaluation (evaluation_evaluationevent): the database's UPDATE/DELETE refusal
(evaluation migration 0003) stays attached to it, and moving the code moved no rows.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class AuditEvent(models.Model):
    """One sealed event of one subject's chain (subject, subject_id, seq).

    `actor` is null only for system events. `evaluation` is filled for the steps of one
    evaluation period (the period's history reads it); it is a string reference so that this
    app, which every layer writes through, imports none of them.
    """

    subject = models.CharField(max_length=20)
    subject_id = models.BigIntegerField()
    seq = models.PositiveIntegerField()
    seal = models.CharField(max_length=64)
    evaluation = models.ForeignKey(
        "evaluation.Evaluation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events",
    )
    kind = models.CharField(max_length=40)
    actor = models.ForeignKey("org.Person", null=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    payload = models.JSONField(default=dict)

    class Meta:
        db_table = "evaluation_evaluationevent"
        ordering = ["at", "id"]
        constraints = [
            # Two writers racing on one chain fail loudly instead of forking it.
            models.UniqueConstraint(
                fields=["subject", "subject_id", "seq"], name="evalevent_unique_seq"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject}#{self.subject_id}.{self.seq} {self.kind}"
