from __future__ import annotations

import io
import json
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from congvu.tasks import actions
from congvu.tasks.models import ApiToken, Status, Task, TaskEvent
from congvu.tasks.state import VN_TZ


def token_for(username: str) -> str:
    out = io.StringIO()
    call_command("create_api_token", username, stdout=out)
    return out.getvalue().strip()


@pytest.fixture
def api(org):  # type: ignore[no-untyped-def]
    tokens = {}

    def call(user: str, method: str, path: str, body: dict | None = None):  # type: ignore[no-untyped-def]
        if user not in tokens:
            tokens[user] = token_for(user)
        client = Client(headers={"Authorization": f"Bearer {tokens[user]}"})
        fn = getattr(client, method)
        if method == "get":
            return fn(f"/api/v1{path}")
        return fn(f"/api/v1{path}", data=json.dumps(body or {}), content_type="application/json")

    return call


def today() -> date:
    return timezone.now().astimezone(VN_TZ).date()


def assign_body(org, **kw):  # type: ignore[no-untyped-def]
    body = {
        "title": "Tổng hợp báo cáo quý",
        "lead_unit_id": org.a1.pk,
        "lead_person_id": org.alice.pk,
        "deadline": str(today() + timedelta(days=20)),
        "source_number": "1713/UBND-NCKSTTHC",
    }
    body.update(kw)
    return body


def test_tokens_are_stored_hashed_and_required(org):
    secret = token_for("alice")
    assert not ApiToken.objects.filter(token_hash=secret).exists()
    assert ApiToken.objects.filter(token_hash=ApiToken.hash(secret)).exists()
    r = Client().get("/api/v1/tasks")
    assert r.status_code == 401 and r.json()["code"] == "unauthenticated"
    r = Client(headers={"Authorization": "Bearer sai"}).get("/api/v1/tasks")
    assert r.status_code == 401


def test_it_runs_a_workflow_through_the_api(api, org):
    r = api(
        "gd_a",
        "post",
        "/tasks",
        assign_body(
            org,
            coordinations=[
                {
                    "unit_id": org.b1.pk,
                    "request_text": "Cho ý kiến",
                    "due": str(today() + timedelta(days=5)),
                }
            ],
        ),
    )
    assert r.status_code == 201, r.json()
    task = r.json()
    assert task["status"] == "assigned" and len(task["coordinations"]) == 1
    tid = task["id"]
    r = api("alice", "post", f"/tasks/{tid}/accept", {"version": task["version"]})
    assert r.status_code == 200 and r.json()["status"] == "in_progress"
    r = api("charlie", "post", f"/tasks/{tid}/coordination/2/answer", {"position": "agree"})
    assert r.status_code == 200, r.json()
    r = api("alice", "post", f"/tasks/{tid}/progress", {"percent": 50, "text": "Một nửa"})
    assert r.json()["progress"] == 50
    r = api("alice", "post", f"/tasks/{tid}/submit", {"result": "Báo cáo"})
    r = api("gd_a", "post", f"/tasks/{tid}/approve", {})
    r = api("gd_a", "post", f"/tasks/{tid}/complete", {})
    assert r.status_code == 200 and r.json()["status"] == "completed"
    assert r.json()["timeliness"] == "early"
    events = api("alice", "get", f"/tasks/{tid}/events").json()
    assert [e["type"] for e in events] == [
        "assigned",
        "coordination_requested",
        "accepted",
        "coordination_answered",
        "progress_reported",
        "submitted",
        "approved",
        "completed",
    ]
    assert [t["id"] for t in api("alice", "get", "/tasks").json()] == [tid]
    assert api("charlie", "get", "/tasks").json()[0]["id"] == tid  # via the coordination


@pytest.fixture
def tid(org):  # type: ignore[no-untyped-def]
    t = actions.do_assign(
        assigner=org.gd_a,
        title="X",
        lead_unit=org.a1,
        lead_person=org.alice,
        deadline=today() + timedelta(days=20),
        ad_hoc=True,
    )
    return t.pk


def expect(r, status: int, code: str, field: str | None = None) -> None:  # type: ignore[no-untyped-def]
    body = r.json()
    assert (r.status_code, body["code"]) == (status, code), body
    assert body["message"] and set(body) == {"code", "message", "field"}
    if field is not None:
        assert body["field"] == field


def test_bad_input_gets_a_json_error_and_changes_nothing(api, org, tid):
    before = TaskEvent.objects.count()
    expect(
        api(
            "alice", "post", f"/tasks/{tid}/decline", {"reason": "", "proposed_unit_id": org.a2.pk}
        ),
        400,
        "reason_required",
        "reason",
    )
    expect(
        api(
            "alice",
            "post",
            f"/tasks/{tid}/transfer",
            {
                "to_unit_id": org.a1.pk,
                "to_person_id": org.alice.pk,
                "reason_code": "workload",
                "reason": "Quá tải",
            },
        ),
        400,
        "transfer_to_self",
        "to_person",
    )
    expect(
        api(
            "alice",
            "post",
            f"/tasks/{tid}/transfer",
            {
                "to_unit_id": 99999,
                "to_person_id": org.bob.pk,
                "reason_code": "misrouted",
                "reason": "x",
            },
        ),
        400,
        "unknown_unit",
        "to_unit_id",
    )
    expect(
        api("gd_a", "post", "/tasks", assign_body(org, deadline=str(today() - timedelta(days=1)))),
        400,
        "deadline_before_assignment",
        "deadline",
    )
    expect(
        api("alice", "post", f"/tasks/{tid}/cancel", {"reason": "Không cần"}),
        403,
        "permission_denied",
    )
    expect(api("charlie", "post", f"/tasks/{tid}/accept", {}), 404, "out_of_scope")
    expect(api("charlie", "get", f"/tasks/{tid}"), 404, "out_of_scope")
    expect(api("alice", "post", f"/tasks/{tid}/accept", {"version": 99}), 409, "stale_version")
    expect(
        api("alice", "post", f"/tasks/{tid}/progress", {"percent": "nhiều"}),
        422,
        "invalid",
        "percent",
    )
    assert TaskEvent.objects.count() == before
    assert Task.objects.get(pk=tid).status == Status.ASSIGNED


def test_an_extension_past_the_parents_deadline_is_refused(api, org, tid):
    actions.do_accept(tid, org.tp_a1)
    parent = Task.objects.get(pk=tid)
    r = api(
        "tp_a1",
        "post",
        "/tasks",
        assign_body(
            org,
            parent_id=tid,
            ad_hoc=True,
            source_number="",
            deadline=str(parent.deadline - timedelta(days=3)),
        ),
    )
    assert r.status_code == 201, r.json()
    child = r.json()["id"]
    api("alice", "post", f"/tasks/{child}/accept", {})
    expect(
        api(
            "alice",
            "post",
            f"/tasks/{child}/extension",
            {"new_deadline": str(parent.deadline + timedelta(days=1)), "reason": "Chậm"},
        ),
        400,
        "past_parent_deadline",
        "new_deadline",
    )


def test_openapi_schema_and_docs_are_served_without_a_cdn(org):
    client = Client()
    client.force_login(org.alice.user)
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/tasks/{task_id}/transfer" in schema["paths"]
    page = client.get("/api/v1/docs").content.decode()
    assert "cdn" not in page.lower() and "swagger-ui-bundle.js" in page


def test_session_users_can_read(org, tid):
    client = Client()
    client.force_login(org.alice.user)
    assert client.get(f"/api/v1/tasks/{tid}").json()["id"] == tid


def test_units_are_listed(api, org):
    codes = {u["code"] for u in api("alice", "get", "/units").json()}
    assert {"STC", "STC-NS", "SXD-QH"} <= codes
