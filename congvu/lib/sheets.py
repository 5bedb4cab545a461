"""Reading spreadsheets (xlsx via openpyxl, csv) into plain rows with normalised headers.

Headers are matched accent- and case-insensitively, so "Mã đơn vị", "MA DON VI" and "ma_don_vi"
are the same column. Rows keep their spreadsheet row number for error reports.
"""

from __future__ import annotations

import contextlib
import csv
import io
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from congvu.lib.text import fold


class SheetError(Exception):
    """The file itself cannot be read (not a spreadsheet, wrong encoding, no header...)."""


@dataclass
class Row:
    number: int  # 1-based row number in the sheet, header = 1
    values: dict[str, str]

    def get(self, key: str) -> str:
        return self.values.get(key, "").strip()


def header_key(text: object) -> str:
    return "_".join(fold(str(text or "")).replace("/", " ").replace("-", " ").split())


def cell_text(value: object) -> str:
    """A cell as the person typed it: dates dd/mm/yyyy, whole numbers without ".0"."""
    if value is None:
        return ""
    if isinstance(value, (date, datetime)):
        return f"{value:%d/%m/%Y}"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _rows_from_matrix(matrix: list[list[object]], source: str) -> list[Row]:
    # Skip leading blank rows (official templates often start with a title block).
    start = 0
    while start < len(matrix) and not any(cell_text(c) for c in matrix[start]):
        start += 1
    if start >= len(matrix):
        return []
    headers = [header_key(h) for h in matrix[start]]
    if not any(headers):
        raise SheetError(f"{source}: không tìm thấy dòng tiêu đề cột.")
    rows = []
    for offset, raw in enumerate(matrix[start + 1 :], start=start + 2):
        values = {h: cell_text(v) for h, v in zip(headers, raw, strict=False) if h}
        if any(values.values()):
            rows.append(Row(offset, values))
    return rows


# --- bounds (issue #12, break 6) ----------------------------------------------------------
# A 1.6 KB xlsx can declare a 1,048,576 x 16,384 sheet, a 1.5 MB one unzip to 2 million rows,
# a CSV hold one 300 KB field. Every spreadsheet read goes through the readers below, which
# stream and stop at the first limit passed with a message naming it and how to raise it.


@dataclass(frozen=True)
class SheetLimits:
    max_rows: int = 100_000  # data rows per sheet
    max_columns: int = 200
    max_cell_chars: int = 32_767  # Excel's own limit for one cell
    max_file_bytes: int = 20 * 1024 * 1024  # the file as uploaded
    max_unzipped_bytes: int = 200 * 1024 * 1024  # an xlsx's parts once decompressed

    @classmethod
    def from_settings(cls) -> SheetLimits:
        from django.conf import settings

        return cls(**{f: getattr(settings, f"IMPORT_{f.upper()}", d) for f, d in _DEFAULTS.items()})


_DEFAULTS = {
    "max_rows": 100_000,
    "max_columns": 200,
    "max_cell_chars": 32_767,
    "max_file_bytes": 20 * 1024 * 1024,
    "max_unzipped_bytes": 200 * 1024 * 1024,
}


def _n(value: int) -> str:
    return f"{value:,}".replace(",", ".")  # Vietnamese thousands separator


def _over(source: str, what: str, limit: int, setting: str) -> SheetError:
    return SheetError(
        f"{source}: {what} vượt giới hạn {_n(limit)} (CONGVU_IMPORT_{setting.upper()}). Hãy chia "
        "nhỏ tệp; nếu tệp hợp lệ, quản trị có thể tăng giới hạn này."
    )


def _check_cells(values: Sequence[object], source: str, row: int,
                 limits: SheetLimits) -> None:  # fmt: skip
    if len(values) > limits.max_columns and any(
        v is not None and v != "" for v in values[limits.max_columns :]
    ):
        raise _over(f"{source}, dòng {row}", "số cột", limits.max_columns, "max_columns")
    for v in values:
        if isinstance(v, str) and len(v) > limits.max_cell_chars:
            raise _over(f"{source}, dòng {row}", "độ dài một ô", limits.max_cell_chars,
                        "max_cell_chars")  # fmt: skip


def csv_matrix(content: bytes, source: str, limits: SheetLimits | None = None,
               delimiter: str | None = None) -> list[list[object]]:  # fmt: skip
    """Rows of a UTF-8 CSV (delimiter sniffed unless given), bounded."""
    limits = limits or SheetLimits.from_settings()
    if len(content) > limits.max_file_bytes:
        raise _over(source, "dung lượng tệp (byte)", limits.max_file_bytes, "max_file_bytes")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SheetError(
            f"{source}: tệp CSV không phải UTF-8 (byte lỗi ở vị trí {exc.start}); hãy lưu lại với mã hóa UTF-8."
        ) from exc
    dialect: type[csv.Dialect] | csv.Dialect = csv.excel
    if delimiter is None:
        # One column, or no consistent delimiter: read it as plain comma-separated.
        with contextlib.suppress(csv.Error):
            dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    reader = (
        csv.reader(io.StringIO(text), dialect)
        if delimiter is None
        else csv.reader(io.StringIO(text), delimiter=delimiter)
    )
    matrix: list[list[object]] = []
    try:
        for row in reader:
            if len(matrix) > limits.max_rows:  # + 1 for the header
                raise _over(source, "số dòng", limits.max_rows, "max_rows")
            _check_cells(row, source, reader.line_num, limits)
            matrix.append(list(row))
    except csv.Error as exc:  # a field over the csv module's own limit, a stray NUL...
        raise SheetError(
            f"{source}, dòng {reader.line_num + 1}: không đọc được dòng CSV ({exc}). Một ô quá dài "
            f"(giới hạn {_n(limits.max_cell_chars)} ký tự, CONGVU_IMPORT_MAX_CELL_CHARS) hoặc "
            "dấu ngoặc kép không đóng."
        ) from exc
    return matrix


def xlsx_sheets(source: str | Path | bytes, name: str, limits: SheetLimits | None = None,
                first_only: bool = False) -> Iterator[tuple[str, Iterator[list[object]]]]:  # fmt: skip
    """(title, rows) of each sheet of an xlsx, streamed (openpyxl read-only) and bounded: the
    decompressed size of its parts, the declared dimension, then rows, columns and cell size
    as they come. XML that declares entities (XXE, billion laughs) is refused."""
    limits = limits or SheetLimits.from_settings()
    size = len(source) if isinstance(source, bytes) else Path(source).stat().st_size
    if size > limits.max_file_bytes:  # before reading a file into memory
        raise _over(name, "dung lượng tệp (byte)", limits.max_file_bytes, "max_file_bytes")
    data = source if isinstance(source, bytes) else Path(source).read_bytes()
    if len(data) > limits.max_file_bytes:
        raise _over(name, "dung lượng tệp (byte)", limits.max_file_bytes, "max_file_bytes")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            unzipped = sum(i.file_size for i in zf.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise SheetError(f"{name}: không đọc được tệp Excel ({exc}).") from exc
    # zipfile never inflates a part past its declared size, so the declared sum is a bound.
    if unzipped > limits.max_unzipped_bytes:
        raise _over(name, "dung lượng sau giải nén (byte)", limits.max_unzipped_bytes,
                    "max_unzipped_bytes")  # fmt: skip
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except ET.ParseError as exc:
        raise _xml_error(name, exc) from exc
    except Exception as exc:  # openpyxl raises many types for a corrupt file
        raise SheetError(f"{name}: không đọc được tệp Excel ({exc}).") from exc
    try:
        for ws in wb.worksheets[:1] if first_only else wb.worksheets:
            yield ws.title, _bounded_rows(ws, f"{name}/{ws.title}", limits)
    finally:
        wb.close()


def _bounded_rows(ws: Any, source: str, limits: SheetLimits) -> Iterator[list[object]]:
    declared_rows, declared_cols = ws.max_row, ws.max_column
    if declared_rows and declared_rows > limits.max_rows + 100:  # title rows above the header
        raise _over(f"{source} (khai báo vùng {ws.calculate_dimension()})", "số dòng",
                    limits.max_rows, "max_rows")  # fmt: skip
    if declared_cols and declared_cols > limits.max_columns:
        raise _over(f"{source} (khai báo vùng {ws.calculate_dimension()})", "số cột",
                    limits.max_columns, "max_columns")  # fmt: skip
    # The declared dimension pads every row and fills every gap: never trust it for memory.
    ws.reset_dimensions()
    n = 0
    try:
        for row in ws.iter_rows(values_only=True):
            n += 1
            if n > limits.max_rows + 100:
                raise _over(source, "số dòng", limits.max_rows, "max_rows")
            _check_cells(row, source, n, limits)
            yield list(row[: limits.max_columns])
    except ET.ParseError as exc:
        raise _xml_error(source, exc) from exc


def _xml_error(source: str, exc: Exception) -> SheetError:
    return SheetError(
        f"{source}: tệp Excel chứa XML không hợp lệ hoặc khai báo thực thể (DTD), không được "
        f"phép vì lý do an toàn ({exc})."
    )


def read_workbook(path: Path) -> dict[str, list[Row]]:
    """Every sheet of an .xlsx or a single .csv, keyed by the folded sheet name ("csv" for csv)."""
    suffix = path.suffix.lower()
    if not path.exists():
        raise SheetError(f"Không tìm thấy tệp {path}.")
    if suffix == ".csv":
        limits = SheetLimits.from_settings()
        if path.stat().st_size > limits.max_file_bytes:  # before reading it into memory
            raise _over(path.name, "dung lượng tệp (byte)", limits.max_file_bytes, "max_file_bytes")
        return {
            "csv": _rows_from_matrix(csv_matrix(path.read_bytes(), path.name, limits), path.name)
        }
    if suffix in (".xlsx", ".xlsm"):
        return {
            header_key(title): _rows_from_matrix(list(rows), f"{path.name}/{title}")
            for title, rows in xlsx_sheets(path, path.name)
        }
    raise SheetError(f"{path.name}: định dạng không hỗ trợ (chỉ nhận .xlsx hoặc .csv).")


def parse_date(text: str) -> date:
    """dd/mm/yyyy (Vietnamese) or yyyy-mm-dd."""
    text = text.strip()
    for fmt in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a calendar date, no time
        except ValueError:
            continue
    raise ValueError(f"ngày không hợp lệ: {text!r} (dùng dd/mm/yyyy)")
