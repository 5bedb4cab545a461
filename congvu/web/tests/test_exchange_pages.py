"""The exchange pages: import with preview and confirmation, agency codes, the webhook
outbox, the report package of a task."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from congvu.exchange.models import AgencyCode, DeliveryAttempt, StagedUpload, Subscriber
from congvu.exchange.tests.samples import CODES, give_codes, package
from congvu.org.models import today
from congvu.tasks import actions as A
from congvu.tasks.models import Directive, Task


@pytest.fixture
def coded(org, settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"
    # The pages' handling of a package; its signature: congvu/exchange/tests/test_xmlsig.py.
    settings.EDXML_REQUIRE_SIGNATURE = False
    give_codes(org)
    return org


def _upload(client, data: bytes, name: str = "goi-tin.xml"):  # type: ignore[no-untyped-def]
    return client.post(
        "/van-ban/nhap/",
        {"file": SimpleUploadedFile(name, data), "working_days": "10"},
    )


def test_upload_preview_confirm_creates_the_tasks(coded, signed_in):
    client = signed_in("lanh_dao")
    assert client.get("/van-ban/nhap/").status_code == 200
    preview = _upload(client, package(issued_on=today() - timedelta(days=1)))
    assert preview.status_code == 200
    text = preview.content.decode()
    assert "125/UBND-KT" in text and "Sở Tài chính" in text and "Trần Thị Giang" in text
    assert not Task.objects.exists()  # nothing before confirming
    token = StagedUpload.objects.get().token
    done = client.post("/van-ban/nhap/", {"token": token, "working_days": "10"})
    directive = Directive.objects.get()
    assert done.status_code == 302 and done["Location"] == f"/van-ban/{directive.pk}/"
    assert Task.objects.filter(directive=directive).count() == 2
    assert not StagedUpload.objects.exists()


def test_a_bad_package_is_explained_on_the_page(coded, signed_in):
    client = signed_in("lanh_dao")
    response = _upload(client, package(receivers=("000.00.98.H12",)))
    assert response.status_code == 400
    assert "000.00.98.H12" in response.content.decode()
    response = _upload(client, b"<khong-dong")
    assert "không phải XML hợp lệ" in response.content.decode()
    assert not Task.objects.exists() and not StagedUpload.objects.exists()


def test_a_csv_sheet_goes_through_the_same_page(coded, signed_in):
    client = signed_in("lanh_dao")
    day = f"{today() - timedelta(days=1):%d/%m/%Y}"
    sheet = (
        "Số ký hiệu,Ngày văn bản,Mã cơ quan ban hành,Trích yếu,Mã đơn vị nhận\n"
        f"7/KH-UBND,{day},{CODES['root']},Kế hoạch cải cách,{CODES['so_b']}\n"
    ).encode()
    assert _upload(client, sheet, "van-ban.csv").status_code == 200
    client.post("/van-ban/nhap/", {"token": StagedUpload.objects.get().token, "working_days": "5"})
    assert Task.objects.get().lead_person == coded.gd_b


def test_only_register_keepers_may_import(coded, signed_in):
    assert signed_in("alice").get("/van-ban/nhap/").status_code == 403
    assert signed_in("thanh_tra").get("/van-ban/nhap/").status_code == 403


@pytest.mark.parametrize(
    ("who", "status"), [("quan_tri", 200), ("noi_vu", 200), ("lanh_dao", 403), ("alice", 403)]
)
def test_who_sets_agency_codes(org, signed_in, who, status):
    assert signed_in(who).get("/lien-thong/ma-dinh-danh/").status_code == status


def test_setting_a_code_on_the_page(org, signed_in):
    client = signed_in("noi_vu")
    ok = client.post(
        "/lien-thong/ma-dinh-danh/",
        {"unit": org.xa.pk, "code": "000.01.20.h12", "valid_from": f"{today():%Y-%m-%d}"},
    )
    assert ok.status_code == 302
    assert AgencyCode.objects.get(unit=org.xa).code == "000.01.20.H12"
    bad = client.post(
        "/lien-thong/ma-dinh-danh/",
        {"unit": org.a1.pk, "code": "XA-1", "valid_from": f"{today():%Y-%m-%d}"},
    )
    assert bad.status_code == 400 and "định dạng" in bad.content.decode()


@pytest.mark.parametrize(("who", "status"), [("quan_tri", 200), ("noi_vu", 403), ("gd_a", 403)])
def test_only_the_administrator_sees_the_outbox(org, signed_in, who, status):
    assert signed_in(who).get("/lien-thong/webhook/").status_code == status


def test_the_outbox_page_registers_and_shows_attempts(org, signed_in):
    from congvu.exchange import outbox
    from congvu.web.tests.tasks_helpers import assign

    client = signed_in("quan_tri")
    added = client.post(
        "/lien-thong/webhook/",
        {"form": "add", "name": "Hệ thống chỉ đạo", "url": "http://127.0.0.1:9/", "kinds": ""},
    )
    sub = Subscriber.objects.get()
    assert added.status_code == 200 and sub.secret in added.content.decode()
    assert sub.secret not in client.get("/lien-thong/webhook/").content.decode()
    assign(org)
    outbox.deliver()  # port 9: nobody listens
    assert DeliveryAttempt.objects.filter(ok=False).count() == 1
    page = client.get("/lien-thong/webhook/").content.decode()
    assert "Lỗi" in page and "congvu-" in page
    client.post("/lien-thong/webhook/", {"form": "retry", "subscriber": sub.pk})
    assert outbox.deliver()["failed"] == 1  # due again at once
    client.post("/lien-thong/webhook/", {"form": "toggle", "subscriber": sub.pk})
    sub.refresh_from_db()
    assert not sub.active


def test_the_report_package_downloads_from_the_task_page(coded, signed_in):
    from congvu.exchange import importer

    org = coded
    [directive] = importer.do_import(
        org.lanh_dao, [importer.plan_edxml(package(issued_on=today() - timedelta(days=1)))]
    )
    task = Task.objects.get(directive=directive, lead_unit=org.so_b)
    client = signed_in("gd_b")
    assert "gói tin báo cáo" not in client.get(f"/viec/{task.pk}/").content.decode()
    A.do_accept(task, org.gd_b)
    A.do_submit(task, org.gd_b, result="Hoàn thành rà soát")
    A.do_approve(task, org.lanh_dao)
    assert "gói tin báo cáo" in client.get(f"/viec/{task.pk}/").content.decode()
    response = client.get(f"/viec/{task.pk}/bao-cao.xml")
    assert response.status_code == 200 and "Hoàn thành rà soát".encode() in response.content
    assert CODES["so_b"].encode() in response.content
    assert signed_in("charlie").get(f"/viec/{task.pk}/bao-cao.xml").status_code == 404
