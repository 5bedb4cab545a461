"""The legal-obstacles registry (rà soát, hoàn thiện hệ thống pháp luật).

A task paused with reason `legal_obstacle` cites the regulation(s) it runs into. When the head
acknowledges the pause (event PAUSE_REVIEWED without `"acknowledged": false`), the obstacle
enters this registry and goes to the legal department's queue (settings.LEGAL_DEPARTMENT_UNIT_CODES,
Sở Tư pháp by default). Only congvu.legal.actions writes these rows; each change is a sealed event
of subject "legal" in the audit log (congvu.audit.log).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_noop

from congvu.lib.choices import TranslatedChoices
from congvu.org.models import Person, Unit
from congvu.tasks.models import Task


class LegalObstacle(TranslatedChoices):
    class Status(models.TextChoices):
        RECEIVED = "received", gettext_noop("Đã tiếp nhận")
        UNDER_REVIEW = "under_review", gettext_noop("Đang nghiên cứu")
        ROUTED = "routed", gettext_noop("Đã xác định tiêu chí, phương án xử lý (NQ 206)")
        SUBMITTED = "submitted", gettext_noop("Đã trình cơ quan có thẩm quyền")
        RESOLVED = "resolved", gettext_noop("Đã được xử lý (văn bản đã ban hành)")
        AMENDMENT_PROPOSED = "amendment_proposed", gettext_noop("Đã kiến nghị sửa đổi, bổ sung")
        GUIDANCE_ISSUED = "guidance_issued", gettext_noop("Đã có văn bản hướng dẫn")
        NOT_AN_OBSTACLE = "not_obstacle", gettext_noop("Không phải vướng mắc pháp lý")

    class Criterion(models.TextChoices):
        """NQ 206/2025/QH15 Art. 2: the three criteria of a legal obstacle."""

        CONFLICT = "conflict", gettext_noop("Quy định mâu thuẫn, chồng chéo")
        UNCLEAR = (
            "unclear",
            gettext_noop("Quy định không rõ ràng, nhiều cách hiểu, không hợp lý, không khả thi"),
        )
        BURDEN = (
            "burden",
            gettext_noop("Quy định tạo gánh nặng chi phí tuân thủ, hạn chế đổi mới sáng tạo"),
        )

    class Route(models.TextChoices):
        """NQ 206/2025/QH15 Art. 4: the three resolution routes."""

        INTERPRET = "interpret", gettext_noop("Giải thích luật hoặc hướng dẫn áp dụng văn bản")
        SHORTENED = "shortened", gettext_noop("Ban hành văn bản theo trình tự, thủ tục rút gọn")
        RESOLUTION = (
            "resolution",
            gettext_noop("Nghị quyết của Chính phủ/UBTVQH điều chỉnh quy định của luật"),
        )

    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="legal_obstacles")
    pause_seq = models.PositiveIntegerField("sự kiện tạm dừng")
    review_seq = models.PositiveIntegerField("sự kiện xác nhận")
    paused_at = models.DateTimeField("thời điểm tạm dừng")
    regulation = models.TextField("văn bản dẫn chiếu (nguyên văn)")
    description = models.TextField("nội dung vướng mắc")
    reported_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    reported_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    acknowledged_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    acknowledged_at = models.DateTimeField("thời điểm xác nhận")
    status = models.CharField(
        "trạng thái", max_length=20, choices=Status.choices, default=Status.RECEIVED
    )
    legal_note = models.TextField("ý kiến của cơ quan tư pháp", blank=True)
    handled_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField()
    # NQ 206/2025/QH15: filled when the legal department routes the obstacle. `rule` is the
    # congvu.privacy Policy in force on the acknowledgement day ("" = before NQ 206).
    rule = models.CharField("quy định áp dụng", max_length=40, blank=True)
    criterion = models.CharField(
        "tiêu chí (NQ 206 Điều 2)", max_length=12, choices=Criterion.choices, blank=True
    )
    route = models.CharField(
        "phương án xử lý (NQ 206 Điều 4)", max_length=12, choices=Route.choices, blank=True
    )
    competent_body = models.CharField("cơ quan có thẩm quyền xử lý", max_length=255, blank=True)
    deadline = models.DateField("thời hạn xử lý", null=True, blank=True)

    class Meta:
        ordering = ["-acknowledged_at", "-id"]
        verbose_name = "vướng mắc pháp lý"
        verbose_name_plural = "vướng mắc pháp lý"
        constraints = [
            models.UniqueConstraint(fields=["task", "pause_seq"], name="legal_unique_pause"),
        ]
        # Used by the queue page: open obstacles first.
        indexes = [models.Index(fields=["status", "acknowledged_at"], name="legal_status_idx")]

    def __str__(self) -> str:
        return f"#{self.task_id}.{self.pause_seq} {self.regulation[:60]}"

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_STATUSES


CLOSED_STATUSES = frozenset(
    {
        LegalObstacle.Status.RESOLVED,
        LegalObstacle.Status.AMENDMENT_PROPOSED,
        LegalObstacle.Status.GUIDANCE_ISSUED,
        LegalObstacle.Status.NOT_AN_OBSTACLE,
    }
)


class Citation(models.Model):
    """One regulation an obstacle cites: the document number (the ranking key) and the article."""

    obstacle = models.ForeignKey(LegalObstacle, on_delete=models.CASCADE, related_name="citations")
    number = models.CharField("số hiệu văn bản", max_length=120)
    key = models.CharField("khóa so khớp", max_length=120, db_index=True)
    article = models.CharField("điều, khoản", max_length=120, blank=True)

    class Meta:
        ordering = ["obstacle_id", "id"]

    def __str__(self) -> str:
        return f"{self.number} {self.article}".strip()
