"""Build the demo province "Tỉnh Bình Minh": organisation, people, accounts and (when the task
workflow is installed) a realistic task history with behaviours worth detecting.

Deterministic from --seed. --if-empty does nothing when the database already has units, so
`make run` can call it every time.
"""

from __future__ import annotations

import time
from datetime import date
from typing import IO, Any, cast

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from congvu.demo.province import DEMO_PASSWORD, build_demo_province
from congvu.org.models import Unit


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
        tasks = 0
        if not options["no_tasks"] and apps.is_installed("congvu.tasks"):
            from congvu.demo.tasks import generate_task_history

            progress("Sinh lịch sử nhiệm vụ…")
            generate_task_history(
                seed=options["seed"],
                start=date(2025, 1, 2),
                end=timezone.localdate(),
                people_scale=options["people"] / 1500,
                stdout=cast("IO[str]", self.stdout),
            )
            if apps.is_installed("congvu.detection"):
                from congvu.detection.actions import periods_with_tasks, run_detection

                progress("Chạy phát hiện trên nhật ký mẫu…")
                for period in periods_with_tasks():
                    run_detection(period, trigger="demo")
            from congvu.tasks.models import Task

            tasks = Task.objects.count()
        if not options["no_tasks"] and apps.is_installed("congvu.evaluation"):
            from congvu.demo.pages import seed_web_demo

            progress("Đánh giá, đề xuất đổi mới, vướng mắc pháp lý mẫu…")
            seed_web_demo()
        self.stdout.write(
            self.style.SUCCESS(
                f"Đã tạo tỉnh mẫu: {province.units} đơn vị, {province.people} cán bộ, {tasks} nhiệm vụ "
                f"trong {time.monotonic() - started:.1f} giây. Mật khẩu mẫu: {DEMO_PASSWORD}"
            )
        )
