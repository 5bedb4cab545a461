from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_noop

from congvu.lib.choices import TranslatedChoices
from congvu.org.models import Person


class Preference(models.Model):
    """A person's e-mail choices. No row means the defaults below."""

    person = models.OneToOneField(
        Person, on_delete=models.CASCADE, related_name="notify_preference"
    )
    email_new_task = models.BooleanField("thư khi được giao việc mới", default=True)
    email_coordination = models.BooleanField("thư khi có đề nghị phối hợp", default=True)
    email_reminder = models.BooleanField("thư khi bị đôn đốc, quá hạn", default=True)
    email_opinion = models.BooleanField("thư khi được xin ý kiến", default=True)
    email_decide = models.BooleanField(
        "thư khi có việc chờ quyết định (trình kết quả, từ chối, xin gia hạn, tạm dừng)",
        default=True,
    )
    email_outcome = models.BooleanField(
        "thư khi có kết quả (phê duyệt, trả lời phối hợp, cho ý kiến, gia hạn…)", default=True
    )
    digest_only = models.BooleanField(
        "gộp mọi thông báo vào một thư mỗi sáng",
        default=False,
        help_text="Không gửi thư riêng cho từng sự kiện; sáng hôm sau nhận một thư tổng hợp.",
    )
    daily_digest = models.BooleanField(
        "bản tin hằng ngày (lãnh đạo đơn vị)",
        default=True,
        help_text="Tóm tắt việc quá hạn, sắp đến hạn, phối hợp chờ trả lời của đơn vị.",
    )

    class Meta:
        verbose_name = "tùy chọn thông báo"
        verbose_name_plural = "tùy chọn thông báo"

    def __str__(self) -> str:
        return f"Tùy chọn thông báo của {self.person}"


class OutboxEmail(TranslatedChoices):
    """One e-mail about one task event to one person (outbox pattern).

    Rows are written in the same scan that advances the cursor, then sent one by one; a row
    moves PENDING → SENDING by a conditional UPDATE, so two workers never send it twice, and
    the unique (person, event) pair means a re-scan never queues it twice.
    """

    class Status(models.TextChoices):
        PENDING = "pending", gettext_noop("Chờ gửi")
        SENDING = "sending", gettext_noop("Đang gửi")
        SENT = "sent", gettext_noop("Đã gửi")
        FAILED = "failed", gettext_noop("Lỗi")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    event_id = models.BigIntegerField()
    kind = models.CharField(max_length=20)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        verbose_name = "thư chờ gửi"
        verbose_name_plural = "thư chờ gửi"
        constraints = [models.UniqueConstraint(fields=["person", "event_id"], name="outbox_once")]
        indexes = [models.Index(fields=["status"], name="outbox_status_idx")]

    def __str__(self) -> str:
        return f"{self.person} #{self.event_id} {self.get_status_display()}"


class DigestSent(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    sent_at = models.DateTimeField()
    ok = models.BooleanField(default=False)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["person", "day"], name="digestsent_once")]

    def __str__(self) -> str:
        return f"{self.person} {self.day:%d/%m/%Y}"


class EmailCursor(models.Model):
    """The last event id the e-mail job has looked at (one row)."""

    last_event_id = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"≤ #{self.last_event_id}"

    @classmethod
    def get(cls) -> EmailCursor:
        cursor, _ = cls.objects.get_or_create(pk=1)
        return cursor
