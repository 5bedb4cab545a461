from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from congvu.jobs.report import describe


def test_a_result_reads_as_vietnamese_words_not_a_python_dict():
    text = describe({"2026-Q4": {"run": 9, "new": 0, "updated": 13}})
    assert text == "2026-Q4: lần chạy 9, phát hiện mới 0, phát hiện cập nhật 13"
    assert describe({"skipped": "ngày nghỉ"}) == "bỏ qua ngày nghỉ"
    assert describe({"checkpoint": None}) == "mốc kiểm tra niêm phong không có"
    assert "{" not in describe({"period": "tháng 11/2026", "first_errors": []})


@pytest.mark.django_db
def test_run_jobs_prints_each_job_by_its_description_without_braces(org):
    out = io.StringIO()
    call_command("run_jobs", "--job", "deadline_reminders", stdout=out)
    text = out.getvalue()
    assert "(deadline_reminders)" in text and "lời nhắc đã gửi" in text, text
    assert "{" not in text and "'" not in text, text


def test_the_outbox_and_indicator_jobs_read_in_vietnamese_too():
    # Seen on the demo's `make run`: "delivered: 0, thư lỗi 0, busy: 0, pruned: 0".
    outbox = describe({"delivered": 2, "failed": 0, "busy": 1, "pruned": 3})
    warnings = describe({"warned": 1, "emailed": 0})
    for text in (outbox, warnings):
        assert ":" not in text, text
    assert outbox == "sự kiện đã gửi 2, lần gửi lỗi 0, bên nhận đang bận 1, sự kiện cũ đã dọn 3"
    assert warnings == "cảnh báo đã gửi 1, thư cảnh báo 0"
