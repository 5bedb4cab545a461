"""Errors raised at the boundary, with Vietnamese messages that name the file and the place."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


class LogError(ValueError):
    """A log file cannot be read as an event log.

    The message is Vietnamese and names the file and, when known, the line, the trace (case)
    and the column, so that an analyst can fix the file without reading code.
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | Path | None = None,
        line: int | None = None,
        trace: str | None = None,
        column: str | None = None,
    ) -> None:
        self.path = str(path) if path is not None else None
        self.line = line
        self.trace = trace
        self.column = column
        self.detail = message
        where = []
        if self.path is not None:
            where.append(f"tệp {self.path}")
        if line is not None:
            where.append(f"dòng {line}")
        if trace is not None:
            where.append(f"hồ sơ (trace) {trace!r}")
        if column is not None:
            where.append(f"cột {column!r}")
        prefix = f"[{', '.join(where)}] " if where else ""
        super().__init__(prefix + message)


class MappingError(LogError):
    """The mapping file is missing, malformed or does not fit the log.

    ``places``: where in the TOML file the problem is, as ``(table, key)`` (``key`` a label or
    value of the table, or the 1-based number of a ``[[table]]`` entry); the reader of the file
    turns them into line numbers (:func:`toml_lines`), since parsed TOML has none.
    """

    places: tuple[tuple[str, str | int], ...] = ()


@contextmanager
def located(table: str, key: str | int) -> Iterator[None]:
    """Tag a :class:`MappingError` raised inside with its place in the file (the innermost
    place wins)."""
    try:
        yield
    except MappingError as exc:
        if not exc.places:
            exc.places = ((table, key),)
        raise


_HEADER = re.compile(r"^\s*(\[\[?)\s*([\w.\"' -]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"""^\s*("(?:[^"\\]|\\.)*"|'[^']*'|[A-Za-z0-9_-]+)\s*=""")


def toml_lines(text: str) -> dict[tuple[str, str | int], int]:
    """Line (1-based) of each key of each table, and of each ``[[table]]`` entry by number:
    ``{("reasons", "sai_tham_quyen"): 12, ("acknowledge", 2): 30}``. A light scan of the text
    (keys at the start of a line, first occurrence), enough to point at a place."""
    out: dict[tuple[str, str | int], int] = {}
    table = ""
    entries: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        header = _HEADER.match(line)
        if header:
            table = header.group(2).strip().strip("\"'")
            if header.group(1) == "[[":
                entries[table] = entries.get(table, 0) + 1
                out.setdefault((table, entries[table]), number)
            continue
        key = _KEY.match(line)
        if key:
            try:
                name = next(iter(tomllib.loads(f"{key.group(1)} = 0")))
            except (tomllib.TOMLDecodeError, StopIteration):
                continue
            out.setdefault((table, name), number)
    return out


def with_lines(exc: MappingError, text: str) -> MappingError:
    """``exc`` with the line(s) of its places: the last as ``line``, all of them in the message
    when there are several (the two spellings of one label)."""
    if exc.line is not None or not exc.places:
        return exc
    index = toml_lines(text)
    lines = [index[p] for p in exc.places if p in index]
    if not lines:
        return exc
    detail = exc.detail
    if len(lines) > 1:
        detail += f" (các dòng {', '.join(map(str, lines))})"
    located_exc = MappingError(detail, path=exc.path, line=lines[-1], column=exc.column)
    located_exc.places = exc.places
    return located_exc


def read_toml(path: Path, kind: str, error: type[LogError] = LogError) -> dict[str, Any]:
    """A settings file (mapping, parameters) as TOML data, or ``error`` naming what is wrong.

    ``kind`` names the file in the messages ("ánh xạ", "tham số"): one reader, so that every
    settings file answers a directory, a legacy encoding or a TOML slip the same way.
    """
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise error(f"Không tìm thấy tệp {kind}.", path=path) from exc
    except IsADirectoryError as exc:
        raise error(
            f"Đường dẫn tệp {kind} là một thư mục, không phải tệp TOML.", path=path
        ) from exc
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[: exc.start].count(b"\n") + 1
        raise error(
            f"Tệp {kind} không phải văn bản UTF-8 (byte không hợp lệ ở dòng {line}); "
            "hãy lưu lại tệp với mã hóa UTF-8.",
            path=path,
        ) from exc
    except OSError as exc:
        raise error(f"Không đọc được tệp {kind}: {exc.strerror or exc}.", path=path) from exc
    except tomllib.TOMLDecodeError as exc:
        raise error(f"Tệp {kind} không phải TOML hợp lệ: {exc}", path=path) from exc


def check_keys(
    entry: dict[str, Any], allowed: set[str] | frozenset[str], where: str, path: str
) -> None:
    """Refuse keys a settings table does not know, listing the valid ones."""
    unknown = sorted(set(entry) - allowed)
    if unknown:
        raise MappingError(
            f"{where} khóa không được hỗ trợ {', '.join(unknown)} "
            f"(hợp lệ: {', '.join(sorted(allowed))}).",
            path=path,
        )
