from __future__ import annotations

from django.db import models


class AdjustmentQuerySet(models.QuerySet["CalendarAdjustment"]):
    def in_force(self) -> AdjustmentQuerySet:
        """The decisions the calendar applies (a revoked one stays, for the record)."""
        return self.filter(revoked_at__isnull=True)


class CalendarAdjustment(models.Model):
    """One yearly decision that the `holidays` package may not know: a swapped day off, a
    make-up working Saturday, a new holiday (24/11 once enacted) or a holiday not observed.

    Administrators edit these rows; they take precedence over the package's calendar. A row is
    never deleted: removing a decision revokes it (`revoked_at`), and every change is a sealed
    audit event (subject "calendar", congvu.workdays.actions).
    """

    day = models.DateField("ngày", unique=True)
    is_working_day = models.BooleanField(
        "là ngày làm việc",
        help_text="Đánh dấu nếu là ngày làm bù; bỏ đánh dấu nếu là ngày nghỉ.",
    )
    reason = models.CharField("lý do", max_length=200)
    decision_ref = models.CharField(
        "văn bản quyết định", max_length=120, blank=True, help_text="Ví dụ: 8726/VPCP-KGVX"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    revoked_at = models.DateTimeField("thời điểm hủy bỏ", null=True, blank=True)

    objects = AdjustmentQuerySet.as_manager()

    class Meta:
        ordering = ["day"]
        verbose_name = "điều chỉnh lịch làm việc"
        verbose_name_plural = "điều chỉnh lịch làm việc"

    def __str__(self) -> str:
        kind = "làm việc" if self.is_working_day else "nghỉ"
        return f"{self.day:%d/%m/%Y} — {kind}: {self.reason}"
