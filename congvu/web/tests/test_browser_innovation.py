"""Innovation proposals (ND 73/2023) end to end in the browser: plan → vote (the
proposer-deputy does not vote) → failed vote → written approval → linked task (protected) →
finish → report → evaluation and protection outcome."""

from __future__ import annotations

import pytest

from congvu.evaluation import actions
from congvu.evaluation.models import InnovationProposal
from congvu.evaluation.tests.test_innovation_pages import PLAN
from congvu.tasks import actions as T


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("flushable_log")
def test_an_innovation_goes_from_plan_to_protection(org, browser_as):  # type: ignore[no-untyped-def]
    task = T.do_assign(
        assigner=org.gd_a,
        title="Xây dựng quy trình cấp phép trực tuyến",
        lead_unit=org.a1,
        lead_person=org.alice,
        working_days=20,
        source_number="1713/UBND-NCKSTTHC",
    )
    deputy = browser_as("pgd_a")
    deputy.goto("/sang-kien/")
    for name, value in PLAN.items():
        deputy.locator(f"#n-{name}").fill(value)
    deputy.get_by_role("button", name="Đăng ký kế hoạch").click()
    deputy.get_by_text("Đã đăng ký kế hoạch đề xuất đổi mới, sáng tạo.").wait_for()
    assert deputy.get_by_text("còn 7 ngày làm việc").is_visible()
    # The proposer-deputy does not vote.
    assert deputy.get_by_role("button", name="Tán thành").count() == 0
    p = InnovationProposal.objects.get()

    head = browser_as("gd_a")
    head.goto(f"/sang-kien/de-xuat/?so={p.pk}")
    head.get_by_role("button", name="Không tán thành").click()
    head.get_by_text("Đã ghi nhận biểu quyết.").wait_for()
    head.get_by_role("button", name="Kết luận biểu quyết").click()
    head.get_by_text("Biểu quyết: đề xuất không được thông qua.").wait_for()
    head.get_by_label("Văn bản phê duyệt của người đứng đầu (chịu trách nhiệm)").fill(
        "Phê duyệt thực hiện thí điểm, người đứng đầu chịu trách nhiệm"
    )
    head.get_by_role("button", name="Phê duyệt bằng văn bản").click()
    head.get_by_text("Người đứng đầu đã phê duyệt bằng văn bản.").wait_for()
    head.get_by_label("Số nhiệm vụ trong hệ thống (cách nhau bởi dấu phẩy)").fill(str(task.pk))
    head.get_by_role("button", name="Gắn nhiệm vụ").click()
    head.get_by_role("link", name=f"#{task.pk} Xây dựng quy trình cấp phép trực tuyến").wait_for()
    assert task.pk in actions.protected_task_ids()

    deputy.goto(f"/sang-kien/de-xuat/?so={p.pk}")
    deputy.get_by_label("Ngày kết thúc thực hiện").fill("2026-11-20")
    deputy.get_by_role("button", name="Ghi nhận kết thúc").click()
    deputy.get_by_text("Đã ghi nhận ngày kết thúc.").wait_for()
    deputy.get_by_label("Báo cáo kết quả thực hiện").fill("Đã vận hành, 120 hồ sơ trực tuyến")
    deputy.get_by_role("button", name="Gửi báo cáo").click()
    deputy.get_by_text("Đã gửi báo cáo kết quả.").wait_for()

    head.goto(f"/sang-kien/de-xuat/?so={p.pk}")
    head.get_by_label("Kết quả bảo vệ").select_option("completed")
    head.get_by_label("Nội dung đánh giá").fill("Hoàn thành đúng kế hoạch")
    head.get_by_role("button", name="Ghi nhận đánh giá").click()
    head.get_by_text("Đã ghi nhận kết quả đánh giá và bảo vệ.").wait_for()
    p.refresh_from_db()
    assert (p.status, p.outcome) == ("evaluated", "completed")
