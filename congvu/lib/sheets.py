"""Reading spreadsheets (xlsx via openpyxl, csv) into plain rows with normalised headers.

Headers are matched accent- and case-insensitively, so "Mã đơn vị", "MA DON VI" and "ma_don_vi"
are the same column. Rows keep their spreadsheet row number for error reports.
"""

from __future__ import annotations

import contextlib
import csv
import io
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

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


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _rows_from_matrix(matrix: list[list[object]], source: str) -> list[Row]:
    # Skip leading blank rows (official templates often start with a title block).
    start = 0
    while start < len(matrix) and not any(_cell_text(c) for c in matrix[start]):
        start += 1
    if start >= len(matrix):
        return []
    headers = [header_key(h) for h in matrix[start]]
    if not any(headers):
        raise SheetError(f"{source}: không tìm thấy dòng tiêu đề cột.")
    rows = []
    for offset, raw in enumerate(matrix[start + 1 :], start=start + 2):
        values = {h: _cell_text(v) for h, v in zip(headers, raw, strict=False) if h}
        if any(values.values()):
            rows.append(Row(offset, values))
    return rows


def read_workbook(path: Path) -> dict[str, list[Row]]:
    """Every sheet of an .xlsx or a single .csv, keyed by the folded sheet name ("csv" for csv)."""
    suffix = path.suffix.lower()
    if not path.exists():
        raise SheetError(f"Không tìm thấy tệp {path}.")
    if suffix == ".csv":
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise SheetError(
                f"{path.name}: tệp CSV không phải UTF-8 (byte lỗi ở vị trí {exc.start}); hãy lưu lại với mã hóa UTF-8."
            ) from exc
        # One column, or no consistent delimiter: read it as plain comma-separated.
        dialect: type[csv.Dialect] = csv.excel
        with contextlib.suppress(csv.Error):
            dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
        matrix: list[list[object]] = [list(r) for r in csv.reader(io.StringIO(text), dialect)]
        return {"csv": _rows_from_matrix(matrix, path.name)}
    if suffix in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook

        try:
            wb = load_workbook(path, read_only=True, data_only=True)
        except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
            raise SheetError(f"{path.name}: không đọc được tệp Excel ({exc}).") from exc
        try:
            return {
                header_key(ws.title): _rows_from_matrix(
                    [list(r) for r in ws.iter_rows(values_only=True)], f"{path.name}/{ws.title}"
                )
                for ws in wb.worksheets
            }
        finally:
            wb.close()
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
