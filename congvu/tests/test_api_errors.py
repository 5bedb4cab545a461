"""API answers found by fuzzing: JSON errors everywhere under /api/, never a 500."""

from __future__ import annotations

import json
import secrets
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client


def _client(username: str) -> Client:
    from congvu.tasks.models import ApiToken

    secret = secrets.token_urlsafe(24)
    ApiToken.objects.create(
        user=User.objects.get(username=username),
        prefix=secret[:8],
        token_hash=ApiToken.hash(secret),
    )
    return Client(headers={"Authorization": f"Bearer {secret}"})


def test_a_negative_offset_lists_from_the_start(org: Any) -> None:
    r = _client("gd_a").get("/api/v1/tasks", {"offset": -47, "limit": 1099})
    assert r.status_code == 200 and r.json() == []


def test_an_address_the_api_does_not_have_is_a_json_404(org: Any) -> None:
    client = _client("gd_a")
    client.cookies["csrftoken"] = "x" * 32  # a browser's cookie must not turn it into a CSRF 403
    for path in ("/api/v1/tasks/null,null", "/api/v1/tasks/1%0Aw/accept", "/api/v2/"):
        r = client.post(path, json.dumps({}), content_type="application/json")
        assert r.status_code == 404, path
        assert r.headers["Content-Type"].startswith("application/json")
        assert r.json()["code"] == "not_found"


def test_an_unreadable_import_file_is_a_documented_400(org: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("file.png", b"\x89PNG\r\n", content_type="image/png")
    r = _client("gd_a").post("/api/v1/tasks/import", {"file": upload})
    assert r.status_code == 400 and r.json()["code"] == "bad_file"


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/tasks?offset=9223372036854775808",
        "/api/v1/findings?offset=99999999999999999999",
        "/api/v1/tasks?offset=-99999999999999999999",
    ],
)
def test_an_offset_out_of_range_is_a_422_not_a_500(org, path):
    # Issue #12, break 8: the offset reached the database and overflowed its bigint.
    from django.test import Client

    client = Client()
    client.force_login(org.gd_a.user)
    r = client.get(path)
    assert r.status_code == 422
    body = r.json()
    assert body["code"] == "invalid" and body["field"] == "offset"
    assert body["message"].startswith("Dữ liệu không hợp lệ")
