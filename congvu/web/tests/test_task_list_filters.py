"""The task list: every filter, the sort, and the XLSX export of what the page shows."""

from __future__ import annotations

import io
from datetime import datetime, timedelta

from django.utils import timezone
from openpyxl import load_workbook

from congvu.org.models import today
from congvu.tasks import actions as A
from congvu.web.tests.tasks_helpers import assign


def _listed(client, query: str) -> list[str]:
    response = client.get("/viec/" + query)
    assert response.status_code == 200
    return [t.title for t in response.context["page_obj"].object_list]


def _late(org, title: str):  # type: ignore[no-untyped-def]
    """A task assigned 60 days ago with a deadline 30 days ago (so overdue today)."""
    return A.do_assign(
        assigner=org.lanh_dao,
        title=title,
        lead_unit=org.so_a,
        lead_person=org.gd_a,
        deadline=today() - timedelta(days=30),
        source_number="5/UBND-VP",
        at=timezone.now() - timedelta(days=60),
    )


def test_the_newest_task_comes_first_by_default_and_the_nearest_deadline_on_request(signed_in, org):
    _late(org, "Việc cũ quá hạn")
    assign(org, title="Việc xa hạn", days=40)
    assign(org, title="Việc gần hạn", days=3)
    client = signed_in("gd_a")
    assert _listed(client, "") == ["Việc gần hạn", "Việc xa hạn", "Việc cũ quá hạn"]
    assert _listed(client, "?sap_xep=han") == ["Việc cũ quá hạn", "Việc gần hạn", "Việc xa hạn"]


def test_filters_by_keyword_deadline_range_directive_overdue_person_and_unit(signed_in, org):
    _late(org, "Việc cũ quá hạn")
    near = assign(org, title="Rà soát dự toán năm 2027", days=3, source="88/UBND-KT")
    assign(org, title="Việc xa hạn", days=40)
    assign(org, title="Việc của Sở Xây dựng", unit="so_b", lead="gd_b")
    client = signed_in("lanh_dao")
    assert _listed(client, "?tu_khoa=2027 du toan") == ["Rà soát dự toán năm 2027"]
    assert _listed(client, "?van_ban=88/UBND-KT") == ["Rà soát dự toán năm 2027"]
    assert _listed(client, "?qua_han=1") == ["Việc cũ quá hạn"]
    upto = near.deadline.strftime("%d/%m/%Y")
    start = today().strftime("%d/%m/%Y")
    assert _listed(client, f"?han_tu={start}&han_den={upto}") == ["Rà soát dự toán năm 2027"]
    assert _listed(client, f"?nguoi={org.gd_b.pk}") == ["Việc của Sở Xây dựng"]
    assert "Việc của Sở Xây dựng" not in _listed(client, f"?don_vi={org.so_a.pk}")
    assert len(_listed(client, "?trang_thai=mo")) == 4


def test_a_reversed_deadline_range_is_named_and_filters_nothing(signed_in, org):
    assign(org, title="Một việc")
    body = signed_in("gd_a").get("/viec/?han_tu=10/10/2030&han_den=01/01/2030").content.decode()
    assert "Ngày cuối phải sau ngày đầu của khoảng hạn." in body and "Một việc" in body


def test_only_tasks_cited_by_a_visible_finding_with_the_finding_filter(signed_in, org, finding):
    assign(org, title="Việc không liên quan")
    cited = set(finding.case_ids)
    client = signed_in("gd_b")
    page = client.get("/viec/?co_phat_hien=1").context["page_obj"]
    assert {t.pk for t in page.object_list} == cited
    # Charlie may not see the finding about the director: the filter shows him nothing.
    assert (
        signed_in("charlie").get("/viec/?co_phat_hien=1").context["page_obj"].paginator.count == 0
    )


def test_the_export_holds_the_filtered_rows_with_vietnamese_headers_and_typed_cells(signed_in, org):
    late = _late(org, "Việc cũ quá hạn")
    assign(org, title='=HYPERLINK("http://x.invalid")', days=5)
    client = signed_in("gd_a")
    response = client.get("/viec/xuat.xlsx?qua_han=1")
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    assert header[:3] == ("Số nhiệm vụ", "Tên nhiệm vụ", "Số, ký hiệu văn bản")
    assert len(rows) == 2  # the filter: only the overdue task
    row = dict(zip(header, rows[1], strict=True))
    assert row["Số nhiệm vụ"] == late.pk  # a number, not text
    assert row["Hạn xử lý"] == datetime.combine(late.deadline, datetime.min.time())
    assert isinstance(row["Thời điểm giao"], datetime)
    assert row["Tiến độ (%)"] == 0
    assert row["Số ngày làm việc còn lại (âm: quá hạn)"] < 0
    cells = next(iter(sheet.iter_rows(min_row=2)))
    assert cells[header.index("Hạn xử lý")].number_format == "dd/mm/yyyy"
    # Without the filter the formula-like title is there, as text.
    book = load_workbook(io.BytesIO(client.get("/viec/xuat.xlsx").content))
    titles = [c for c in book.worksheets[0].iter_rows(min_row=2) if str(c[1].value).startswith("=")]
    assert titles and titles[0][1].data_type == "s"


def test_rows_carry_checkboxes_for_bulk_actions(signed_in, org):
    task = assign(org, title="Một việc")
    body = signed_in("gd_a").get("/viec/").content.decode()
    assert 'id="task-bulk"' in body and f'name="chon" value="{task.pk}"' in body
    assert "data-bulk-all" in body


def test_an_english_readers_export_has_english_headers_beside_the_english_statuses(signed_in, org):
    # Values (status, priority) follow the reader's language, so the headers must too: a sheet
    # with Vietnamese headers over English statuses was neither language.
    _late(org, "Old overdue task")
    client = signed_in("gd_a")
    client.cookies["django_language"] = "en"
    sheet = load_workbook(io.BytesIO(client.get("/viec/xuat.xlsx").content)).worksheets[0]
    header, first = list(sheet.iter_rows(values_only=True, max_row=2))
    assert sheet.title == "Task"
    assert header[:2] == ("Task number", "Task title")
    assert all(str(text).isascii() for text in header), header
    row = dict(zip(header, first, strict=True))
    assert row["Task title"] == "Old overdue task"
    assert row["Status"] and str(row["Status"]).isascii()
