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
