"""Bounds on what a log file may make the reader hold (issue #12, break 6).

A 2.4 MB gzip that inflates to 2 GB, or a CSV made of one 1 GB line, used to run the machine
out of memory (a Rust allocation backtrace from polars). The readers now stop at

* ``CONGVU_MAX_LOG_BYTES``: decompressed bytes of one log (default 4 GiB), checked while
  inflating, before anything is parsed;
* ``CONGVU_MAX_LINE_BYTES``: one CSV line (default 16 MiB), checked in a streaming pass;

with a Vietnamese message naming the limit and the variable that raises it. The XES reader
already refuses DOCTYPE/ENTITY declarations (no entity expansion).
"""

from __future__ import annotations

import contextlib
import gzip
import os
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from isal import igzip, isal_zlib

from congvu_analytics.io.errors import LogError

_GiB = 1024**3
_MiB = 1024**2
_STEP = 1024 * 1024  # bytes per read in the line scan: a line within one read is < this


@dataclass(frozen=True)
class ReadLimits:
    max_bytes: int = 4 * _GiB
    max_line_bytes: int = 16 * _MiB

    @classmethod
    def from_env(cls) -> ReadLimits:
        def read(name: str, default: int) -> int:
            value = os.environ.get(name, "").strip()
            if not value:
                return default
            try:
                return int(value)
            except ValueError:
                raise LogError(f"Biến môi trường {name}={value!r} phải là một số byte.") from None

        return cls(
            max_bytes=read("CONGVU_MAX_LOG_BYTES", cls.max_bytes),
            max_line_bytes=read("CONGVU_MAX_LINE_BYTES", cls.max_line_bytes),
        )


def _size(n: int) -> str:
    return f"{n / _MiB:,.0f} MiB".replace(",", ".") if n >= _MiB else f"{n} byte"


# What a damaged or truncated gzip stream raises: the gzip module or zlib directly (the XES
# reader), ISA-L's (``isal.igzip.BadGzipFile`` is gzip's; its inflate errors are its own).
# (isal's stubs declare its error an instance, not a class: hence the cast.)
GZIP_ERRORS = (EOFError, gzip.BadGzipFile, zlib.error, cast("type[Exception]", isal_zlib.error))


def broken_gzip(path: Path, exc: Exception) -> LogError:
    return LogError(
        f"Tệp nén gzip bị hỏng hoặc bị cắt cụt, không giải nén được ({exc}).", path=path
    )


def too_big(path: Path, limits: ReadLimits) -> LogError:
    return LogError(
        f"Dữ liệu sau giải nén vượt giới hạn {_size(limits.max_bytes)} (có thể là tệp nén "
        "độc hại). Nếu tệp hợp lệ, tăng giới hạn bằng biến môi trường CONGVU_MAX_LOG_BYTES "
        "(số byte).",
        path=path,
    )


def bounded(
    blocks: Iterator[bytes], path: Path, limits: ReadLimits | None = None
) -> Iterator[bytes]:
    """Pass decompressed blocks through, stopping once their total passes the limit."""
    limits = limits or ReadLimits.from_env()
    total = 0
    for block in blocks:
        total += len(block)
        if total > limits.max_bytes:
            raise too_big(path, limits)
        yield block


class TextBounds:
    """The limits checked block by block over a stream of decompressed text: the total size
    and the longest line. Shared by :func:`check_text_file` and the pass that cuts a CSV into
    pieces (``congvu_analytics.partitioned``), so that a file is checked while it is read
    once rather than in a pass of its own."""

    def __init__(self, path: Path, limits: ReadLimits | None = None) -> None:
        self.path = path
        self.limits = limits or ReadLimits.from_env()
        self.total = 0
        self.run = 0  # bytes since the last newline
        self.line = 1

    def step(self, most: int) -> int:
        """The bytes to read at a time: a line inside one read is shorter than the read, so
        reads no longer than the line limit see every line that passes it."""
        return min(most, self.limits.max_line_bytes)

    def add(self, block: bytes) -> int:
        """Count one block read (no longer than :meth:`step`); its number of line breaks."""
        limits = self.limits
        self.total += len(block)
        if self.total > limits.max_bytes:
            raise too_big(self.path, limits)
        first = block.find(b"\n")
        count = 0
        if first < 0:
            self.run += len(block)
        else:
            self.run += first
            if self.run <= limits.max_line_bytes:
                count = block.count(b"\n")
                self.line += count
                self.run = len(block) - block.rfind(b"\n") - 1
        if self.run > limits.max_line_bytes:
            raise LogError(
                f"Một dòng dài quá giới hạn {_size(limits.max_line_bytes)} (tệp không "
                "phải CSV từng dòng, hoặc bị cài bẫy). Nếu tệp hợp lệ, tăng giới hạn bằng "
                "biến môi trường CONGVU_MAX_LINE_BYTES (số byte).",
                path=self.path,
                line=self.line,
            )
        return count


@contextlib.contextmanager
def open_bytes(path: Path) -> Iterator[Callable[[int], bytes]]:
    """``read(n)`` over the bytes of a plain file, or of a gzip file decompressed (several
    members read on), a damaged or truncated gzip raising :func:`broken_gzip`.

    ISA-L's gzip (``isal.igzip``, the gzip module's interface) rather than zlib: it inflates
    a 16M-event export (252 MB -> 1.5 GB) in ~1 CPU s, zlib in ~5 and Arrow's in ~3
    (docs/scale.md, csv60)."""
    try:
        with contextlib.ExitStack() as stack:
            raw = stack.enter_context(path.open("rb"))
            compressed = raw.read(2) == b"\x1f\x8b"
            raw.seek(0)
            read: Callable[[int], bytes] = (
                # isal's GzipFile has no annotations; it is gzip.GzipFile's interface.
                stack.enter_context(igzip.GzipFile(fileobj=raw)).read  # type: ignore[no-untyped-call]
                if compressed
                else raw.read
            )
            yield read
    except GZIP_ERRORS as exc:
        raise broken_gzip(path, exc) from exc


def check_text_file(path: Path, limits: ReadLimits | None = None) -> None:
    """One streaming pass over a text log (plain or gzip) before polars reads it: the
    decompressed size and the longest line stay within the limits. Costs one read of the
    file, about a second per GB, against an allocation failure with no message."""
    bounds = TextBounds(path, limits)
    with open_bytes(path) as read:
        while block := read(bounds.step(_STEP)):
            bounds.add(block)
