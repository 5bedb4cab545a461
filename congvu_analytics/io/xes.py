"""XES (IEEE 1849) reader: plain ``.xes`` or gzip-compressed ``.xes.gz``.

Two parsers produce the same frame:

* the **fast path** streams the (decompressed) document in blocks cut after a ``</trace>``, and
  lets polars' multi-threaded CSV parser split each block into one row per XML tag (the line
  terminator is ``<`` and the field separator is ``"``), so a tag
  ``<string key="org:group" value="V30"/>`` arrives as the fields
  ``string key=`` | ``org:group`` | `` value=`` | ``V30`` | ``/>``. Vectorised checks then verify
  that every row is one of the few shapes a flat XES body can have and that the nesting is
  right (trace > event > attribute); event and trace attributes are pivoted into columns.
* the **fallback** is ``xml.etree.ElementTree.iterparse`` (expat). It is used whenever the fast
  path sees anything it does not fully understand (comments, CDATA, nested or list attributes,
  numeric character references, single-quoted attributes, another encoding, a malformed or
  truncated document). It is the authority: it either reads the file or raises a
  :class:`LogError` with the line and the trace where the XML breaks.

So a valid log is always read, quickly when it is a plain flat XES (what every tool writes),
and an invalid one is always refused with a precise message.

The output follows the pm4py convention: event attributes keep their XES key
(``concept:name``, ``time:timestamp``, ...), trace attributes are prefixed ``case:``. ``date``
attributes become ``Datetime("us", "UTC")``; ``int``/``float``/``boolean`` are cast; the rest
are strings. Two bookkeeping columns are added: ``__trace`` (0-based trace number in the file)
and ``__pos`` (0-based position of the event within its trace, in file order).
"""

from __future__ import annotations

import gzip
import io
import xml.etree.ElementTree as ET
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO
from xml.parsers import expat

import polars as pl

from congvu_analytics.io.errors import LogError
from congvu_analytics.io.limits import GZIP_ERRORS, bounded, broken_gzip

TRACE_COL = "__trace"
POS_COL = "__pos"
CASE_PREFIX = "case:"

# Blocks of the decompressed document handed to the parser (bounded memory on big logs; one
# block for logs up to this size) and compressed reads.
_BLOCK = 64 * 1024 * 1024
_READ = 16 * 1024 * 1024
_ATTR_TYPES = ("string", "date", "int", "float", "boolean", "id")
# Row kinds of the fast path.
_K_TRACE, _K_END_TRACE, _K_EVENT, _K_END_EVENT, _K_END_LOG = 1, 2, 3, 4, 5
_K_ATTR = 10  # + index into _ATTR_TYPES
_STRUCT = {
    "trace>": _K_TRACE,
    "/trace>": _K_END_TRACE,
    "event>": _K_EVENT,
    "/event>": _K_END_EVENT,
    "/log>": _K_END_LOG,
}
_ATTR_HEADS = {f"{t} key=": _K_ATTR + i for i, t in enumerate(_ATTR_TYPES)}
_UNSUPPORTED = ((b"!", b"<!"), (b"?", b"<?"), (b"#", b"&#"))
_ENTITIES = (("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&apos;", "'"), ("&amp;", "&"))

Progress = Callable[[int], None]


class _FastPathUnsupported(Exception):
    """The fast path met something it does not handle; use the iterparse fallback."""


@dataclass
class RawLog:
    """A log as read from the file, before any mapping.

    Attributes:
        frame: one row per event, raw attributes as columns (see module docstring).
        log_attributes: top-level ``<log>`` attributes (key -> value as text).
        attribute_types: XES type of each column (``string``, ``date``, ...).
        parser: ``"fast"`` or ``"iterparse"``: which parser produced the frame.
    """

    frame: pl.DataFrame
    log_attributes: dict[str, str] = field(default_factory=dict)
    attribute_types: dict[str, str] = field(default_factory=dict)
    parser: str = "fast"


def _gunzip(fh: BinaryIO, progress: Progress | None) -> Iterator[bytes]:
    """Decompress gzip members straight with zlib, in pieces of about ``_BLOCK`` bytes.

    zlib.decompressobj on large reads costs less than gzip.GzipFile's small buffered reads,
    which matters on small logs where decompressing is a good share of the whole read. The
    gzip trailer (CRC-32, length) is still checked by zlib; concatenated members are read on.
    """
    decompressor: zlib._Decompress | None = None
    pending = b""
    parts: list[bytes] = []
    size = 0
    while True:
        if len(pending) < 2:
            more = fh.read(_READ)
            if progress is not None:
                progress(len(more))
            pending += more
            if not pending:
                if decompressor is not None and not decompressor.eof:
                    raise EOFError("Compressed file ended before the end-of-stream marker")
                break
        if decompressor is None or decompressor.eof:
            if decompressor is not None and not pending.startswith(b"\x1f\x8b"):
                if pending.strip(b"\x00"):
                    raise gzip.BadGzipFile("Not a gzipped file: data after the last member")
                pending = b""
                continue
            decompressor = zlib.decompressobj(wbits=31)
        out = decompressor.decompress(pending, _BLOCK)
        pending = decompressor.unused_data if decompressor.eof else decompressor.unconsumed_tail
        if out:
            parts.append(out)
            size += len(out)
            if size >= _BLOCK:
                yield b"".join(parts)
                parts, size = [], 0
    if parts:
        yield b"".join(parts)


def _plain(fh: BinaryIO, progress: Progress | None) -> Iterator[bytes]:
    while block := fh.read(_BLOCK):
        if progress is not None:
            progress(len(block))
        yield block


def _blocks(path: Path, progress: Progress | None) -> Iterator[bytes]:
    """Decompressed document in blocks; a gzip error becomes a LogError."""
    try:
        with path.open("rb") as fh:
            compressed = fh.read(2) == b"\x1f\x8b"
            fh.seek(0)
            # Bounded: a gzip bomb stops at CONGVU_MAX_LOG_BYTES (congvu_analytics.io.limits).
            yield from bounded((_gunzip if compressed else _plain)(fh, progress), path)
    except GZIP_ERRORS as exc:
        raise broken_gzip(path, exc) from exc


def read_xes(
    path: str | Path,
    *,
    naive_timezone: str | None = None,
    progress: Progress | None = None,
    force_fallback: bool = False,
) -> RawLog:
    """Read an XES or XES.gz file into a raw frame.

    Args:
        path: the ``.xes`` or ``.xes.gz`` file (compression is detected from the content).
        naive_timezone: IANA zone assumed for ``date`` values without an offset; ``None``
            refuses such values.
        progress: called with the number of (compressed) bytes consumed since the last call.
        force_fallback: use the iterparse parser (tests and benchmarks).

    Returns:
        The raw log.

    Raises:
        LogError: the file is not a readable XES log (message in Vietnamese).
    """
    path = Path(path)
    if not path.exists():
        raise LogError("Không tìm thấy tệp.", path=path)
    if not force_fallback:
        try:
            raw = _read_fast(path, progress)
        except _FastPathUnsupported:
            pass
        else:
            return _finish(raw, path, naive_timezone)
    raw = _read_iterparse(path)
    return _finish(raw, path, naive_timezone)


# --- fast path ---------------------------------------------------------------------------------


def _read_fast(path: Path, progress: Progress | None) -> RawLog:
    header = b""
    buffer = b""
    in_body = False
    frames: list[pl.DataFrame] = []
    types: dict[str, str] = {}
    n_traces = 0
    n_events = 0
    pos = 0  # where the unparsed body starts in `buffer` (slicing once saves a block copy)
    for block in _blocks(path, progress):
        buffer += block
        if not in_body:
            start = buffer.find(b"<trace")
            if start < 0:
                if len(buffer) > 256 * 1024 * 1024:
                    raise _FastPathUnsupported
                continue
            header, pos = buffer[:start], start
            in_body = True
        cut = buffer.rfind(b"</trace>", pos)
        if cut < 0:
            continue
        cut += len(b"</trace>")
        chunk, buffer, pos = buffer[pos:cut], buffer[cut:], 0
        frame, n_t, n_e = _parse_block(chunk, n_traces, n_events, types)
        n_traces += n_t
        n_events += n_e
        frames.append(frame)
    if not in_body:
        raise _FastPathUnsupported  # no trace at all: let iterparse say why (empty, malformed)
    if buffer.strip() != b"</log>":
        raise _FastPathUnsupported  # truncated or trailing content: iterparse gives the line
    log_attributes = _parse_header(header)
    frame = pl.concat(frames, how="diagonal_relaxed") if frames else pl.DataFrame()
    return RawLog(frame=frame, log_attributes=log_attributes, attribute_types=types, parser="fast")


def _parse_header(header: bytes) -> dict[str, str]:
    """The ``<log>`` element's own attributes (its direct children), checking the header is
    well-formed XML. Plain expat with two small handlers: OpenXES headers carry megabytes of
    nested meta-attributes, and building an ElementTree of them cost more than the rest of
    the header handling."""
    if b"<!DOCTYPE" in header or b"<!ENTITY" in header:
        raise _FastPathUnsupported
    attributes: dict[str, str] = {}
    roots: list[str] = []
    depth = 0

    def start(name: str, attrs: dict[str, str]) -> None:
        nonlocal depth
        depth += 1
        if depth == 1:
            roots.append(_local(name))
        elif depth == 2 and "key" in attrs and _local(name) in _ATTR_TYPES:
            attributes[attrs["key"]] = attrs.get("value", "")

    def end(name: str) -> None:
        nonlocal depth
        depth -= 1

    # DOCTYPE/ENTITY were refused above, so no entity expansion can happen here.
    parser = expat.ParserCreate(namespace_separator="}")
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    try:
        parser.Parse(header + b"</log>", True)
    except expat.ExpatError as exc:
        raise _FastPathUnsupported from exc
    if roots != ["log"]:
        raise _FastPathUnsupported
    return attributes


def _parse_block(
    chunk: bytes, trace_offset: int, event_offset: int, types: dict[str, str]
) -> tuple[pl.DataFrame, int, int]:
    # Comments, CDATA, processing instructions, numeric character references. "<" is the most
    # frequent byte, so look for the rare second byte first (a memchr), then for the pair.
    if any(rare in chunk and pair in chunk for rare, pair in _UNSUPPORTED):
        raise _FastPathUnsupported
    names = ["head", "key", "sep", "value", "tail", "extra"]
    try:
        rows = pl.read_csv(
            chunk,  # starts with "<": row 0 is empty (dropped below, no copy of the block)
            has_header=False,
            separator='"',
            eol_char="<",
            quote_char=None,
            schema=dict.fromkeys(names, pl.String()),
            truncate_ragged_lines=True,
            encoding="utf8",
        )
    except pl.exceptions.PolarsError as exc:  # e.g. invalid UTF-8
        raise _FastPathUnsupported from exc
    # Row 0 is what precedes the block's first "<": only whitespace is allowed there.
    if rows.height == 0 or (rows.item(0, 0) or "").strip() or rows.row(0)[1:] != (None,) * 5:
        raise _FastPathUnsupported
    rows = rows.slice(1)
    delta_by_kind = {_K_TRACE: 1, _K_EVENT: 1, _K_END_TRACE: -1, _K_END_EVENT: -1}
    kind = pl.col("kind")
    lf = (
        rows.lazy()
        .with_columns(
            kind=pl.col("head")
            .replace_strict(_ATTR_HEADS, default=None, return_dtype=pl.Int8)
            .fill_null(
                pl.col("head")
                .str.strip_chars_end()
                .replace_strict(_STRUCT, default=None, return_dtype=pl.Int8)
            )
        )
        .with_columns(delta=kind.replace_strict(delta_by_kind, default=0, return_dtype=pl.Int32))
        .with_columns(
            depth=pl.col("delta").cum_sum() - pl.col("delta"),
            trace=(kind == _K_TRACE).cast(pl.Int64).cum_sum() - 1 + trace_offset,
            event=(kind == _K_EVENT).cast(pl.Int64).cum_sum() - 1 + event_offset,
        )
    )
    is_attr = kind >= _K_ATTR
    depth = pl.col("depth")
    ok = pl.when(is_attr).then(
        (pl.col("sep") == " value=")
        & (pl.col("tail").str.strip_chars_end() == "/>")
        & pl.col("extra").is_null()
        & ((depth == 1) | (depth == 2))
    ).when(kind == _K_TRACE).then(depth == 0).when(kind == _K_EVENT).then(depth == 1).when(
        kind == _K_END_EVENT
    ).then(depth == 2).when(kind == _K_END_TRACE).then(depth == 1).otherwise(False) & pl.col(
        "key"
    ).is_null().xor(is_attr)
    # Materialise once: the checks and the outputs below all read the same columns; then run
    # them as one batch so that polars can work on them in parallel.
    base = lf.cache()
    checks = base.select(
        ok=ok.fill_null(False).all(),
        final=pl.col("delta").sum(),
        n_traces=(kind == _K_TRACE).sum(),
    )
    # Entities can only occur where the block has an "&"; skip the replacements otherwise.
    unescape = _unescape if b"&" in chunk else (lambda e: e)
    attrs = base.filter(is_attr).select(
        "trace",
        "event",
        "depth",
        "kind",
        key=unescape(pl.col("key")),
        value=unescape(pl.col("value")),
    )
    # Position of each event in its trace: its number minus the number of the trace's first event.
    events_lf = (
        base.with_columns(
            first=pl.when(kind == _K_TRACE).then(pl.col("event") + 1).otherwise(None).forward_fill()
        )
        .filter(kind == _K_EVENT)
        .select("trace", "event", (pl.col("event") - pl.col("first")).alias(POS_COL))
    )
    types_lf = attrs.group_by("depth", "key").agg(
        kmin=pl.col("kind").min(), kmax=pl.col("kind").max()
    )
    checked, events, type_rows, event_attrs, trace_attrs = pl.collect_all(
        [
            checks,
            events_lf,
            types_lf,
            attrs.filter(pl.col("depth") == 2),
            attrs.filter(pl.col("depth") == 1).with_columns(
                key=pl.lit(CASE_PREFIX) + pl.col("key")
            ),
        ]
    )
    ok_all, final, n_traces = checked.row(0)
    if not ok_all or final != 0:
        raise _FastPathUnsupported
    for level, key, kmin, kmax in type_rows.iter_rows():
        column = key if level == 2 else CASE_PREFIX + key
        xes_type = _ATTR_TYPES[kmin - _K_ATTR] if kmin == kmax else "string"
        previous = types.setdefault(column, xes_type)
        if previous != xes_type:
            types[column] = "string"
    wide = events
    layout = _uniform_layout(event_attrs, events.height)
    if layout is None:
        layout = _scatter_layout(event_attrs, events.height, event_offset)
    if layout is not None:
        wide = events.hstack(layout)
    elif event_attrs.height:
        pivot = event_attrs.pivot(
            on="key", index="event", values="value", aggregate_function="first"
        )
        wide = wide.join(pivot, on="event", how="left", maintain_order="left")
    if trace_attrs.height:
        tpivot = trace_attrs.pivot(
            on="key", index="trace", values="value", aggregate_function="first"
        )
        wide = wide.join(tpivot, on="trace", how="left", maintain_order="left")
    frame = wide.rename({"trace": TRACE_COL}).drop("event")
    return frame, int(n_traces), events.height


def _uniform_layout(event_attrs: pl.DataFrame, n_events: int) -> pl.DataFrame | None:
    """Events as columns without a pivot, when every event lists the same keys in the same order.

    Most tools write every event with the same attributes in the same order; then the value
    column is simply an (events x keys) matrix. Returns None when the layout is not uniform.
    """
    if n_events == 0 or event_attrs.height % n_events:
        return None
    width = event_attrs.height // n_events
    keys = event_attrs.get_column("key").head(width).to_list()
    if len(set(keys)) != width:
        return None
    position = pl.int_range(pl.len()) % width
    check = event_attrs.select(
        same_keys=(pl.col("key") == position.replace_strict(dict(enumerate(keys)))).all(),
        same_events=(pl.col("event") == pl.col("event").shift(width - 1))
        .filter(position == width - 1)
        .all()
        if width > 1
        else pl.lit(True),
        consecutive=(pl.col("event").diff().fill_null(1).is_between(0, 1)).all(),
    ).row(0)
    if not all(check):
        return None
    values = event_attrs.get_column("value").reshape((n_events, width))
    return values.arr.to_struct(fields=keys).struct.unnest()


def _scatter_layout(
    event_attrs: pl.DataFrame, n_events: int, event_offset: int
) -> pl.DataFrame | None:
    """Events as columns by scattering each key's values to its events' rows (no pivot).

    Handles events that miss some keys. Returns None if an event repeats a key (then the
    pivot keeps the first value, as the fallback parser does).
    """
    keys = event_attrs.get_column("key").unique(maintain_order=True).to_list()
    codes = event_attrs.select(
        pl.col("event") - event_offset,
        "value",
        code=pl.col("key").replace_strict(
            {k: i for i, k in enumerate(keys)}, return_dtype=pl.UInt32
        ),
    )
    columns = []
    for code, part in enumerate(codes.partition_by("code", maintain_order=True)):
        del code
        rows = part.get_column("event")
        if rows.n_unique() != rows.len():
            return None
        key = keys[int(part.get_column("code")[0])]
        empty = pl.repeat(None, n_events, dtype=pl.String, eager=True).alias(key)
        columns.append(empty.scatter(rows, part.get_column("value")))
    return pl.DataFrame(columns)


def _unescape(expr: pl.Expr) -> pl.Expr:
    out = expr
    for entity, char in _ENTITIES:
        out = out.str.replace_all(entity, char, literal=True)
    return pl.when(expr.str.contains("&", literal=True)).then(out).otherwise(expr)


# --- iterparse fallback -------------------------------------------------------------------------


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _read_iterparse(path: Path) -> RawLog:  # noqa: PLR0912, PLR0915 - one flat state machine
    rows: list[dict[str, object]] = []
    types: dict[str, str] = {}
    log_attributes: dict[str, str] = {}
    trace_attrs: dict[str, object] = {}
    trace_rows: list[dict[str, object]] = []
    event: dict[str, object] | None = None
    stack: list[str] = []
    trace_no = -1
    current_trace: str | None = None
    saw_log = False
    data = b"".join(_blocks(path, None))
    if b"<!DOCTYPE" in data[:65536] or b"<!ENTITY" in data[:65536]:
        # XES never needs a DTD; refusing it rules out entity-expansion attacks.
        raise LogError("Tệp XES chứa khai báo DOCTYPE/ENTITY: không được hỗ trợ.", path=path)
    parser = ET.iterparse(io.BytesIO(data), events=("start", "end"))  # noqa: S314
    try:
        for kind, elem in parser:
            tag = _local(elem.tag)
            if kind == "start":
                parent = stack[-1] if stack else None
                stack.append(tag)
                if parent is None:
                    if tag != "log":
                        raise LogError(
                            f"Phần tử gốc là <{tag}>, không phải <log>: đây không phải tệp XES.",
                            path=path,
                        )
                    saw_log = True
                elif tag == "trace" and parent == "log":
                    trace_no += 1
                    trace_attrs = {}
                    trace_rows = []
                    current_trace = None
                elif tag == "event" and parent == "trace":
                    event = {TRACE_COL: trace_no, POS_COL: len(trace_rows)}
                    trace_rows.append(event)
                continue
            stack.pop()
            parent = stack[-1] if stack else None
            if tag in _ATTR_TYPES and elem.get("key") is not None:
                key = str(elem.get("key"))
                value = elem.get("value")
                if parent == "event" and event is not None and len(stack) == 3:
                    event.setdefault(key, value)
                    _note_type(types, key, tag)
                elif parent == "trace" and len(stack) == 2:
                    trace_attrs.setdefault(CASE_PREFIX + key, value)
                    _note_type(types, CASE_PREFIX + key, tag)
                    if key == "concept:name":
                        current_trace = value
                elif parent == "log" and len(stack) == 1:
                    log_attributes[key] = str(value)
            elif tag == "event":
                event = None
            elif tag == "trace":
                for row in trace_rows:
                    row.update(trace_attrs)
                rows.extend(trace_rows)
                elem.clear()
    except ET.ParseError as exc:
        line, col = exc.position
        raise LogError(
            f"XML không hợp lệ ở cột {col}: {_explain_expat(exc)}",
            path=path,
            line=line,
            trace=current_trace,
        ) from exc
    if not saw_log:
        raise LogError("Tệp không chứa phần tử <log>: không phải tệp XES.", path=path)
    frame = pl.DataFrame(rows, infer_schema_length=None) if rows else pl.DataFrame()
    if rows:
        frame = frame.select(pl.all().cast(pl.String)).with_columns(
            pl.col(TRACE_COL).cast(pl.Int64), pl.col(POS_COL).cast(pl.Int64)
        )
    return RawLog(
        frame=frame, log_attributes=log_attributes, attribute_types=types, parser="iterparse"
    )


def _note_type(types: dict[str, str], column: str, xes_type: str) -> None:
    previous = types.setdefault(column, xes_type)
    if previous != xes_type:
        types[column] = "string"


def _explain_expat(exc: ET.ParseError) -> str:
    text = str(exc).split(":")[0]
    known = {
        "no element found": "tài liệu kết thúc giữa chừng (tệp bị cắt cụt?)",
        "mismatched tag": "thẻ đóng không khớp với thẻ mở",
        "not well-formed (invalid token)": "có ký tự hoặc cú pháp không hợp lệ",
        "unclosed token": "thẻ chưa được đóng",
        "junk after document element": "có nội dung thừa sau thẻ </log>",
        "undefined entity": "thực thể (&...;) không xác định",
    }
    return known.get(text, text)


# --- typing ------------------------------------------------------------------------------------


def _finish(raw: RawLog, path: Path, naive_timezone: str | None) -> RawLog:
    frame = raw.frame
    if frame.height == 0:
        raise LogError("Nhật ký rỗng: không có sự kiện (event) nào.", path=path)
    casts: list[pl.Expr] = []
    for column, xes_type in raw.attribute_types.items():
        if column not in frame.columns:
            continue
        if xes_type == "int":
            casts.append(pl.col(column).cast(pl.Int64, strict=False))
        elif xes_type == "float":
            casts.append(pl.col(column).cast(pl.Float64, strict=False))
        elif xes_type == "boolean":
            casts.append(pl.col(column).str.to_lowercase().eq("true").alias(column))
    if casts:
        frame = frame.with_columns(casts)
    for column, xes_type in raw.attribute_types.items():
        if xes_type == "date" and column in frame.columns:
            frame = frame.with_columns(
                parse_iso_timestamps(frame, column, naive_timezone, path=path).alias(column)
            )
    raw.frame = frame
    return raw


def parse_iso_timestamps(
    frame: pl.DataFrame,
    column: str,
    naive_timezone: str | None,
    *,
    path: str | Path | None = None,
    case_column: str = CASE_PREFIX + "concept:name",
) -> pl.Series:
    """Parse ISO 8601 text (XES ``date``) into UTC, refusing naive values unless a zone is given.

    Args:
        frame: the frame holding ``column`` (and ``case_column`` for error messages).
        column: the text column.
        naive_timezone: IANA zone assumed for values without an offset, or ``None`` to refuse.
        path: the file, for error messages.
        case_column: names the trace in error messages.

    Returns:
        A ``Datetime("us", "UTC")`` series.

    Raises:
        LogError: a value cannot be parsed, or has no offset and no zone was declared.
    """
    text = frame.get_column(column).cast(pl.String)
    iso = "%Y-%m-%dT%H:%M:%S%.f%:z"
    aware = text.str.to_datetime(iso, strict=False, time_zone="UTC", time_unit="us")
    if aware.null_count() == text.null_count():
        return aware  # the common case: every value has an offset like +02:00
    text = text.str.strip_chars().str.replace(r"Z$", "+00:00")
    text = text.str.replace(r"([+-]\d\d)(\d\d)$", "$1:$2")
    aware = text.str.to_datetime(iso, strict=False, time_zone="UTC", time_unit="us")
    naive = text.str.to_datetime("%Y-%m-%dT%H:%M:%S%.f", strict=False, time_unit="us")
    has_naive = naive.is_not_null() & aware.is_null()
    if has_naive.any():
        if naive_timezone is None:
            _raise_bad(
                frame,
                has_naive,
                column=column,
                case_column=case_column,
                path=path,
                what="không có múi giờ và tệp ánh xạ không khai báo múi giờ giả định "
                "([timestamps] timezone)",
            )
        assumed = naive.dt.replace_time_zone(
            naive_timezone, ambiguous="earliest", non_existent="null"
        ).dt.convert_time_zone("UTC")
        aware = aware.fill_null(assumed)
    bad = text.is_not_null() & aware.is_null()
    if bad.any():
        _raise_bad(
            frame,
            bad,
            column=column,
            case_column=case_column,
            path=path,
            what="không đọc được thời điểm",
        )
    return aware


def _raise_bad(
    frame: pl.DataFrame,
    mask: pl.Series,
    *,
    column: str,
    case_column: str,
    path: str | Path | None,
    what: str,
) -> None:
    index = int(mask.arg_true()[0])
    value = frame.get_column(column)[index]
    trace = str(frame.get_column(case_column)[index]) if case_column in frame.columns else None
    raise LogError(
        f"Giá trị {value!r} {what} ({int(mask.sum())} giá trị như vậy).",
        path=path,
        trace=trace,
        column=column,
    )
