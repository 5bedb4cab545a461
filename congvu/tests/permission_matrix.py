"""Machinery of the permission matrix: discover every endpoint, build its request, classify the answer.

The rule table itself is congvu/tests/permission_rules.py; the test is test_permission_matrix.py.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

API_PREFIX = "/api/v1"


# --- discovery ---------------------------------------------------------------------------------


def web_endpoints() -> dict[str, str]:
    """Every named non-API, non-admin URL: "namespace:name" → route (as in urls.py)."""
    found: dict[str, str] = {}

    def walk(patterns: list[Any], prefix: str, namespace: str | None) -> None:
        for p in patterns:
            route = prefix + str(p.pattern)
            if route.startswith(("quan-tri/", "api/", "^api/")):
                # The admin has one rule; the API is discovered from its schema (its JSON 404
                # for other addresses is tested in test_api_errors.py).
                continue
            if isinstance(p, URLResolver):
                walk(p.url_patterns, route, p.namespace or namespace)
            elif isinstance(p, URLPattern):
                key = f"{namespace}:{p.name}" if namespace else str(p.name)
                found[key] = route

    walk(get_resolver().url_patterns, "", None)
    return found


def api_operations() -> dict[str, str]:
    """Every operation of the ninja API: "METHOD /path" (OpenAPI path) → path."""
    from congvu.tasks.api import api

    schema = api.get_openapi_schema()
    out: dict[str, str] = {}
    for path, ops in schema["paths"].items():
        short = path.removeprefix(API_PREFIX)
        for method in ops:
            out[f"{method.upper()} {short}"] = short
    return out


def admin_routes() -> list[str]:
    """Top-level routes under the admin prefix (all covered by the one staff-only rule)."""
    return [
        str(p.pattern)
        for p in get_resolver().url_patterns
        if str(p.pattern).startswith("quan-tri/")
    ]


# --- the world the matrix runs in --------------------------------------------------------------


@dataclass
class World:
    """In-scope objects live in Sở Tài chính, out-of-scope ones in UBND xã Hòa Bình."""

    org: Any
    task: dict[str, Any]
    unit: dict[str, Any]
    person: dict[str, Any]
    finding: dict[str, Any]

    def ids(self, scope: str) -> dict[str, Any]:
        s = scope if scope in ("in", "out") else "in"
        return {
            "task_id": self.task[s].pk,
            "unit_id": self.unit[s].pk,
            "person_id": self.person[s].pk,
            "finding_id": self.finding[s].pk,
            "request_seq": 2,
            "attachment_id": 0,  # no such attachment: the download answers 404 to everyone
            "delegation_id": 0,  # no such delegation: 404 to everyone (test_delegation_pages.py)
            "directive_id": 0,  # no such directive: 404 to everyone (test_directive_pages.py)
            "indicator_id": 0,  # no such indicator: 404 to everyone (indicators/tests)
            "uidb64": "MQ",  # a set-password link that was never made: refused to everyone
            "token": "not-a-token",
            "day": "2026-12-31",
            "fmt": "csv",
        }


def build_world(org: Any) -> World:
    from congvu.org.models import today
    from congvu.tasks import actions as A

    due = today() + timedelta(days=10)
    task_in = A.do_assign(
        assigner=org.gd_a,
        title="Rà soát thủ tục hành chính",
        lead_unit=org.a1,
        lead_person=org.alice,
        working_days=10,
        source_number="1713/UBND-NCKSTTHC",
        coordinations=[A.CoordinationSpec(org.a2, "Cho ý kiến về dự thảo", due)],
    )
    task_out = A.do_assign(
        assigner=org.lanh_dao,
        title="Báo cáo tình hình giải ngân",
        lead_unit=org.xa,
        lead_person=org.ct_xa,
        working_days=10,
        source_number="88/UBND-KT",
    )
    return World(
        org=org,
        task={"in": task_in, "out": task_out},
        unit={"in": org.a1, "out": org.xa},
        person={"in": org.alice, "out": org.ct_xa},
        finding={
            "in": _finding(org.alice, org.a1, "in"),
            "out": _finding(org.ct_xa, org.xa, "out"),
        },
    )


def _finding(person: Any, unit: Any, tag: str) -> Any:
    """A person finding under review (the evaluation privacy rule decides who sees it)."""
    from datetime import date

    from django.utils import timezone

    from congvu.detection.models import DetectionRun, Finding
    from congvu.detection.review import open_review

    now = timezone.now()
    run = DetectionRun.objects.create(
        period="2026-Q1",
        period_start=date(2026, 1, 1),
        period_end=date(2026, 3, 31),
        state=DetectionRun.State.DONE,
        started_at=now,
    )
    finding = Finding.objects.create(
        key=f"matrix-{tag}",
        detector="ping_pong",
        behaviour=Finding.Behaviour.BUCK_PASSING,
        subject_type=Finding.SubjectType.PERSON,
        subject_code=person.code,
        subject_person=person,
        context_unit=unit,
        period="2026-Q1",
        period_start=date(2026, 1, 1),
        period_end=date(2026, 3, 31),
        strength=0.8,
        sample=12,
        sentence="Chuyển trả nhiều lần giữa hai đơn vị.",
        engine_finding_id=f"e-{tag}",
        first_run=run,
        last_run=run,
        first_seen_at=now,
        updated_at=now,
    )
    open_review(finding)
    return finding


def fill(route: str, values: dict[str, Any]) -> str:
    """A Django route or an OpenAPI path with its parameters replaced."""
    import re

    def sub(m: re.Match[str]) -> str:
        name = m.group(1).split(":")[-1]
        return str(values[name])

    path = re.sub(r"<([^>]+)>", sub, route)
    return re.sub(r"\{([^}]+)\}", sub, path)


# --- classification ----------------------------------------------------------------------------

OK, REFUSED, DENIED, HIDDEN, LOGIN = "ok", "refused", "403", "404", "login"


def classify(status: int, location: str = "") -> str:
    """ok: served (2xx/3xx); refused: passed the permission layer, the workflow or form said no
    (400/409/422); 403; 404; login: 401 or a redirect to a sign-in page."""
    if status >= 500:
        raise AssertionError(f"server error {status}")
    if status == 401 or (
        status in (301, 302) and ("/dang-nhap/" in location or "/quan-tri/login/" in location)
    ):
        return LOGIN
    if status < 400:
        return OK
    if status == 403:
        return DENIED
    if status == 404:
        return HIDDEN
    if status in (400, 405, 409, 422):
        return REFUSED
    raise AssertionError(f"unexpected status {status}")


def call(
    client: Client,
    method: str,
    path: str,
    body: dict[str, Any] | None,
    *,
    api: bool,
    headers: dict[str, str] | None = None,
) -> tuple[int, str]:
    if method == "GET":
        r = client.get(path, body or {}, headers=headers)
    elif api:
        r = client.generic(
            method, path, json.dumps(body or {}), content_type="application/json", headers=headers
        )
    else:
        r = client.post(path, body or {}, headers=headers)
    return r.status_code, r.headers.get("Location", "")


def cells(actors: list[str], scopes: tuple[str, ...]) -> Iterator[tuple[str, str]]:
    for actor in actors:
        for scope in scopes:
            yield actor, scope
