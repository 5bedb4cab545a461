"""E-mail through a real SMTP server on loopback (aiosmtpd), per-person preferences, digests."""

from __future__ import annotations

import email
import socket
from datetime import date, datetime
from email.policy import default as default_policy

import pytest
from aiosmtpd.controller import Controller

from congvu.notify import mail
from congvu.notify.jobs import daily_digest, email_notifications
from congvu.notify.models import DigestSent, OutboxEmail, Preference
from congvu.tasks import actions
from congvu.tasks.actions import CoordinationSpec
from congvu.tasks.state import VN_TZ

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=VN_TZ)


class Sink:
    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.port = 0

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's hook name
        self.messages.append(email.message_from_bytes(envelope.content, policy=default_policy))
        return "250 OK"


@pytest.fixture
def smtp(settings):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    sink.port = port
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_ENABLED = "127.0.0.1", port, True
    yield sink
    controller.stop()


@pytest.fixture
def people_with_mail(org):
    for key in ("alice", "bob", "charlie", "gd_a", "gd_b", "tp_a1"):
        p = org.people[key]
        p.email = f"{key}@binhminh.gov.vn"
        p.save(update_fields=["email", "search_text"])
    return org


def assign(org, **kw):
    return actions.do_assign(
        assigner=org.gd_a,
        title="Xây dựng kế hoạch cải cách hành chính năm 2026",
        lead_unit=org.a1,
        lead_person=org.alice,
        deadline=date(2026, 3, 20),
        ad_hoc=True,
        at=T0,
        **kw,
    )


def test_an_assignment_and_a_coordination_request_are_mailed_over_smtp(people_with_mail, smtp):
    org = people_with_mail
    assign(
        org,
        coordinations=[
            CoordinationSpec(
                unit=org.so_b, request_text="Cho ý kiến phần quy hoạch", due=date(2026, 3, 10)
            )
        ],
    )
    result = email_notifications(datetime(2026, 3, 2, 9, tzinfo=VN_TZ))
    assert result["sent"] == 2 and result["failed"] == 0
    by_to = {m["To"]: m for m in smtp.messages}
    assert set(by_to) == {"alice@binhminh.gov.vn", "gd_b@binhminh.gov.vn"}
    body = by_to["alice@binhminh.gov.vn"].get_content()
    assert "Kính gửi Hoàng Thị An" in body and "Hạn xử lý: 20/03/2026" in body
    assert "/viec/" in body
    assert "Giao việc" in by_to["alice@binhminh.gov.vn"]["Subject"]
    assert "Đề nghị phối hợp" in by_to["gd_b@binhminh.gov.vn"]["Subject"]


def test_running_the_job_twice_sends_each_message_once(people_with_mail, smtp):
    assign(people_with_mail)
    email_notifications(datetime(2026, 3, 2, 9, tzinfo=VN_TZ))
    email_notifications(datetime(2026, 3, 2, 9, 5, tzinfo=VN_TZ))
    assert mail.queue_new_events() == 0
    assert len(smtp.messages) == 1
    assert OutboxEmail.objects.get().status == OutboxEmail.Status.SENT


def test_a_person_who_turned_off_new_task_mail_gets_none(people_with_mail, smtp):
    Preference.objects.create(person=people_with_mail.alice, email_new_task=False)
    assign(people_with_mail)
    assert email_notifications(datetime(2026, 3, 2, 9, tzinfo=VN_TZ))["sent"] == 0
    assert smtp.messages == []


def test_an_unreachable_mail_server_is_recorded_and_retried(people_with_mail, settings, smtp):
    assign(people_with_mail)
    settings.EMAIL_PORT = 1  # nothing listens there
    result = email_notifications(datetime(2026, 3, 2, 9, tzinfo=VN_TZ))
    assert result["failed"] == 1
    row = OutboxEmail.objects.get()
    assert row.status == OutboxEmail.Status.FAILED and row.error
    # The server is back: the failed message is retried by the next run.
    settings.EMAIL_PORT = smtp.port
    assert email_notifications(datetime(2026, 3, 2, 9, 5, tzinfo=VN_TZ))["sent"] == 1
    assert len(smtp.messages) == 1


def test_heads_get_a_daily_digest_of_overdue_work_once_a_day(people_with_mail, smtp):
    org = people_with_mail
    assign(org)  # due 20/3/2026
    day = date(2026, 3, 25)
    result = daily_digest(datetime(2026, 3, 25, 7, tzinfo=VN_TZ))
    assert result["sent"] >= 1
    to_head = [m for m in smtp.messages if m["To"] == "gd_a@binhminh.gov.vn"]
    assert len(to_head) == 1
    body = to_head[0].get_content()
    assert "QUÁ HẠN (1)" in body and "Hoàng Thị An" in body
    daily_digest(datetime(2026, 3, 25, 15, tzinfo=VN_TZ))
    assert len([m for m in smtp.messages if m["To"] == "gd_a@binhminh.gov.vn"]) == 1
    assert DigestSent.objects.filter(person=org.gd_a, day=day).count() == 1


def test_nothing_is_sent_when_mail_is_not_configured(people_with_mail, settings):
    settings.EMAIL_ENABLED = False
    assign(people_with_mail)
    assert "skipped" in email_notifications(datetime(2026, 3, 2, 9, tzinfo=VN_TZ))
    assert not OutboxEmail.objects.exists()


def test_a_submitted_result_is_mailed_to_the_assigner_who_decides(people_with_mail, smtp):
    org = people_with_mail
    task = assign(org)
    actions.do_accept(task, org.alice, at=T0.replace(hour=9))
    actions.do_submit(task, org.alice, result="Dự thảo kế hoạch", at=T0.replace(hour=10))
    email_notifications(datetime(2026, 3, 2, 11, tzinfo=VN_TZ))
    to_assigner = [m for m in smtp.messages if m["To"] == "gd_a@binhminh.gov.vn"]
    assert [" ".join(m["Subject"].split()).split(":")[0] for m in to_assigner] == [
        "[Công Vụ] Tiếp nhận",
        "[Công Vụ] Trình kết quả",
    ]
    assert OutboxEmail.objects.filter(person=org.gd_a, kind="decide").count() == 1


def test_who_chose_one_digest_a_day_gets_yesterdays_notifications_in_it(people_with_mail, smtp):
    org = people_with_mail
    Preference.objects.create(person=org.alice, digest_only=True)
    assign(org)  # 2/3/2026, to alice
    assert email_notifications(datetime(2026, 3, 2, 9, tzinfo=VN_TZ))["sent"] == 0
    daily_digest(datetime(2026, 3, 3, 7, tzinfo=VN_TZ))
    to_alice = [m for m in smtp.messages if m["To"] == "alice@binhminh.gov.vn"]
    assert len(to_alice) == 1
    body = to_alice[0].get_content()
    assert "THÔNG BÁO NGÀY 02/03/2026 (1)" in body
    assert "Nhiệm vụ mới: Xây dựng kế hoạch cải cách hành chính năm 2026" in body
    assert "[cần xử lý]" in body
