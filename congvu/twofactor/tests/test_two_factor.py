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
