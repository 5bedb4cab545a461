"""Import units and people from a spreadsheet (.xlsx with sheets don_vi / can_bo, or .csv).

Every row is checked first; with any bad row nothing is written and every problem is listed
with its sheet, row and column. --dry-run checks and reports without writing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from congvu.lib.sheets import parse_date
from congvu.org.importer import import_org


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="Chỉ kiểm tra, không ghi.")
        parser.add_argument(
            "--effective-date", help="Ngày hiệu lực (dd/mm/yyyy), mặc định hôm nay."
        )
        parser.add_argument(
            "--create-accounts", action="store_true", help="Tạo tài khoản đăng nhập cho mọi cán bộ."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        effective = None
        if options["effective_date"]:
            try:
                effective = parse_date(options["effective_date"])
            except ValueError as exc:
                raise CommandError(f"--effective-date: {exc}") from exc
        report = import_org(
            options["file"],
            dry_run=options["dry_run"],
            effective=effective,
            create_accounts=options["create_accounts"],
        )
        if report.errors:
            for err in report.errors:
                self.stderr.write(str(err))
            raise CommandError(
                f"{len(report.errors)} lỗi; không có dữ liệu nào được ghi. Sửa tệp rồi chạy lại."
            )
        verb = "Sẽ tạo" if report.dry_run else "Đã tạo"
        self.stdout.write(
            self.style.SUCCESS(
                f"{verb} {report.units_created} đơn vị ({report.units_unchanged} đã có), "
                f"{report.people_created} cán bộ, {report.memberships_created} quá trình công tác."
            )
        )
        if report.dry_run:
            self.stdout.write(self.style.NOTICE("Chạy thử: chưa ghi gì. Bỏ --dry-run để nhập."))
        for username, password in report.accounts_created.items():
            self.stdout.write(f"  tài khoản {username}  mật khẩu tạm {password}")
