"""Goals → indicators → tasks (Quy chế 08-QC/TW, the NQ 57 monitoring system): an indicator has a
target, a unit of measure, a period and a responsible unit; its state is computed from the
tasks linked to it, never stored (`Indicator.assess`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from congvu.lib.choices import TranslatedChoices
from congvu.org.models import Person, Unit
from congvu.tasks.models import CLOSED, Status, Task

# An open task whose progress trails the time elapsed by more than this many points is at risk.
PROGRESS_SLACK = 25
# An indicator due within this many days with unfinished work is at risk.
AT_RISK_DAYS = 10


class State(models.TextChoices):
    DONE = "done", gettext_noop("Đã hoàn thành")
    ON_TRACK = "on_track", gettext_noop("Đúng tiến độ")
    AT_RISK = "at_risk", gettext_noop("Có nguy cơ chậm")
    LATE = "late", gettext_noop("Chậm tiến độ")
    NO_TASKS = "no_tasks", gettext_noop("Chưa gắn nhiệm vụ")


@dataclass(frozen=True)
class Assessment:
    state: State
    reasons: list[str]
    tasks_total: int
    tasks_done: int


class Goal(models.Model):
    code = models.CharField("mã mục tiêu", max_length=40, unique=True)
    title = models.CharField("mục tiêu", max_length=500)
    owner_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="goals", verbose_name="đơn vị chủ trì"
    )
    period_start = models.DateField("từ ngày")
    period_end = models.DateField("đến ngày")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "mục tiêu"
        verbose_name_plural = "mục tiêu"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class Indicator(models.Model):
    goal = models.ForeignKey(Goal, on_delete=models.PROTECT, related_name="indicators")
    code = models.CharField("mã chỉ tiêu", max_length=40, unique=True)
    name = models.CharField("chỉ tiêu", max_length=500)
    target = models.DecimalField("chỉ tiêu cần đạt", max_digits=16, decimal_places=2)
    measure = models.CharField("đơn vị tính", max_length=40)
    period_start = models.DateField("từ ngày")
    period_end = models.DateField("hạn hoàn thành")
    responsible_unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        related_name="indicators",
        verbose_name="đơn vị chịu trách nhiệm",
    )
    actual = models.DecimalField(
        "kết quả đạt được", max_digits=16, decimal_places=2, null=True, blank=True
    )
    difficulties = models.TextField("khó khăn, vướng mắc và đề xuất", blank=True)
    tasks = models.ManyToManyField(Task, related_name="indicators", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "chỉ tiêu"
        verbose_name_plural = "chỉ tiêu"
        ordering = ["goal__code", "code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def assess(self, today: date, tasks: Iterable[Task] | None = None) -> Assessment:
        """Late: a linked task is overdue, or the period ended with work open or the target
        unmet. At risk: the end is within AT_RISK_DAYS with work open, or an open task's
        progress trails the share of its time already used by more than PROGRESS_SLACK points.
        Done: every task completed (and the target met when a result is recorded)."""
        from congvu.workdays.calendar import overdue_cutoff

        rows = [
            t
            for t in (tasks if tasks is not None else self.tasks.all())
            if t.status != Status.CANCELLED
        ]
        if not rows:
            return Assessment(State.NO_TASKS, [], 0, 0)
        done = [t for t in rows if t.status == Status.COMPLETED]
        open_ = [t for t in rows if t.status not in CLOSED]
        met = self.actual is None or self.actual >= self.target
        cutoff = overdue_cutoff(today)
        reasons: list[str] = []
        late = [t for t in open_ if t.deadline <= cutoff]
        if late:
            reasons += [
                _("Nhiệm vụ #%(id)s quá hạn (%(date)s)")
                % {"id": t.pk, "date": f"{t.deadline:%d/%m/%Y}"}
                for t in late
            ]
        if today > self.period_end and (open_ or not met):
            reasons.append(
                _("Đã quá hạn chỉ tiêu (%(date)s)") % {"date": f"{self.period_end:%d/%m/%Y}"}
            )
        if reasons:
            return Assessment(State.LATE, reasons, len(rows), len(done))
        if not open_ and met:
            return Assessment(State.DONE, [], len(rows), len(done))
        if open_ and (self.period_end - today).days <= AT_RISK_DAYS:
            reasons.append(
                _("Còn %(days)s ngày đến hạn, %(open)s nhiệm vụ chưa xong")
                % {"days": (self.period_end - today).days, "open": len(open_)}
            )
        for t in open_:
            expected = _elapsed_share(t, today)
            if t.progress + PROGRESS_SLACK < expected:
                reasons.append(
                    _("Nhiệm vụ #%(id)s mới đạt %(progress)s%% khi đã dùng %(used)s%% thời gian")
                    % {"id": t.pk, "progress": t.progress, "used": expected}
                )
        if not open_ and not met:
            reasons.append(_("Các nhiệm vụ đã xong nhưng kết quả chưa đạt chỉ tiêu"))
        state = State.AT_RISK if reasons else State.ON_TRACK
        return Assessment(state, reasons, len(rows), len(done))


def _elapsed_share(task: Task, today: date) -> int:
    start = task.assigned_at.date()
    total = (task.deadline - start).days
    if total <= 0:
        return 100
    return max(0, min(100, round(100 * (today - start).days / total)))


class IndicatorWarning(TranslatedChoices):
    """One early warning to the head of the responsible unit, once per indicator, head and
    state; shown on their notifications page, e-mailed when mail is configured."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="warnings")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    state = models.CharField(max_length=12, choices=State.choices)
    text = models.TextField()
    created_at = models.DateTimeField()
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "cảnh báo chỉ tiêu"
        verbose_name_plural = "cảnh báo chỉ tiêu"
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "person", "state"], name="indicator_warning_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} → {self.person}: {self.get_state_display()}"


def target_text(value: Decimal) -> str:
    text = f"{value:,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".")
    return text.removesuffix(",00")
