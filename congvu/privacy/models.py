"""Personal data by design (Law 91/2025/QH15, Decree 356/2025/NĐ-CP): the register of processing,
the sealed access log, data-subject requests, and the effective-dated policies they follow.

Why a separate app below detection and evaluation: the access log and the register are about
every app's data, and the views of findings and evaluations write to the log (one decorator,
congvu.privacy.access.records_access).
"""

from __future__ import annotations

from datetime import date
from typing import Any, Self

from django.db import models
from django.utils.translation import gettext_noop, pgettext_lazy

from congvu.lib.choices import TranslatedChoices
from congvu.org.models import EffectiveQuerySet, Person


class PolicyQuerySet(EffectiveQuerySet["Policy"]):
    def in_force_on(self, day: date) -> Self:
        return self.active_on(day)


class Policy(TranslatedChoices):
    """One effective-dated version of the rules of a topic (like evaluation.RuleSet): a period or
    a request is judged by the version in force on its date, so old periods keep the old rules.

    Topics: "privacy" (request deadlines), "streamlining" (ND 154 exclusions and scope),
    "obstacles" (NQ 206 criteria, routes, report deadline), "weak_units" (KL 210 thresholds)."""

    class Topic(models.TextChoices):
        PRIVACY = "privacy", gettext_noop("Bảo vệ dữ liệu cá nhân")
        STREAMLINING = "streamlining", gettext_noop("Tinh giản biên chế")
        OBSTACLES = "obstacles", gettext_noop("Xử lý vướng mắc pháp luật")
        WEAK_UNITS = "weak_units", gettext_noop("Đơn vị, cán bộ yếu kém")

    topic = models.CharField("lĩnh vực", max_length=20, choices=Topic.choices)
    code = models.CharField("mã", max_length=40, unique=True)
    name = models.CharField("tên", max_length=255)
    legal_basis = models.TextField("căn cứ pháp lý")
    valid_from = models.DateField("hiệu lực từ")
    valid_to = models.DateField("hiệu lực đến", null=True, blank=True)
    params = models.JSONField("tham số", default=dict)
    notes = models.TextField("ghi chú, điểm chưa chắc chắn", blank=True)

    objects = PolicyQuerySet.as_manager()

    class Meta:
        ordering = ["topic", "-valid_from"]
        verbose_name = "quy định áp dụng theo thời gian"
        verbose_name_plural = "quy định áp dụng theo thời gian"

    def __str__(self) -> str:
        return f"{self.code} ({self.valid_from:%d/%m/%Y})"


class ProcessingActivity(models.Model):
    """One line of the register of processing (Law 91/2025: purpose, legal basis, categories)."""

    code = models.CharField("mã", max_length=40, unique=True)
    name = models.CharField("hoạt động xử lý", max_length=255)
    purpose = models.TextField("mục đích")
    legal_basis = models.TextField("căn cứ pháp lý")
    data_subjects = models.CharField("chủ thể dữ liệu", max_length=255)
    recipients = models.TextField("người được tiếp cận", blank=True)
    safeguards = models.TextField("biện pháp bảo vệ", blank=True)
    automated = models.BooleanField("có đánh giá tự động", default=False)
    valid_from = models.DateField("áp dụng từ")
    valid_to = models.DateField("áp dụng đến", null=True, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = "hoạt động xử lý dữ liệu cá nhân"
        verbose_name_plural = "sổ đăng ký hoạt động xử lý"

    def __str__(self) -> str:
        return self.name


_ACTION_MARKS = (pgettext_lazy("khi hết hạn lưu", "Xóa"),)


class DataCategory(TranslatedChoices):
    """A category of personal data an activity processes, with its retention rule. `handler`
    names the retention job (congvu.privacy.retention.HANDLERS) that applies it; "" = kept."""

    class Action(models.TextChoices):
        KEEP = "keep", gettext_noop("Lưu giữ (hồ sơ lưu trữ)")
        ERASE = "erase", gettext_noop("Xóa")
        ANONYMISE = "anonymise", gettext_noop("Khử nhận dạng")

    activity = models.ForeignKey(
        ProcessingActivity, on_delete=models.PROTECT, related_name="categories"
    )
    code = models.CharField("mã", max_length=40, unique=True)
    name = models.CharField("loại dữ liệu", max_length=255)
    sensitive = models.BooleanField("dữ liệu cá nhân nhạy cảm", default=False)
    sensitive_ground = models.CharField("thuộc danh mục nhạy cảm", max_length=255, blank=True)
    retention_days = models.PositiveIntegerField("thời hạn lưu (ngày)", null=True, blank=True)
    action = models.CharField("khi hết hạn", max_length=10, choices=Action.choices)
    # "Xóa" is also the button ("Delete"); as what retention does, its own msgctxt
    # (congvu.lib.choices); pgettext_lazy only marks the entry for makemessages.
    choice_contexts = {"action": "khi hết hạn lưu"}
    handler = models.CharField("công việc xử lý", max_length=40, blank=True)

    class Meta:
        ordering = ["activity__code", "code"]
        verbose_name = "loại dữ liệu cá nhân"
        verbose_name_plural = "loại dữ liệu cá nhân"

    def __str__(self) -> str:
        return self.name


class AccessEntry(models.Model):
    """Who viewed whose findings, evaluations and explanations (sealed; see access.py).

    The seal covers keyed hashes of the two people (viewer_digest, subject_digest), never the
    people themselves: when the retention period ends the identities (viewer, subject) are
    erased and every seal still verifies. One chain per calendar day (UTC), so writers on
    different days never contend and a day's chain is locked through its head row."""

    chain = models.DateField()
    seq = models.PositiveIntegerField()
    at = models.DateTimeField()
    kind = models.CharField(max_length=20)
    object_id = models.BigIntegerField()
    viewer_digest = models.CharField(max_length=64)
    subject_digest = models.CharField(max_length=64)
    seal = models.CharField(max_length=64)
    # The erasable identities: set to NULL by the retention job (erased_at records when).
    viewer = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    subject = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    erased_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["chain", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["chain", "seq"], name="privacy_access_unique_seq")
        ]
        # Used by "who viewed my data" (subject) and the retention job (chain = day).
        indexes = [models.Index(fields=["subject", "at"], name="privacy_access_subject_idx")]

    def __str__(self) -> str:
        return f"{self.chain}.{self.seq} {self.kind}#{self.object_id}"


class ChainHead(models.Model):
    """The last seal of a day's access chain; locked while appending."""

    chain = models.DateField(unique=True)
    seq = models.PositiveIntegerField(default=0)
    seal = models.CharField(max_length=64, blank=True)

    def __str__(self) -> str:
        return f"{self.chain}: {self.seq}"


class SubjectRequest(TranslatedChoices):
    """A data-subject request (Law 91/2025 Art. 4): access, correction or objection."""

    class Kind(models.TextChoices):
        ACCESS = "access", gettext_noop("Xem, nhận bản sao dữ liệu")
        CORRECTION = "correction", gettext_noop("Chỉnh sửa dữ liệu")
        OBJECTION = "objection", gettext_noop("Phản đối, hạn chế xử lý")

    class Status(models.TextChoices):
        OPEN = "open", gettext_noop("Đang xử lý")
        ANSWERED = "answered", gettext_noop("Đã trả lời")
        REFUSED = "refused", gettext_noop("Từ chối (có lý do)")

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="data_requests")
    kind = models.CharField("loại yêu cầu", max_length=12, choices=Kind.choices)
    text = models.TextField("nội dung yêu cầu")
    filed_on = models.DateField("ngày nhận")
    due_on = models.DateField("hạn trả lời")
    policy = models.ForeignKey(Policy, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    answer = models.TextField("nội dung trả lời", blank=True)
    answer_data = models.JSONField("dữ liệu cung cấp", default=dict, blank=True)
    answered_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["status", "due_on", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def answered_in_time(self) -> bool | None:
        if self.answered_on is None:
            return None
        return self.answered_on <= self.due_on


def policy_params(topic: str, day: date) -> tuple[Policy, dict[str, Any]]:
    from congvu.lib.errors import ActionError

    p = Policy.objects.filter(topic=topic).in_force_on(day).order_by("-valid_from").first()
    if p is None:
        raise ActionError(
            "no_policy", f"Chưa có quy định nào về “{topic}” áp dụng cho ngày {day:%d/%m/%Y}."
        )
    return p, p.params
