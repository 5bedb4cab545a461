"""Errors raised at the boundary, with Vietnamese messages that name the file and the place."""

from __future__ import annotations

from pathlib import Path


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
    """The mapping file is missing, malformed or does not fit the log."""
