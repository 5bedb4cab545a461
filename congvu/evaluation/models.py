"""Evaluation and classification of cán bộ, công chức, viên chức (issue 6).

- RuleSet: the legal regime in force for a period (ND 335/2025 points model, ND 90/2020 + 48/2023
  criteria model), its parameters as editable data, every edit audited in RuleParameterChange.
- Evaluation: one person, one period (month, quarter or year). Periods belong to the person,
  not to the unit: a transfer leaves earlier periods attached to the person, and the new unit's
  year classification averages them (ND 335 Art. 21).
- ProductRecord/ProductIssue: the ND 335 Art. 14 task-result inputs, with the objective-cause
  fields the tasks app fills from a reviewed legal obstacle or a confirmed dependency.
- EvaluationDecision: every classification decision; a correction is a new row, never an edit.
- Proposal: consequences (reward, discipline, training, planning, lower post, dismissal review)
  as proposals for people to decide.
- InnovationProposal/InnovationVote: ND 73/2023 register.
- the audit trail of every step is congvu.audit (AuditEvent, with evaluation set).
- EvaluationRead: who read whose evaluation, when.

Only congvu.evaluation.actions writes these tables.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Self

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext, gettext_noop, pgettext_lazy

from congvu.lib.choices import TranslatedChoices
from congvu.org.models import EffectiveQuerySet, Person, Unit, in_effect


class Level(models.TextChoices):
    HTXS = "HTXS", gettext_noop("Hoàn thành xuất sắc nhiệm vụ")
    HTT = "HTT", gettext_noop("Hoàn thành tốt nhiệm vụ")
    HT = "HT", gettext_noop("Hoàn thành nhiệm vụ")
    KHT = "KHT", gettext_noop("Không hoàn thành nhiệm vụ")


# Best first; used to compare levels ("HTT or better").
LEVEL_ORDER = [Level.HTXS, Level.HTT, Level.HT, Level.KHT]


def level_rank(level: str) -> int:
    return LEVEL_ORDER.index(Level(level))


class Scheme(models.TextChoices):
    POINTS = "points", gettext_noop("Chấm điểm 100 (NĐ 335/2025)")
    CRITERIA = "criteria", gettext_noop("Tiêu chí (NĐ 90/2020, NĐ 48/2023)")


class RuleSetQuerySet(EffectiveQuerySet["RuleSet"]):
    def in_force_on(self, day: date) -> Self:
        # "In force" is the legal word for what the organisation tables call "active".
        return self.active_on(day)


class RuleSet(TranslatedChoices):
    """A legal regime for evaluation, in force for some person categories during a date range.

    When several rule sets cover a category on a day, the one with the latest valid_from wins:
    ND 90 stays open-ended for viên chức while ND 335 (from 1/1/2026) takes over công chức.
    """

    code = models.CharField("mã bộ quy tắc", max_length=40, unique=True)
    name = models.CharField("tên", max_length=255)
    legal_basis = models.TextField("căn cứ pháp lý")
    scheme = models.CharField("phương pháp", max_length=10, choices=Scheme.choices)
    categories = models.JSONField("đối tượng áp dụng", default=list)
    valid_from = models.DateField("hiệu lực từ")
    valid_to = models.DateField("hiệu lực đến", null=True, blank=True)
    params = models.JSONField("tham số", default=dict)
    notes = models.TextField("ghi chú", blank=True)

    objects = RuleSetQuerySet.as_manager()

    class Meta:
        ordering = ["valid_from", "code"]
        verbose_name = "bộ quy tắc đánh giá"
        verbose_name_plural = "bộ quy tắc đánh giá"

    def __str__(self) -> str:
        return self.code

    @property
    def params_with_defaults(self) -> dict[str, Any]:
        """The stored parameters over the documented defaults of the scheme."""
        from congvu.evaluation.schemes import scheme_of

        base = scheme_of(self.scheme).defaults
        return {**base, **self.params}

    def covers(self, category: str, day: date) -> bool:
        return category in self.categories and in_effect(self, day)


class RuleParameterChange(models.Model):
    """One audited edit of a rule-set parameter: who, when, old → new, why. Append-only."""

    rule_set = models.ForeignKey(RuleSet, on_delete=models.PROTECT, related_name="changes")
    key = models.CharField("tham số", max_length=80)
    old_value = models.JSONField("giá trị cũ", null=True)
    new_value = models.JSONField("giá trị mới", null=True)
    reason = models.TextField("lý do")
    changed_by = models.ForeignKey(Person, null=True, on_delete=models.PROTECT, related_name="+")
    changed_by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-changed_at", "-id"]
        verbose_name = "lịch sử sửa tham số"
        verbose_name_plural = "lịch sử sửa tham số"

    def __str__(self) -> str:
        return f"{self.key}: {self.old_value} → {self.new_value}"


class ProductCatalogItem(models.Model):
    """A product/job of a job position with its conversion coefficient (ND 335 Art. 14)."""

    job_position = models.CharField("vị trí việc làm", max_length=160, db_index=True)
    job_group = models.CharField(
        "nhóm nhiệm vụ tương đồng",
        max_length=160,
        blank=True,
        help_text="Dùng cho tỷ lệ HTXS theo nhóm; để trống = theo vị trí việc làm.",
    )
    code = models.CharField("mã sản phẩm", max_length=40)
    name = models.CharField("tên sản phẩm/công việc", max_length=255)
    measure = models.CharField("đơn vị tính", max_length=60, default="sản phẩm")
    coefficient = models.DecimalField("hệ số quy đổi", max_digits=6, decimal_places=2)
    unit = models.ForeignKey(
        Unit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text="Để trống nếu áp dụng cho mọi đơn vị.",
    )
    valid_from = models.DateField("hiệu lực từ")
    valid_to = models.DateField("hiệu lực đến", null=True, blank=True)

    objects = EffectiveQuerySet["ProductCatalogItem"].as_manager()

    class Meta:
        ordering = ["job_position", "code"]
        verbose_name = "danh mục sản phẩm"
        verbose_name_plural = "danh mục sản phẩm"
        constraints = [
            models.UniqueConstraint(
                fields=["job_position", "code", "valid_from"], name="catalog_unique_code"
            ),
            models.CheckConstraint(condition=Q(coefficient__gt=0), name="catalog_coef_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.name} (×{self.coefficient})"


class EvaluationQuerySet(models.QuerySet["Evaluation"]):
    def periods(self) -> Self:
        return self.exclude(kind=Evaluation.Kind.YEAR)

    def years(self) -> Self:
        return self.filter(kind=Evaluation.Kind.YEAR)

    def of_year(self, year: int) -> Self:
        return self.filter(year=year)

    def finalised(self) -> Self:
        return self.filter(status=Evaluation.Status.FINALISED)


class Evaluation(TranslatedChoices):
    class Kind(models.TextChoices):
        MONTH = "month", gettext_noop("Tháng")
        QUARTER = "quarter", gettext_noop("Quý")
        YEAR = "year", gettext_noop("Năm")

    # Stored labels stay Vietnamese (the official documents); pages translate them.
    class Status(models.TextChoices):
        DRAFT = "draft", gettext_noop("Đang lập")
        SELF_ASSESSED = "self", gettext_noop("Đã tự đánh giá")
        COMMENTED = "commented", gettext_noop("Đã lấy ý kiến tập thể")
        PROPOSED = "proposed", gettext_noop("Thủ trưởng đã đề xuất")
        DECIDED = "decided", gettext_noop("Cấp có thẩm quyền đã quyết định")
        FINALISED = "final", gettext_noop("Đã chốt kết quả")

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="evaluations")
    # The unit in which the person was evaluated for this period (for scope and quotas); the
    # period itself belongs to the person.
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="evaluations")
    role_in_unit = models.CharField("vai trò", max_length=10, default="member")
    category = models.CharField("phân loại", max_length=12)
    job_position = models.CharField("vị trí việc làm", max_length=160, blank=True)
    job_group = models.CharField("nhóm nhiệm vụ tương đồng", max_length=160, blank=True)
    rule_set = models.ForeignKey(RuleSet, on_delete=models.PROTECT, related_name="evaluations")
    kind = models.CharField("kỳ", max_length=8, choices=Kind.choices)
    year = models.PositiveSmallIntegerField("năm")
    number = models.PositiveSmallIntegerField("số kỳ", default=0)
    start = models.DateField("từ ngày")
    end = models.DateField("đến ngày")
    status = models.CharField(
        "trạng thái", max_length=10, choices=Status.choices, default=Status.DRAFT
    )

    general_self = models.JSONField("tự chấm tiêu chí chung", default=dict)
    general_head = models.JSONField("thủ trưởng chấm tiêu chí chung", default=dict)
    criteria = models.JSONField("tiêu chí (NĐ 90)", default=dict)
    self_comment = models.TextField("tự nhận xét", blank=True)
    collective_comments = models.TextField("ý kiến tập thể", blank=True)
    head_comment = models.TextField("nhận xét của thủ trưởng", blank=True)

    general_score = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    task_score = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    total_score = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    self_level = models.CharField(max_length=4, choices=Level.choices, blank=True)
    proposed_level = models.CharField(max_length=4, choices=Level.choices, blank=True)
    decided_level = models.CharField(max_length=4, choices=Level.choices, blank=True)
    final_level = models.CharField(max_length=4, choices=Level.choices, blank=True)
    # Human-readable reasons that forced KHT or capped the level (ND 335 Art. 20.4, ND 48).
    level_reasons = models.JSONField(default=list, blank=True)

    quota_override_reason = models.TextField(blank=True)
    finalised_at = models.DateTimeField(null=True, blank=True)
    finalised_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = EvaluationQuerySet.as_manager()

    class Meta:
        ordering = ["person_id", "year", "kind", "number"]
        verbose_name = "đánh giá, xếp loại"
        verbose_name_plural = "đánh giá, xếp loại"
        constraints = [
            models.UniqueConstraint(
                fields=["person", "kind", "year", "number"], name="evaluation_one_per_period"
            ),
        ]
        indexes = [
            # Used by the quota check and the unit summary: a unit's evaluations of a year.
            models.Index(fields=["unit", "year", "kind"], name="evaluation_unit_year_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.period_label}"

    # Vietnamese: documents, stored summaries and the sealed log quote it.
    @property
    def period_label(self) -> str:
        if self.kind == self.Kind.MONTH:
            return f"tháng {self.number}/{self.year}"
        if self.kind == self.Kind.QUARTER:
            return f"quý {self.number}/{self.year}"
        return f"năm {self.year}"

    @property
    def period_name(self) -> str:
        """`period_label` in the reader's language, for pages."""
        values = {"number": self.number, "year": self.year}
        if self.kind == self.Kind.MONTH:
            return gettext("tháng %(number)s/%(year)s") % values
        if self.kind == self.Kind.QUARTER:
            return gettext("quý %(number)s/%(year)s") % values
        return gettext("năm %(year)s") % values

    @property
    def is_locked(self) -> bool:
        return self.status == self.Status.FINALISED

    @property
    def is_leader(self) -> bool:
        return self.role_in_unit in ("head", "deputy")

    @property
    def effective_level(self) -> str:
        return self.final_level or self.decided_level or self.proposed_level or self.self_level

    @property
    def group_key(self) -> str:
        return self.job_group or self.job_position or ""


class ProductRecord(models.Model):
    """Products/jobs assigned and completed in a period (ND 335 Art. 14)."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.PROTECT, related_name="products")
    catalog_item = models.ForeignKey(
        ProductCatalogItem, null=True, blank=True, on_delete=models.PROTECT
    )
    name = models.CharField("sản phẩm/công việc", max_length=255)
    coefficient = models.DecimalField("hệ số quy đổi", max_digits=6, decimal_places=2)
    quantity_assigned = models.DecimalField("số lượng giao", max_digits=8, decimal_places=2)
    quantity_completed = models.DecimalField(
        "số lượng hoàn thành", max_digits=8, decimal_places=2, default=Decimal(0)
    )
    task = models.ForeignKey(
        "tasks.Task", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Reference to work outside the system (e.g. a document number) when there is no Task.
    task_ref = models.CharField("nhiệm vụ liên quan", max_length=80, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["evaluation_id", "id"]
        verbose_name = "sản phẩm trong kỳ"
        verbose_name_plural = "sản phẩm trong kỳ"
        constraints = [
            models.CheckConstraint(condition=Q(coefficient__gt=0), name="product_coef_positive"),
            models.CheckConstraint(
                condition=Q(quantity_assigned__gte=0, quantity_completed__gte=0),
                name="product_quantities_nonnegative",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ProductIssue(TranslatedChoices):
    """A failed quality review or a delay on a product: −25% of that product's points unless a
    competent authority confirms an objective cause (ND 335 Art. 14)."""

    class Kind(models.TextChoices):
        QUALITY = "quality", gettext_noop("Chưa đạt chất lượng")
        DELAY = "delay", gettext_noop("Chậm tiến độ")

    product = models.ForeignKey(ProductRecord, on_delete=models.PROTECT, related_name="issues")
    kind = models.CharField("loại", max_length=8, choices=Kind.choices)
    occurred_on = models.DateField("ngày")
    note = models.CharField("ghi chú", max_length=255, blank=True)
    # Set by do_confirm_objective_cause; the tasks app calls it from a reviewed legal obstacle
    # ("legal_obstacle") or a confirmed dependency on another unit ("dependency").
    objective_cause = models.TextField("nguyên nhân khách quan", blank=True)
    objective_cause_source = models.CharField("nguồn xác nhận", max_length=80, blank=True)
    objective_cause_confirmed_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    objective_cause_confirmed_at = models.DateTimeField(null=True, blank=True)
    # An objective cause put forward (giải trình) by the person or on their behalf, waiting for
    # the competent level: do_claim_objective_cause, then do_confirm_objective_cause or
    # do_reject_objective_cause. A new claim after a rejection replaces the claim; the sealed
    # log keeps every step.
    cause_claim = models.TextField("nguyên nhân khách quan được nêu", blank=True)
    cause_claim_source = models.CharField("căn cứ nêu kèm", max_length=80, blank=True)
    cause_claimed_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cause_claimed_at = models.DateTimeField(null=True, blank=True)
    cause_rejection = models.TextField("lý do không xác nhận", blank=True)
    cause_rejected_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cause_rejected_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["product_id", "occurred_on", "id"]
        verbose_name = "lỗi chất lượng/tiến độ"
        verbose_name_plural = "lỗi chất lượng/tiến độ"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.occurred_on:%d/%m/%Y})"

    @property
    def is_excused(self) -> bool:
        return self.objective_cause_confirmed_at is not None

    @property
    def cause_status(self) -> str:
        """ "confirmed", "rejected" (the last claim was turned down), "claimed" (waiting for
        the competent level) or "" (nothing put forward)."""
        if self.is_excused:
            return "confirmed"
        if self.cause_claimed_at is None:
            return ""
        if self.cause_rejected_at is not None and self.cause_rejected_at >= self.cause_claimed_at:
            return "rejected"
        return "claimed"


class ConductRecord(TranslatedChoices):
    """Facts that force KHT regardless of points (ND 335 Art. 20.4 b–d; ND 48/2023)."""

    class Kind(models.TextChoices):
        DISCIPLINE = "discipline", gettext_noop("Kỷ luật")
        DEGRADATION = "degradation", gettext_noop("Suy thoái, tự diễn biến, tự chuyển hóa")
        UNIT_CORRUPTION = (
            "unit_corruption",
            gettext_noop("Đơn vị trực tiếp phụ trách để xảy ra tham nhũng"),
        )
        PARTY_DISCIPLINE = "party_discipline", gettext_noop("Kỷ luật Đảng")

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="conduct_records")
    kind = models.CharField("loại", max_length=20, choices=Kind.choices)
    form = models.CharField("hình thức", max_length=20, blank=True)
    effective_on = models.DateField("ngày quyết định")
    decision_ref = models.CharField("số quyết định", max_length=120, blank=True)
    # ND 335 Art. 20.4.c: only discipline for a violation related to public duty forces KHT.
    related_to_duty = models.BooleanField("vi phạm liên quan đến thực thi công vụ", default=True)
    # ND 48/2023: the same violation disciplined by the Party and administratively (two
    # records with the same reference) counts in one year only.
    violation_ref = models.CharField("mã hành vi vi phạm", max_length=120, blank=True)
    note = models.TextField("ghi chú", blank=True)
    recorded_by = models.ForeignKey(Person, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["person_id", "effective_on"]
        verbose_name = "kỷ luật, kết luận vi phạm"
        verbose_name_plural = "kỷ luật, kết luận vi phạm"

    def __str__(self) -> str:
        return f"{self.person_id}: {self.label()}"

    def label(self) -> str:
        from congvu.evaluation.defaults import DISCIPLINE_FORMS

        form = DISCIPLINE_FORMS.get(self.form, self.form)
        return f"{self.get_kind_display()}: {form}" if form else self.get_kind_display()


class EvaluationDecision(TranslatedChoices):
    """A classification decision. Finalisation writes the first; corrections append new ones."""

    class Kind(models.TextChoices):
        FINAL = "final", gettext_noop("Quyết định xếp loại")
        CORRECTION = "correction", gettext_noop("Quyết định điều chỉnh")

    evaluation = models.ForeignKey(Evaluation, on_delete=models.PROTECT, related_name="decisions")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    level = models.CharField(max_length=4, choices=Level.choices)
    total_score = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    decided_by = models.ForeignKey(Person, null=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(auto_now_add=True)
    decision_ref = models.CharField("số quyết định/thông báo", max_length=120, blank=True)
    reason = models.TextField(blank=True)
    supersedes = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["evaluation_id", "decided_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.level}"


# "Không chấp nhận" is also the decision's button ("Reject"); as the status of an appeal or a
# proposal it reads "Not accepted": its own msgctxt (congvu.lib.choices, `choice_contexts`).
# pgettext_lazy only marks the entry for makemessages; the label itself stays Vietnamese.
DECISION_STATUS = "trạng thái kiến nghị, đề xuất"
_STATUS_MARKS = (pgettext_lazy("trạng thái kiến nghị, đề xuất", "Không chấp nhận"),)


class Appeal(TranslatedChoices):
    class Status(models.TextChoices):
        OPEN = "open", gettext_noop("Đang xem xét")
        UPHELD = "upheld", gettext_noop("Chấp nhận (đã điều chỉnh)")
        REJECTED = "rejected", gettext_noop("Không chấp nhận")

    choice_contexts = {"status": DECISION_STATUS}

    evaluation = models.ForeignKey(Evaluation, on_delete=models.PROTECT, related_name="appeals")
    filed_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    filed_on = models.DateField()
    reason = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    resolution = models.TextField(blank=True)
    # The last day to answer (working days from filing, the rule set's parameter) and the rule
    # the appeal was filed under ("" or "vien_chuc_2025": Public Employees Law 2025).
    answer_due = models.DateField("hạn trả lời", null=True, blank=True)
    rule = models.CharField(max_length=20, blank=True)
    resolved_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_on = models.DateField(null=True, blank=True)
    decision_ref = models.CharField("số văn bản trả lời", max_length=120, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Kiến nghị #{self.pk} ({self.get_status_display()})"


class Proposal(TranslatedChoices):
    """A consequence of evaluation results, proposed for a person to decide (never automatic)."""

    class Kind(models.TextChoices):
        REWARD = "reward", gettext_noop("Đề xuất khen thưởng")
        DISCIPLINE = "discipline", gettext_noop("Đề xuất xem xét kỷ luật")
        TRAINING = "training", gettext_noop("Nhu cầu đào tạo, bồi dưỡng")
        PLANNING = "planning", gettext_noop("Đủ điều kiện quy hoạch, bổ nhiệm")
        LOWER_POSITION = (
            "lower_position",
            gettext_noop("Xem xét bố trí vị trí thấp hơn hoặc cho thôi việc"),
        )
        DISMISSAL_REVIEW = "dismissal_review", gettext_noop("Xem xét miễn nhiệm")

    class Status(models.TextChoices):
        OPEN = "open", gettext_noop("Chờ quyết định")
        ACCEPTED = "accepted", gettext_noop("Đã chấp nhận")
        REJECTED = "rejected", gettext_noop("Không chấp nhận")

    choice_contexts = {"status": DECISION_STATUS}

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="eval_proposals")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    year = models.PositiveSmallIntegerField()
    evaluation = models.ForeignKey(
        Evaluation, null=True, blank=True, on_delete=models.PROTECT, related_name="proposals"
    )
    # Makes generation idempotent: (person, kind, source_key) is unique.
    source_key = models.CharField(max_length=120)
    legal_ground = models.TextField("căn cứ pháp lý")
    summary = models.TextField("nội dung")
    details = models.JSONField(default=dict, blank=True)
    discipline_form = models.CharField(max_length=20, blank=True)
    opened_on = models.DateField()
    due_on = models.DateField(null=True, blank=True)
    max_due_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    decided_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-opened_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "kind", "source_key"], name="proposal_unique_source"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.person_id} ({self.year})"


class InnovationProposal(TranslatedChoices):
    """ND 73/2023 Art. 7–18: plan → vote → implementation → report → evaluation → protection."""

    class Status(models.TextChoices):
        REGISTERED = "registered", gettext_noop("Đã đăng ký, chờ biểu quyết")
        APPROVED = "approved", gettext_noop("Đã thông qua")
        REJECTED = "rejected", gettext_noop("Không thông qua")
        REPORTED = "reported", gettext_noop("Đã báo cáo kết quả")
        EVALUATED = "evaluated", gettext_noop("Đã đánh giá")

    class Outcome(models.TextChoices):
        COMPLETED = "completed", gettext_noop("Hoàn thành — không bị xử lý trách nhiệm")
        CLEAN_MOTIVE = (
            "clean_motive",
            gettext_noop("Chưa hoàn thành, đúng chủ trương — được loại trừ trách nhiệm"),
        )
        DAMAGE = (
            "damage",
            gettext_noop("Gây thiệt hại — xem xét loại trừ, miễn hoặc giảm nhẹ trách nhiệm"),
        )
        NOT_PROTECTED = "not_protected", gettext_noop("Không thuộc trường hợp được bảo vệ")

    proposer = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="innovations")
    agency = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="innovations")
    title = models.CharField("tên đề xuất", max_length=255)
    necessity = models.TextField("sự cần thiết, điểm nghẽn cần tháo gỡ")
    content = models.TextField("nội dung, nhiệm vụ, giải pháp")
    scope = models.TextField("phạm vi")
    timeline = models.TextField("thời gian thực hiện")
    resources = models.TextField("nguồn lực, tính khả thi")
    expected_effect = models.TextField("đánh giá tác động, hiệu quả dự kiến")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.REGISTERED)
    received_on = models.DateField("ngày nhận kế hoạch")
    vote_due_on = models.DateField("hạn biểu quyết")
    voted_on = models.DateField(null=True, blank=True)
    head_written_approval = models.TextField(blank=True)
    approved_on = models.DateField(null=True, blank=True)
    tasks = models.ManyToManyField(
        "tasks.Task", blank=True, related_name="innovations", verbose_name="nhiệm vụ triển khai"
    )
    # References to work outside the system (documents, other systems' task numbers).
    task_refs = models.JSONField("nhiệm vụ ngoài hệ thống", default=list, blank=True)
    finished_on = models.DateField(null=True, blank=True)
    report_due_on = models.DateField(null=True, blank=True)
    report = models.TextField(blank=True)
    reported_on = models.DateField(null=True, blank=True)
    evaluation_due_on = models.DateField(null=True, blank=True)
    evaluated_on = models.DateField(null=True, blank=True)
    outcome = models.CharField(max_length=14, choices=Outcome.choices, blank=True)
    outcome_note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_on", "id"]

    def __str__(self) -> str:
        return self.title


class InnovationVote(models.Model):
    proposal = models.ForeignKey(InnovationProposal, on_delete=models.PROTECT, related_name="votes")
    voter = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    in_favour = models.BooleanField()
    is_head = models.BooleanField(default=False)
    cast_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["proposal", "voter"], name="innovation_one_vote"),
        ]

    def __str__(self) -> str:
        return f"{self.voter_id}: {'tán thành' if self.in_favour else 'không tán thành'}"


class EvaluationRead(models.Model):
    """A read of someone's evaluation (privacy audit)."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.PROTECT, related_name="reads")
    reader = models.ForeignKey(Person, null=True, on_delete=models.PROTECT, related_name="+")
    reader_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    purpose = models.CharField(max_length=40, default="view")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["evaluation", "at"], name="evalread_eval_idx")]

    def __str__(self) -> str:
        return f"{self.reader_id} → {self.evaluation_id} ({self.purpose})"
