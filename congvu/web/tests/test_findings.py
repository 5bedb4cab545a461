from __future__ import annotations

import dataclasses

import pytest

from congvu.tasks import actions as A
from congvu.web.tests.tasks_helpers import assign


@pytest.fixture
def finding(org):  # type: ignore[no-untyped-def]
    """A ping-pong finding about Sở Xây dựng's director, who sent back work that was theirs
    (one task: thresholds relaxed for the test)."""
    from congvu.detection.actions import default_params, run_detection
    from congvu.detection.models import Finding

    task = assign(org)
    A.do_accept(task, org.gd_a)
    A.do_transfer(
        task,
        org.gd_a,
        to_unit=org.so_b,
        to_person=org.gd_b,
        reason_code="competence",
        reason="Thuộc Sở Xây dựng",
    )
    A.do_return(task, org.gd_b, reason="Sở Tài chính chủ trì")
    # It was Sở Xây dựng's work after all: sent again, accepted there (gd_b bounced it).
    A.do_transfer(
        task,
        org.gd_a,
        to_unit=org.so_b,
        to_person=org.gd_b,
        reason_code="competence",
        reason="Đúng chức năng của Sở Xây dựng",
    )
    A.do_accept(task, org.gd_b)
    relaxed = dataclasses.replace(
        default_params(), min_cases=1, min_hits=1, z=0.0, min_ratio=0.0, min_excess=0.0, fdr=1.0
    )
    run_detection(params=relaxed, force=True)
    return Finding.objects.get(detector="ping_pong", subject_type="person")


def test_the_person_sees_the_finding_with_its_evidence_and_may_explain(signed_in, org, finding):
    client = signed_in("gd_b")
    assert "Phát hiện cần tôi giải trình" in client.get("/").content.decode()
    body = client.get(f"/phat-hien/{finding.pk}/").content.decode()
    assert "Đặng Quốc Bảo" in body and "Sở Tài chính chủ trì" in body  # the evidence event's reason
    assert 'id="step-explain"' in body
    response = client.post(
        f"/phat-hien/{finding.pk}/thao-tac/", {"step": "explain", "text": "ngắn"}
    )
    assert response.status_code == 400 and "ít nhất 10 ký tự" in response.content.decode()
    response = client.post(
        f"/phat-hien/{finding.pk}/thao-tac/",
        {"step": "explain", "text": "Văn bản giao ghi rõ Sở Tài chính chủ trì."},
    )
    assert response.status_code == 302
    finding.review.refresh_from_db()
    assert finding.review.status == "explained"


def test_a_finding_is_hidden_from_people_outside_its_privacy_scope(signed_in, org, finding):
    assert signed_in("alice").get(f"/phat-hien/{finding.pk}/").status_code == 404
    assert signed_in("gd_a").get(f"/phat-hien/{finding.pk}/").status_code == 404
    assert (
        signed_in("thanh_tra").get(f"/phat-hien/{finding.pk}/").status_code == 404
    )  # scope: Sở Tài chính
    assert signed_in("noi_vu").get(f"/phat-hien/{finding.pk}/").status_code == 200


def test_the_reviewer_decides_after_the_explanation(signed_in, org, finding):
    from congvu.detection import review as R

    R.do_explain(finding.review, org.gd_b, text="Văn bản giao ghi rõ Sở Tài chính chủ trì.")
    reviewer = finding.review.reviewer_unit
    assert reviewer == org.root  # gd_b heads Sở Xây dựng: the level above reviews
    client = signed_in("lanh_dao")
    body = client.get(f"/phat-hien/{finding.pk}/").content.decode()
    assert 'id="step-decide"' in body
    response = client.post(
        f"/phat-hien/{finding.pk}/thao-tac/",
        {"step": "decide", "confirm": "0", "reason": "Trả lại đúng theo văn bản giao."},
    )
    assert response.status_code == 302
    finding.review.refresh_from_db()
    assert finding.review.status == "dismissed"


def test_the_finding_page_shows_the_combined_evidence_and_the_peer_group(signed_in, org, finding):
    assert finding.components and finding.components[0]["detector"] == "ping_pong"
    body = signed_in("gd_b").get(f"/phat-hien/{finding.pk}/").content.decode()
    assert "Các dấu hiệu được tổng hợp" in body
    assert "Chuyển qua rồi bị trả lại (A→B→A)" in body  # the detector, in words
    assert "Điểm tổng hợp" in body and "Nhóm so sánh" in body
