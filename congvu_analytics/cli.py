"""The ``congvu`` console command: file-level tools that need no database or web server."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import date

from congvu_analytics.workdays import WorkCalendar


def _parse_date(text: str) -> date:
    for fmt_sep in ("-", "/"):
        parts = text.split(fmt_sep)
        if len(parts) == 3:
            try:
                if fmt_sep == "/":  # Vietnamese dd/mm/yyyy
                    return date(int(parts[2]), int(parts[1]), int(parts[0]))
                return date(int(parts[0]), int(parts[1]), int(parts[2]))
            except ValueError:
                break
    raise argparse.ArgumentTypeError(
        f"Ngày không hợp lệ: {text!r} (dùng dd/mm/yyyy hoặc yyyy-mm-dd)"
    )


def _cmd_workdays(args: argparse.Namespace) -> int:
    cal = WorkCalendar()
    if args.add is not None:
        due = cal.add_working_days(args.start, args.add)
        print(f"{args.start:%d/%m/%Y} + {args.add} ngày làm việc = {due:%d/%m/%Y}")
    if args.until is not None:
        n = cal.working_days_between(args.start, args.until)
        print(f"Từ {args.start:%d/%m/%Y} đến {args.until:%d/%m/%Y}: {n} ngày làm việc")
    if args.year is not None:
        for info in cal.holidays_in(args.year):
            kind = "làm việc" if info.working else "nghỉ"
            print(f"{info.day:%d/%m/%Y}\t{kind}\t{info.reason}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="congvu", description="Công Vụ — công cụ làm việc trên tệp"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    wd = sub.add_parser("workdays", help="Tính ngày làm việc theo lịch Việt Nam")
    wd.add_argument("start", type=_parse_date, help="Ngày bắt đầu (không tính ngày này)")
    wd.add_argument("--add", type=int, help="Cộng N ngày làm việc")
    wd.add_argument("--until", type=_parse_date, help="Đếm ngày làm việc đến ngày này")
    wd.add_argument("--year", type=int, help="Liệt kê ngày nghỉ/làm bù của năm")
    wd.set_defaults(func=_cmd_workdays)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    result: int = args.func(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
