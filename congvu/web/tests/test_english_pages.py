"""An English reader sees no Vietnamese status, event or waiting-state name on the pages of a
busy day, finding reviews included (issue #15: "English leaves statuses, event names … in
Vietnamese")."""

from __future__ import annotations

import re

from congvu.detection.models import FindingReview
from congvu.tasks import actions as A
from congvu.tasks.events import LABELS
from congvu.tasks.models import Status
from congvu.web.tests.tasks_helpers import assign, sent_back
from congvu.web.tests.test_raw_codes import _visible


def _vietnamese_names() -> set[str]:
    return (
        {str(label) for _code, label in Status.choices}
        | {str(v) for v in LABELS.values()}
        | {str(label) for _code, label in FindingReview.Status.choices}
    )


def test_english_pages_of_a_busy_day_show_no_vietnamese_status_or_event_name(
    signed_in, org, finding
):
    task = assign(org, title="Budget review 2027", coordinators=("so_b",))
    A.do_accept(task, org.gd_a)
    A.do_report_progress(task, org.gd_a, percent=40, text="Half way")
    waiting = assign(org, title="Second task")
    names = _vietnamese_names()
    pattern = re.compile("|".join(sorted(map(re.escape, names), key=len, reverse=True)))
    pages = {
        "gd_a": ["/", "/viec/", f"/viec/{task.pk}/", f"/viec/{waiting.pk}/", "/thong-bao/"],
        "lanh_dao": ["/", f"/viec/{task.pk}/", "/toan-tinh/"],
        "gd_b": ["/", "/phat-hien/", f"/phat-hien/{finding.pk}/"],
    }
    found = {}
    for who, urls in pages.items():
        client = signed_in(who)
        client.cookies["django_language"] = "en"
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            text = _visible(response.content.decode())
            assert "Timeline" in text or url != f"/viec/{task.pk}/", url
            hits = set(pattern.findall(text))
            if hits:
                found[f"{who} {url}"] = sorted(hits)
    assert found == {}, found


def test_english_evaluation_pages_show_the_period_state_in_english(signed_in, org):
    from congvu.evaluation import actions as EA
    from congvu.evaluation.models import Evaluation
    from congvu.evaluation.tests.helpers import sheet

    month = EA.do_open_evaluation(org.alice, Evaluation.Kind.MONTH, 2026, 3)
    EA.do_self_assess(month, actor=org.alice, sheet=sheet())
    names = {str(label) for _code, label in Evaluation.Status.choices}
    pattern = re.compile("|".join(sorted(map(re.escape, names), key=len, reverse=True)))
    client = signed_in("alice")
    client.cookies["django_language"] = "en"
    found = {}
    for url in ("/danh-gia/", f"/danh-gia/can-bo/{org.alice.pk}/"):
        response = client.get(url)
        assert response.status_code == 200, url
        hits = set(pattern.findall(_visible(response.content.decode())))
        if hits:
            found[url] = sorted(hits)
    assert found == {}, found


def _choice_labels() -> set[str]:
    """Every Vietnamese choice label the evaluation, appeal, proposal, innovation and staffing
    pages may show, with the general criteria's names kept in the rule set."""
    from congvu.evaluation.defaults import ND335
    from congvu.evaluation.models import (
        Appeal,
        Evaluation,
        InnovationProposal,
        Level,
        ProductIssue,
        Proposal,
    )
    from congvu.staffing.models import Circumstance

    enums = (
        Level,
        Evaluation.Status,
        ProductIssue.Kind,
        Appeal.Status,
        Proposal.Kind,
        Proposal.Status,
        InnovationProposal.Status,
        InnovationProposal.Outcome,
        Circumstance.Kind,
    )
    labels = {str(label) for enum in enums for _code, label in enum.choices}
    return labels | {c["name"] for c in ND335["general_criteria"]}


def test_english_evaluation_appeal_proposal_innovation_and_staffing_pages_show_no_vietnamese_label(
    signed_in, org
):
    from datetime import date

    from congvu.evaluation import actions as EA
    from congvu.evaluation.consequences import generate_period_rewards
    from congvu.evaluation.models import Proposal
    from congvu.evaluation.tests.helpers import scored_month
    from congvu.evaluation.tests.test_innovation_pages import PLAN
    from congvu.staffing.tests.test_staffing import _circumstance, _year_result

    months = [scored_month(org.alice, org.tp_a1, m) for m in (1, 2, 3)]
    assert generate_period_rewards(months, today=date(2026, 4, 10))
    EA.do_file_appeal(months[0], actor=org.alice, reason="Chưa tính sản phẩm tháng 1")
    innovation = EA.do_register_innovation(proposer=org.pgd_a, **PLAN)
    _year_result(org.alice, org.a1, "KHT")
    _circumstance(org, org.alice, "pregnancy", "Giấy xác nhận 12/BV")
    names = _choice_labels()
    pattern = re.compile("|".join(sorted(map(re.escape, names), key=len, reverse=True)))
    # A period's name too: "tháng 1/2026", "năm 2025".
    period = re.compile(r"\b(?:tháng|quý|năm) \d{1,2}/\d{4}|\bQuý \d/\d{4}")
    pages = {
        "alice": [
            "/danh-gia/",
            f"/danh-gia/can-bo/{org.alice.pk}/?ky={months[0].pk}",
            "/danh-gia/kien-nghi/",
        ],
        "noi_vu": [
            "/danh-gia/de-xuat/",
            "/tinh-gian/?nam=2025",
            f"/danh-gia/don-vi/{org.a1.pk}/?nam=2026",
            "/danh-gia/toan-tinh/?nam=2025",
        ],
        "gd_a": ["/sang-kien/", f"/sang-kien/de-xuat/?so={innovation.pk}"],
    }
    found = {}
    for who, urls in pages.items():
        client = signed_in(who)
        client.cookies["django_language"] = "en"
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            text = _visible(response.content.decode())
            # A proposal's summary is free text stored when it was generated (Vietnamese, as
            # the documents quote it): not a label, left out here.
            for summary in Proposal.objects.values_list("summary", flat=True):
                text = text.replace(summary, "")
            hits = set(pattern.findall(text)) | set(period.findall(text))
            if hits:
                found[f"{who} {url}"] = sorted(hits)
    assert found == {}, found


def test_a_document_issued_to_an_english_reader_keeps_the_vietnamese_labels(signed_in, org):
    """Official documents are Vietnamese whatever language the reader browses in."""
    import io

    from django.utils import translation
    from django.utils.translation import gettext
    from openpyxl import load_workbook

    from congvu.evaluation.models import Level
    from congvu.evaluation.tests.helpers import scored_month

    month = scored_month(org.alice, org.tp_a1, 1)
    label = Level(month.final_level).label
    with translation.override("en"):
        english = gettext(label)
    assert english != label
    client = signed_in("alice")
    client.cookies["django_language"] = "en"
    assert english in client.get(f"/danh-gia/can-bo/{org.alice.pk}/?ky={month.pk}").text
    url = f"/danh-gia/can-bo/{org.alice.pk}/tai/xlsx/?ky={month.pk}&loai=thong-bao"
    response = client.get(url)
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    text = " ".join(str(c) for ws in book for row in ws.iter_rows(values_only=True) for c in row)
    # The notice writes the level in capitals ("Xếp loại: HOÀN THÀNH …").
    assert label.upper() in text.upper() and "tháng 1/2026" in text
    assert english.upper() not in text.upper() and "month 1/2026" not in text


def test_english_privacy_notification_and_sign_in_pages_show_no_vietnamese_choice_label(
    signed_in, org, finding, django_user_model
):
    """Data-subject requests (kind, state; the form's list), the register's retention rule,
    a finding's notification and the sign-in log (technical admin) in English. The register's
    policy names and legal grounds are stored text (they quote the laws), not labels."""
    from congvu.ops.models import SignInRecord
    from congvu.privacy import actions as PA
    from congvu.privacy.models import DataCategory, SubjectRequest
    from congvu.web.notifications import FINDING_TEXT

    for kind in SubjectRequest.Kind.values:
        PA.do_file_request(org.alice, kind=kind, text="Yêu cầu")
    first, second, _open = SubjectRequest.objects.order_by("pk")
    PA.do_answer_request(first, org.noi_vu, answer="Đã gửi bản sao")
    PA.do_answer_request(second, org.noi_vu, answer="Không đủ căn cứ", refuse=True)
    enums = (
        SubjectRequest.Kind,
        SubjectRequest.Status,
        DataCategory.Action,
        SignInRecord.Kind,
    )
    names = {str(label) for enum in enums for _code, label in enum.choices}
    names |= set(FINDING_TEXT.values())
    pattern = re.compile("|".join(sorted(map(re.escape, names), key=len, reverse=True)))
    pages = {
        "alice": ["/du-lieu-ca-nhan/"],
        "noi_vu": [
            "/du-lieu-ca-nhan/yeu-cau/",
            "/du-lieu-ca-nhan/so-dang-ky/",
            "/du-lieu-ca-nhan/ho-so-danh-gia-tac-dong/",
        ],
        "gd_b": ["/thong-bao/"],
    }
    found = {}
    seen = ""
    for who, urls in pages.items():
        client = signed_in(who)
        client.cookies["django_language"] = "en"
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            text = _visible(response.content.decode())
            seen += text
            hits = set(pattern.findall(text))
            if hits:
                found[f"{who} {url}"] = sorted(hits)
    admin = django_user_model.objects.create_superuser("quantri_en", password="x")
    client.force_login(admin)
    client.cookies["django_language"] = "en"
    response = client.get("/quan-tri/ops/signinrecord/")
    assert response.status_code == 200
    hits = set(pattern.findall(_visible(response.content.decode())))
    if hits:
        found["admin sign-in log"] = sorted(hits)
    assert found == {}, found
    # What the English reader sees instead.
    for english in ("Answered", "Refused (with reasons)", "Open", "Erase", "Finding to explain"):
        assert english in seen, english
    assert "Signed in" in response.content.decode()


def test_an_appeal_or_proposal_not_accepted_reads_not_accepted_not_the_buttons_reject(
    signed_in, org
):
    """ "Không chấp nhận" is a decision's button ("Reject") and a status ("Not accepted"): the
    status has its own msgctxt."""
    from datetime import date

    from congvu.evaluation import actions as EA
    from congvu.evaluation.consequences import generate_period_rewards
    from congvu.evaluation.models import Appeal, Proposal
    from congvu.evaluation.tests.helpers import scored_month
    from congvu.testing import make_person

    months = [scored_month(org.alice, org.tp_a1, m) for m in (1, 2, 3)]
    reward = generate_period_rewards(months, today=date(2026, 4, 10))[0]
    EA.do_decide_proposal(reward, actor=org.gd_a, accept=False, note="Chưa đủ thành tích")
    appeal = EA.do_file_appeal(months[0], actor=org.alice, reason="Chưa tính sản phẩm tháng 1")
    # The level above the director who decided: the provincial committee's chairman.
    chairman = make_person(org, "chu_tich", "Phan Văn Chủ", org.root, role="head")
    EA.do_resolve_appeal(appeal, actor=chairman, upheld=False, resolution="Giữ nguyên")
    assert Appeal.objects.get().status == Proposal.objects.get(pk=reward.pk).status == "rejected"
    pages = {"alice": "/danh-gia/kien-nghi/", "noi_vu": "/danh-gia/de-xuat/"}
    for who, url in pages.items():
        client = signed_in(who)
        client.cookies["django_language"] = "en"
        response = client.get(url)
        assert response.status_code == 200, url
        text = _visible(response.content.decode())
        assert "Not accepted" in text, url
        assert "Không chấp nhận" not in text, url
    # Vietnamese readers see the status unchanged.
    client.cookies["django_language"] = "vi"
    assert "Không chấp nhận" in _visible(client.get("/danh-gia/de-xuat/").content.decode())


def test_the_english_hand_over_table_heads_its_column_returns_not_the_steps_return(signed_in, org):
    """ "Trả lại" is a task's step ("Return") and the hand-over table's column ("Returns")."""
    sent_back(org, title="Sent back")
    client = signed_in("lanh_dao")
    client.cookies["django_language"] = "en"
    page = client.get("/toan-tinh/").content.decode()
    headers = re.findall(r'<th scope="col"[^>]*>([^<]*)</th>', page)
    assert "Returns" in headers and "Return" not in headers, headers


def test_an_english_readers_finding_page_names_the_detectors_and_peers_in_english(
    signed_in, finding
):
    from congvu_analytics.detect import DETECTOR_LABELS

    client = signed_in("gd_b")
    client.cookies["django_language"] = "en"
    text = _visible(client.get(f"/phat-hien/{finding.pk}/").content.decode())
    assert "Passed on, then sent back (A→B→A)" in text
    left = [label for label in DETECTOR_LABELS.values() if label in text]
    assert left == []
    assert finding.peer_group
    # The peer group's words (a position and a tier, or the general group) are English too.
    assert not re.search(r"cấp (sở|phòng|xã)|nhóm chung|mọi đơn vị|chuyên viên|lãnh đạo", text)
    vietnamese = signed_in("gd_b")
    page = _visible(vietnamese.get(f"/phat-hien/{finding.pk}/").content.decode())
    assert DETECTOR_LABELS["ping_pong"] in page
