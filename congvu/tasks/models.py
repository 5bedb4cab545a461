"""Tasks, their coordination requests and the append-only, sealed event log.

Only congvu.tasks.actions writes these tables (STYLE.md §7.1). The event log is the truth;
the columns marked "cache" on Task and Coordination are projections of it that the actions
keep up to date in the same transaction, and `state.replay()` recomputes from the events
(tests prove the two agree).
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_noop

from congvu.lib.choices import TranslatedChoices
from congvu.org.models import Person, Unit
from congvu.tasks.events import TaskEventType


# Labels are marked for the catalogue but stored as plain Vietnamese strings (exports, the
# sealed log's documents and action messages use them as they are); pages translate them when
# shown (Task.get_status_display, TaskEventType.label).
class Status(models.TextChoices):
    ASSIGNED = "assigned", gettext_noop("Chờ tiếp nhận")
    IN_PROGRESS = "in_progress", gettext_noop("Đang thực hiện")
    PAUSED = "paused", gettext_noop("Tạm dừng")
    SUBMITTED = "submitted", gettext_noop("Đã trình kết quả")
    APPROVED = "approved", gettext_noop("Đã phê duyệt")
    DECLINED = "declined", gettext_noop("Bị từ chối, chờ người giao xử lý")
    RETURNED = "returned", gettext_noop("Bị trả lại, chờ người giao xử lý")
    COMPLETED = "completed", gettext_noop("Hoàn thành")
    CANCELLED = "cancelled", gettext_noop("Đã hủy")


CLOSED = frozenset({Status.COMPLETED, Status.CANCELLED})
# The result is accepted: approved by the assigner (closing it, "Kết thúc nhiệm vụ", files it
# later) or completed. Such a task shows 100 % and no longer holds up its parent's submission.
DONE = frozenset({Status.APPROVED, Status.COMPLETED})


class Priority(models.IntegerChoices):
    LOW = 1, gettext_noop("Thấp")
    NORMAL = 2, gettext_noop("Bình thường")
    HIGH = 3, gettext_noop("Cao")
    URGENT = 4, gettext_noop("Khẩn")


class TaskQuerySet(models.QuerySet):  # type: ignore[type-arg]
    def open(self) -> TaskQuerySet:
        return self.exclude(status__in=CLOSED)

    def overdue(self, day: date) -> TaskQuerySet:
        """Open past the deadline, a deadline on a day off ending with the next working day
        (Civil Code Art. 148)."""
        from congvu.workdays.calendar import overdue_cutoff

        return self.open().filter(deadline__lte=overdue_cutoff(day))

    def visible_to(self, unit_ids: frozenset[int], person_id: int | None) -> TaskQuerySet:
        """The tasks a reader of `unit_ids` (and, if given, this person) may read: the one
        rule of congvu.tasks.visibility."""
        from congvu.tasks.visibility import Reader, visible_q

        return self.filter(visible_q(Reader(unit_ids, person_id)))


def _directive_path(instance: Directive, filename: str) -> str:
    return f"van-ban/{instance.registered_at:%Y}/{filename}"


class Directive(models.Model):
    """A directive document (văn bản chỉ đạo) registered once, that tasks carry out.

    One directive often goes to many units in one step, each with its own task and lead
    (congvu.tasks.directives.do_assign_directive); the tasks point here, and their source
    fields are copied from it (and sealed with their first event). Written only by
    congvu.tasks.directives.
    """

    number = models.CharField("số, ký hiệu", max_length=80)
    issued_on = models.DateField("ngày văn bản")
    issuer = models.CharField("cơ quan ban hành", max_length=255)
    subject = models.TextField("trích yếu")
    file = models.FileField("tệp văn bản", upload_to=_directive_path, max_length=300, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    # The unit that received and registered it (its register, sổ văn bản đến).
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="directives")
    registered_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    registered_at = models.DateTimeField()
    search_text = models.TextField(editable=False, default="")

    class Meta:
        ordering = ["-issued_on", "-id"]
        verbose_name = "văn bản chỉ đạo"
        verbose_name_plural = "văn bản chỉ đạo"
        constraints = [
            # The same document registered twice by one unit is one directive.
            models.UniqueConstraint(
                fields=["unit", "number", "issued_on"], name="directive_once_per_unit"
            )
        ]

    def __str__(self) -> str:
        return f"{self.number} ngày {self.issued_on:%d/%m/%Y}"


class Task(TranslatedChoices):
    """A task (nhiệm vụ). Exactly one lead unit and one lead person: both are NOT NULL columns
    of the task row itself, so the database cannot hold a task with zero or two leads."""

    # --- source document (văn bản chỉ đạo) ---
    is_ad_hoc = models.BooleanField("giao trực tiếp (không có văn bản)", default=False)
    source_number = models.CharField("số, ký hiệu văn bản", max_length=80, blank=True)
    source_date = models.DateField("ngày văn bản", null=True, blank=True)
    source_issuer = models.CharField("cơ quan ban hành", max_length=255, blank=True)
    source_excerpt = models.TextField("trích yếu", blank=True)
    directive = models.ForeignKey(
        Directive, null=True, blank=True, on_delete=models.PROTECT, related_name="tasks"
    )

    title = models.CharField("tên nhiệm vụ", max_length=500)
    expected_result = models.TextField("kết quả cần đạt", blank=True)
    priority = models.PositiveSmallIntegerField(
        "mức độ ưu tiên", choices=Priority.choices, default=Priority.NORMAL
    )
    # Indexed by (assigner, status) and (assigner_unit, status) below, not on their own: a
    # second index with the same leading column would only cost writes on every action.
    assigner = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="assigned_tasks", db_index=False
    )
    assigner_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="assigned_tasks", db_index=False
    )
    lead_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="led_tasks")
    lead_person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="led_tasks")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    assigned_at = models.DateTimeField("thời điểm giao")
    deadline_working_days = models.PositiveSmallIntegerField(
        "thời hạn (ngày làm việc)", null=True, blank=True
    )
    # Set by imports: the source system's document id (or number+date) and the task's name,
    # unique per assigning unit, so importing the same file twice creates nothing new.
    import_key = models.CharField(max_length=300, blank=True, db_default="", editable=False)

    # Folded (lower-case, accent-free) title, document and expected result, for search:
    # "ne tranh" finds "né tránh" with a plain LIKE on SQLite and PostgreSQL alike.
    search_text = models.TextField(editable=False, default="")

    # --- cache of the event log (see module docstring) ---
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.ASSIGNED)
    deadline = models.DateField("hạn xử lý")
    progress = models.PositiveSmallIntegerField("tiến độ (%)", default=0)
    # Chain head: the last event's sequence number and seal. Read under the row lock by the
    # next action; verify_log never trusts these, it recomputes from the events.
    seq = models.PositiveIntegerField(default=0)
    head_seal = models.CharField(max_length=64, default="")
    # Time of the last event (a cache like the fields above): the dashboards' "no action for
    # N working days" list reads it instead of aggregating the event log of every open task.
    last_event_at = models.DateTimeField(null=True, editable=False)
    version = models.PositiveIntegerField(default=0)

    objects = TaskQuerySet.as_manager()

    class Meta:
        ordering = ["-assigned_at", "-id"]
        verbose_name = "nhiệm vụ"
        verbose_name_plural = "nhiệm vụ"
        constraints = [
            models.CheckConstraint(
                condition=Q(is_ad_hoc=True) | ~Q(source_number=""), name="task_cites_source"
            ),
            models.CheckConstraint(condition=Q(progress__lte=100), name="task_progress_pct"),
            models.CheckConstraint(condition=~Q(parent=models.F("id")), name="task_not_own_parent"),
            models.UniqueConstraint(
                fields=["assigner_unit", "import_key"],
                condition=~Q(import_key=""),
                name="task_import_once",
            ),
        ]
        indexes = [
            # Used by the API task list and the overdue queries: open work of a unit.
            models.Index(fields=["lead_unit", "status"], name="task_lead_status_idx"),
            models.Index(fields=["status", "deadline"], name="task_status_deadline_idx"),
            models.Index(fields=["last_event_at"], name="task_last_event_idx"),
            # Task lists are ordered by deadline: a page of a wide scope walks this index.
            models.Index(fields=["deadline", "id"], name="task_deadline_idx"),
            # The inbox's "to decide": work submitted, declined or returned to its assigner.
            models.Index(fields=["assigner", "status"], name="task_assigner_status_idx"),
            models.Index(fields=["assigner_unit", "status"], name="task_assigner_unit_status_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @staticmethod
    def fold_search_text(*parts: str) -> str:
        from congvu.lib.text import fold

        return fold(" ".join(p for p in parts if p))

    @property
    def shown_progress(self) -> int:
        """100 % once the result is approved, whatever the last progress report said."""
        return 100 if self.status in DONE else self.progress

    @property
    def source_label(self) -> str:
        return "Giao trực tiếp" if self.is_ad_hoc else self.source_number


class CoordinationQuerySet(models.QuerySet["Coordination"]):
    def waiting(self) -> CoordinationQuerySet:
        """Requests still waiting for their answer, on tasks that are still open."""
        return self.filter(answered_at__isnull=True).exclude(task__status__in=CLOSED)


class Coordination(TranslatedChoices):
    """A request to a coordinating unit (đơn vị phối hợp), with its own deadline and answer.
    The rows are a cache of the 30x events."""

    class Position(models.TextChoices):
        AGREE = "agree", gettext_noop("Đồng ý")
        DISAGREE = "disagree", gettext_noop("Không đồng ý")
        NONE = "none", gettext_noop("Không nêu rõ quan điểm")
        DEEMED = "deemed_agree", gettext_noop("Coi như đồng ý (quá hạn)")

    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="coordinations")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="coordinations")
    request_text = models.TextField("nội dung đề nghị phối hợp")
    due = models.DateField("hạn trả lời")
    request_seq = models.PositiveIntegerField()
    requested_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)
    position = models.CharField(max_length=12, choices=Position.choices, blank=True)
    answer_text = models.TextField(blank=True)

    objects = CoordinationQuerySet.as_manager()

    class Meta:
        ordering = ["task_id", "request_seq"]
        constraints = [
            models.UniqueConstraint(fields=["task", "request_seq"], name="coord_unique_request"),
        ]
        indexes = [
            # Used by record_deemed_agreements: open requests past due.
            models.Index(fields=["answered_at", "due"], name="coord_open_due_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.task_id}.{self.request_seq} → {self.unit_id}"

    @property
    def is_open(self) -> bool:
        return self.answered_at is None


class TaskEventQuerySet(models.QuerySet["TaskEvent"]):
    def involving(self, person_id: int) -> TaskEventQuerySet:
        """Events the person performed or was addressed by."""
        return self.filter(Q(actor_id=person_id) | Q(target_person_id=person_id))


class TaskEvent(models.Model):
    """One immutable entry of a task's log (zulip RealmAuditLog shape, wagtail log_actions).

    Foreign keys: `actor` is null only for system events (deemed agreement, system reminder);
    `unit` is the unit the actor acted for; `target_person`/`target_unit` is what the event
    points at (the new lead on assign/transfer/reassign, the coordinating unit, the superior
    asked). Payload keys per type are documented in docs/event-log.md.

    `seq` numbers the events of one task from 1; `seal` = HMAC-SHA256(LOG_SEAL_KEY, previous
    seal of the task ‖ canonical serialisation), see congvu.tasks.seal. The database refuses
    UPDATE and DELETE on this table (triggers in migration 0002).
    """

    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="events")
    seq = models.PositiveIntegerField()
    # A TaskEventType. No `choices`: the enum in events.py is the one list (only the actions
    # write this column, from the enum), so a new step's event type needs no migration.
    type = models.PositiveSmallIntegerField()
    at = models.DateTimeField("thời điểm")
    actor = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="task_events"
    )
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="task_events"
    )
    target_person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="targeted_events"
    )
    target_unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="targeted_events"
    )
    reason_code = models.CharField(max_length=40, blank=True)
    reason_text = models.TextField(blank=True)
    payload = models.JSONField(default=dict)
    seal = models.CharField(max_length=64)

    objects = TaskEventQuerySet.as_manager()

    class Meta:
        ordering = ["task_id", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["task", "seq"], name="taskevent_unique_seq"),
        ]
        indexes = [
            # Used by export_log and the analytics feed: events in time order.
            models.Index(fields=["at"], name="taskevent_at_idx"),
            # Used by detectors in the app: a person's events.
            models.Index(fields=["actor", "at"], name="taskevent_actor_idx"),
            # Inbox and notifications: events addressed to a person or a unit, by type.
            models.Index(fields=["target_person", "type"], name="taskevent_tperson_type_idx"),
            models.Index(fields=["target_unit", "type"], name="taskevent_tunit_type_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.task_id}.{self.seq} {TaskEventType(self.type).label}"

    @property
    def event_type(self) -> TaskEventType:
        return TaskEventType(self.type)


class LogCheckpoint(models.Model):
    """A signed statement "at this time, these were the chain heads" (see docs/event-log.md).

    Each checkpoint lists the heads (task, seq, seal) of the chains that changed since the
    previous checkpoint, their Merkle root, and a signature over (previous signature ‖ root ‖
    counts), so checkpoints form a chain of their own. Append-only like the events.
    """

    created_at = models.DateTimeField()
    previous_signature = models.CharField(max_length=64, blank=True)
    max_event_id = models.BigIntegerField()
    total_events = models.BigIntegerField()
    total_tasks = models.BigIntegerField()
    head_count = models.BigIntegerField()
    merkle_root = models.CharField(max_length=64)
    signature = models.CharField(max_length=64)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"Mốc #{self.pk} ({self.created_at:%d/%m/%Y %H:%M})"


class CheckpointHead(models.Model):
    checkpoint = models.ForeignKey(LogCheckpoint, on_delete=models.PROTECT, related_name="heads")
    task_id_ref = models.BigIntegerField()
    seq = models.PositiveIntegerField()
    seal = models.CharField(max_length=64)

    class Meta:
        indexes = [models.Index(fields=["task_id_ref"], name="checkpointhead_task_idx")]

    def __str__(self) -> str:
        return f"{self.task_id_ref}:{self.seq}"


class ApiTokenQuerySet(models.QuerySet):  # type: ignore[type-arg]
    def for_secret(self, secret: str) -> ApiTokenQuerySet:
        return self.filter(token_hash=ApiToken.hash(secret), revoked_at__isnull=True)


class ApiToken(models.Model):
    """A bearer token for the JSON API. Only the SHA-256 of the secret is stored; the secret
    is shown once by `manage.py create_api_token`."""

    user = models.ForeignKey("auth.User", on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, blank=True)
    prefix = models.CharField(max_length=8)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @staticmethod
    def hash(secret: str) -> str:
        return hashlib.sha256(secret.encode()).hexdigest()


def event_dict(ev: TaskEvent) -> dict[str, Any]:
    at: datetime = ev.at
    return {
        "seq": ev.seq,
        "type": TaskEventType(ev.type).name.lower(),
        "type_code": ev.type,
        "label": TaskEventType(ev.type).label,
        "at": at.isoformat(),
        "actor_id": ev.actor_id,
        "unit_id": ev.unit_id,
        "target_person_id": ev.target_person_id,
        "target_unit_id": ev.target_unit_id,
        "reason_code": ev.reason_code,
        "reason_text": ev.reason_text,
        "payload": ev.payload,
    }
