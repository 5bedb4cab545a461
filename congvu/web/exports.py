"""Spreadsheet exports of the web pages: headers in the reader's language, typed cells.

Numbers stay numbers and dates stay dates (formatted dd/mm/yyyy, so Excel sorts and sums
them); text is typed as text, never as a formula (issue #12: a reason typed "=HYPERLINK(...)"
must not come out live). Every list page that exports goes through `xlsx_response`.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext

from congvu.tasks.state import VN_TZ

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATE_FORMAT = "dd/mm/yyyy"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"

# An export is a working file, not a backup: past this many rows, narrow the filter.
MAX_ROWS = 100_000


def _cell(sheet: Any, value: object) -> Any:
    from openpyxl.cell import WriteOnlyCell

    if isinstance(value, datetime):
        # Excel has no time zones: the wall-clock time in Việt Nam, as people read it.
        local = value.astimezone(VN_TZ).replace(tzinfo=None) if value.tzinfo else value
        cell = WriteOnlyCell(sheet, value=local)
        cell.number_format = DATETIME_FORMAT
    elif isinstance(value, date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = DATE_FORMAT
    elif value is None:
        cell = WriteOnlyCell(sheet, value=None)
    elif isinstance(value, bool):
        cell = WriteOnlyCell(sheet, value=gettext("Có") if value else gettext("Không"))
        cell.data_type = "s"
    elif isinstance(value, int | float):
        cell = WriteOnlyCell(sheet, value=value)
    else:
        cell = WriteOnlyCell(sheet, value=str(value))
        cell.data_type = "s"  # never a formula
    return cell


def xlsx_bytes(sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence[object]]]]) -> bytes:
    """A workbook of sheets (title, headers, rows): a bold header row, then typed cells."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    for title, headers, rows in sheets:
        sheet = book.create_sheet(title[:31])  # Excel's limit for a sheet name
        sheet.freeze_panes = "A2"
        header = []
        for text in headers:
            cell = WriteOnlyCell(sheet, value=str(text))
            cell.font = Font(bold=True)
            cell.data_type = "s"
            header.append(cell)
        sheet.append(header)
        for n, row in enumerate(rows):
            if n >= MAX_ROWS:
                break
            sheet.append([_cell(sheet, v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def xlsx_response(
    filename: str, title: str, headers: Sequence[str], rows: Iterable[Sequence[object]]
) -> HttpResponse:
    """One sheet named `title`: a bold header row, then `rows` with typed cells."""
    response = HttpResponse(xlsx_bytes([(title, headers, rows)]), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def xlsx_book_response(
    filename: str, sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence[object]]]]
) -> HttpResponse:
    """A workbook of (title, headers, rows) sheets, each as `xlsx_response` writes one."""
    response = HttpResponse(xlsx_bytes(sheets), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
