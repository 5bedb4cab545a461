"""API rate limits: per user (token or session) and per address for calls without credentials;
429 with the API's JSON error body and Retry-After; counters in the shared database cache."""

from __future__ import annotations

import secrets
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache, caches
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection
from django.test import Client

from congvu.lib.env import envrate


def _token(username: str) -> str:
    from congvu.tasks.models import ApiToken

    secret = secrets.token_urlsafe(24)
    ApiToken.objects.create(
        user=User.objects.get(username=username),
        prefix=secret[:8],
        token_hash=ApiToken.hash(secret),
    )
    return secret


def _get(token: str, addr: str = "10.1.1.1") -> Any:
    return Client(headers={"Authorization": f"Bearer {token}"}).get(
        "/api/v1/units", REMOTE_ADDR=addr
    )


@pytest.fixture
def low_rates(settings: Any) -> Any:
    settings.API_RATES = {"user": "3/min", "anon": "2/min"}
    # Counters left by transactional tests (live servers) must not count against these users.
    cache.clear()
    return settings


def test_the_user_limit_answers_429_with_a_json_error_and_retry_after(
    org: Any, low_rates: Any
) -> None:
    token = _token("gd_a")
    assert [_get(token).status_code for _ in range(3)] == [200, 200, 200]
    r = _get(token)
    assert r.status_code == 429
    assert r.headers["Content-Type"].startswith("application/json")
    body = r.json()
    assert body["code"] == "rate_limited"
    assert "thử lại sau" in body["message"] and body["field"] is None
    assert 1 <= int(r.headers["Retry-After"]) <= 60


def test_the_limit_is_per_user_not_per_token_or_address(org: Any, low_rates: Any) -> None:
    first, second_of_same_user = _token("gd_a"), _token("gd_a")
    for addr in ("10.0.0.1", "10.0.0.2", "10.0.0.3"):
        assert _get(first, addr).status_code == 200
    # A new token of the same person does not reset the budget...
    assert _get(second_of_same_user, "10.0.0.4").status_code == 429
    # ...and another person, even from the same address, is not affected.
    other = _token("gd_b")
    assert [_get(other, "10.0.0.1").status_code for _ in range(3)] == [200, 200, 200]


def test_session_callers_are_limited_as_users(org: Any, low_rates: Any) -> None:
    client = Client()
    client.force_login(User.objects.get(username="gd_a"))
    codes = [client.get("/api/v1/units").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]


def test_calls_without_valid_credentials_are_limited_per_address(org: Any, low_rates: Any) -> None:
    guesses = [_get("not-a-token", "10.9.9.9") for _ in range(3)]
    assert [r.status_code for r in guesses] == [401, 401, 429]
    assert guesses[-1].json()["code"] == "rate_limited"
    assert int(guesses[-1].headers["Retry-After"]) >= 1
    # Another address is not affected; a valid token from the limited address still works.
    assert _get("not-a-token", "10.9.9.10").status_code == 401
    assert _get(_token("gd_a"), "10.9.9.9").status_code == 200


def test_behind_the_proxy_the_address_is_the_one_nginx_appended(org: Any, low_rates: Any) -> None:
    from ninja.conf import settings as ninja_settings

    old = ninja_settings.NUM_PROXIES
    ninja_settings.NUM_PROXIES = 1
    try:
        client = Client(headers={"Authorization": "Bearer nope"})

        def call(spoofed: str, real: str) -> int:
            return client.get(
                "/api/v1/units",
                REMOTE_ADDR="127.0.0.1",
                HTTP_X_FORWARDED_FOR=f"{spoofed}, {real}",
            ).status_code

        # A client rotating the part of X-Forwarded-For it controls stays one address.
        assert [call(f"1.1.1.{i}", "203.0.113.5") for i in range(3)] == [401, 401, 429]
        assert call("1.1.1.1", "203.0.113.6") == 401
    finally:
        ninja_settings.NUM_PROXIES = old


def test_off_disables_a_limit(org: Any, low_rates: Any) -> None:
    low_rates.API_RATES = {"user": None, "anon": "2/min"}
    token = _token("gd_a")
    assert {_get(token).status_code for _ in range(6)} == {200}


def test_counters_live_in_the_shared_database_cache(org: Any, low_rates: Any) -> None:
    assert caches["default"].__class__.__name__ == "DatabaseCache"
    _get(_token("gd_a"))
    with connection.cursor() as cur:
        cur.execute("SELECT cache_key FROM congvu_cache")
        keys = [row[0] for row in cur.fetchall()]
    assert any("throttle_user_" in k for k in keys), keys


@pytest.mark.django_db(transaction=True)
def test_migrate_creates_the_cache_table() -> None:
    with connection.cursor() as cur:
        cur.execute("DROP TABLE congvu_cache")
    call_command("migrate", verbosity=0)
    assert "congvu_cache" in connection.introspection.table_names()


def test_a_bad_rate_setting_is_refused_with_its_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONGVU_API_RATE_USER", "lots")
    with pytest.raises(ImproperlyConfigured, match="CONGVU_API_RATE_USER='lots'"):
        envrate("CONGVU_API_RATE_USER", "300/min")
    for good, expected in (("20/s", "20/s"), ("5000/day", "5000/day"), ("off", None)):
        monkeypatch.setenv("CONGVU_API_RATE_USER", good)
        assert envrate("CONGVU_API_RATE_USER", "300/min") == expected
