"""Build the demo province "Tỉnh Bình Minh": organisation, people, accounts and (when the task
workflow is installed) a task history since the start of the previous quarter, with the test
province's people (congvu_analytics.sim): offenders of each behaviour, bad-head divisions and
their legitimate look-alikes, recorded through the actions; then detection runs on it.

Deterministic from --seed. --if-empty does nothing when the database already has units, so
`make run` can call it every time.
"""

from __future__ import annotations

import time
from datetime import timedelta
from typing import IO, Any, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from congvu.demo.exchange import give_agency_codes
from congvu.demo.history import generate_history, summary
from congvu.demo.pages import seed_web_demo
from congvu.demo.province import DEMO_PASSWORD, build_demo_province
from congvu.detection.actions import periods_with_tasks, run_detection
from congvu.detection.models import quarter_of
from congvu.org.models import Unit
from congvu.workdays.calendar import get_calendar

# Tasks a working day for the 1,500-person province, and the share of its people whose
# departments carry them (congvu/demo/history.py: enough tasks per person and quarter for the
# detection to judge them, in a few minutes of seeding).
TASKS_PER_DAY = 30
ACTIVE_SHARE = 0.15


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--people", type=int, default=1500, help="Số cán bộ (mặc định 1500).")
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--if-empty", action="store_true", help="Bỏ qua nếu đã có dữ liệu.")
        parser.add_argument("--no-tasks", action="store_true", help="Không sinh lịch sử nhiệm vụ.")

    def handle(self, *args: Any, **options: Any) -> None:
        if Unit.objects.exists():
            if options["if_empty"]:
                self.stdout.write("Cơ sở dữ liệu đã có dữ liệu; bỏ qua tạo tỉnh mẫu.")
                return
            raise CommandError(
                "Cơ sở dữ liệu đã có đơn vị; tỉnh mẫu chỉ tạo trên cơ sở dữ liệu trống."
            )
        started = time.monotonic()

        def progress(msg: str) -> None:
            if options["verbosity"] >= 1:
                self.stdout.write(f"  {msg}")

        try:
            province = build_demo_province(
                seed=options["seed"], people=options["people"], progress=progress
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        give_agency_codes()
        tasks = events = 0
        if not options["no_tasks"]:
            end = timezone.localdate() - timedelta(days=1)
            start = quarter_of(quarter_of(end)[1] - timedelta(days=1))[1]
            span = get_calendar().working_days_between(start, end)
            progress(f"Sinh lịch sử nhiệm vụ từ {start:%d/%m/%Y} (tỉnh mẫu thực tế)…")
            history = generate_history(
                seed=options["seed"],
                start=start,
                end=end,
                tasks=max(50, round(TASKS_PER_DAY * span * options["people"] / 1500)),
                active_people=round(ACTIVE_SHARE * options["people"]),
                stdout=cast("IO[str]", self.stdout),
            )
            progress("Đánh giá, đề xuất đổi mới, vướng mắc pháp lý mẫu…")
            seed_web_demo(history.innovators)
            progress("Chạy phát hiện trên nhật ký mẫu…")
            for period in periods_with_tasks():
                run_detection(period, trigger="demo")
            tasks, events = history.tasks, history.events
            self.stdout.write(summary(history))
        self.stdout.write(
            self.style.SUCCESS(
                f"Đã tạo tỉnh mẫu: {province.units} đơn vị, {province.people} cán bộ, {tasks} nhiệm vụ, "
                f"{events} sự kiện "
                f"trong {time.monotonic() - started:.1f} giây. Mật khẩu mẫu: {DEMO_PASSWORD}"
            )
        )
