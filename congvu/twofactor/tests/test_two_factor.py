from __future__ import annotations

import re

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from congvu.testing import PASSWORD


def sign_in(client, username):
    return client.post("/dang-nhap/", {"username": username, "password": PASSWORD})


def code_for(device):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_nobody_is_asked_for_a_code_unless_the_province_turns_it_on(org, client, settings):
    settings.REQUIRE_2FA = False
    sign_in(client, "lanh_dao")
    assert client.get("/").status_code == 200


def test_a_leader_must_set_up_and_then_give_a_code(org, client, settings):
    settings.REQUIRE_2FA = True
    # django-otp makes the next try wait after a wrong code; a test has no time to wait.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    sign_in(client, "lanh_dao")
    r = client.get("/")
    assert r.status_code == 302 and r.url.startswith("/xac-thuc/thiet-lap/")
    page = client.get(r.url)
    assert "data:image/svg+xml;base64," in page.content.decode()
    device = TOTPDevice.objects.get(user__username="lanh_dao", confirmed=False)
    bad = client.post("/xac-thuc/thiet-lap/", {"token": "000000", "next": "/"})
    assert "Mã không đúng" in bad.content.decode()
    ok = client.post("/xac-thuc/thiet-lap/", {"token": code_for(device), "next": "/"})
    assert ok.status_code == 302 and ok.url == "/"
    assert client.get("/").status_code == 200
    # Next session: the code is asked again, on the verify page.
    client.logout()
    sign_in(client, "lanh_dao")
    r = client.get("/toan-tinh/")
    assert r.status_code == 302 and r.url.startswith("/xac-thuc/?")
    device.refresh_from_db()
    device.last_t = -1  # allow the same time step again in this fast test
    device.save()
    ok = client.post(r.url, {"token": code_for(device), "next": "/toan-tinh/"})
    assert ok.status_code == 302 and ok.url == "/toan-tinh/"


@pytest.mark.parametrize("username", ["noi_vu", "thanh_tra", "quan_tri"])
def test_hr_inspectors_and_admins_are_covered(org, client, settings, username):
    settings.REQUIRE_2FA = True
    sign_in(client, username)
    assert client.get("/").url.startswith("/xac-thuc/thiet-lap/")


def test_a_specialist_is_not_forced_but_may_enrol(org, client, settings):
    settings.REQUIRE_2FA = True
    sign_in(client, "alice")
    assert client.get("/").status_code == 200
    client.get("/xac-thuc/thiet-lap/")
    device = TOTPDevice.objects.get(user__username="alice")
    client.post("/xac-thuc/thiet-lap/", {"token": code_for(device), "next": "/"})
    client.logout()
    sign_in(client, "alice")
    assert client.get("/").url.startswith("/xac-thuc/")  # once enrolled, always asked


def test_signing_out_is_always_possible(org, client, settings):
    settings.REQUIRE_2FA = True
    sign_in(client, "lanh_dao")
    r = client.post("/dang-xuat/")
    assert r.status_code == 302 and re.match(r"^/dang-nhap/", r.url)


# --- issue #12: the holes a password alone used to open -------------------------------------


def _enrolled(username):
    from django.contrib.auth.models import User

    return TOTPDevice.objects.create(
        user=User.objects.get(username=username), name="phone", confirmed=True
    )


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/tasks"),
        ("get", "/api/v1/findings"),
        ("post", "/api/v1/detection/runs"),
        ("post", "/api/v1/tasks/1/remind"),
        ("get", "/api/v1/openapi.json"),
    ],
)
def test_a_password_only_session_cannot_use_the_api(org, client, settings, method, path):
    settings.REQUIRE_2FA = True
    sign_in(client, "lanh_dao")
    r = getattr(client, method)(path, content_type="application/json")
    assert r.status_code == 403
    assert r.json()["code"] == "second_factor_required"


def test_an_enrolled_user_who_gave_no_code_cannot_use_the_api_even_when_2fa_is_optional(
    org, client, settings
):
    settings.REQUIRE_2FA = False
    _enrolled("alice")
    sign_in(client, "alice")
    assert client.get("/api/v1/tasks").status_code == 403


def test_the_api_session_authentication_refuses_a_session_owing_a_code(org, rf, settings):
    # Behind the middleware too: the API's own session check applies the same rule.
    from django.contrib.auth.models import User
    from django.contrib.sessions.backends.db import SessionStore

    from congvu.tasks.api import SecondFactorSessionAuth

    settings.REQUIRE_2FA = True
    request = rf.get("/api/v1/tasks")
    request.session = SessionStore()
    request.user = User.objects.get(username="lanh_dao")
    request.user.is_verified = lambda: False
    assert SecondFactorSessionAuth().authenticate(request, "x") is None
    request.user.is_verified = lambda: True
    assert SecondFactorSessionAuth().authenticate(request, "x") is not None


def test_a_verified_session_uses_the_api(org, client, settings):
    settings.REQUIRE_2FA = True
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    device = _enrolled("lanh_dao")
    sign_in(client, "lanh_dao")
    client.post("/xac-thuc/", {"token": code_for(device), "next": "/"})
    assert client.get("/api/v1/tasks").status_code == 200


def test_the_openapi_schema_needs_a_sign_in(org, client):
    r = client.get("/api/v1/openapi.json")
    assert r.status_code == 401 and r.json()["code"] == "unauthenticated"
    sign_in(client, "alice")
    assert client.get("/api/v1/openapi.json").status_code == 200


def test_a_second_device_cannot_be_enrolled_with_the_password_alone(org, client, settings):
    settings.REQUIRE_2FA = True
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    first = _enrolled("lanh_dao")
    sign_in(client, "lanh_dao")
    r = client.get("/xac-thuc/thiet-lap/")
    assert r.status_code == 302 and r.url.startswith("/xac-thuc/?")
    assert not TOTPDevice.objects.filter(user__username="lanh_dao", confirmed=False).exists()
    # Even a forged POST with a code of some device does not unlock or enrol anything.
    r = client.post("/xac-thuc/thiet-lap/", {"token": "123456", "next": "/"})
    assert r.status_code == 302 and r.url.startswith("/xac-thuc/?")
    assert TOTPDevice.objects.filter(user__username="lanh_dao").count() == 1
    assert client.get("/").url.startswith("/xac-thuc/?")
    # With the first device's code, a second device may be added, and that is recorded.
    client.post("/xac-thuc/", {"token": code_for(first), "next": "/"})
    client.get("/xac-thuc/thiet-lap/")
    second = TOTPDevice.objects.get(user__username="lanh_dao", confirmed=False)
    client.post("/xac-thuc/thiet-lap/", {"token": code_for(second), "next": "/"})
    assert TOTPDevice.objects.filter(user__username="lanh_dao", confirmed=True).count() == 2
    from congvu.ops.models import SignInRecord

    assert SignInRecord.objects.filter(
        username="lanh_dao", kind=SignInRecord.Kind.DEVICE_ADDED
    ).exists()


def test_an_administrator_resets_a_lost_device_and_it_is_logged(org, client, settings):
    from django.core.management import call_command

    from congvu.ops.models import SignInRecord

    settings.REQUIRE_2FA = True
    _enrolled("lanh_dao")
    call_command("reset_2fa", "lanh_dao", "--by", "quan_tri")
    assert not TOTPDevice.objects.filter(user__username="lanh_dao").exists()
    record = SignInRecord.objects.get(kind=SignInRecord.Kind.DEVICE_RESET)
    assert (record.username, record.by) == ("lanh_dao", "quan_tri")
    sign_in(client, "lanh_dao")
    assert client.get("/").url.startswith("/xac-thuc/thiet-lap/")
