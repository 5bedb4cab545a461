"""Import tasks from a document-management export (xlsx or csv), all or nothing.

    manage.py import_tasks FILE --assigner USER [--dry-run]

Columns: Số ký hiệu, Ngày văn bản, Trích yếu, Đơn vị chủ trì, Người chủ trì, Đơn vị phối hợp
(separated by ";"), Hạn xử lý (dd/mm/yyyy or a number of working days). Every bad row is
reported with its row number and column; nothing is written unless every row is valid.
USER is a username or a person code; the permission rules of giao việc apply to them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from congvu.lib.errors import ActionError
from congvu.lib.sheets import SheetLimits
from congvu.org.models import Person
from congvu.tasks.importer import import_tasks


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--assigner", required=True)
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        person = Person.objects.filter(
            Q(user__username=options["assigner"]) | Q(code=options["assigner"])
        ).first()
        if person is None:
            raise CommandError(f"Không tìm thấy người giao việc {options['assigner']!r}.")
        limit = SheetLimits.from_settings().max_file_bytes
        try:
            if path.stat().st_size > limit:  # checked before the file is read into memory
                raise CommandError(
                    f"{path.name}: dung lượng tệp vượt giới hạn {limit} byte "
                    "(CONGVU_IMPORT_MAX_FILE_BYTES). Hãy chia nhỏ tệp; nếu tệp hợp lệ, quản trị "
                    "có thể tăng giới hạn này."
                )
            content = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Không đọc được tệp {path}: {exc}") from exc
        try:
            report = import_tasks(path.name, content, assigner=person, dry_run=options["dry_run"])
        except ActionError as exc:
            raise CommandError(exc.message) from exc
        for issue in report.issues:
            self.stderr.write(f"{path.name}: {issue}")
        if report.issues:
            raise CommandError(
                f"{len(report.issues)} lỗi trong {report.rows} dòng; không ghi dòng nào."
            )
        if report.dry_run:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Kiểm tra xong: {report.valid}/{report.rows} dòng hợp lệ (chưa ghi gì)."
                )
            )
        else:
            self.stdout.write(self.style.SUCCESS(f"Đã giao {len(report.created)} nhiệm vụ."))
        if report.skipped:
            rows = ", ".join(str(r) for r, _ in report.skipped[:20])
            self.stdout.write(
                f"Bỏ qua {len(report.skipped)} dòng đã nhập trước đây (dòng {rows}"
                f"{', ...' if len(report.skipped) > 20 else ''})."
            )
