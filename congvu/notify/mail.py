"""E-mail notifications: one message per addressed task event, or (a person's choice) one
digest a day of them; and a daily digest of their units' work for heads.

Sending happens only in the background job (congvu/notify/jobs.py), never inside a workflow
action: a slow or failing mail server must not slow down or roll back anyone's work.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from congvu.notify.models import DigestSent, EmailCursor, OutboxEmail, Preference
from congvu.org.models import Membership, Person
from congvu.tasks.events import TaskEventType as E
from congvu.tasks.models import Coordination, Status, Task, TaskEvent
from congvu.web.notifications import RECIPIENTS, Notification, notifications_for, recipients

# Who is told of which event, and under which preference, is congvu.web.notifications'
# RECIPIENTS (the bell reads the same table). Preference kind -> its field:
PREF_FIELD = {
    "new_task": "email_new_task",
    "coordination": "email_coordination",
    "reminder": "email_reminder",
    "opinion": "email_opinion",
    "decide": "email_decide",
    "outcome": "email_outcome",
}
SCAN_BATCH = 5000
OPEN = (Status.ASSIGNED, Status.IN_PROGRESS, Status.PAUSED, Status.SUBMITTED)


def _wants(person: Person, kind: str, prefs: dict[int, Preference]) -> bool:
    """One message for this event: the person has an address, wants this kind, and has not
    chosen one digest a day instead (send_digests then lists it)."""
    pref = prefs.get(person.pk)
    if pref is None:
        return bool(person.email)
    return bool(person.email) and not pref.digest_only and getattr(pref, PREF_FIELD[kind])


@transaction.atomic
def queue_new_events(now: datetime | None = None) -> int:
    """Turn task events newer than the cursor into outbox rows. Returns rows queued."""
    now = now or timezone.now()
    cursor = EmailCursor.objects.select_for_update().get_or_create(pk=1)[0]
    events = list(
        TaskEvent.objects.filter(pk__gt=cursor.last_event_id)
        .order_by("pk")
        .only("pk", "type", "task_id", "actor_id", "target_person_id", "target_unit_id")[
            :SCAN_BATCH
        ]
    )
    if not events:
        return 0
    wanted = [ev for ev in events if RECIPIENTS[E(ev.type)].to]
    who = recipients(wanted)
    people = Person.objects.in_bulk({p for ps in who.values() for p in ps})
    prefs = {p.person_id: p for p in Preference.objects.filter(person_id__in=set(people))}
    rows = []
    for ev in wanted:
        kind = RECIPIENTS[E(ev.type)].mail
        for person_id in sorted(who[ev.pk]):
            person = people[person_id]
            if _wants(person, kind, prefs):
                rows.append(OutboxEmail(person=person, event_id=ev.pk, kind=kind, created_at=now))
    OutboxEmail.objects.bulk_create(rows, ignore_conflicts=True)
    cursor.last_event_id = events[-1].pk
    cursor.save(update_fields=["last_event_id", "updated_at"])
    return len(rows)


def _link(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _event_message(row: OutboxEmail) -> EmailMessage:
    ev = TaskEvent.objects.select_related("task", "actor", "task__lead_unit").get(pk=row.event_id)
    task = ev.task
    label = E(ev.type).label
    who = ev.actor.full_name if ev.actor else "Hệ thống"
    lines = [
        f"Kính gửi {row.person.full_name},",
        "",
        f"{label}: {task.title}",
        f"Người thực hiện: {who}, lúc {timezone.localtime(ev.at):%H:%M %d/%m/%Y}.",
        f"Đơn vị chủ trì: {task.lead_unit.name}. Hạn xử lý: {task.deadline:%d/%m/%Y}.",
    ]
    if ev.reason_text:
        lines.append(f"Nội dung: {ev.reason_text}")
    lines += [
        "",
        f"Xem nhiệm vụ: {_link(reverse('web:task', args=[task.pk]))}",
        "",
        settings.PROVINCE_NAME + " — Công Vụ",
    ]
    return EmailMessage(
        subject=f"[Công Vụ] {label}: {task.title[:120]}",
        body="\n".join(lines),
        to=[row.person.email],
    )


def send_pending(limit: int = 500) -> dict[str, int]:
    sent = failed = 0
    ids = list(
        OutboxEmail.objects.filter(status=OutboxEmail.Status.PENDING)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    if not ids:
        return {"sent": 0, "failed": 0}
    # Each send opens and closes its own SMTP session: a server that is down fails that message
    # (recorded, retried later), never the whole run.
    connection = get_connection()
    for pk in ids:
        claimed = OutboxEmail.objects.filter(pk=pk, status=OutboxEmail.Status.PENDING).update(
            status=OutboxEmail.Status.SENDING
        )
        if claimed != 1:
            continue  # another worker took it
        row = OutboxEmail.objects.select_related("person").get(pk=pk)
        try:
            message = _event_message(row)
            message.connection = connection
            message.send()
        except Exception as exc:  # any mail failure is recorded and retried later
            OutboxEmail.objects.filter(pk=pk).update(
                status=OutboxEmail.Status.FAILED, attempts=row.attempts + 1, error=str(exc)[:500]
            )
            failed += 1
        else:
            OutboxEmail.objects.filter(pk=pk).update(
                status=OutboxEmail.Status.SENT, attempts=row.attempts + 1, sent_at=timezone.now()
            )
            sent += 1
    return {"sent": sent, "failed": failed}


def retry_failed(max_attempts: int = 5) -> int:
    return OutboxEmail.objects.filter(
        status=OutboxEmail.Status.FAILED, attempts__lt=max_attempts
    ).update(status=OutboxEmail.Status.PENDING)


# --- daily digest --------------------------------------------------------------------------


@dataclass
class Digest:
    person: Person
    unit_names: list[str]
    overdue: list[Task]
    due_soon: list[Task]
    coordination: list[Coordination]
    findings: int
    # For a person who chose one digest a day instead of a message per event.
    notifications: list[Notification] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (
            self.overdue
            or self.due_soon
            or self.coordination
            or self.findings
            or self.notifications
        )


def build_digest(person: Person, day: date, with_notifications: bool = False) -> Digest:
    from congvu.org.tree import tree_as_of
    from congvu.workdays.calendar import get_calendar

    tree = tree_as_of(day)
    unit_ids: set[int] = set()
    names = []
    for m in (
        Membership.objects.active_on(day).leaders().filter(person=person).select_related("unit")
    ):
        unit_ids |= tree.subtree(m.unit_id)
        names.append(m.unit.name)
    open_tasks = Task.objects.filter(lead_unit_id__in=unit_ids, status__in=OPEN).select_related(
        "lead_person", "lead_unit"
    )
    soon = get_calendar().add_working_days(day, 3)
    overdue = list(open_tasks.filter(deadline__lt=day).order_by("deadline")[:50])
    due_soon = list(
        open_tasks.filter(deadline__gte=day, deadline__lte=soon).order_by("deadline")[:50]
    )
    coordination = list(
        Coordination.objects.filter(unit_id__in=unit_ids, answered_at__isnull=True)
        .select_related("task")
        .order_by("due")[:50]
    )
    findings = 0
    from django.apps import apps

    if apps.is_installed("congvu.detection"):
        from congvu.detection.models import Finding

        findings = (
            Finding.objects.current()
            .filter(Q(context_unit_id__in=unit_ids) | Q(subject_unit_id__in=unit_ids))
            .count()
        )
    notes: list[Notification] = []
    if with_notifications:
        # The previous day's notifications, from midnight to midnight local time.
        start = timezone.make_aware(datetime.combine(day - timedelta(days=1), time.min))
        end = start + timedelta(days=1)
        notes = [n for n in notifications_for(person, since=start) if n.at < end]
    return Digest(person, names, overdue, due_soon, coordination, findings, notes)


def _digest_message(d: Digest, day: date) -> EmailMessage:
    lines = [f"Kính gửi {d.person.full_name},", ""]

    def section(heading: str, rows: list[str]) -> None:
        # A heading with its count, a row per item, a blank line; nothing for no items.
        if rows:
            lines.extend([f"{heading} ({len(rows)}):", *rows, ""])

    section(
        f"THÔNG BÁO NGÀY {day - timedelta(days=1):%d/%m/%Y}",
        [
            f"  - {timezone.localtime(n.at):%H:%M} {n.text}"
            + (" [cần xử lý]" if n.acts else "")
            + f" — {_link(n.url)}"
            for n in d.notifications
        ],
    )
    if d.unit_names:
        lines += [f"Tình hình nhiệm vụ ngày {day:%d/%m/%Y} — {', '.join(d.unit_names)}:", ""]
    for heading, tasks in (
        ("QUÁ HẠN", d.overdue),
        ("SẮP ĐẾN HẠN trong 3 ngày làm việc", d.due_soon),
    ):
        section(
            heading,
            [
                f"  - {t.title} — {t.lead_person.full_name}, hạn {t.deadline:%d/%m/%Y}"
                for t in tasks
            ],
        )
    section(
        "ĐỀ NGHỊ PHỐI HỢP CHƯA TRẢ LỜI",
        [f"  - {c.task.title}, hạn trả lời {c.due:%d/%m/%Y}" for c in d.coordination],
    )
    if d.findings:
        lines.append(
            f"Có {d.findings} phát hiện cần xem xét (bằng chứng để xem xét, không phải kết luận vi phạm)."
        )
        lines.append("")
    lines += [f"Bảng điều hành: {_link('/')}", "", settings.PROVINCE_NAME + " — Công Vụ"]
    return EmailMessage(
        subject=f"[Công Vụ] Bản tin ngày {day:%d/%m/%Y}", body="\n".join(lines), to=[d.person.email]
    )


def send_digests(day: date) -> dict[str, int]:
    """Heads get their units' overview (unless turned off); whoever chose `digest_only` gets
    the previous day's notifications in the same message."""
    leader_ids = set(
        Membership.objects.active_on(day).leaders().values_list("person_id", flat=True)
    )
    off = set(Preference.objects.filter(daily_digest=False).values_list("person_id", flat=True))
    gathered = set(Preference.objects.filter(digest_only=True).values_list("person_id", flat=True))
    people = Person.objects.filter(pk__in=(leader_ids - off) | gathered, is_active=True).exclude(
        email=""
    )
    sent = skipped = failed = 0
    connection = get_connection()
    for person in people:
        claim, created = DigestSent.objects.get_or_create(
            person=person, day=day, defaults={"sent_at": timezone.now()}
        )
        if not created:
            continue  # already sent (or being sent) today
        digest = build_digest(person, day, with_notifications=person.pk in gathered)
        if digest.empty:
            skipped += 1
            DigestSent.objects.filter(pk=claim.pk).update(ok=True, error="trống")
            continue
        try:
            message = _digest_message(digest, day)
            message.connection = connection
            message.send()
        except Exception as exc:  # recorded; tomorrow's digest still goes
            DigestSent.objects.filter(pk=claim.pk).update(error=str(exc)[:500])
            failed += 1
        else:
            DigestSent.objects.filter(pk=claim.pk).update(ok=True)
            sent += 1
    return {"sent": sent, "empty": skipped, "failed": failed}
