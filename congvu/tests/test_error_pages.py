"""A database that is away gives a clean 503 (Vietnamese page, JSON for the API), no traceback."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import OperationalError
from django.test import Client


def _away(*args: Any, **kwargs: Any) -> Any:
    raise OperationalError('connection to server at "127.0.0.1", port 5432 failed')


def test_a_page_says_the_database_is_away_in_vietnamese(
    org: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(org.alice.user)
    monkeypatch.setattr("congvu.web.inbox.build_inbox", _away)
    r = client.get("/")
    assert r.status_code == 503 and r["Retry-After"]
    text = r.content.decode()
    assert "Hệ thống tạm thời gián đoạn" in text
    assert "Traceback" not in text and "OperationalError" not in text and "5432" not in text


def test_the_api_says_it_in_json(org: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(org.alice.user)
    monkeypatch.setattr("congvu.tasks.api.access_for_user", _away)
    r = client.get("/api/v1/tasks")
    assert r.status_code == 503
    assert r.json()["code"] == "unavailable" and "5432" not in r.content.decode()


def test_another_error_is_a_plain_500_without_traceback(
    org: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(org.alice.user)

    def boom(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("bí mật nội bộ")

    monkeypatch.setattr("congvu.web.inbox.build_inbox", boom)
    r = client.get("/")
    assert r.status_code == 500 and "Lỗi hệ thống" in r.content.decode()
    assert "bí mật" not in r.content.decode()
