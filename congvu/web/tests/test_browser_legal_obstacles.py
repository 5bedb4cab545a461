"""A specialist pauses a task citing a regulation → the head acknowledges it → the legal
department sees it in its queue and takes it up → the leader's report ranks the regulation."""

from __future__ import annotations

import pytest

from congvu.legal.models import LegalObstacle
from congvu.tasks import actions as A


@pytest.fixture
def legal_dept(settings):  # type: ignore[no-untyped-def]
    """Sở Xây dựng plays Sở Tư pháp: charlie (Phòng Quy hoạch, below it) is legal staff."""
    settings.LEGAL_DEPARTMENT_UNIT_CODES = ("SXD",)


pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("flushable_log", "legal_dept"),
]


def act(page, key: str):  # type: ignore[no-untyped-def]
    details = page.locator(f"#act-{key}")
    details.locator("> summary").click()
    return details


def test_a_legal_obstacle_goes_from_the_pause_to_the_report(org, browser_as) -> None:
    task = A.do_assign(
        assigner=org.gd_a,
        title="Cấp phép xây dựng trạm y tế xã",
        lead_unit=org.a1,
        lead_person=org.alice,
        working_days=10,
        source_number="1713/UBND-NCKSTTHC",
    )
    A.do_accept(task, org.alice)

    alice = browser_as("alice")
    alice.goto(f"/viec/{task.pk}/")
    form = act(alice, "pause")
    form.get_by_label("Loại lý do").select_option("legal_obstacle")
    form.get_by_label("Lý do tạm dừng").fill("Hai văn bản quy định khác nhau về thẩm quyền")
    form.get_by_label("Văn bản quy phạm vướng mắc").fill("Nghị định 15/2021/NĐ-CP, Điều 12")
    form.get_by_role("button", name="Tạm dừng").click()
    alice.get_by_text("Đã ghi nhận: Tạm dừng.").wait_for()

    head = browser_as("gd_a")
    head.goto(f"/viec/{task.pk}/")
    form = act(head, "review_pause")
    form.get_by_label("Chấp nhận", exact=True).check()
    form.get_by_role("button", name="Xác nhận lý do tạm dừng").click()
    head.get_by_text("Đã ghi nhận: Xác nhận lý do tạm dừng.").wait_for()
    assert LegalObstacle.objects.filter(task=task).count() == 1

    legal = browser_as("charlie")
    legal.goto("/")
    legal.get_by_role("link", name="Vướng mắc pháp lý").click()
    card = legal.locator("section.card", has_text="Cấp phép xây dựng trạm y tế xã")
    card.get_by_text("15/2021/NĐ-CP, Điều 12").wait_for()
    card.get_by_label("Trạng thái mới").select_option("under_review")
    card.get_by_role("button", name="Cập nhật").click()
    legal.get_by_text("Đã cập nhật trạng thái vướng mắc.").wait_for()
    assert LegalObstacle.objects.get().status == LegalObstacle.Status.UNDER_REVIEW

    leader = browser_as("lanh_dao")
    leader.goto("/phap-ly/bao-cao/")
    first = leader.locator("tbody tr").first
    assert "15/2021/NĐ-CP" in first.inner_text()
    assert first.locator("td").nth(3).inner_text() == "1"
    with leader.expect_download() as download:
        leader.get_by_role("link", name="Tải về (XLSX)").click()
    assert download.value.suggested_filename.endswith(".xlsx")
