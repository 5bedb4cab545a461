from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from congvu.detection.models import DetectionRun, Finding, FindingReview
from congvu.testing import PASSWORD


@pytest.fixture
def as_user(history):
    def client_for(username):
        c = Client()
        assert c.login(username=username, password=PASSWORD)
        return c

    return client_for


def test_a_head_runs_detection_on_demand_and_reads_the_findings(as_user):
    head = as_user("gd_b")
    r = head.post("/api/v1/detection/runs", {"period": "2025-Q3"}, content_type="application/json")
    assert r.status_code == 200, r.content
    assert r.json()["period"] == "2025-Q3" and r.json()["state"] == "done"
    found = head.get("/api/v1/findings?period=2025-Q3").json()
    codes = {f["subject_code"] for f in found}
    assert {"CHARLIE", "SXD-QH"} <= codes
    charlie = next(
        f for f in found if f["subject_code"] == "CHARLIE" and f["detector"] == "ping_pong"
    )
    assert charlie["review_status"] == "open" and charlie["counts"] is False


def test_a_specialist_may_not_run_detection_and_sees_only_findings_about_them(as_user):
    as_user("gd_b").post(
        "/api/v1/detection/runs", {"period": "2025-Q3"}, content_type="application/json"
    )
    alice = as_user("alice")
    r = alice.post("/api/v1/detection/runs", {}, content_type="application/json")
    assert r.status_code == 403 and r.json()["code"] == "permission_denied"
    # Findings about herself and about her own unit's work; none about other people.
    seen = {(f["subject_type"], f["subject_code"]) for f in alice.get("/api/v1/findings").json()}
    assert {code for kind, code in seen if kind == "person"} <= {"ALICE"}
    assert {code for kind, code in seen if kind == "unit"} <= {"STC-NS"}
    other = Finding.objects.get(detector="ping_pong", subject_code="CHARLIE")
    r = alice.get(f"/api/v1/findings/{other.pk}")
    assert r.status_code == 404 and r.json()["code"] == "not_found"


def test_due_process_through_the_api(as_user, settings):
    settings.FINDING_EXPLANATION_DAYS = 5
    as_user("gd_b").post(
        "/api/v1/detection/runs", {"period": "2025-Q3"}, content_type="application/json"
    )
    f = Finding.objects.get(detector="ping_pong", subject_code="CHARLIE")
    charlie = as_user("charlie")
    r = charlie.post(
        f"/api/v1/findings/{f.pk}/explain",
        {"text": "Nhiệm vụ giao nhầm thẩm quyền, đã báo cáo."},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["review_status"] == "explained"
    r = charlie.post(
        f"/api/v1/findings/{f.pk}/decide",
        {"confirm": False, "reason": "Tự quyết định về mình"},
        content_type="application/json",
    )
    assert r.status_code == 403
    r = as_user("gd_b").post(
        f"/api/v1/findings/{f.pk}/decide",
        {"confirm": True, "reason": ""},
        content_type="application/json",
    )
    assert r.status_code == 400 and r.json()["code"] == "reason_required"
    r = as_user("gd_b").post(
        f"/api/v1/findings/{f.pk}/decide",
        {"confirm": True, "reason": "Trả lại 14 lần không có căn cứ."},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["counts"] is True
    assert FindingReview.objects.get(finding=f).appeal_due >= date.today()
    assert DetectionRun.objects.count() == 1
