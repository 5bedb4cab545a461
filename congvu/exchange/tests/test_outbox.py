"""The outbox survives a receiver outage: a real HTTP receiver on a free port, stopped and
started again; every event arrives once, in order, signed."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from congvu.exchange import outbox
from congvu.exchange.models import DeliveryAttempt, OutboxMessage, Subscriber
from congvu.tasks import actions as A
from congvu.tasks.events import TaskEventType as E
from congvu.web.tests.tasks_helpers import assign

SECRET = "khoa-bi-mat-thu-nghiem"


class Receiver:
    """A webhook receiver that checks the signature and dedups by the idempotency key."""

    def __init__(self, port: int = 0) -> None:
        self.keys: list[str] = []  # first arrivals, in order
        self.posts = 0
        self.bad_signatures = 0
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                ts = self.headers["X-CongVu-Timestamp"]
                expected = (
                    "sha256="
                    + hmac.new(
                        SECRET.encode(), ts.encode() + b"." + body, hashlib.sha256
                    ).hexdigest()
                )
                owner.posts += 1
                if not hmac.compare_digest(expected, self.headers["X-CongVu-Signature"]):
                    owner.bad_signatures += 1
                    self.send_response(401)
                    self.end_headers()
                    return
                key = self.headers["Idempotency-Key"]
                assert json.loads(body)["id"] == key
                if key not in owner.keys:
                    owner.keys.append(key)
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        ThreadingHTTPServer.allow_reuse_address = True
        self.server: ThreadingHTTPServer | None = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)  # type: ignore[union-attr]
        self.thread.start()

    def stop(self) -> None:
        if self.server is None:
            return
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()
        self.server = None


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.stop()


def _subscriber(port: int, kinds: list[int] | None = None) -> Subscriber:
    return Subscriber.objects.create(
        name="Hệ thống điều hành tác nghiệp",
        url=f"http://127.0.0.1:{port}/hook",
        secret=SECRET,
        kinds=kinds or [],
    )


def test_every_event_arrives_once_in_order_across_an_outage(org, receiver):
    sub = _subscriber(receiver.port)
    task = assign(org)
    A.do_accept(task, org.gd_a)
    assert outbox.deliver() == {"delivered": 2, "failed": 0, "busy": 0}
    assert receiver.keys == [f"congvu-{task.pk}-1", f"congvu-{task.pk}-2"]

    port = receiver.port
    receiver.stop()  # the receiver goes down
    A.do_report_progress(task, org.gd_a, percent=30, text="Đã khảo sát")
    A.do_report_progress(task, org.gd_a, percent=60, text="Đã dự thảo")
    now = timezone.now()
    assert outbox.deliver(now)["failed"] == 1
    head = OutboxMessage.objects.get(subscriber=sub, key=f"congvu-{task.pk}-3")
    assert head.attempts == 1 and head.last_error
    # The next one waits behind it: order is kept.
    assert OutboxMessage.objects.get(key=f"congvu-{task.pk}-4").attempts == 0
    # Backing off: not retried before its time, retried after.
    assert outbox.deliver(now + timedelta(seconds=10)) == {"delivered": 0, "failed": 0, "busy": 0}
    assert outbox.deliver(now + timedelta(seconds=31))["failed"] == 1
    head.refresh_from_db()
    assert head.attempts == 2
    assert head.next_attempt_at == now + timedelta(seconds=31) + timedelta(seconds=60)
    failed = DeliveryAttempt.objects.filter(message=head, ok=False)
    assert failed.count() == 2

    again = Receiver(port)  # back up, on the same address
    try:
        A.do_submit(task, org.gd_a, result="Báo cáo kết quả rà soát")
        assert outbox.deliver(now + timedelta(minutes=3)) == {
            "delivered": 3,
            "failed": 0,
            "busy": 0,
        }
        assert again.keys == [f"congvu-{task.pk}-{n}" for n in (3, 4, 5)]
        assert again.bad_signatures == 0
        # Nothing left, nothing sent twice.
        assert outbox.deliver(now + timedelta(minutes=10))["delivered"] == 0
        assert again.posts == 3
    finally:
        again.stop()
    assert receiver.keys + again.keys == [f"congvu-{task.pk}-{n}" for n in range(1, 6)]
    assert not OutboxMessage.objects.filter(state=OutboxMessage.State.PENDING).exists()
    assert DeliveryAttempt.objects.filter(ok=True).count() == 5


def test_a_receiver_that_dedups_sees_a_retried_event_once(org, receiver):
    """At-least-once on the wire, once for the receiver: a retried key is the same key."""
    _subscriber(receiver.port)
    task = assign(org)
    message = OutboxMessage.objects.get()
    outbox.deliver()
    # As if the answer had been lost: the message is pending again and is re-sent.
    OutboxMessage.objects.filter(pk=message.pk).update(state=OutboxMessage.State.PENDING)
    outbox.deliver()
    assert receiver.posts == 2
    assert receiver.keys == [f"congvu-{task.pk}-1"]


def test_the_outbox_row_commits_with_the_event_or_not_at_all(org, receiver):
    _subscriber(receiver.port)
    task = assign(org)
    before = OutboxMessage.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        A.do_accept(task, org.gd_a)
        assert OutboxMessage.objects.count() == before + 1
        raise RuntimeError("the action's transaction fails after the event")
    assert OutboxMessage.objects.count() == before
    assert task.events.count() == 1


def test_a_subscriber_gets_only_the_kinds_it_asked_for(org, receiver):
    sub = _subscriber(receiver.port, kinds=[int(E.COMPLETED), int(E.SUBMITTED)])
    task = assign(org)
    A.do_accept(task, org.gd_a)
    A.do_submit(task, org.gd_a, result="Xong")
    assert [m.event.type for m in OutboxMessage.objects.filter(subscriber=sub)] == [E.SUBMITTED]


def test_no_subscriber_no_rows(org):
    assign(org)
    assert not OutboxMessage.objects.exists()


def test_the_command_and_the_job_deliver(org, receiver, capsys):
    from congvu.jobs.registry import REGISTRY

    _subscriber(receiver.port)
    task = assign(org)
    call_command("deliver_outbox")
    assert "đã gửi 1" in capsys.readouterr().out
    A.do_accept(task, org.gd_a)
    assert REGISTRY["deliver_outbox"].func(timezone.now())["delivered"] == 1
    assert len(receiver.keys) == 2


def test_a_refusing_receiver_is_recorded_with_its_status(org, receiver):
    sub = _subscriber(receiver.port)
    sub.secret = "sai-khoa"
    sub.save()
    assign(org)
    assert outbox.deliver()["failed"] == 1
    attempt = DeliveryAttempt.objects.get()
    assert attempt.status_code == 401 and not attempt.ok
    assert receiver.keys == []


def test_old_delivered_messages_are_pruned_pending_ones_never(org, receiver):
    _subscriber(receiver.port)
    task = assign(org)
    outbox.deliver()
    receiver.stop()
    A.do_accept(task, org.gd_a)
    outbox.deliver()
    later = timezone.now() + timedelta(days=91)
    assert outbox.prune(later) == 2  # the delivered message and its attempt
    assert list(OutboxMessage.objects.values_list("key", flat=True)) == [f"congvu-{task.pk}-2"]


def test_a_paused_subscriber_gets_no_new_messages(org, receiver):
    sub = _subscriber(receiver.port)
    sub.active = False
    sub.save()
    assign(org)
    assert not OutboxMessage.objects.exists()
