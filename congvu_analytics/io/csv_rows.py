"""A CSV read row by row by Python's csv module: the second reading of a file a fast reader
refused (Polars for a quote inside an unquoted value, Arrow for a short row).

One rule for both readers that fall back to it (``io.loader`` for a file read whole,
``partitioned`` for a large file's single reader): a quote character inside an unquoted value
is text; a row keeps the file line it starts on (values may hold line breaks); a blank line is
no row; a short row has its missing trailing fields empty; a row with more fields than the
header is refused, naming its line. Slow (pure Python, ~7 µs a row): only for what the fast
readers refuse.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from congvu_analytics.io.errors import LogError
from congvu_analytics.io.limits import open_bytes


def csv_rows(
    path: Path, *, delimiter: str, quote: str | None, encoding: str
) -> Iterator[tuple[int, list[str]]]:
    """(the line the row starts on, its fields) for every row of the file, the header too;
    plain or gzip, decoded as it streams in (``utf8`` and ``utf8-lossy`` as Polars names
    them, a BOM dropped; other codecs by Python's name)."""
    key = encoding.replace("-", "").lower()
    codec = "utf-8-sig" if key in ("utf8", "utf8lossy") else encoding
    errors = "replace" if key == "utf8lossy" else "strict"
    options: dict[str, Any] = {"delimiter": delimiter, "strict": False}
    options.update({"quotechar": quote} if quote else {"quoting": csv.QUOTE_NONE})
    with open_bytes(path) as read:

        class _Raw(io.RawIOBase):
            def readable(self) -> bool:
                return True

            def readinto(self, buffer: Any) -> int:
                data = read(len(buffer))
                buffer[: len(data)] = data
                return len(data)

        text = io.TextIOWrapper(
            io.BufferedReader(_Raw()), encoding=codec, errors=errors, newline=""
        )
        reader = csv.reader(text, **options)
        start = 1
        try:
            for row in reader:
                first, start = start, reader.line_num + 1
                if row:  # a blank line is no row
                    yield first, row
        except csv.Error as exc:
            raise LogError(f"Không đọc được tệp CSV: {exc}", path=path, line=start) from exc
        except (UnicodeDecodeError, LookupError) as exc:
            raise LogError(f"Không đọc được tệp CSV: {exc}", path=path, line=start) from exc


def fitted(
    row: list[str], width: int, nulls: set[str], *, path: Path, line: int
) -> list[str | None]:
    """The row's values for a header of ``width`` names: missing trailing fields and
    placeholder values (``nulls``) as None; more fields than names refused."""
    if len(row) > width:
        raise LogError(
            f"Dòng có {len(row)} trường, nhiều hơn {width} cột của tiêu đề.", path=path, line=line
        )
    values: list[str | None] = [None if v in nulls else v for v in row]
    return values + [None] * (width - len(row))
