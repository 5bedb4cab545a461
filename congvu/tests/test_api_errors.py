"""API answers found by fuzzing: JSON errors everywhere under /api/, never a 500."""

from __future__ import annotations

import json
import secrets
from typing import Any

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
