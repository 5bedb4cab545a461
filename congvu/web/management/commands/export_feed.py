"""Write a unit's data feed for the province's direction system (congvu.web.feeds).

    manage.py export_feed --unit CODE --from dd/mm/yyyy --to dd/mm/yyyy --out FILE.zip

The ZIP holds feed.json, feed.xlsx, SHA256SUMS and, with a signing key configured, detached
CMS signatures (*.p7s). Written to a temporary name and renamed into place.
"""

from __future__ import annotations

import os
import tempfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from congvu.org.models import Unit, today
from congvu.web.feeds import build_feed, feed_zip


def _day(text: str, option: str) -> date:
    try:
        return datetime.strptime(text, "%d/%m/%Y").date()  # noqa: DTZ007 - a calendar date, no time
    except ValueError:
        raise CommandError(f"{option}: ngày phải viết dd/mm/yyyy (nhận {text!r}).") from None


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--unit", required=True, help="mã đơn vị")
        parser.add_argument("--from", dest="start", required=True, help="ngày đầu kỳ dd/mm/yyyy")
        parser.add_argument("--to", dest="end", required=True, help="ngày cuối kỳ dd/mm/yyyy")
        parser.add_argument("--out", type=Path, required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        unit = Unit.objects.filter(code=options["unit"]).first()
        if unit is None:
            raise CommandError(f"--unit: không có đơn vị mã {options['unit']!r}.")
        start, end = _day(options["start"], "--from"), _day(options["end"], "--to")
        if end < start:
            raise CommandError("--to: ngày cuối kỳ phải từ ngày đầu kỳ trở đi.")
        feed = build_feed(unit, start, end, today())
        data = feed_zip(feed, timezone.now())
        out: Path = options["out"]
        out.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", dir=out.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            Path(tmp).replace(out)
        finally:
            Path(tmp).unlink(missing_ok=True)
        self.stdout.write(
            self.style.SUCCESS(
                f"Đã ghi {len(feed.tasks)} nhiệm vụ, {len(feed.indicators)} chỉ tiêu ra {out}."
            )
        )
