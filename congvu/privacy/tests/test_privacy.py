"""Personal data by design: the access log, subject requests, retention that keeps seals valid."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.test import Client

from congvu.audit import log as eventlog
from congvu.audit.models import AuditEvent as EvaluationEvent
from congvu.detection import review as R
from congvu.evaluation.actions import do_open_evaluation
from congvu.evaluation.models import Evaluation
from congvu.lib.errors import ActionPermissionError
from congvu.privacy import access, actions
from congvu.privacy.models import AccessEntry, SubjectRequest
from congvu.privacy.retention import apply_retention
from congvu.privacy.tests.factories import finding_about_alice
from congvu.testing import PASSWORD

pytestmark = pytest.mark.django_db


def _client(key: str) -> Client:
    c = Client()
    assert c.login(username=key, password=PASSWORD)
    return c


def test_viewing_a_finding_writes_a_sealed_access_entry_naming_viewer_and_subject(org) -> None:
    finding, _ = finding_about_alice(org)
    response = _client("tp_a1").get(f"/phat-hien/{finding.pk}/")
    assert response.status_code == 200
    entry = AccessEntry.objects.get()
    assert (entry.kind, entry.object_id) == ("finding", finding.pk)
    assert (entry.viewer, entry.subject) == (org.tp_a1, org.alice)
    assert entry.subject_digest == access.person_digest(org.alice.pk)
    assert access.verify() == []


def test_a_refused_view_is_not_logged(org) -> None:
    finding, _ = finding_about_alice(org)
    assert _client("charlie").get(f"/phat-hien/{finding.pk}/").status_code == 404
    assert not AccessEntry.objects.exists()


def test_viewing_an_evaluation_page_is_logged_with_the_person_as_subject(org) -> None:
    do_open_evaluation(org.alice, Evaluation.Kind.MONTH, 2026, 3)
    response = _client("tp_a1").get(f"/danh-gia/can-bo/{org.alice.pk}/")
    assert response.status_code == 200
    entry = AccessEntry.objects.get()
    assert (entry.kind, entry.subject, entry.viewer) == ("evaluation", org.alice, org.tp_a1)


def test_a_changed_viewer_in_the_access_log_is_caught(org) -> None:
    finding, _ = finding_about_alice(org)
    access.record(org.tp_a1, "finding", finding.pk)
    AccessEntry.objects.update(viewer=org.bob)
    problems = access.verify()
    assert [p.problem for p in problems] == ["người xem không khớp với dấu băm đã niêm phong"]


def test_erasure_past_retention_leaves_every_log_verifiable(org) -> None:
    finding, review = finding_about_alice(org)
    R.do_explain(review, org.alice, text="Tôi nghỉ ốm hai tuần, có giấy của bệnh viện.")
    R.do_decide(review, org.tp_a1, confirm=False, reason="Có lý do chính đáng: nghỉ ốm.")
    access.record(org.tp_a1, "explanation", finding.pk)
    # The sealed log never held the explanation: only its keyed hash.
    explained = EvaluationEvent.objects.get(subject="finding", kind="explained")
    assert "text" not in explained.payload
    assert explained.payload["chars"] == len("Tôi nghỉ ốm hai tuần, có giấy của bệnh viện.")

    done = apply_retention(date.today() + timedelta(days=800))

    assert done["finding_explanations"] == 1
    assert done["access_identities"] == 1
    review.refresh_from_db()
    assert review.explanation == ""
    assert review.status == review.Status.DISMISSED  # the decision itself stays
    entry = AccessEntry.objects.get()
    assert entry.viewer is None and entry.subject is None and entry.erased_at is not None
    assert access.verify() == []
    assert eventlog.verify() == []
    call_command("verify_log", "--no-cache-check")  # raises CommandError on a broken log


def test_retention_keeps_what_is_still_within_its_period(org) -> None:
    finding, _ = finding_about_alice(org)
    access.record(org.tp_a1, "finding", finding.pk)
    done = apply_retention(date.today() + timedelta(days=10))
    assert done["access_identities"] == 0
    assert AccessEntry.objects.get().viewer == org.tp_a1


def test_a_subject_access_request_is_answered_in_time_with_the_persons_data(org) -> None:
    finding, _ = finding_about_alice(org)
    access.record(org.tp_a1, "finding", finding.pk)
    filed = date(2026, 3, 2)  # Monday
    r = actions.do_file_request(
        org.alice, kind="access", text="Xin bản sao dữ liệu về tôi.", on=filed
    )
    assert r.policy.code == "privacy_law91_2025"
    assert r.due_on == date(2026, 3, 16)  # 10 working days after the day of receipt
    answered = actions.do_answer_request(
        r, org.noi_vu, answer="Gửi kèm dữ liệu.", on=date(2026, 3, 13)
    )
    assert answered.status == SubjectRequest.Status.ANSWERED
    assert answered.answered_in_time is True
    data = answered.answer_data
    assert data["ca_nhan"]["ho_ten"] == org.alice.full_name
    assert [f["noi_dung"] for f in data["phat_hien"]] == [finding.sentence]
    assert [v["nguoi_xem"] for v in data["luot_xem"]] == [org.tp_a1.full_name]
    assert [e.kind for e in eventlog.history("privacy_request", r.pk)] == ["filed", "answered"]


def test_a_request_filed_under_the_old_decree_keeps_its_deadline(org) -> None:
    r = actions.do_file_request(
        org.alice, kind="correction", text="Sửa ngày sinh.", on=date(2025, 6, 2)
    )
    assert r.policy.code == "privacy_nd13_2023"
    assert r.due_on == date(2025, 6, 5)


def test_only_hr_in_scope_answers_a_request(org) -> None:
    r = actions.do_file_request(org.alice, kind="objection", text="Phản đối.", on=date(2026, 3, 2))
    with pytest.raises(ActionPermissionError):
        actions.do_answer_request(r, org.tp_a1, answer="Không.")
    with pytest.raises(ActionPermissionError):
        actions.do_answer_request(r, org.alice, answer="Tự trả lời.")
