"""Every workflow step is defined once (congvu.tasks.steps), and both the task page and the
API can take it: the page has its form, the API its endpoint, and each carries the step's
inputs. Issue #14: the API could not reject a pause, which the page could."""

from __future__ import annotations

from django.urls import reverse

from congvu.tasks import actions
from congvu.tasks.api import api as ninja_api
from congvu.tasks.models import TaskEvent
from congvu.tasks.steps import STEPS
from congvu.tasks.tests.test_api import api, assign_body  # noqa: F401 - the fixture
from congvu.web.task_actions import BY_KEY as WEB


def _api_payloads() -> dict[str, set[str]]:
    """OpenAPI path → the payload's field names, for every workflow endpoint."""
    schema = ninja_api.get_openapi_schema()
    out = {}
    for path, ops in schema["paths"].items():
        body = ops.get("post", {}).get("requestBody")
        if body is None or "application/json" not in body["content"]:
            continue
        ref = body["content"]["application/json"]["schema"]["$ref"].split("/")[-1]
        out[path] = set(schema["components"]["schemas"][ref]["properties"])
    return out


def test_every_step_can_be_taken_on_the_page_and_through_the_api(db):
    payloads = _api_payloads()
    prefix = reverse("api-v1:api-root")
    for step in STEPS:
        spec = WEB[step.key]
        fields = set(spec.form.base_fields)
        api_path = f"{prefix}tasks/{{task_id}}/" + step.path.replace("{int:", "{")
        assert api_path in payloads, f"{step.key}: no API endpoint {api_path}"
        assert "version" in fields and "version" in payloads[api_path], step.key
        for i in step.inputs:
            if i.kind != "seq":
                assert i.api_name in payloads[api_path], f"{step.key}: API lacks {i.api_name}"
            if i.web:
                assert i.name in fields, f"{step.key}: the page's form lacks {i.name}"
        assert spec.label == step.label and spec.per_request == step.per_request


def test_the_api_can_reject_the_reason_of_a_pause(org, api):  # noqa: F811
    tid = api("gd_a", "post", "/tasks", assign_body(org)).json()["id"]
    actions.do_accept(tid, org.alice)
    paused = api(
        "alice",
        "post",
        f"/tasks/{tid}/pause",
        {"reason_code": "external", "reason": "Chờ kết quả khảo sát của tư vấn"},
    )
    assert paused.status_code == 200, paused.json()
    without_reason = api("gd_a", "post", f"/tasks/{tid}/pause/review", {"acknowledged": False})
    assert without_reason.status_code == 400
    assert without_reason.json()["code"] == "reason_required"
    refused = api(
        "gd_a",
        "post",
        f"/tasks/{tid}/pause/review",
        {"acknowledged": False, "text": "Không phải lý do khách quan, tiếp tục thực hiện."},
    )
    assert refused.status_code == 200, refused.json()
    review = TaskEvent.objects.filter(task_id=tid).order_by("-seq").first()
    assert review is not None and review.payload.get("acknowledged") is False


def test_a_step_with_plain_inputs_gets_its_page_form_from_the_definition():
    from congvu.tasks.steps import Input, Step
    from congvu.web.task_actions import HAND_WRITTEN, form_for

    step = Step(
        "note",
        "Ghi chú",
        "note",
        "Ghi chú",
        (),
        (
            Input("text", label="Nội dung", mandatory=True),
            Input("percent", "int", bounds=(0, 100)),
            Input("to_unit", "unit", required=True),
        ),
        lambda t, p, d, v: None,
    )
    form = form_for(step)({"version": 3, "percent": 101})
    assert not form.is_valid()
    assert set(form.errors) == {"text", "percent", "to_unit"}
    assert set(form_for(step).base_fields) == {"version", "text", "percent", "to_unit"}
    # Only steps with an input that is not plain have a form written by hand.
    assert set(HAND_WRITTEN) == {"review_pause", "answer_coordination"}
