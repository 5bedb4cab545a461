"""Create the standard unit types (UBND tỉnh, sở, UBND xã/phường, phòng, đơn vị sự nghiệp...)
that `import_org` refers to in its loai_don_vi column. Idempotent: existing types (matched by
code) are left as they are, so names and levels edited in the admin are kept.

A new installation runs it once after `migrate`; the list is the one the demo province uses
(congvu/org/unit_types.py). Other types can be added in the admin (Loại đơn vị).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from congvu.org.models import UnitType
from congvu.org.unit_types import UNIT_TYPES


class Command(BaseCommand):
    help = __doc__

    def handle(self, *args: Any, **options: Any) -> None:
        created = []
        with transaction.atomic():
            for code, name, level, administrative in UNIT_TYPES:
                _, new = UnitType.objects.get_or_create(
                    code=code,
                    defaults={"name": name, "level": level, "is_administrative": administrative},
                )
                if new:
                    created.append(code)
        if options["verbosity"] > 0:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Đã tạo {len(created)} loại đơn vị ({', '.join(created) or 'đã có đủ'}); "
                    f"mã dùng trong cột loai_don_vi: {', '.join(c for c, *_ in UNIT_TYPES)}."
                )
            )
