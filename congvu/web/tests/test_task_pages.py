from __future__ import annotations

import pytest

from congvu.tasks import actions as A
from congvu.tasks.models import Status, Task, TaskEvent
from congvu.web.tests.tasks_helpers import assign


def test_the_task_page_shows_the_timeline_and_the_leads_actions(signed_in, org):
    task = assign(org, coordinators=("so_b",))
    body = signed_in("gd_a").get(f"/viec/{task.pk}/").content.decode()
    assert "Rà soát thủ tục hành chính" in body and "1713/UBND-NCKSTTHC" in body
    assert "Giao việc" in body and "Nguyễn Văn Lãnh" in body  # the ASSIGNED event and its actor
    assert 'value="accept"' in body and 'value="decline"' in body
    assert 'value="approve"' not in body
    assert "Sở Xây dựng" in body  # the coordinating unit


def test_a_task_outside_ones_scope_is_not_found(signed_in, org):
    task = assign(org)
    assert signed_in("charlie").get(f"/viec/{task.pk}/").status_code == 404
    assert (
        signed_in("charlie")
        .post(f"/viec/{task.pk}/thao-tac/", {"action": "accept", "version": task.version})
        .status_code
        == 404
    )


def test_accepting_twice_appends_one_event(signed_in, org):
    task = assign(org)
    client = signed_in("gd_a")
    form = {"action": "accept", "version": task.version}
    assert client.post(f"/viec/{task.pk}/thao-tac/", form).status_code == 302
    second = client.post(f"/viec/{task.pk}/thao-tac/", form)
    assert second.status_code == 302
    assert TaskEvent.objects.filter(task=task).count() == 2
    task.refresh_from_db()
    assert task.status == Status.IN_PROGRESS
    assert "bấm gửi hai lần" in client.get(second["Location"]).content.decode()


def test_declining_needs_a_reason_and_keeps_what_was_typed(signed_in, org):
    task = assign(org)
    client = signed_in("gd_a")
    response = client.post(
        f"/viec/{task.pk}/thao-tac/",
        {"action": "decline", "version": task.version, "reason": "", "proposed_unit": org.so_b.pk},
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "Trường này là bắt buộc." in body
    assert f'value="{org.so_b.pk}"' in body
    assert TaskEvent.objects.filter(task=task).count() == 1


def test_an_action_refused_by_the_workflow_shows_its_vietnamese_message(signed_in, org):
    task = assign(org)
    A.do_accept(task, org.gd_a)
    task.refresh_from_db()
    response = signed_in("gd_a").post(
        f"/viec/{task.pk}/thao-tac/",
        {
            "action": "transfer",
            "version": task.version,
            "to_unit": org.so_a.pk,
            "to_person": org.gd_a.pk,
            "reason_code": "other",
            "reason": "x",
        },
    )
    assert response.status_code == 400
    assert "Không thể chuyển nhiệm vụ cho chính mình." in response.content.decode()


def test_the_assign_form_creates_a_task_once(signed_in, org):
    client = signed_in("lanh_dao")
    page = client.get("/viec/giao/").content.decode()
    import re

    idem = re.search(r'name="idem" value="([^"]+)"', page).group(1)
    form = {
        "idem": idem,
        "title": "Báo cáo tình hình giải ngân",
        "priority": 2,
        "source_number": "25/UBND-KT",
        "lead_unit": org.so_a.pk,
        "lead_person": org.gd_a.pk,
        "coordinators": [org.so_b.pk],
        "coord_text": "Cung cấp số liệu",
        "coord_days": 3,
        "deadline_mode": "days",
        "working_days": 5,
    }
    first = client.post("/viec/giao/", form)
    second = client.post("/viec/giao/", form)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Task.objects.count() == 1
    assert Task.objects.get().coordinations.count() == 1


def test_the_assign_form_shows_errors_in_vietnamese(signed_in, org):
    response = signed_in("lanh_dao").post(
        "/viec/giao/", {"idem": "x", "title": "", "deadline_mode": "days", "priority": 2}
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "Trường này là bắt buộc." in body


def test_a_specialist_cannot_assign(signed_in, org):
    assert signed_in("alice").get("/viec/giao/").status_code == 403


def test_the_deadline_preview_counts_working_days(signed_in, org):
    body = (
        signed_in("lanh_dao")
        .get("/viec/han/?working_days=3", headers={"HX-Request": "true"})
        .content.decode()
    )
    assert "Hạn xử lý" in body and "3 ngày làm việc" in body


def test_the_inbox_lists_tasks_to_accept_and_coordination_requests(signed_in, org):
    assign(org, title="Nhiệm vụ A", coordinators=("so_b",))
    body = signed_in("gd_a").get("/").content.decode()
    assert "Nhiệm vụ A" in body
    body = signed_in("gd_b").get("/").content.decode()
    assert "Đề nghị phối hợp cần trả lời" in body and "Nhiệm vụ A" in body


def test_notifications_tell_of_a_new_task_until_read(signed_in, org):
    assign(org, title="Nhiệm vụ B")
    client = signed_in("gd_a")
    assert 'class="badge">1<' in client.get("/").content.decode()
    assert "Nhiệm vụ mới: Nhiệm vụ B" in client.get("/thong-bao/").content.decode()
    client.post("/thong-bao/")
    assert 'class="badge"' not in client.get("/").content.decode()


def test_search_finds_a_task_without_diacritics(signed_in, org):
    assign(org, title="Xử lý tình trạng né tránh, đùn đẩy")
    body = signed_in("gd_a").get("/tim-kiem/?q=ne tranh&loai=task").content.decode()
    assert "né tránh" in body
    assert (
        "né tránh"
        not in signed_in("charlie").get("/tim-kiem/?q=ne tranh&loai=task").content.decode()
    )


@pytest.mark.parametrize("n", [1, 12])
def test_heavy_pages_cost_a_bounded_number_of_queries(
    signed_in, org, n, django_assert_max_num_queries
):
    parent = assign(org, coordinators=("so_b",))
    A.do_accept(parent, org.gd_a)
    for i in range(n):
        child = assign(
            org,
            by="gd_a",
            unit="a1",
            lead="alice",
            title=f"Con {i}",
            days=3,
            parent=Task.objects.get(pk=parent.pk),
        )
        A.do_decline(child, org.alice, reason="Không đúng chuyên môn", proposed_unit=org.a2)
    client = signed_in("gd_a")
    with django_assert_max_num_queries(30):
        assert client.get(f"/viec/{parent.pk}/").status_code == 200
    with django_assert_max_num_queries(30):
        assert client.get("/").status_code == 200
    with django_assert_max_num_queries(30):
        assert client.get(f"/don-vi/{org.so_a.pk}/").status_code == 200
    client = signed_in("lanh_dao")
    with django_assert_max_num_queries(30):
        assert client.get("/toan-tinh/").status_code == 200
    with django_assert_max_num_queries(30):
        assert client.get("/viec/").status_code == 200


def test_the_task_page_speaks_english_on_request(signed_in, org):
    task = assign(org)
    client = signed_in("gd_a")
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    body = client.get(f"/viec/{task.pk}/").content.decode()
    assert "Timeline" in body and "Accept" in body and "Directive document" in body


def test_the_bell_polls_the_unread_count_and_never_redirects(signed_in, client, org):
    assign(org, title="Nhiệm vụ C")
    body = signed_in("gd_a").get("/thong-bao/dem/", headers={"HX-Request": "true"}).content.decode()
    assert 'class="badge">1<' in body
    client.logout()
    response = client.get("/thong-bao/dem/", headers={"HX-Request": "true"})
    assert response.status_code == 204 and "HX-Redirect" not in response


def test_search_as_you_type_returns_only_the_results(signed_in, org):
    assign(org, title="Xử lý tình trạng né tránh")
    body = (
        signed_in("gd_a")
        .get("/tim-kiem/?q=ne tranh&loai=task", headers={"HX-Request": "true"})
        .content.decode()
    )
    assert "né tránh" in body and "<html" not in body


def test_the_task_list_filters_by_status_and_returns_a_partial_to_htmx(signed_in, org):
    first = assign(org, title="Nhiệm vụ đã tiếp nhận")
    assign(org, title="Nhiệm vụ chưa tiếp nhận")
    A.do_accept(first, org.gd_a)
    client = signed_in("gd_a")
    body = client.get(
        "/viec/?trang_thai=in_progress", headers={"HX-Request": "true"}
    ).content.decode()
    assert "Nhiệm vụ đã tiếp nhận" in body and "Nhiệm vụ chưa tiếp nhận" not in body
    assert "<html" not in body


def test_the_lead_attaches_a_document_that_only_people_in_scope_can_download(
    signed_in, org, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    task = assign(org)
    client = signed_in("gd_a")
    upload = SimpleUploadedFile("du-thao.pdf", b"%PDF-1.4 du thao", content_type="application/pdf")
    response = client.post(f"/viec/{task.pk}/dinh-kem/", {"file": upload, "note": "Dự thảo lần 1"})
    assert response.status_code == 302
    row = task.attachments.get()
    assert row.name == "du-thao.pdf" and len(row.sha256) == 64
    # The digest is sealed into the task's log, so a replaced file is detectable.
    from congvu.tasks.events import TaskEventType
    from congvu.tasks.verify import verify_log

    sealed = task.events.get(type=TaskEventType.DOCUMENT_ATTACHED)
    assert sealed.payload == {"name": "du-thao.pdf", "sha256": row.sha256, "size": row.size}
    assert sealed.reason_text == "Dự thảo lần 1" and verify_log().ok
    assert "du-thao.pdf" in client.get(f"/viec/{task.pk}/").content.decode()
    download = client.get(f"/viec/{task.pk}/dinh-kem/{row.pk}/")
    assert b"".join(download.streaming_content) == b"%PDF-1.4 du thao"
    assert signed_in("charlie").get(f"/viec/{task.pk}/dinh-kem/{row.pk}/").status_code == 404


def test_an_attachment_of_a_forbidden_type_is_refused_in_vietnamese(
    signed_in, org, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    task = assign(org)
    upload = SimpleUploadedFile("virus.exe", b"MZ", content_type="application/octet-stream")
    response = signed_in("gd_a").post(f"/viec/{task.pk}/dinh-kem/", {"file": upload})
    assert response.status_code == 400
    assert "Tài liệu phải là PDF" in response.content.decode()
    assert not task.attachments.exists()


def test_an_attachment_whose_content_is_not_its_extension_is_refused(
    signed_in, org, settings, tmp_path
):
    # Issue #12: an executable renamed "bao-cao.pdf" was accepted.
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    task = assign(org)
    upload = SimpleUploadedFile(
        "bao-cao.pdf", b"MZ\x90\x00 an executable", content_type="application/pdf"
    )
    response = signed_in("gd_a").post(f"/viec/{task.pk}/dinh-kem/", {"file": upload})
    assert response.status_code == 400
    assert "không phải PDF như phần mở rộng" in response.content.decode()
    assert not task.attachments.exists() and not any(tmp_path.rglob("bao-cao*"))


def test_the_page_offers_an_answer_for_each_open_request_with_its_number(signed_in, org):
    task = assign(org, coordinators=("so_b",))
    coordination = task.coordinations.get()
    body = signed_in("gd_b").get(f"/viec/{task.pk}/").content.decode()
    assert 'value="answer_coordination"' in body
    assert f'name="request_seq" value="{coordination.request_seq}"' in body
    assert "Sở Xây dựng — hạn" in body and "Đề nghị cho ý kiến về dự thảo" in body
    A.do_accept(task, org.gd_a)
    asked = A.do_request_opinion(
        task, org.gd_a, superior=org.lanh_dao, question="Xin ý kiến về phạm vi rà soát"
    )
    body = signed_in("lanh_dao").get(f"/viec/{task.pk}/").content.decode()
    assert 'value="give_opinion"' in body
    assert f'name="request_seq" value="{asked.seq}"' in body
