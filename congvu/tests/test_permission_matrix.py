"""The permission matrix: every endpoint × every role × an object in and out of scope.

Rules live in congvu/tests/permission_rules.py. Endpoints are discovered from the URL
resolver and the API's OpenAPI schema: an endpoint without a rule fails
`test_every_endpoint_has_a_rule`.
"""

from __future__ import annotations

import functools
import re
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import transaction
from django.test import Client

from congvu.tests import permission_rules as R
from congvu.tests.permission_matrix import (
    API_PREFIX,
    admin_routes,
    api_operations,
    build_world,
    call,
    classify,
    fill,
    web_endpoints,
)

SCOPED = re.compile(r"task_id|unit_id|person_id|finding_id")


class _Rollback(Exception):
    pass


def _token(username: str) -> str:
    import secrets

    from congvu.tasks.models import ApiToken

    secret = secrets.token_urlsafe(24)
    ApiToken.objects.create(
        user=User.objects.get(username=username),
        name="matrix",
        prefix=secret[:8],
        token_hash=ApiToken.hash(secret),
    )
    return secret


def _sign_in(client: Client, actor: str, tokens: dict[str, str]) -> dict[str, str]:
    """Sign the one client in as the actor; the headers an API call carries."""
    username = R.ACTORS[actor]
    client.logout()
    if username is None:
        return {}
    client.force_login(User.objects.get(username=username))
    if username not in tokens:
        tokens[username] = _token(username)
    return {"Authorization": f"Bearer {tokens[username]}"}


def observe(world: Any, key: str, method: str, route: str, api: bool) -> dict[str, tuple[str, str]]:
    """Call the endpoint as every actor on each object; each call rolled back on its own.

    One test client serves every call (building a client's handler is the slow part).
    """
    scopes = ("in", "out") if SCOPED.search(route) else ("-",)
    client, tokens = Client(), {}  # type: ignore[var-annotated]
    seen: dict[str, dict[str, str]] = {}
    for actor in R.ACTORS:
        headers = _sign_in(client, actor, tokens)
        for scope in scopes:
            path = fill(route, world.ids(scope))
            path = (API_PREFIX + path) if api else "/" + path
            body = R.body_for(key, method, world, scope)
            try:
                with transaction.atomic():
                    if key == "POST /tasks/import":
                        status, location = _import(client, headers)
                    else:
                        status, location = call(
                            client, method, path, body, api=api, headers=headers if api else {}
                        )
                    raise _Rollback
            except _Rollback:
                pass
            seen.setdefault(actor, {})[scope] = classify(status, location)
    return {a: (s.get("in", s.get("-", "")), s.get("out", s.get("-", ""))) for a, s in seen.items()}


def _import(client: Client, headers: dict[str, str]) -> tuple[int, str]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    csv = "Số ký hiệu,Trích yếu,Đơn vị chủ trì,Người chủ trì,Hạn xử lý\n12/UBND,Rà soát,STC-NS,ALICE,10\n"
    upload = SimpleUploadedFile("viec.csv", csv.encode(), content_type="text/csv")
    r = client.post(
        f"{API_PREFIX}/tasks/import", {"file": upload, "dry_run": "true"}, headers=headers
    )
    return r.status_code, r.headers.get("Location", "")


@functools.cache
def _routes() -> dict[str, tuple[str, bool]]:
    out = {k: (v, False) for k, v in web_endpoints().items()}
    out.update({k: (v, True) for k, v in api_operations().items()})
    return out


RULES = R.rows()


def test_every_endpoint_has_a_rule() -> None:
    endpoints = set(_routes())
    ruled = {key for key, _m, _a in RULES}
    assert endpoints - ruled == set(), "endpoints without a permission rule"
    assert ruled - endpoints == set(), "rules for endpoints that no longer exist"
    api_keys = set(api_operations())
    for key, method, _answers in RULES:
        if key in api_keys:
            assert key.split()[0] == method, f"{key}: method column says {method}"
    assert admin_routes() == ["quan-tri/"], "admin mounted elsewhere: extend ADMIN_RULE"


@pytest.mark.parametrize(("key", "method"), [(k, m) for k, m, _a in RULES])
def test_permission_row(org: Any, key: str, method: str) -> None:
    routes = _routes()
    if key not in routes:
        pytest.fail(f"no endpoint {key} (see test_every_endpoint_has_a_rule)")
    route, api = routes[key]
    expected = dict(next(a for k, m, a in RULES if (k, m) == (key, method)))
    world = build_world(org)
    seen = observe(world, key, method, route, api)
    wrong = {a: (expected[a], seen[a]) for a in R.ACTORS if expected[a] != seen[a]}
    assert not wrong, f"{method} {key}: actor: (rule, observed) {wrong}"


def test_the_admin_site_is_staff_only(org: Any) -> None:
    client, tokens = Client(), {}  # type: ignore[var-annotated]
    for actor in R.ACTORS:
        _sign_in(client, actor, tokens)
        status, location = call(client, "GET", "/quan-tri/", None, api=False)
        assert classify(status, location) == "login", actor
    boss = User.objects.create_superuser("sieu_quan_tri", "", "x-2026-ma-khoa")
    client = Client()
    client.force_login(boss)
    assert client.get("/quan-tri/").status_code == 200
