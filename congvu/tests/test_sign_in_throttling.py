from __future__ import annotations

import pytest
from django.contrib.auth.models import User


@pytest.mark.django_db
def test_repeated_wrong_passwords_lock_the_account_for_that_address(client, settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    User.objects.create_user("chuyenvien", password="dung-mat-khau-2026", is_staff=True)
    url = "/quan-tri/login/"
    for _ in range(3):
        r = client.post(url, {"username": "chuyenvien", "password": "sai"}, REMOTE_ADDR="10.0.0.7")
    assert r.status_code in (403, 429)
    # Even the right password is refused while locked out.
    r = client.post(
        url, {"username": "chuyenvien", "password": "dung-mat-khau-2026"}, REMOTE_ADDR="10.0.0.7"
    )
    assert r.status_code in (403, 429)
    # Another address is not affected (lockout is per username + address).
    r = client.post(
        url, {"username": "chuyenvien", "password": "dung-mat-khau-2026"}, REMOTE_ADDR="10.0.0.8"
    )
    assert r.status_code == 302


@pytest.mark.django_db
def test_behind_nginx_the_lockout_and_audit_use_the_forwarded_address(client, settings):
    from congvu.ops.models import SignInRecord

    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    settings.BEHIND_PROXY = True
    User.objects.create_user("chuyenvien", password="dung-mat-khau-2026", is_staff=True)
    url = "/quan-tri/login/"

    def post(password: str, spoofed: str, real: str) -> int:
        return client.post(
            url,
            {"username": "chuyenvien", "password": password},
            REMOTE_ADDR="127.0.0.1",  # every request comes from nginx
            HTTP_X_FORWARDED_FOR=f"{spoofed}, {real}",
        ).status_code

    # Rotating the client-written part of X-Forwarded-For does not escape the lockout...
    for i in range(3):
        post("sai", f"10.0.0.{i}", "203.0.113.7")
    assert post("dung-mat-khau-2026", "10.0.0.99", "203.0.113.7") in (403, 429)
    # ...and another real client (the address nginx appended) can still sign in.
    assert post("dung-mat-khau-2026", "10.0.0.1", "203.0.113.8") == 302
    addresses = set(SignInRecord.objects.values_list("ip_address", flat=True))
    assert addresses == {"203.0.113.7", "203.0.113.8"}


@pytest.mark.django_db
def test_the_lockout_answer_is_in_vietnamese_and_says_how_long(client, settings):
    # Issue #12: django-axes answered "Account locked: too many login attempts" in English.
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 2
    settings.AXES_COOLOFF_TIME = 0.25  # hours
    User.objects.create_user("chuyenvien", password="dung-mat-khau-2026")
    for _ in range(2):
        r = client.post("/dang-nhap/", {"username": "chuyenvien", "password": "sai"})
    assert r.status_code == 429 and r["Retry-After"] == "900"
    body = r.content.decode()
    assert "Đăng nhập tạm bị khóa" in body and "15 phút" in body and "Account locked" not in body
    r = client.post(
        "/dang-nhap/", {"username": "chuyenvien", "password": "sai"}, HTTP_ACCEPT="application/json"
    )
    assert r.status_code == 429 and r.json()["code"] == "locked_out"
