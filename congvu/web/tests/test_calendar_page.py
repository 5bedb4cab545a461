from __future__ import annotations

from datetime import date

from congvu.audit.models import AuditEvent
from congvu.workdays.calendar import get_calendar
from congvu.workdays.models import CalendarAdjustment


def test_it_shows_a_year_of_days_off_and_make_up_days(signed_in):
    body = signed_in("alice").get("/lich-lam-viec/?nam=2025").content.decode()
    assert "Lịch làm việc năm 2025" in body
    assert "02/05/2025" in body  # the swapped day off
    assert "26/04/2025" in body  # the make-up Saturday
    assert 'class="makeup"' in body and 'class="off"' in body
    assert "Thêm hoặc sửa điều chỉnh" not in body  # not an administrator


def test_an_administrator_adds_an_adjustment_once_even_if_submitted_twice(signed_in):
    client = signed_in("quan_tri")
    form = {"day": "24/11/2026", "reason": "Ngày Văn hóa Việt Nam", "decision_ref": "1/QĐ-TTg"}
    first = client.post("/lich-lam-viec/", form)
    second = client.post("/lich-lam-viec/", form)
    assert first.status_code == second.status_code == 302
    # Besides the rows seeded by migration (the New Year 2026 swap): one row for the day.
    rows = CalendarAdjustment.objects.filter(day=date(2026, 11, 24))
    assert list(rows.values_list("day", "is_working_day")) == [(date(2026, 11, 24), False)]
    body = client.get(first["Location"]).content.decode()
    assert "Đã lưu điều chỉnh lịch ngày 24/11/2026." in body


def test_it_shows_field_errors_in_vietnamese_and_keeps_what_was_typed(signed_in):
    body = (
        signed_in("quan_tri")
        .post("/lich-lam-viec/", {"day": "31/02/2026", "reason": "Thử"})
        .content.decode()
    )
    assert "Nhập một ngày hợp lệ." in body
    assert 'value="Thử"' in body and 'value="31/02/2026"' in body


def test_only_administrators_change_the_calendar(signed_in):
    client = signed_in("gd_a")
    assert client.post("/lich-lam-viec/", {"day": "24/11/2026", "reason": "x"}).status_code == 403
    assert client.post("/lich-lam-viec/xoa/2026-11-24/").status_code == 403
    assert not CalendarAdjustment.objects.filter(day=date(2026, 11, 24)).exists()


def test_an_administrator_removes_an_adjustment(signed_in):
    CalendarAdjustment.objects.create(
        day=date(2026, 11, 24), is_working_day=False, reason="Ngày Văn hóa"
    )
    response = signed_in("quan_tri").post("/lich-lam-viec/xoa/2026-11-24/")
    assert response.status_code == 302
    # Revoked, not deleted (issue #14): the calendar no longer applies it, the row and a
    # sealed event by the administrator remain.
    assert not CalendarAdjustment.objects.in_force().filter(day=date(2026, 11, 24)).exists()
    row = CalendarAdjustment.objects.get(day=date(2026, 11, 24))
    assert row.revoked_at is not None
    event = AuditEvent.objects.get(subject="calendar", subject_id=row.pk)
    assert event.kind == "adjustment_revoked" and event.actor is not None
    assert date(2026, 11, 24) not in get_calendar().overrides


def test_the_calendar_page_costs_a_few_queries(signed_in, django_assert_max_num_queries):
    client = signed_in("quan_tri")
    with django_assert_max_num_queries(16):
        assert client.get("/lich-lam-viec/?nam=2026").status_code == 200
