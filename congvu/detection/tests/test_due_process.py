"""Due process: giải trình → xác nhận / bác bỏ → khiếu nại một lần lên cấp trên."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from congvu.audit import log as audit
from congvu.detection.actions import run_detection
from congvu.detection.models import Finding, FindingReview
from congvu.detection.review import (
    can_see_finding,
    do_appeal,
    do_decide,
    do_decide_appeal,
    do_explain,
)
from congvu.lib.errors import ActionError, ActionPermissionError
from congvu.tasks.state import VN_TZ

OPENED = datetime(2025, 10, 6, 9, 0, tzinfo=VN_TZ)  # Monday


@pytest.fixture
def review(history, settings):
    settings.FINDING_EXPLANATION_DAYS = 5
    settings.FINDING_APPEAL_DAYS = 5
    run_detection("2025-Q3")
    finding = Finding.objects.get(detector="ping_pong", subject_code="CHARLIE")
    r = finding.review
    # Re-date the case so that the test controls the calendar.
    FindingReview.objects.filter(pk=r.pk).update(
        opened_at=OPENED, explanation_due=date(2025, 10, 13)
    )
    r.refresh_from_db()
    return r


def at(day: int, hour: int = 9) -> datetime:
    return datetime(2025, 10, day, hour, 0, tzinfo=VN_TZ)


def test_every_new_finding_opens_a_review_for_its_subject(review, history):
    assert review.explainer == history.charlie
    assert review.reviewer_unit == history.b1  # charlie is a specialist: his unit's leaders decide
    assert review.status == FindingReview.Status.OPEN
    unit_finding = Finding.objects.get(detector="ping_pong", subject_code="SXD-QH")
    # Phòng Quy hoạch has no head of its own: the head of Sở Xây dựng answers for it.
    assert unit_finding.review.explainer == history.gd_b
    assert [e.kind for e in audit.history("finding", review.pk)] == ["opened"]


def test_the_subject_explains_and_the_head_above_dismisses_with_a_reason(review, history):
    evidence = SimpleUploadedFile(
        "cong-van-phan-cong.pdf", b"%PDF-1.4 ...", content_type="application/pdf"
    )
    do_explain(
        review,
        history.charlie,
        text="Nhiệm vụ do UBND tỉnh giao nhầm đơn vị, đã báo cáo lãnh đạo.",
        evidence=evidence,
        at=at(8),
    )
    with pytest.raises(ActionPermissionError):
        do_decide(
            review,
            history.alice,
            confirm=False,
            reason="Không phải việc của tôi quyết định",
            at=at(9),
        )
    r = do_decide(
        review,
        history.gd_b,
        confirm=False,
        reason="Giải trình hợp lý: giao nhầm thẩm quyền.",
        at=at(9),
    )
    assert r.status == FindingReview.Status.DISMISSED and not r.counts
    assert not Finding.objects.confirmed().exists()
    kinds = [e.kind for e in audit.history("finding", review.pk)]
    assert kinds == ["opened", "explained", "dismissed"]
    assert audit.verify() == []


def test_the_head_waits_for_the_explanation_period_unless_the_subject_explained(review, history):
    with pytest.raises(ActionError) as err:
        do_decide(
            review, history.gd_b, confirm=True, reason="Đùn đẩy nhiều lần trong quý", at=at(10)
        )
    assert err.value.code == "explanation_pending"
    r = do_decide(
        review,
        history.gd_b,
        confirm=True,
        reason="Không giải trình trong hạn; đùn đẩy 14 lần.",
        at=at(14),
    )
    assert r.counts and Finding.objects.confirmed().count() == 1


def test_a_late_explanation_is_refused_and_changes_nothing(review, history):
    with pytest.raises(ActionError) as err:
        do_explain(review, history.charlie, text="Tôi giải trình muộn vì đi công tác.", at=at(14))
    assert err.value.code == "explanation_late"
    review.refresh_from_db()
    assert review.status == FindingReview.Status.OPEN and review.explanation == ""


def test_one_appeal_to_the_level_above_within_its_deadline(review, history):
    do_explain(
        review, history.charlie, text="Đơn vị chủ trì chuyển sai nên phải trả lại.", at=at(7)
    )
    r = do_decide(
        review,
        history.gd_b,
        confirm=True,
        reason="Hồ sơ cho thấy trả lại không có căn cứ.",
        at=at(8),
    )
    # gd_b decided as head of Sở Xây dựng: the appeal goes to the level above him.
    assert r.appeal_unit == history.root and r.appeal_due == date(2025, 10, 15)
    with pytest.raises(ActionPermissionError):
        do_appeal(r, history.alice, text="Tôi khiếu nại thay đồng nghiệp.", at=at(9))
    do_appeal(r, history.charlie, text="Đề nghị xem lại vì có văn bản phân công.", at=at(9))
    with pytest.raises(ActionError):
        do_appeal(r, history.charlie, text="Khiếu nại lần thứ hai.", at=at(10))
    with pytest.raises(ActionPermissionError):
        do_decide_appeal(
            r, history.gd_a, uphold=True, reason="Không thuộc thẩm quyền của tôi.", at=at(10)
        )
    with pytest.raises(ActionPermissionError):
        do_decide_appeal(
            r, history.gd_b, uphold=True, reason="Tôi đã quyết định, giữ nguyên.", at=at(10)
        )
    r = do_decide_appeal(
        r,
        history.lanh_dao,
        uphold=False,
        reason="Văn bản phân công chứng minh giao nhầm.",
        at=at(10),
    )
    assert r.status == FindingReview.Status.OVERTURNED and not Finding.objects.confirmed().exists()


def test_an_appeal_after_the_deadline_is_refused(review, history):
    r = do_decide(
        review, history.gd_b, confirm=True, reason="Không giải trình trong hạn quy định.", at=at(14)
    )
    with pytest.raises(ActionError) as err:
        do_appeal(r, history.charlie, text="Khiếu nại khi đã quá hạn.", at=at(27))
    assert err.value.code == "appeal_late"


def test_a_reason_is_mandatory(review, history):
    with pytest.raises(ActionError) as err:
        do_decide(review, history.gd_b, confirm=True, reason="  ", at=at(14))
    assert err.value.code == "reason_required"


def test_wrong_evidence_type_is_refused(review, history):
    exe = SimpleUploadedFile("virus.exe", b"MZ", content_type="application/octet-stream")
    with pytest.raises(ActionError) as err:
        do_explain(
            review,
            history.charlie,
            text="Kèm tệp chứng minh đã xử lý đúng.",
            evidence=exe,
            at=at(8),
        )
    assert err.value.code == "evidence_type"


def test_findings_about_a_person_are_private(review, history):
    finding = review.finding
    assert can_see_finding(history.charlie, finding)
    assert can_see_finding(history.gd_b, finding)
    assert can_see_finding(history.noi_vu, finding)  # HR
    assert not can_see_finding(history.alice, finding)
    assert not can_see_finding(history.thanh_tra, finding)  # inspector scoped to Sở Tài chính


def test_a_confirmation_by_the_top_level_can_still_be_appealed(review, history):
    """Issue #18: when a provincial leader confirms (no level above in the system), the appeal
    was refused ("Không có cấp trên để khiếu nại"). It is now open; the outside level's answer
    is recorded by HR (Sở Nội vụ), never by the leader who confirmed."""
    unit_finding = Finding.objects.get(detector="ping_pong", subject_code="SXD-QH")
    r = unit_finding.review
    assert (r.explainer, r.reviewer_unit) == (history.gd_b, history.root)
    FindingReview.objects.filter(pk=r.pk).update(
        opened_at=OPENED, explanation_due=date(2025, 10, 13)
    )
    do_explain(r, history.gd_b, text="Phòng đã trả lại vì sai thẩm quyền.", at=at(7))
    r = do_decide(
        r, history.lanh_dao, confirm=True, reason="Hồ sơ không chứng minh sai thẩm quyền.", at=at(8)
    )
    assert r.appeal_unit is None and r.appeal_due == date(2025, 10, 15)
    r = do_appeal(r, history.gd_b, text="Đề nghị cấp trên xem xét lại.", at=at(9))
    assert r.status == FindingReview.Status.APPEALED
    with pytest.raises(ActionPermissionError):
        do_decide_appeal(r, history.lanh_dao, uphold=True, reason="Giữ nguyên kết luận.", at=at(10))
    r = do_decide_appeal(
        r,
        history.noi_vu,
        uphold=True,
        reason="Theo văn bản 12/BNV của cấp trên: giữ nguyên kết luận.",
        at=at(10),
    )
    assert r.status == FindingReview.Status.UPHELD


def test_a_finding_about_the_top_units_head_is_not_reviewed_by_his_deputies(review, history):
    """The head of the top unit is not judged by his own deputies (the vice-chairman); the
    competent level is outside the system and HR records its conclusion."""
    from congvu.testing import make_person

    chairman = make_person(
        history, "chu_tich", "Phan Văn Chủ", history.root, role="head", category="can_bo"
    )
    finding = Finding.objects.get(detector="ping_pong", subject_code="CHARLIE")
    Finding.objects.filter(pk=finding.pk).update(
        subject_person=chairman, context_unit=history.root, subject_code="CHU_TICH"
    )
    FindingReview.objects.filter(pk=review.pk).update(
        explainer=chairman, reviewer_unit=history.root
    )
    review.refresh_from_db()
    with pytest.raises(ActionPermissionError):
        do_decide(
            review, history.lanh_dao, confirm=True, reason="Cấp phó xác nhận thay.", at=at(14)
        )
    r = do_decide(
        review,
        history.noi_vu,
        confirm=False,
        reason="Theo kết luận 3/KL của cấp có thẩm quyền: không có căn cứ.",
        at=at(14),
    )
    assert r.status == FindingReview.Status.DISMISSED
