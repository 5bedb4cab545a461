"""Detection runs over the app's own event log, and the findings they store for review.

A finding is evidence for a human decision, never a verdict. It is identified by what it is
about — (behaviour, subject, period) — not by its evidence, so a re-run after new events
updates the same finding (its evidence grows) instead of adding a duplicate; the review flow
(giải trình → xác nhận / bác bỏ) hangs on that stable row.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext, gettext_noop

from congvu.lib.choices import TranslatedChoices
from congvu.lib.runs import RunState
from congvu.org.models import Person, Unit

if TYPE_CHECKING:
    from congvu.org.permissions import Access


class DetectionRun(TranslatedChoices):
    """One detection pass over one period (a calendar quarter of task assignment).

    STARTED rows whose process died are redone by the next run (zulip's FillState idea): the
    work of a run is a pure function of the log, so redoing it is safe.
    """

    State = RunState

    period = models.CharField("kỳ", max_length=10)  # "2026-Q3"
    period_start = models.DateField()
    period_end = models.DateField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.STARTED)
    trigger = models.CharField(max_length=20, default="manual")  # manual / schedule / api
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    # The newest event id the run saw: a later run of the period with the same watermark and
    # the same parameters has nothing new to say and is skipped.
    watermark = models.BigIntegerField(default=0)
    params_hash = models.CharField(max_length=64, blank=True)
    events = models.PositiveIntegerField(default=0)
    cases = models.PositiveIntegerField(default=0)
    findings_new = models.PositiveIntegerField(default=0)
    findings_updated = models.PositiveIntegerField(default=0)
    findings_cleared = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = "lượt phát hiện"
        verbose_name_plural = "lượt phát hiện"
        indexes = [
            # Used by run_detection(): the last DONE run of a period.
            models.Index(fields=["period", "state"], name="detrun_period_state_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.period} ({self.get_state_display()})"


class FindingQuerySet(models.QuerySet["Finding"]):
    def current(self) -> FindingQuerySet:
        """Findings the latest run of their period still supports."""
        return self.filter(cleared_at__isnull=True)

    def confirmed(self) -> FindingQuerySet:
        """Only these count in evaluation and in reports about people (due process done)."""
        return self.filter(review__status__in=FindingReview.COUNTS)

    def visible_to(self, access: Access) -> FindingQuerySet:
        """The one rule of who may see a finding. About a person: the person, their leaders
        up the tree, HR and inspectors in scope (the evaluation privacy rule). About a unit:
        whoever sees the unit's work."""
        about_unit = models.Q(subject_type=Finding.SubjectType.UNIT)
        if not access.is_superuser:
            about_unit &= models.Q(subject_unit_id__in=access.read_unit_ids)
        readers = models.Q(context_unit_id__in=access.evaluation_unit_ids)
        if access.person_id is not None:
            readers |= models.Q(subject_person_id=access.person_id)
        about_person = models.Q(subject_type=Finding.SubjectType.PERSON) & readers
        return self.filter(about_unit | about_person)

    def about_units(self, unit_ids: set[int] | frozenset[int]) -> FindingQuerySet:
        """Findings on these units or on people whose unit (at detection time) is one of them."""
        return self.filter(
            models.Q(subject_unit_id__in=unit_ids) | models.Q(context_unit_id__in=unit_ids)
        )


class Finding(TranslatedChoices):
    class Behaviour(models.TextChoices):
        BUCK_PASSING = "buck_passing", gettext_noop("Đùn đẩy")
        AVOIDANCE = "avoidance", gettext_noop("Né tránh")
        STALLING = "stalling", gettext_noop("Làm việc cầm chừng")
        FEAR = "fear_of_responsibility", gettext_noop("Sợ trách nhiệm")

    class SubjectType(models.TextChoices):
        PERSON = "person", gettext_noop("Cán bộ")
        UNIT = "unit", gettext_noop("Đơn vị")

    key = models.CharField(max_length=64, unique=True)  # hash of (behaviour, subject, period)
    detector = models.CharField(max_length=60)
    behaviour = models.CharField(max_length=30, choices=Behaviour.choices)
    subject_type = models.CharField(max_length=10, choices=SubjectType.choices)
    subject_code = models.CharField(max_length=60)
    subject_person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="findings"
    )
    subject_unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="findings"
    )
    # For a person: their primary unit at detection time (who reviews it, who may see it).
    context_unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    period = models.CharField(max_length=10)
    period_start = models.DateField()
    period_end = models.DateField()
    strength = models.FloatField()
    rate = models.FloatField(null=True)
    peer_rate = models.FloatField(null=True)
    sample = models.PositiveIntegerField()
    # The combined evidence for the behaviour (docs/detection.md, "Fairness"): the sum of the
    # counting detectors' standardised excesses, the false-discovery-adjusted p-value, the
    # peer group, the person's division level, and one entry per detector that counted
    # ({detector, k, n, rate, baseline, z}).
    score = models.FloatField(null=True)
    q_value = models.FloatField(null=True)
    peer_group = models.CharField(max_length=120, blank=True)
    unit_rate = models.FloatField(null=True)
    components = models.JSONField(default=list)
    evidence_event_ids = models.JSONField(default=list)
    case_ids = models.JSONField(default=list)
    sentence = models.TextField()
    engine_finding_id = models.CharField(max_length=64)
    first_run = models.ForeignKey(DetectionRun, on_delete=models.PROTECT, related_name="+")
    last_run = models.ForeignKey(DetectionRun, on_delete=models.PROTECT, related_name="+")
    first_seen_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    # Set when a later run of the period no longer supports the finding (e.g. a transfer was
    # re-classified as misrouted): kept, not deleted, so inspectors see it ever existed.
    cleared_at = models.DateTimeField(null=True, blank=True)

    objects = FindingQuerySet.as_manager()

    class Meta:
        ordering = ["-strength", "id"]
        verbose_name = "phát hiện"
        verbose_name_plural = "phát hiện"
        indexes = [
            # Used by the unit dashboard: current findings of a unit's subtree.
            models.Index(fields=["context_unit", "cleared_at"], name="finding_ctx_idx"),
            models.Index(fields=["subject_unit", "cleared_at"], name="finding_unit_idx"),
            models.Index(fields=["period"], name="finding_period_idx"),
        ]

    def __str__(self) -> str:
        return self.sentence

    @property
    def period_label(self) -> str:
        year, q = self.period.split("-Q")
        return gettext("Quý %(number)s/%(year)s") % {"number": q, "year": year}

    # `strength` = (Wilson lower bound − peer rate) / (1 − peer rate): how much of the room
    # above the peers' rate the subject fills even at the cautious end of its estimate.
    STRENGTH_BANDS = ((0.5, "Rất rõ rệt"), (0.25, "Rõ rệt"), (0.1, "Đáng chú ý"), (0.0, "Nhẹ"))

    @property
    def strength_band(self) -> str:
        """A word for the strength, so nobody reads a bare "0,78" (see STRENGTH_BANDS)."""
        return next(
            (label for bound, label in self.STRENGTH_BANDS if self.strength >= bound), "Nhẹ"
        )


def quarter_of(day: date) -> tuple[str, date, date]:
    q = (day.month - 1) // 3 + 1
    start = date(day.year, 3 * q - 2, 1)
    end = date(day.year + (q == 4), (3 * q) % 12 + 1, 1)
    return f"{day.year}-Q{q}", start, end


class ReviewQuerySet(models.QuerySet["FindingReview"]):
    def awaiting_explanation_by(self, person: Person) -> ReviewQuerySet:
        return self.filter(explainer=person, status=FindingReview.Status.OPEN)


class FindingReview(TranslatedChoices):
    """Due process for one finding: giải trình → xác nhận / bác bỏ → (khiếu nại) → quyết định.

    The subject (the person, or the head of the unit) may explain within a number of working
    days; the leaders of `reviewer_unit` — the subject's unit, or the level above when the
    subject directs that unit — confirm or dismiss it with a written reason; the subject may
    appeal a confirmation once, to the leaders of `appeal_unit`. Only a confirmed finding (and
    one upheld on appeal) counts in evaluation or in reports about people. Every step is a
    sealed event (congvu.audit.log, subject "finding").
    """

    # Stored labels stay Vietnamese (messages, exports); pages translate (get_status_display).
    class Status(models.TextChoices):
        OPEN = "open", gettext_noop("Chờ giải trình")
        EXPLAINED = "explained", gettext_noop("Đã giải trình, chờ xem xét")
        CONFIRMED = "confirmed", gettext_noop("Đã xác nhận")
        DISMISSED = "dismissed", gettext_noop("Đã bác bỏ")
        APPEALED = "appealed", gettext_noop("Đang khiếu nại")
        UPHELD = "upheld", gettext_noop("Giữ nguyên sau khiếu nại")
        OVERTURNED = "overturned", gettext_noop("Hủy sau khiếu nại")

    COUNTS = (Status.CONFIRMED, Status.UPHELD)

    finding = models.OneToOneField(Finding, on_delete=models.PROTECT, related_name="review")
    explainer = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="+", verbose_name="người giải trình"
    )
    reviewer_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name="cấp xem xét"
    )
    appeal_unit = models.ForeignKey(
        Unit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="cấp giải quyết khiếu nại",
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    opened_at = models.DateTimeField()
    explanation_due = models.DateField("hạn giải trình")
    explanation = models.TextField("nội dung giải trình", blank=True)
    evidence = models.FileField("tài liệu kèm theo", upload_to="giai-trinh/%Y/", blank=True)
    explained_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField("lý do quyết định", blank=True)
    appeal_due = models.DateField("hạn khiếu nại", null=True, blank=True)
    appeal_text = models.TextField("nội dung khiếu nại", blank=True)
    appealed_at = models.DateTimeField(null=True, blank=True)
    appeal_decided_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    appeal_decided_at = models.DateTimeField(null=True, blank=True)
    appeal_reason = models.TextField("lý do giải quyết khiếu nại", blank=True)

    objects = ReviewQuerySet.as_manager()

    class Meta:
        verbose_name = "xem xét phát hiện"
        verbose_name_plural = "xem xét phát hiện"
        indexes = [
            # Used by the inbox: reviews a person must explain, and those a unit must decide.
            models.Index(fields=["explainer", "status"], name="review_explainer_idx"),
            models.Index(fields=["reviewer_unit", "status"], name="review_reviewer_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.finding} — {self.get_status_display()}"

    @property
    def counts(self) -> bool:
        return self.status in self.COUNTS
