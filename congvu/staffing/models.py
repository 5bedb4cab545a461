"""Personal circumstances that exclude a person from a streamlining list (ND 154/2025).

Pregnancy, maternity leave and a young child are health and family data (sensitive under
Decree 356/2025): recorded only with a document reference, erased a year after they end by
the privacy retention job (category "circumstances" of the register).
"""

from __future__ import annotations

from datetime import date

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_noop

from congvu.lib.choices import TranslatedChoices
from congvu.org.models import Person


class CircumstanceQuerySet(models.QuerySet["Circumstance"]):
    def active_on(self, day: date) -> CircumstanceQuerySet:
        return self.filter(Q(end__isnull=True) | Q(end__gte=day), start__lte=day)


class Circumstance(TranslatedChoices):
    class Kind(models.TextChoices):
        PREGNANCY = "pregnancy", gettext_noop("Đang mang thai")
        MATERNITY_LEAVE = "maternity_leave", gettext_noop("Đang nghỉ thai sản")
        CHILD_UNDER_36M = "child_under_36m", gettext_noop("Đang nuôi con dưới 36 tháng tuổi")
        PENDING_DISCIPLINE = (
            "pending_discipline",
            gettext_noop("Đang trong thời gian xem xét kỷ luật"),
        )
        CRIMINAL_PROCEEDINGS = (
            "criminal_proceedings",
            gettext_noop("Đang bị truy cứu trách nhiệm hình sự"),
        )
        INSPECTION = (
            "inspection",
            gettext_noop("Đang bị thanh tra, kiểm tra do có dấu hiệu vi phạm"),
        )
        VOLUNTARY = "voluntary", gettext_noop("Tự nguyện tinh giản biên chế (có đơn)")

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="circumstances")
    kind = models.CharField("trường hợp", max_length=24, choices=Kind.choices)
    start = models.DateField("từ ngày")
    end = models.DateField("đến ngày", null=True, blank=True)
    evidence_ref = models.CharField("văn bản, giấy tờ chứng minh", max_length=200)
    recorded_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = CircumstanceQuerySet.as_manager()

    class Meta:
        ordering = ["person_id", "start"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.evidence_ref})"
