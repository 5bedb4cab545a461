"""OpenID Connect sign-in against a real provider (django-oauth-toolkit in its own process,
congvu/web/tests/oidc_provider.py): the whole authorization-code flow, with a `requests` session
as the browser on the provider's side and the Django test client on ours."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urljoin, urlparse

import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.contrib.auth.models import User

from congvu.org.models import Person

CALLBACK = "http://testserver/dang-nhap/mot-cua/xong/"
SECRET = "bi-mat-ung-dung-congvu"
IDP_PASSWORD = "mat-khau-idp"


@dataclass
class Provider:
    base: str
    issuer: str


@pytest.fixture(scope="module")
def oidc_idp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Provider]:
    work = tmp_path_factory.mktemp("idp")
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    config = {
        "db": str(work / "idp.sqlite3"),
        "rsa_key": key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode(),
        "users": [
            {"username": "an.hoang", "email": "an.hoang@binhminh.gov.vn", "ma_can_bo": "X1"},
            {"username": "binh.le", "email": "binh.le@gmail.com", "ma_can_bo": "BOB"},
            {"username": "nguoi.la", "email": "nguoi.la@example.vn", "ma_can_bo": "X9"},
        ],
        "clients": [
            {"client_id": cid, "client_secret": SECRET, "redirect_uri": CALLBACK}
            for cid in ("congvu", "congvu-sai-aud", "congvu-sai-chu-ky")
        ],
    }
    for u in config["users"]:  # type: ignore[union-attr]
        u["password"] = IDP_PASSWORD  # type: ignore[index]
    (work / "config.json").write_text(json.dumps(config), encoding="utf-8")
    proc = subprocess.Popen(
        [sys.executable, str(Path(__file__).with_name("oidc_provider.py")), work / "config.json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline().strip()
        if not line.isdigit():
            proc.kill()
            raise RuntimeError(f"OIDC provider did not start: {proc.stderr.read()}")  # type: ignore[union-attr]
        base = f"http://127.0.0.1:{line}"
        yield Provider(base=base, issuer=f"{base}/o")
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()


@pytest.fixture
def sso_settings(settings: Any, oidc_idp: Provider) -> Any:
    settings.OIDC_ISSUER = oidc_idp.issuer
    settings.OIDC_CLIENT_ID = "congvu"
    settings.OIDC_CLIENT_SECRET = SECRET
    settings.OIDC_SCOPES = "openid email profile"
    settings.OIDC_PERSON_CLAIM = "email"
    settings.OIDC_PERSON_FIELD = "email"
    return settings


def _through_provider(client: Any, idp: Provider, username: str) -> Any:
    """Start on Công Vụ, sign in at the provider as `username`, come back with the code."""
    start = client.get("/dang-nhap/mot-cua/?next=/viec/")
    assert start.status_code == 302, start.content
    authorize = start["Location"]
    assert authorize.startswith(f"{idp.issuer}/authorize/")
    browser = requests.Session()
    to_login = browser.get(authorize, allow_redirects=False, timeout=15)
    assert to_login.status_code == 302
    next_url = parse_qs(urlparse(urljoin(authorize, to_login.headers["Location"])).query)["next"]
    signed = browser.post(
        f"{idp.base}/dang-nhap/",
        data={"username": username, "password": IDP_PASSWORD, "next": next_url[0]},
        allow_redirects=False,
        timeout=15,
    )
    assert signed.status_code == 302
    back = browser.get(urljoin(idp.base, signed.headers["Location"]), allow_redirects=False)
    assert back.status_code == 302, back.text
    callback = back.headers["Location"]
    assert callback.startswith(CALLBACK)
    browser.close()
    return client.get(callback.removeprefix("http://testserver"))


def _signed_in_as(client: Any) -> int | None:
    raw = client.session.get("_auth_user_id")
    return int(raw) if raw else None


def _refusal(client: Any, response: Any) -> str:
    assert response.status_code == 302
    assert response["Location"] == "/dang-nhap/"
    assert _signed_in_as(client) is None
    return str(client.get("/dang-nhap/").content.decode())


def test_it_signs_in_a_person_matched_by_email(client, org, sso_settings, oidc_idp):  # type: ignore[no-untyped-def]
    Person.objects.filter(pk=org.alice.pk).update(email="An.Hoang@binhminh.gov.vn")
    response = _through_provider(client, oidc_idp, "an.hoang")
    assert response.status_code == 302
    assert response["Location"] == "/viec/"
    assert _signed_in_as(client) == org.alice.user_id
    assert client.get("/viec/").status_code == 200


def test_it_signs_in_a_person_matched_by_staff_code(client, org, sso_settings, oidc_idp):  # type: ignore[no-untyped-def]
    sso_settings.OIDC_PERSON_CLAIM = "ma_can_bo"
    sso_settings.OIDC_PERSON_FIELD = "code"
    _through_provider(client, oidc_idp, "binh.le")
    assert _signed_in_as(client) == org.bob.user_id


def test_it_refuses_an_unknown_identity_and_creates_nobody(  # type: ignore[no-untyped-def]
    client, org, sso_settings, oidc_idp
):
    users = User.objects.count()
    page = _refusal(client, _through_provider(client, oidc_idp, "nguoi.la"))
    assert "Tài khoản định danh “nguoi.la@example.vn” chưa được khai báo trong Công Vụ" in page
    assert User.objects.count() == users


def test_it_refuses_an_id_token_for_another_audience(  # type: ignore[no-untyped-def]
    client, org, sso_settings, oidc_idp
):
    Person.objects.filter(pk=org.alice.pk).update(email="an.hoang@binhminh.gov.vn")
    sso_settings.OIDC_CLIENT_ID = "congvu-sai-aud"
    page = _refusal(client, _through_provider(client, oidc_idp, "an.hoang"))
    assert "không cấp cho Công Vụ (sai đối tượng nhận “aud”)" in page


def test_it_refuses_an_id_token_with_a_bad_signature(  # type: ignore[no-untyped-def]
    client, org, sso_settings, oidc_idp
):
    Person.objects.filter(pk=org.alice.pk).update(email="an.hoang@binhminh.gov.vn")
    sso_settings.OIDC_CLIENT_ID = "congvu-sai-chu-ky"
    page = _refusal(client, _through_provider(client, oidc_idp, "an.hoang"))
    assert "Chữ ký của mã định danh (ID token) không hợp lệ" in page


def test_it_refuses_a_callback_with_a_forged_state(client, org, sso_settings, oidc_idp):  # type: ignore[no-untyped-def]
    client.get("/dang-nhap/mot-cua/")
    page = _refusal(client, client.get("/dang-nhap/mot-cua/xong/?code=abc&state=gia-mao"))
    assert "Phiên đăng nhập một cửa không khớp hoặc đã hết hạn" in page


def test_it_refuses_an_account_the_person_does_not_have(  # type: ignore[no-untyped-def]
    client, org, sso_settings, oidc_idp
):
    Person.objects.filter(pk=org.alice.pk).update(email="an.hoang@binhminh.gov.vn")
    User.objects.filter(pk=org.alice.user_id).update(is_active=False)
    page = _refusal(client, _through_provider(client, oidc_idp, "an.hoang"))
    assert "chưa có tài khoản Công Vụ đang hoạt động" in page


def test_the_button_shows_only_when_configured(client, db, settings):  # type: ignore[no-untyped-def]
    settings.OIDC_ISSUER = ""
    assert "tài khoản một cửa/VNeID" not in client.get("/dang-nhap/").content.decode()
    assert client.get("/dang-nhap/mot-cua/").status_code == 404
    settings.OIDC_ISSUER = "https://id.binhminh.gov.vn/realms/tinh"
    settings.OIDC_CLIENT_ID = "congvu"
    page = client.get("/dang-nhap/?next=/viec/").content.decode()
    assert "Đăng nhập bằng tài khoản một cửa/VNeID của tỉnh" in page
    assert 'href="/dang-nhap/mot-cua/?next=/viec/"' in page


def test_a_provider_that_is_down_gives_a_message(client, db, settings):  # type: ignore[no-untyped-def]
    settings.OIDC_ISSUER = "http://127.0.0.1:9/o"
    settings.OIDC_CLIENT_ID = "congvu"
    response = client.get("/dang-nhap/mot-cua/")
    assert response.status_code == 302
    page = client.get("/dang-nhap/").content.decode()
    assert "Không kết nối được máy chủ định danh của tỉnh" in page


def test_local_passwords_still_work_when_sso_is_on(client, org, sso_settings):  # type: ignore[no-untyped-def]
    from congvu.testing import PASSWORD

    response = client.post("/dang-nhap/", {"username": "alice", "password": PASSWORD})
    assert response.status_code == 302
    assert _signed_in_as(client) == org.alice.user_id
