"""Document exchange (edXML, QCVN 102:2016/BTTTT) and the outbox of task events.

Written only by congvu.exchange.codes (agency codes), congvu.exchange.importer (imported
documents) and congvu.exchange.outbox (subscribers' messages and their delivery attempts).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_noop

from congvu.lib.choices import TranslatedChoices
from congvu.org.models import EffectiveQuerySet, Person, Unit
from congvu.tasks.models import Directive, TaskEvent


class AgencyCode(models.Model):
    """A unit's agency identifier code (mã định danh, QĐ 20/2020/QĐ-TTg) during
    [valid_from, valid_to]: codes change when units merge, so a package dated before the
    change still resolves to the unit that held the code then."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="agency_codes")
    code = models.CharField("mã định danh", max_length=13)
    valid_from = models.DateField("hiệu lực từ")
    valid_to = models.DateField("hiệu lực đến", null=True, blank=True)
    set_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = EffectiveQuerySet.as_manager()

    class Meta:
        ordering = ["unit_id", "valid_from"]
        verbose_name = "mã định danh"
        verbose_name_plural = "mã định danh"
        constraints = [
            models.UniqueConstraint(
                fields=["unit"],
                condition=Q(valid_to__isnull=True),
                name="agencycode_one_open_per_unit",
            ),
            models.UniqueConstraint(
                fields=["code"],
                condition=Q(valid_to__isnull=True),
                name="agencycode_open_code_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.unit_id})"


class ImportedDocument(models.Model):
    """An incoming document taken from a package or a sheet: the sender's code, the number
    and the date identify it, so the same document is never imported twice."""

    class Source(models.TextChoices):
        EDXML = "edxml", "edXML"
        SHEET = "sheet", "CSV/XLSX"

    sender_code = models.CharField(max_length=13)
    number = models.CharField(max_length=80)
    issued_on = models.DateField()
    directive = models.OneToOneField(Directive, on_delete=models.PROTECT, related_name="imported")
    source = models.CharField(max_length=8, choices=Source.choices)
    sha256 = models.CharField(max_length=64)
    # The package as received (every attachment in it; the directive keeps the first as its
    # file). Empty for a sheet row.
    package = models.FileField(upload_to="exchange/%Y/%m/", max_length=300, blank=True)
    signer = models.CharField("người ký", max_length=255, blank=True)
    imported_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    imported_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["sender_code", "number", "issued_on"], name="imported_document_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.sender_code} {self.number} {self.issued_on:%d/%m/%Y}"


class StagedUpload(models.Model):
    """An uploaded package or sheet between its preview and its confirmation."""

    token = models.CharField(max_length=32, unique=True)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=255)
    content = models.BinaryField()
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.name


class Subscriber(models.Model):
    """A system that receives task events by webhook (HMAC-SHA256 signed)."""

    name = models.CharField("tên hệ thống", max_length=120)
    url = models.URLField("địa chỉ nhận", max_length=500)
    secret = models.CharField("khóa bí mật HMAC", max_length=128)
    # Event type codes (congvu.tasks.events); empty = every kind.
    kinds = models.JSONField("loại sự kiện", default=list, blank=True)
    active = models.BooleanField("đang nhận", default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # A delivery worker's claim on this subscriber (congvu.exchange.outbox._claim).
    leased_until = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = "hệ thống nhận sự kiện"
        verbose_name_plural = "hệ thống nhận sự kiện"

    def __str__(self) -> str:
        return self.name

    def wants(self, type_code: int) -> bool:
        return not self.kinds or type_code in self.kinds


class OutboxMessage(TranslatedChoices):
    """One task event owed to one subscriber, written in the event's own transaction."""

    class State(models.TextChoices):
        PENDING = "pending", gettext_noop("Chờ gửi")
        DELIVERED = "delivered", gettext_noop("Đã gửi")

    subscriber = models.ForeignKey(Subscriber, on_delete=models.PROTECT, related_name="messages")
    event = models.ForeignKey(TaskEvent, on_delete=models.PROTECT, related_name="+")
    key = models.CharField("khóa chống trùng", max_length=80)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    delivered_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["subscriber", "event"], name="outbox_once_per_sub"),
        ]
        indexes = [
            # Used by the delivery worker: a subscriber's oldest pending message.
            models.Index(
                fields=["subscriber", "id"],
                condition=Q(state="pending"),
                name="outbox_pending_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key} → {self.subscriber_id}"


class DeliveryAttempt(models.Model):
    """One POST of a message: what the receiver answered, shown to the administrator."""

    message = models.ForeignKey(OutboxMessage, on_delete=models.CASCADE, related_name="tries")
    at = models.DateTimeField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    ok = models.BooleanField(default=False)
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.message_id} {self.at:%Y-%m-%d %H:%M:%S} {'ok' if self.ok else self.error}"
