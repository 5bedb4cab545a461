"""The transactional outbox of task events, and its delivery by signed webhooks.

Writing: congvu.tasks.actions._append sends `event_appended` inside the action's transaction;
`on_event_appended` adds one OutboxMessage per active subscriber that wants the kind. The row
commits with the event or not at all, so an event is never announced that did not happen and
never lost when the receiver is down.

Delivering (`deliver`, run by `manage.py deliver_outbox` and the `deliver_outbox` job): per
subscriber, the oldest pending message first; a failure stops that subscriber's batch, so the
receiver sees events in the order they were written. Each POST carries

    Idempotency-Key: congvu-<task id>-<seq>        (the same on every retry)
    X-CongVu-Timestamp: <unix seconds>
    X-CongVu-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>

A receiver must dedup on the key: a response lost after the receiver stored the event is
retried (at-least-once delivery; exactly-once on the receiver's side by the key). Retries back
off exponentially (30 s, 1 min, 2 min ... at most 1 h) and never stop; every attempt is
recorded (DeliveryAttempt) and shown to the administrator (page /quan-tri/lien-thong/).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from datetime import datetime, timedelta
from typing import Any

from django.db import connection
from django.db.models import Q
from django.utils import timezone

from congvu.exchange.models import DeliveryAttempt, OutboxMessage, Subscriber
from congvu.tasks.events import TaskEventType
from congvu.tasks.models import Task, TaskEvent, event_dict

BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_MAX = timedelta(hours=1)
LEASE = timedelta(minutes=5)
TIMEOUT_SECONDS = 10.0
BATCH = 200


def event_key(event: TaskEvent) -> str:
    return f"congvu-{event.task_id}-{event.seq}"


# Runs once per task event, in every action: plain SQL, ~15 times cheaper than the ORM query
# (measured ~35 us against ~500 us on SQLite), since most installations have no subscriber.
ACTIVE_SUBSCRIBERS_SQL = "SELECT id, kinds FROM exchange_subscriber WHERE active"


def _wanting(type_code: int) -> list[int]:
    with connection.cursor() as cur:
        cur.execute(ACTIVE_SUBSCRIBERS_SQL)
        rows = cur.fetchall()
    out = []
    for sub_id, raw in rows:
        kinds = json.loads(raw) if isinstance(raw, str) else raw  # SQLite returns the text
        if not kinds or type_code in kinds:
            out.append(sub_id)
    return out


def on_event_appended(sender: Any, task: Task, event: TaskEvent, **kwargs: Any) -> None:
    sub_ids = _wanting(event.type)
    if not sub_ids:
        return
    now = timezone.now()
    OutboxMessage.objects.bulk_create(
        OutboxMessage(
            subscriber_id=sub_id,
            event=event,
            key=event_key(event),
            next_attempt_at=now,
            created_at=now,
        )
        for sub_id in sub_ids
    )


def payload(message: OutboxMessage) -> dict[str, Any]:
    ev = message.event
    task = ev.task
    return {
        "id": message.key,
        "kind": TaskEventType(ev.type).name.lower(),
        "task": {
            "id": task.pk,
            "title": task.title,
            "status": task.status,
            "lead_unit_id": task.lead_unit_id,
            "lead_person_id": task.lead_person_id,
            "deadline": task.deadline.isoformat(),
            "source_number": task.source_number,
            "directive_id": task.directive_id,
        },
        "event": event_dict(ev),
    }


def sign(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # a redirect is an answer to record, not a place to re-post the event


_opener = urllib.request.build_opener(_NoRedirect)


def _post(sub: Subscriber, message: OutboxMessage) -> tuple[bool, int | None, str]:
    body = json.dumps(payload(message), ensure_ascii=False, sort_keys=True).encode("utf-8")
    ts = str(int(time.time()))
    req = urllib.request.Request(  # noqa: S310 - the administrator registers http(s) URLs
        sub.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "Idempotency-Key": message.key,
            "X-CongVu-Event": TaskEventType(message.event.type).name.lower(),
            "X-CongVu-Timestamp": ts,
            "X-CongVu-Signature": sign(sub.secret, ts, body),
        },
    )
    try:
        with _opener.open(req, timeout=TIMEOUT_SECONDS) as resp:
            code = resp.status
    except urllib.error.HTTPError as exc:
        return False, exc.code, f"HTTP {exc.code}"
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        return False, None, f"{type(exc).__name__}: {reason}"[:500]
    if 200 <= code < 300:
        return True, code, ""
    return False, code, f"HTTP {code}"


def backoff(attempts: int) -> timedelta:
    delay: timedelta = BACKOFF_BASE * (2 ** max(attempts - 1, 0))
    return min(delay, BACKOFF_MAX)


def _claim(sub: Subscriber, now: datetime) -> bool:
    """One worker per subscriber at a time (a conditional UPDATE, no long transaction)."""
    took = (
        Subscriber.objects.filter(pk=sub.pk)
        .filter(Q(leased_until__isnull=True) | Q(leased_until__lt=now))
        .update(leased_until=now + LEASE)
    )
    return took == 1


def _deliver_one(sub: Subscriber, now: datetime | None) -> dict[str, int]:
    out = {"delivered": 0, "failed": 0}
    pending = (
        OutboxMessage.objects.filter(subscriber=sub, state=OutboxMessage.State.PENDING)
        .select_related("event", "event__task")
        .order_by("id")[:BATCH]
    )
    for message in pending:
        at = now or timezone.now()
        if message.next_attempt_at > at:
            break  # the head of the line waits its backoff; later events wait behind it
        started = time.monotonic()
        ok, status, error = _post(sub, message)
        DeliveryAttempt.objects.create(
            message=message,
            at=at,
            status_code=status,
            error=error,
            ok=ok,
            duration_ms=int((time.monotonic() - started) * 1000),
        )
        message.attempts += 1
        if ok:
            message.state = OutboxMessage.State.DELIVERED
            message.delivered_at = at
            message.last_error = ""
            message.save(update_fields=["attempts", "state", "delivered_at", "last_error"])
            out["delivered"] += 1
            continue
        message.last_error = error
        message.next_attempt_at = at + backoff(message.attempts)
        message.save(update_fields=["attempts", "last_error", "next_attempt_at"])
        out["failed"] += 1
        break
    return out


def deliver(now: datetime | None = None) -> dict[str, int]:
    """One pass over every active subscriber; returns counts (delivered, failed, busy)."""
    total = {"delivered": 0, "failed": 0, "busy": 0}
    for sub in Subscriber.objects.filter(active=True).order_by("id"):
        if not _claim(sub, now or timezone.now()):
            total["busy"] += 1
            continue
        try:
            got = _deliver_one(sub, now)
        finally:
            Subscriber.objects.filter(pk=sub.pk).update(leased_until=None)
        total["delivered"] += got["delivered"]
        total["failed"] += got["failed"]
    return total


KEEP_DELIVERED = timedelta(days=90)


def prune(now: datetime | None = None, keep: timedelta = KEEP_DELIVERED) -> int:
    """Delivered messages (and their attempts) older than `keep` are deleted; pending ones
    never are. The events themselves stay in the sealed log."""
    cutoff = (now or timezone.now()) - keep
    deleted, _ = OutboxMessage.objects.filter(
        state=OutboxMessage.State.DELIVERED, delivered_at__lt=cutoff
    ).delete()
    return deleted


def retry_now(sub: Subscriber) -> int:
    """The administrator's button: the pending messages are due at once."""
    return OutboxMessage.objects.filter(subscriber=sub, state=OutboxMessage.State.PENDING).update(
        next_attempt_at=timezone.now()
    )
