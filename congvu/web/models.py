from __future__ import annotations

from django.db import models

from congvu.org.models import Person


class NotificationCursor(models.Model):
    """How far a person has read their notifications (the events addressed to them).

    Notifications are not stored: they are the sealed events addressed to a person
    (congvu.web.notifications.RECIPIENTS). Only this read mark is, a time, since notifications
    come from two logs (tasks, findings) and are ordered by time; only
    congvu.web.notifications.mark_read writes it.
    """

    person = models.OneToOneField(
        Person, on_delete=models.CASCADE, related_name="notification_cursor"
    )
    last_seen_at = models.DateTimeField(null=True)

    class Meta:
        verbose_name = "đã đọc thông báo đến"
        verbose_name_plural = "đã đọc thông báo đến"

    def __str__(self) -> str:
        return f"{self.person} ≤ {self.last_seen_at}"


def _attachment_path(instance: TaskAttachment, filename: str) -> str:
    # Stored under the task, with the upload's own name kept for download.
    return f"nhiem-vu/{instance.task_id}/{filename}"


class TaskAttachment(models.Model):
    """A document attached to a task (dự thảo, báo cáo, văn bản trả lời...).

    Written only by congvu.web.actions.attach_document, which also seals the name, size and
    SHA-256 into the task's event log (DOCUMENT_ATTACHED): a file replaced on disk no longer
    matches its sealed digest.
    """

    task = models.ForeignKey("tasks.Task", on_delete=models.PROTECT, related_name="attachments")
    file = models.FileField("tệp", upload_to=_attachment_path, max_length=300)
    name = models.CharField("tên tệp", max_length=255)
    size = models.PositiveBigIntegerField("dung lượng")
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField("thời điểm")
    note = models.CharField("ghi chú", max_length=255, blank=True)

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = "tài liệu đính kèm"
        verbose_name_plural = "tài liệu đính kèm"

    def __str__(self) -> str:
        return self.name


class SummaryCounts(models.Model):
    """The task counts a dashboard shows (congvu.web.summary.COUNTS), as of one day."""

    total = models.IntegerField(default=0)
    open = models.IntegerField(default=0)
    overdue = models.IntegerField(default=0)
    completed = models.IntegerField(default=0)
    on_time = models.IntegerField(default=0)
    late = models.IntegerField(default=0)
    cancelled = models.IntegerField(default=0)
    declines = models.IntegerField(default=0)
    pingpong = models.IntegerField(default=0)

    class Meta:
        abstract = True


class UnitSummary(SummaryCounts):
    """Pre-aggregated dashboard figures of the tasks one unit leads, as of one day.

    Written by the `dashboard_summaries` job (congvu.web.summary), read by the province
    dashboard, which otherwise folds every task of the province on each request. A plain unit
    id, not a foreign key: dissolved units keep their history.
    """

    day = models.DateField()
    unit_id = models.BigIntegerField()
    computed_at = models.DateTimeField()
    by_status = models.JSONField(default=dict)
    # [[mm/yyyy, assigned, completed on time, completed late], ...] for the last 12 months
    monthly = models.JSONField(default=list)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "unit_id"], name="unitsummary_day_unit")
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} @ {self.day}"


class PersonSummary(SummaryCounts):
    """The same figures per lead person within one lead unit, as of one day: the "by person"
    table of a large unit's dashboard sums these rows instead of folding every task."""

    day = models.DateField()
    unit_id = models.BigIntegerField()
    person_id = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "unit_id", "person_id"], name="personsummary_day_unit_person"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person_id} in {self.unit_id} @ {self.day}"


class HandoverSummary(models.Model):
    """How many hand-overs went from one unit to another on the local day `on`, and how many
    of them were returns, as of the refresh of `day`: the hand-over network sums the rows of
    the period it is asked for."""

    day = models.DateField(db_index=True)
    # Null only on rows written before the split by date (gone after KEEP_DAYS).
    on = models.DateField(null=True)
    src_unit_id = models.BigIntegerField()
    dst_unit_id = models.BigIntegerField()
    n = models.IntegerField()
    returns = models.IntegerField(default=0)

    class Meta:
        indexes = [
            # The network's period: one refresh's rows between two dates.
            models.Index(fields=["day", "on"], name="handoversummary_day_on_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.src_unit_id}→{self.dst_unit_id}: {self.n}"
