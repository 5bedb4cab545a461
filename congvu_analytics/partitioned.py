"""Logs too large for one frame: whole cases in hash buckets, loaded and analysed bucket by bucket.

A *partitioned dataset* is a folder of Parquet files in the canonical schema, laid out as
``province=<p>/year=<y>/bucket=<b>/part-<n>.parquet`` (``write_dataset``; ``manage.py export_log --format dataset``): the bucket is a hash of
the case id, the year that of the case's first event, so every case is whole inside one file.
A large CSV, CSV.gz or Parquet file is split the same way while it streams in
(``split_table``): one record batch at a time is mapped and appended to its buckets, so the
whole file is never in memory.

``load_buckets`` then validates each bucket with the loader's own steps
(:func:`congvu_analytics.io.loader.finish`) and keeps the canonical events on disk, and
``run_buckets`` runs the per-case phase of detection bucket by bucket
(:func:`congvu_analytics.detect.case_phase`) and one per-subject reduce over the compact
results. Memory is bounded by the largest bucket; results are identical to the in-memory run.

A dataset of several provinces (a national one) is analysed province by province: each
province's buckets, then its per-subject reduce, then the next province. A person and a unit
belong to one province, and a province is one administration whose staff the decrees evaluate
among themselves, so peers, rates and the false-discovery control are the province's own; the
reduce then holds one province's per-subject rows, not the country's. The outputs are the
provinces' outputs one after another with a ``province`` column first; a one-province dataset
gives exactly the outputs it always gave (no such column).
"""

from __future__ import annotations

import glob
import math
import shutil
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

import polars as pl

from congvu_analytics import schema as s
from congvu_analytics.detect import (
    SCRATCH_PARQUET,
    CasePhase,
    DetectionResult,
    case_phase,
    reduce_phases,
    reorganizations,
    subject_phase,
)
from congvu_analytics.io.csv_rows import csv_rows, fitted
from congvu_analytics.io.errors import LogError
from congvu_analytics.io.limits import TextBounds, check_text_file, open_bytes
from congvu_analytics.io.loader import (
    LINE_COL,
    ORDER_COL,
    LoadReport,
    check_unknown_labels,
    collect_mapped,
    detect_format,
    finish,
    mapped_scan,
    raise_bad_times,
)
from congvu_analytics.io.mapping import Mapping, native_mapping
from congvu_analytics.io.org import OrgCoverage
from congvu_analytics.org import PERSON_ID, UNIT_ID, Org
from congvu_analytics.report import Distributions, distributions
from congvu_analytics.safe_csv import restore_frame
from congvu_analytics.workdays import WorkCalendar
from congvu_analytics.workers import default_workers, in_workers, release_workers

BUCKET = "bucket"
PROVINCE = "province"
DEFAULT_BUCKETS = 16
BATCH_BYTES = 32 << 20  # bytes of text per record batch read from a CSV
BATCH_ROWS = 1 << 20  # rows per record batch read from Parquet


def bucket_of(cases: pl.Series, buckets: int) -> pl.Series:
    """The bucket of each case id: CRC-32 of its UTF-8 text modulo ``buckets``.

    CRC-32 rather than Polars' own hash, which may change between versions: a dataset written
    today must be read the same way by a later release (and Spark's ``crc32`` agrees)."""
    distinct = cases.unique()
    codes = [zlib.crc32(c.encode()) % buckets if c is not None else 0 for c in distinct]
    table = pl.DataFrame({"c": distinct, BUCKET: pl.Series(codes, dtype=pl.Int32)})
    return cases.to_frame("c").join(table, on="c", how="left", nulls_equal=True)[BUCKET]


def is_dataset(path: str | Path) -> bool:
    """A folder, or a glob pattern, names a partitioned dataset rather than one log file."""
    text = str(path)
    return Path(text).is_dir() or any(ch in text for ch in "*?[")


def dataset_files(path: str | Path) -> list[list[Path]]:
    """The Parquet files of a dataset grouped by bucket folder (a bucket may hold several
    parts), in a stable order."""
    text = str(path)
    if Path(text).is_dir():
        files = sorted(Path(text).rglob("*.parquet"))
    else:
        files = sorted(Path(p) for p in glob.glob(text, recursive=True) if p.endswith(".parquet"))
    groups: dict[Path, list[Path]] = {}
    for f in files:
        groups.setdefault(f.parent, []).append(f)
    if not groups:
        what = "là một thư mục nhưng không có" if Path(text).is_dir() else "không khớp với"
        raise LogError(
            f"{what} tệp Parquet nào của bộ dữ liệu phân vùng (cần một tệp nhật ký, "
            "hoặc thư mục/mẫu tên của bộ dữ liệu đã chia theo hồ sơ).",
            path=Path(text),
        )
    return [groups[k] for k in sorted(groups)]


def province_of(folder: Path) -> str:
    """The province of a bucket folder: its ``province=<code>`` path part, or ``""`` for a
    folder outside that layout (the whole dataset is then one province)."""
    for name in reversed(folder.parts):
        if name.startswith(f"{PROVINCE}="):
            return name.removeprefix(f"{PROVINCE}=")
    return ""


def dataset_provinces(path: str | Path) -> list[str]:
    """The province of each bucket of a dataset, in the order of :func:`dataset_sources`."""
    return [province_of(files[0].parent) for files in dataset_files(path)]


def write_dataset(
    events: pl.DataFrame,
    out: Path,
    *,
    buckets: int = DEFAULT_BUCKETS,
    province: str = "all",
    part: int = 0,
) -> int:
    """Write canonical events as a partitioned dataset (province, year of the case's first
    event, case bucket), each bucket in (case, time) order; returns the number of files.

    A writer that streams a log batch by batch calls this once per batch with a new ``part``:
    every batch must hold whole cases, so a case still lies in one file of one bucket."""
    frame = events.with_columns(
        bucket_of(events.get_column(s.CASE_ID), buckets).alias(BUCKET),
        pl.col(s.TIMESTAMP).min().over(s.CASE_ID).dt.year().alias("_year"),
    )
    written = 0
    for (year, bucket), rows in frame.partition_by(
        "_year", BUCKET, as_dict=True, maintain_order=True
    ).items():
        folder = out / f"province={province}" / f"year={year}" / f"{BUCKET}={bucket:04d}"
        folder.mkdir(parents=True, exist_ok=True)
        rows.drop("_year", BUCKET).write_parquet(folder / f"part-{part}.parquet")
        written += 1
    return written


# --- splitting one large table file into buckets while it streams in ---------------------------


@dataclass(frozen=True)
class _CsvDialect:
    """How Arrow reads a CSV of the mapping: plain values, sent to the worker processes."""

    names: tuple[str, ...]  # the header's names (or ``column_<n>`` for a headerless file)
    header: bool
    compression: str | None
    encoding: str
    delimiter: str
    quote: Any
    nulls: tuple[str, ...]

    def options(self, *, block_size: int, given_names: bool) -> tuple[Any, Any, Any]:
        import pyarrow as pa
        from pyarrow import csv as pacsv

        read = pacsv.ReadOptions(
            block_size=block_size,
            # A worker's piece: one thread, the other core is the other worker's.
            use_threads=not given_names,
            column_names=list(self.names) if given_names else None,
            autogenerate_column_names=not self.header and not given_names,
            encoding=self.encoding,
        )
        parse = pacsv.ParseOptions(delimiter=self.delimiter, quote_char=self.quote)
        convert = pacsv.ConvertOptions(
            column_types=dict.fromkeys(self.names, pa.string()),
            null_values=list(self.nulls),
            strings_can_be_null=True,
            quoted_strings_can_be_null=True,
        )
        return read, parse, convert


def _csv_dialect(path: Path, mapping: Mapping | None) -> _CsvDialect:
    import pyarrow as pa
    from pyarrow import csv as pacsv

    opts = mapping.csv if mapping is not None else None
    dialect = _CsvDialect(
        names=(),
        header=opts.has_header if opts else True,
        compression="gzip" if path.name.lower().endswith(".gz") else None,
        encoding=(opts.encoding if opts else "utf8").replace("-", "").lower(),
        delimiter=opts.delimiter if opts else ",",
        quote=opts.quote if opts else '"',
        nulls=tuple(opts.null_values) if opts else ("",),
    )
    read, parse, _convert = dialect.options(block_size=BATCH_BYTES, given_names=False)
    try:
        # The names from the first lines alone: Arrow's reader on the file would inflate and
        # parse a whole first block (32 MB of text) for them.
        names = pacsv.open_csv(
            pa.BufferReader(_first_lines(path)), read_options=read, parse_options=parse
        ).schema.names
    except (OSError, ValueError) as exc:
        if isinstance(exc, LogError):
            raise
        # A header cut by a line break inside a quoted name, say: the whole stream as before.
        with pa.input_stream(str(path), compression=dialect.compression) as stream:
            names = pacsv.open_csv(stream, read_options=read, parse_options=parse).schema.names
    if not dialect.header:  # polars names headerless columns column_1...
        names = [f"column_{i + 1}" for i in range(len(names))]
    return replace(dialect, names=tuple(names))


_HEAD_BYTES = 1 << 20  # text read for a CSV's column names


def _first_lines(path: Path) -> bytes:
    """The first MB or so of a CSV's text, up to its last line break (more if the first line
    is longer, within the line limit)."""
    bounds = TextBounds(path)
    blocks: list[bytes] = []
    with open_bytes(path) as read:
        while block := read(bounds.step(_HEAD_BYTES)):
            bounds.add(block)
            blocks.append(block)
            if bounds.total >= _HEAD_BYTES and bounds.line > 1:  # a line break was read
                text = b"".join(blocks)
                return text[: text.rindex(b"\n") + 1]
    return b"".join(blocks)


def _csv_batches(path: Path, dialect: _CsvDialect) -> Iterator[Any]:
    """Arrow record batches of a CSV or CSV.gz, every column as text, in file order.

    Polars decompresses a whole gzip file in memory before parsing (~5 GB for 16M events);
    Arrow's streaming reader holds one block at a time."""
    import pyarrow as pa
    from pyarrow import csv as pacsv

    read, parse, convert = dialect.options(block_size=BATCH_BYTES, given_names=False)
    with pa.input_stream(str(path), compression=dialect.compression) as stream:
        reader = pacsv.open_csv(
            stream, read_options=read, parse_options=parse, convert_options=convert
        )
        for batch in reader:
            if not dialect.header:
                batch = pa.RecordBatch.from_arrays(  # noqa: PLW2901 - the same batch renamed
                    batch.columns, names=list(dialect.names)
                )
            yield batch


class _Unaligned(Exception):
    """A piece of text did not hold one row per line (blank lines, line breaks in quoted
    values): its rows cannot be numbered from the lines before it."""


# Text read at a time when a CSV is cut into pieces: under glibc's largest threshold for
# serving an allocation from mmap (32 MB), so that freed blocks are reused rather than mapped
# and faulted in afresh (measured: 1.3 s of system time for 1.5 GB read 32 MB at a time). A
# piece is about BATCH_BYTES of them: each piece writes a part to every bucket.
PIECE_BYTES = 16 << 20


def _csv_pieces(
    path: Path, dialect: _CsvDialect
) -> Iterator[tuple[bytes, tuple[bytes, ...], int, int]]:
    """The decompressed text of a CSV in pieces of about ``BATCH_BYTES`` cut after a line
    break, the header line left out: ``(head, blocks, cut, lines)``, the piece being ``head``
    (the end of the line the previous piece cut), the blocks, the last one up to ``cut``;
    ``lines`` counts its line breaks (one more at the end of a file without a final one).

    Only decompressing and counting line breaks and quote characters happen here; the workers
    join and parse the pieces. A piece is cut at a line break outside quoted values
    (:func:`_cut_outside_quotes`), so a value holding line breaks stays in one piece; the
    worker counts them to number the rows by their file lines. A blank line the worker finds
    out (:class:`_Unaligned`)."""
    # The one pass over the file's text: the size and line limits are checked here as it is
    # read (io.limits), not in a pass of their own.
    bounds = TextBounds(path)
    quote = dialect.quote.encode() if dialect.quote else b""
    with open_bytes(path) as read:
        head = b""
        blocks: list[bytes] = []
        size = lines = 0
        odd = 0  # quote characters in the piece so far, mod 2 (1: inside a quoted value)
        skip_header = dialect.header
        while True:
            block = read(bounds.step(PIECE_BYTES))
            count = bounds.add(block)
            if skip_header and block:
                text = head + block
                if b"\n" not in text:  # the header line is not complete yet
                    head = text
                    continue
                block, head, skip_header = text[text.index(b"\n") + 1 :], b"", False
                count = block.count(b"\n")
                if not block:  # the header ended the block: read on
                    continue
            if not block:
                if skip_header:  # nothing but (part of) a header
                    return
                if not blocks and head:  # the last line, without a line break
                    head, blocks = b"", [head]
                if blocks:
                    end = blocks[-1][-1:] != b"\n"  # a last line without a line break
                    yield head, tuple(blocks), len(blocks[-1]), lines + end
                return
            blocks.append(block)
            size += len(block)
            lines += count
            if quote:
                odd = (odd + block.count(quote)) % 2
            if size < BATCH_BYTES or not lines:
                continue
            cut = _cut_outside_quotes(block, odd, quote)
            if cut == 0 and size >= 2 * BATCH_BYTES:
                # No line break outside quoted values in twice a piece's text: a quote
                # character that opens no value (a stray one in free text) upset the count.
                # Cut at the last line break; the worker finds out whether its rows are its
                # lines, else the file goes to the single reader.
                cut = block.rfind(b"\n") + 1
            if cut == 0:  # no row ends in this block: it belongs with the next piece
                continue
            rest = block.count(b"\n", cut)  # line breaks inside a value that goes on
            yield head, tuple(blocks), cut, lines - rest
            head, blocks, size, lines = block[cut:], [], 0, rest
            odd = head.count(quote) % 2 if quote else 0


def _cut_outside_quotes(block: bytes, odd: int, quote: bytes) -> int:
    """Just after the last line break of ``block`` that ends a row (0: none does): one outside
    quoted values, ``odd`` saying whether the piece's text up to the END of the block ends
    inside one. A quote inside a quoted value is doubled (RFC 4180), so an even count of quote
    characters before a line break puts it outside. The block's own count is the caller's;
    here only the text after each line break tried is counted, back from the end."""
    cut = block.rfind(b"\n") + 1
    if not quote or not cut:
        return cut
    inside = (odd + block.count(quote, cut)) % 2
    while cut and inside:
        earlier = block.rfind(b"\n", 0, cut - 1) + 1
        inside ^= block.count(quote, earlier, cut) % 2
        cut = earlier
    return cut


def _piece_files(
    pieces: Iterator[tuple[bytes, tuple[bytes, ...], int, int]], workdir: Path
) -> Iterator[tuple[Path, int, int]]:
    """Each piece of :func:`_csv_pieces` written to a file of the work folder, for a worker
    to map from the page cache: ``(file, lines, bytes)``. One copy of the text, where
    sending it through a pipe copied it four times (pickled, written, read, unpickled:
    measured +3 CPU s for 3M events)."""
    for number, (head, blocks, cut, lines) in enumerate(pieces):
        file = workdir / f"piece-{number:06d}.csv"
        with file.open("wb") as out:
            out.write(head)
            out.writelines(blocks[:-1])
            out.write(memoryview(blocks[-1])[:cut])
        yield file, lines, len(head) + sum(len(b) for b in blocks[:-1]) + cut


def _parse_piece(file: Path, lines: int, dialect: _CsvDialect) -> pl.DataFrame:
    """A piece of :func:`_piece_files` as a frame of text columns (its file removed).

    Polars' reader, as the whole-file path reads a CSV (``io.loader``): the same rows and nulls
    (a short row's missing fields null in both paths), and no Arrow table to convert (measured
    on a million rows of the 16M-event export, one thread: 0.23-0.28 CPU s against 0.5-1.2 for
    Arrow's reader and the conversion)."""
    try:
        frame = pl.read_csv(
            file,
            has_header=False,
            new_columns=list(dialect.names),
            schema=dict.fromkeys(dialect.names, pl.String()),
            separator=dialect.delimiter,
            quote_char=dialect.quote,
            null_values=list(dialect.nulls),
            encoding="utf8",
        )
    except pl.exceptions.ComputeError as exc:
        # Polars refuses a quote character inside an unquoted value (free text such as
        # 'công văn "khẩn"'), which Arrow's single reader keeps as text; any other fault
        # that reader names itself.
        raise _Unaligned from exc
    finally:
        file.unlink()
    # Polars reads a blank line as a row of nulls where Arrow's single reader skips it: such a
    # piece goes to the single reader (so does a row whose every field is empty;
    # :func:`_split_batch` then skips it, as io.loader does).
    if frame.select(pl.all_horizontal(pl.all().is_null()).any()).item():
        raise _Unaligned
    if frame.height != lines:
        # Values that hold line breaks: a row of several lines. Each row's first line is the
        # piece's row index plus the line breaks inside the rows before it.
        inside = frame.select(
            pl.sum_horizontal(
                pl.col(n).str.count_matches("\n", literal=True).fill_null(0) for n in dialect.names
            )
        ).to_series()
        if frame.height + inside.sum() != lines:
            raise _Unaligned
        frame = frame.with_columns(inside.cum_sum().shift(1, fill_value=0).alias(_BREAKS_BEFORE))
    return frame


# A piece's column (when some of its values hold line breaks): the line breaks inside the rows
# before each row, which :func:`_split_batch` adds to the row's index to give its line.
_BREAKS_BEFORE = "__breaks_before"


def _frame(batch: Any) -> pl.DataFrame:
    frame = pl.from_arrow(batch)
    if not isinstance(frame, pl.DataFrame):  # pragma: no cover - a record batch is a table
        raise TypeError("expected a table")
    return frame


def _parquet_batches(path: Path) -> Iterator[Any]:
    import pyarrow.parquet as pq

    yield from pq.ParquetFile(path).iter_batches(batch_size=BATCH_ROWS)


def splittable(path: Path, mapping: Mapping | None) -> bool:
    """Whether a log file can be split while it streams in (CSV in UTF-8, or Parquet)."""
    try:
        fmt = detect_format(path, mapping)
    except LogError:
        return False
    if fmt == "parquet":
        return True
    encoding = (mapping.csv.encoding if mapping is not None else "utf8").replace("-", "").lower()
    return fmt == "csv" and encoding == "utf8"


@dataclass
class Split:
    """Mapped rows of a table file in bucket folders, ready for :func:`finish`."""

    folders: list[Path]
    mapping: Mapping
    report: LoadReport


def split_table(
    path: Path,
    mapping: Mapping | None,
    workdir: Path,
    *,
    buckets: int = DEFAULT_BUCKETS,
    progress: Callable[[int], None] | None = None,
    workers: int | None = None,
) -> Split:
    """Map a CSV/CSV.gz/Parquet log batch by batch and append each batch's rows to the bucket
    of their case; file order and line numbers are kept for the loader's repairs and messages.

    With ``workers`` processes (:func:`in_workers`; default :func:`default_workers`), this
    process only decompresses a CSV and cuts its text at line breaks; the workers parse, map
    and write the pieces, each piece's parts numbered in file order, so the buckets hold the
    same rows in the same order as one piece after another. Text is cheap to hand over (a file
    in the page cache), where Arrow's parsed batches were not (measured on 2 cores, 15M
    events: pickling batches cost 39 s and 45 CPU s against 21 s and 32 CPU s parsing and
    mapping here). The parent then holds no parse: peak 1.9 -> 1.0 GB for 15M events. A file whose
    lines are not its rows (blank lines, line breaks in quoted values) is read again the
    single-process way: its rows are numbered as Arrow's reader counts them. Parquet, and
    one process, read batch by batch here."""
    fmt = detect_format(path, mapping)
    header = 1 if fmt == "csv" and (mapping is None or mapping.csv.has_header) else 0
    context = _SplitContext(path, fmt, mapping, header, buckets, workdir, None)
    count = default_workers() if workers is None else workers
    if fmt == "csv":
        try:
            dialect = _csv_dialect(path, mapping)
        except LogError:
            raise  # names its file already (a damaged gzip, a line over the limit)
        except (OSError, ValueError) as exc:
            raise LogError(f"Không đọc được tệp CSV: {_first_line(exc)}", path=path) from exc
        context = replace(context, dialect=dialect)
        if count > 1:
            workdir.mkdir(parents=True, exist_ok=True)
            try:
                pieces = _piece_files(_csv_pieces(path, dialect), workdir)
                return _split(context, pieces, count, progress)
            except _Unaligned:
                shutil.rmtree(workdir)
                workdir.mkdir()
        # One reader: Arrow's, whose text is not seen here; the limits need a pass of their own.
        check_text_file(path)
        try:
            return _split(context, _csv_batches(path, dialect), 1, progress)
        except LogError as exc:
            if not _ragged(exc):
                raise
        # Arrow refuses a row with fewer fields than the header (an export that drops trailing
        # empty fields), which every other reader reads with those fields empty: the file is
        # read again by the csv module (slower, but read).
        shutil.rmtree(workdir, ignore_errors=True)
        workdir.mkdir(parents=True, exist_ok=True)
        return _split(context, _python_csv_batches(path, dialect), 1, progress)
    return _split(context, _parquet_batches(path), 1, progress)


def _ragged(exc: LogError) -> bool:
    """Arrow's reader stopped at a row whose number of fields is not the header's."""
    import pyarrow as pa

    cause = exc.__cause__
    return isinstance(cause, pa.ArrowInvalid) and "columns, got" in str(cause)


# Rows per record batch of :func:`_python_csv_batches`.
_PYTHON_BATCH_ROWS = 1 << 17


def _python_csv_batches(path: Path, dialect: _CsvDialect) -> Iterator[Any]:
    """Record batches of text columns, as :func:`_csv_batches` gives them, read by Python's csv
    module (:mod:`congvu_analytics.io.csv_rows`: short rows with their missing fields null, a
    row with too many fields refused naming its line, blank lines skipped as Arrow skips
    them)."""
    import pyarrow as pa

    names = list(dialect.names)
    nulls = set(dialect.nulls)

    def batch(columns: list[list[str | None]]) -> Any:
        return pa.RecordBatch.from_arrays(
            [pa.array(values, pa.string()) for values in columns], names=names
        )

    rows = csv_rows(
        path, delimiter=dialect.delimiter, quote=dialect.quote, encoding=dialect.encoding
    )
    if dialect.header:
        next(rows, None)
    columns: list[list[str | None]] = [[] for _ in names]
    for count, (line, row) in enumerate(rows, start=1):
        for column, value in zip(
            columns, fitted(row, len(names), nulls, path=path, line=line), strict=True
        ):
            column.append(value)
        if count % _PYTHON_BATCH_ROWS == 0:
            yield batch(columns)
            columns = [[] for _ in names]
    if columns and columns[0]:
        yield batch(columns)


def _split(
    context: _SplitContext,
    payloads: Iterator[Any],
    workers: int,
    progress: Callable[[int], None] | None,
) -> Split:
    """:func:`split_table` over record batches, or over pieces of text with their lines."""
    resolved: Mapping | None = None
    report: LoadReport | None = None

    def jobs() -> Iterator[tuple[int, int, Any]]:
        offset = 0
        for number, payload in enumerate(payloads):
            yield number, offset, payload
            if isinstance(payload, tuple):
                _file, lines, size = payload
                offset += lines
            else:
                offset += payload.num_rows
                size = int(payload.nbytes)
            if progress is not None:
                progress(size)

    fmt = context.fmt
    try:
        for done in in_workers(_split_batch, jobs(), context, workers=workers):
            resolved, first = done
            report = report or first
    except (OSError, ValueError, pl.exceptions.ComputeError) as exc:
        if isinstance(exc, LogError):
            raise
        raise LogError(
            f"Không đọc được tệp {fmt.upper()}: {_first_line(exc)}", path=context.path
        ) from exc
    finally:
        _release_arrow_memory()
    if report is None or resolved is None:
        raise LogError("Nhật ký rỗng: không có sự kiện nào.", path=context.path)
    return Split(sorted(context.workdir.glob(f"{BUCKET}=*")), resolved, report)


def _release_arrow_memory() -> None:
    """Hand back to the system what Arrow's allocator kept of the batches read (measured:
    0.8 GB after a 16M-event CSV.gz, which the detection that follows would never reuse)."""
    import pyarrow as pa

    pa.default_memory_pool().release_unused()


@dataclass(frozen=True)
class _SplitContext:
    """What every batch of :func:`split_table` shares (sent once to each worker process)."""

    path: Path
    fmt: str
    mapping: Mapping | None
    header: int  # lines before the first row
    buckets: int
    workdir: Path
    dialect: _CsvDialect | None  # a CSV's (its pieces are parsed in the workers)


def _split_batch(job: tuple[int, int, Any], context: _SplitContext) -> tuple[Mapping, LoadReport]:
    """One record batch mapped and appended to the buckets of its cases (the parts of batch
    ``number``); ``offset`` is the number of rows before it. Runs in a worker process."""
    number, offset, payload = job
    c = context
    if isinstance(payload, tuple):
        assert c.dialect is not None
        file, lines, _size = payload
        raw = _parse_piece(file, lines, c.dialect)
    else:
        raw = _frame(payload)
    del payload
    data = [name for name in raw.columns if name != _BREAKS_BEFORE]
    native = set(s.SCHEMA) <= set(data)
    lazy = raw.lazy().with_row_index(ORDER_COL, offset=offset)
    if _BREAKS_BEFORE in raw.columns:  # rows of several lines: number them by their first line
        lazy = lazy.with_columns(
            (pl.col(ORDER_COL) + pl.col(_BREAKS_BEFORE)).cast(pl.get_index_type())
        ).drop(_BREAKS_BEFORE)
    lazy = lazy.with_columns((pl.col(ORDER_COL).cast(pl.Int64) + 1 + c.header).alias(LINE_COL))
    if c.fmt == "csv":  # a row whose every field is empty holds no event, as io.loader reads it
        lazy = lazy.filter(~pl.all_horizontal(pl.col(data).is_null()))
    if native and c.fmt == "csv":  # undo export_log's formula guard
        lazy = restore_frame(lazy)
    mapped, resolved, first = mapped_scan(
        lazy, c.path, c.fmt, c.mapping, parser=c.fmt, native=native
    )
    frame = collect_mapped(mapped, resolved, c.path, c.fmt)
    raise_bad_times(frame, resolved, c.path)
    frame = frame.with_columns(bucket_of(frame.get_column(s.CASE_ID), c.buckets))
    for (bucket,), part in frame.partition_by(BUCKET, as_dict=True).items():
        folder = c.workdir / f"{BUCKET}={bucket:04d}"
        folder.mkdir(parents=True, exist_ok=True)
        part.drop(BUCKET).write_parquet(folder / f"part-{number:06d}.parquet", **SCRATCH_PARQUET)
    return resolved, first


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


# --- loading buckets --------------------------------------------------------------------------


@dataclass
class BucketedLog:
    """A validated canonical log kept on disk, one Parquet file of whole cases per bucket."""

    files: list[Path]
    report: LoadReport
    first: datetime  # earliest instant or deadline
    last: datetime  # latest instant or deadline
    end: datetime  # the log's last event
    shapes: Distributions | None  # None when not asked for (load_buckets)
    coverage: OrgCoverage | None = None
    # The province of each file (empty: one province) and each province's last event.
    provinces: list[str] = field(default_factory=list)
    ends: dict[str, datetime] = field(default_factory=dict)

    def by_province(self) -> list[tuple[str, BucketedLog]]:
        """The log of each province alone (its files, its own end), in order of appearance;
        one entry for a log of one province."""
        codes = list(dict.fromkeys(self.provinces))
        if len(codes) <= 1:
            return [(codes[0] if codes else "", self)]
        out = []
        for code in codes:
            files = [f for f, p in zip(self.files, self.provinces, strict=True) if p == code]
            out.append(
                (code, replace(self, files=files, end=self.ends[code], provinces=[], ends={}))
            )
        return out


def _merge_counts(a: dict[str, int], b: dict[str, int]) -> dict[str, int]:
    out = dict(a)
    for k, v in b.items():
        out[k] = out.get(k, 0) + v
    return out


def _merge_reports(total: LoadReport, part: LoadReport) -> None:
    total.n_events += part.n_events
    total.n_cases += part.n_cases
    total.duplicates_dropped += part.duplicates_dropped
    total.out_of_order += part.out_of_order
    total.coordination_paired += part.coordination_paired
    total.unknown_labels = _merge_counts(total.unknown_labels, part.unknown_labels)
    total.unknown_reasons = _merge_counts(total.unknown_reasons, part.unknown_reasons)
    total.unknown_reason_code = part.unknown_reason_code
    total.acknowledged = _merge_counts(total.acknowledged, part.acknowledged)
    total.unacknowledged_answers = _sorted_counts(
        _merge_counts(total.unacknowledged_answers, part.unacknowledged_answers)
    )
    total.unknown_positions = _sorted_counts(
        _merge_counts(total.unknown_positions, part.unknown_positions)
    )
    total.seen_labels |= part.seen_labels
    total.seen_reasons |= part.seen_reasons
    total.pauses += part.pauses
    total.pauses_reviewed += part.pauses_reviewed
    total.opinion_requests += part.opinion_requests
    total.opinions_outside += part.opinions_outside
    # Empty in every bucket is empty in the log; a rule is idle only if idle everywhere.
    total.empty_columns = [c for c in total.empty_columns if c in part.empty_columns]
    total.idle_rules = [r for r in total.idle_rules if r in part.idle_rules]
    total.legitimate_waits += part.legitimate_waits
    total.wait_end_events += part.wait_end_events
    total.custody_mode = part.custody_mode
    # A case lives in one bucket, so ties add up; "date only" holds if it holds in every
    # bucket that has events.
    total.tied_events += part.tied_events
    total.cases_with_ties += part.cases_with_ties
    total.tie_order = part.tie_order
    if part.n_events:
        total.date_only = total.date_only and part.date_only


def _sorted_counts(counts: dict[str, int]) -> dict[str, int]:
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


_WHO = {"units": (s.UNIT, s.TARGET_UNIT, s.HOLDER_UNIT),
        "people": (s.ACTOR, s.TARGET_ACTOR, s.HOLDER_ACTOR)}  # fmt: skip


def load_buckets(
    sources: list[BucketSource],
    *,
    path: Path,
    fmt: str,
    mapping: Mapping,
    report: LoadReport,
    workdir: Path,
    strict: bool = False,
    org: Org | None = None,
    progress: Callable[[], None] | None = None,
    provinces: list[str] | None = None,
    workers: int | None = None,
    shapes: bool = True,
) -> BucketedLog:
    """Validate each bucket with the loader's steps and write its canonical events to
    ``workdir``; the counts of the load report add up over buckets.

    ``provinces`` names the province of each source (:func:`dataset_provinces`). The buckets
    are then read province by province, and event ids are checked unique within each province
    as soon as it is read (the provinces are analysed apart, and the ids of a whole country
    would not fit the memory of one bucket).

    The buckets are validated in ``workers`` processes (:func:`in_workers`) and added up in
    their order, as one after another. ``shapes=False`` skips the histograms only the HTML
    report draws (~0.3 CPU s a million events)."""
    codes = provinces if provinces is not None else [""] * len(sources)
    if len(codes) != len(sources):
        raise ValueError("one province per source")
    order = sorted(range(len(sources)), key=lambda i: codes[i])  # stable: buckets keep order
    files: list[Path] = []
    file_codes: list[str] = []
    ids: list[pl.Series] = []
    first: list[datetime] = []
    last: list[datetime] = []
    ends: list[datetime] = []
    province_ends: dict[str, datetime] = {}
    histograms: Distributions | None = None
    coverage: OrgCoverage | None = None
    seen: dict[str, list[pl.DataFrame]] = {"units": [], "people": []}
    total = report
    total.empty_columns = list(s.SCHEMA)
    total.idle_rules = [r.name for r in mapping.acknowledge]
    total.date_only = True
    context = _LoadContext(path, fmt, mapping, report.native, org is not None, workdir, shapes)
    jobs = [(number, sources[index]) for number, index in enumerate(order)]
    loaded = in_workers(_load_bucket, jobs, context, workers=workers)
    for index, bucket in zip(order, loaded, strict=True):
        code = codes[index]
        if file_codes and file_codes[-1] != code:
            # The previous province is complete: check its ids, compact its org counts.
            _check_ids_across(_of(files, file_codes, file_codes[-1]), pl.concat(ids), path)
            ids = []
            seen = {who: [_sum_counts(f)] if f else [] for who, f in seen.items()}
        _merge_reports(total, bucket.report)
        lo, hi, end = bucket.bounds
        first.append(lo)
        last.append(hi)
        ends.append(end)
        if end is not None:
            province_ends[code] = max(end, province_ends.get(code, end))
        ids.append(bucket.ids)
        if bucket.shape is not None:
            histograms = bucket.shape if histograms is None else histograms + bucket.shape
        for who, counts in bucket.seen.items():
            seen[who].append(counts)
        files.append(bucket.file)
        file_codes.append(code)
        del bucket
        if progress is not None:
            progress()
    if not files or total.n_events == 0:
        raise LogError("Nhật ký rỗng: không có sự kiện nào.", path=path)
    total.unknown_labels = _sorted_counts(total.unknown_labels)
    check_unknown_labels(total, mapping, path, strict=strict)
    _check_ids_across(_of(files, file_codes, file_codes[-1]), pl.concat(ids), path)
    if org is not None:
        coverage = _coverage(seen, org)
    return BucketedLog(
        files=files,
        report=total,
        first=min(first),
        last=max(last),
        end=max(ends),
        shapes=histograms,
        coverage=coverage,
        provinces=file_codes,
        ends=province_ends,
    )


@dataclass(frozen=True)
class _LoadContext:
    """What every bucket's loading shares (sent once to each worker process)."""

    path: Path
    fmt: str
    mapping: Mapping
    native: bool
    count_org: bool
    workdir: Path
    shapes: bool  # the HTML report's histograms


@dataclass
class _LoadedBucket:
    """One bucket validated and written: what :func:`load_buckets` adds up."""

    file: Path
    report: LoadReport
    bounds: tuple[Any, Any, Any]  # first, last (instant or deadline), end (as .row() gives)
    ids: pl.Series  # 64-bit hashes of the event ids
    shape: Distributions | None
    seen: dict[str, pl.DataFrame]  # unit and person values and their counts (with org)


def _load_bucket(job: tuple[int, BucketSource], context: _LoadContext) -> _LoadedBucket:
    """One bucket through the loader's steps (:func:`finish`), its events written to the work
    folder; runs in a worker process (:func:`in_workers`)."""
    number, source = job
    c = context
    frame = collect_mapped(source.scan(c.mapping, c.path), c.mapping, c.path, c.fmt)
    part = LoadReport(path=str(c.path), source_format=c.fmt, mapping=c.mapping.name)
    part.native = c.native
    events = finish(frame, c.mapping, part, c.path)
    del frame
    stamps = [col for col in (s.TIMESTAMP, s.DUE) if col in events.columns]
    lo, hi, end = events.select(
        pl.min_horizontal(pl.col(col).min() for col in stamps).alias("lo"),
        pl.max_horizontal(pl.col(col).max() for col in stamps).alias("hi"),
        pl.col(s.TIMESTAMP).max().alias("end"),
    ).row(0)
    seen: dict[str, pl.DataFrame] = {}
    if c.count_org:
        for who, columns in _WHO.items():
            values = pl.concat([events.get_column(col).cast(pl.String) for col in columns])
            seen[who] = values.alias("v").drop_nulls().value_counts(name="n")
    out = c.workdir / f"events-{number:05d}.parquet"
    events.write_parquet(out, **SCRATCH_PARQUET)
    return _LoadedBucket(
        file=out,
        report=part,
        bounds=(lo, hi, end),
        ids=events.get_column(s.EVENT_ID).hash(seed=1),
        shape=distributions(events.lazy()) if c.shapes else None,
        seen=seen,
    )


def _of(files: list[Path], codes: list[str], code: str) -> list[Path]:
    return [f for f, c in zip(files, codes, strict=True) if c == code]


def _sum_counts(frames: list[pl.DataFrame]) -> pl.DataFrame:
    return pl.concat(frames).group_by("v").agg(pl.col("n").sum())


def _coverage(seen: dict[str, list[pl.DataFrame]], org: Org) -> OrgCoverage:
    """:func:`org_coverage` from each bucket's counts of unit and person values."""
    known = {"units": org.units.get_column(UNIT_ID), "people": org.people.get_column(PERSON_ID)}
    given = {"units": org.units.height > 0, "people": org.people.height > 0}
    missing: dict[str, dict[str, int]] = {}
    distinct: dict[str, int] = {}
    for who, frames in seen.items():
        if not given[who]:
            missing[who], distinct[who] = {}, 0
            continue
        counts = pl.concat(frames).group_by("v").agg(pl.col("n").sum())
        absent = counts.filter(~pl.col("v").is_in(known[who].implode()))
        missing[who] = _sorted_counts({str(k): int(n) for k, n in absent.iter_rows()})
        distinct[who] = counts.height
    return OrgCoverage(missing["units"], missing["people"], distinct["units"], distinct["people"])


def _check_ids_across(files: list[Path], hashes: pl.Series, path: Path) -> None:
    """Event ids are unique within each bucket (the loader checked); across buckets, their
    64-bit hashes are compared first and only a repeated hash is looked up."""
    if hashes.n_unique() == hashes.len():
        return
    repeated = hashes.filter(hashes.is_duplicated()).unique()
    seen = pl.concat(
        [
            pl.scan_parquet(f)
            .select(s.EVENT_ID)
            .filter(pl.col(s.EVENT_ID).hash(seed=1).is_in(repeated.implode()))
            .collect()
            for f in files
        ]
    ).get_column(s.EVENT_ID)
    dup = seen.filter(seen.is_duplicated())
    if dup.len():
        raise LogError(
            f"Mã sự kiện {dup[0]!r} bị trùng giữa các sự kiện khác nhau ({dup.len()} sự kiện).",
            path=path,
            column=s.EVENT_ID,
        )


@dataclass(frozen=True)
class BucketSource:
    """The files of one bucket and how they are read as the loader's mapped rows; a plain
    description (a lazy plan with the mapping's functions cannot be sent to another process),
    read by :meth:`scan` where the bucket is loaded."""

    files: tuple[Path, ...]
    canonical: bool  # a dataset's canonical rows (mapped on reading), or split_table's mapped rows

    def scan(self, mapping: Mapping, path: Path) -> pl.LazyFrame:
        if not self.canonical:
            return pl.scan_parquet(list(self.files))
        return _canonical_scan(list(self.files), path, mapping)[0]


def _canonical_scan(
    files: list[Path], path: Path, mapping: Mapping
) -> tuple[pl.LazyFrame, Mapping, LoadReport]:
    scan = pl.scan_parquet(files, hive_partitioning=False)
    names = scan.collect_schema().names()
    if not set(s.SCHEMA) <= set(names):
        missing = ", ".join(sorted(set(s.SCHEMA) - set(names)))
        raise LogError(
            f"Tệp của bộ dữ liệu phân vùng không theo lược đồ chuẩn (thiếu cột: {missing}).",
            path=files[0],
        )
    scan = scan.with_row_index(ORDER_COL).with_columns(
        (pl.col(ORDER_COL).cast(pl.Int64) + 1).alias(LINE_COL)
    )
    return mapped_scan(scan, path, "parquet", mapping, parser="parquet", native=True)


def split_sources(split: Split) -> list[BucketSource]:
    return [
        BucketSource(tuple(sorted(f.glob("*.parquet"))), canonical=False) for f in split.folders
    ]


def dataset_sources(path: str | Path) -> tuple[list[BucketSource], Mapping, LoadReport]:
    """A partitioned dataset of canonical events, bucket by bucket, as the loader's mapped
    rows (the Công Vụ Parquet format needs no mapping)."""
    groups = dataset_files(path)
    mapping = native_mapping("parquet")
    sources: list[BucketSource] = []
    report: LoadReport | None = None
    for files in groups:
        _lazy, mapping, first = _canonical_scan(files, Path(str(path)), mapping)
        report = report or first
        sources.append(BucketSource(tuple(files), canonical=True))
    assert report is not None
    return sources, mapping, report


# --- detection bucket by bucket ----------------------------------------------------------------


def run_buckets(
    log: BucketedLog,
    *,
    calendar: WorkCalendar,
    params: Any = None,
    org: Org | None = None,
    progress: Callable[[str], None] | None = None,
    workers: int | None = None,
) -> DetectionResult:
    """The per-case phase on each bucket, reduced into one as it goes (the compact
    per-subject counts summed, the hits kept), then the per-subject phase.

    The buckets' per-case phases run in ``workers`` processes (:func:`in_workers`), reduced in
    bucket order whatever the order they finish in, so the result does not depend on them."""
    if len(log.by_province()) > 1:
        return run_provinces(
            log,
            lambda alone: run_buckets(
                alone,
                calendar=calendar,
                params=params,
                org=org,
                progress=progress,
                workers=workers,
            ),
        )
    say = progress or (lambda _step: None)
    # The rows that show a behaviour or carry a value go to this folder as each bucket is
    # reduced, and are read back one detector at a time in the per-subject phase.
    spill = log.files[0].with_name(f"spill-{log.files[0].stem}")
    spill.mkdir()

    # Units that ended in a reorganisation need the whole log (a unit's last day is not a
    # bucket's): two light passes over the buckets (a few columns each), added up.
    reorganized = reorganizations([pl.scan_parquet(f) for f in log.files], calendar, org)

    def phases() -> Iterator[CasePhase]:
        context = (calendar, params, org, log.end, spill, reorganized)
        count = min(default_workers() if workers is None else workers, len(log.files))
        if count <= 1:
            for file in log.files:
                say("prepare")
                yield _case_phases_of([file], context)
            return
        # In workers, runs of consecutive buckets, each reduced where it ran (its kept rows
        # spilled there) and handed back as Parquet in the work folder (a 0.5M-event bucket's
        # rows pickle to ~90 MB, their Parquet is ~12 MB). Runs in bucket order keep the kept
        # rows in bucket order.
        size = math.ceil(len(log.files) / (2 * count))
        runs = [log.files[i : i + size] for i in range(0, len(log.files), size)]
        for folder, spilled in in_workers(_case_phases_to_disk, runs, context, workers=count):
            say("prepare")
            yield _read_phase(folder, spilled)

    try:
        total = reduce_phases(phases(), spill)
        # The per-subject phase runs here alone: the kept worker processes (kept_workers) give
        # back what they hold rather than sit on it beside this phase's peak.
        release_workers()
        say("detect")
        return subject_phase([total], calendar=calendar, params=params, org=org)
    finally:
        shutil.rmtree(spill, ignore_errors=True)


def run_provinces(
    log: BucketedLog, run: Callable[[BucketedLog], DetectionResult]
) -> DetectionResult:
    """``run`` on each province of ``log`` alone (:meth:`BucketedLog.by_province`), the
    results combined (:func:`combine_provinces`); one province's result as it is.

    Each province's outputs wait on disk (:func:`_park`) while the next province runs: held in
    memory they piled up under every later province's peak, province after province. The
    single-node engine (:func:`run_buckets`) and Spark (``congvu_analytics.spark``) both run
    provinces through here."""
    provinces = log.by_province()
    if len(provinces) == 1:
        return run(provinces[0][1])
    parked: list[_Parked] = []
    try:
        for number, (code, alone) in enumerate(provinces):
            one = run(alone)
            parked.append(_park(code, one, log.files[0].with_name(f"result-{number:03d}")))
            del one
        return _combine(parked)
    finally:
        for kept in parked:
            shutil.rmtree(kept.folder, ignore_errors=True)


def _case_phases_of(
    files: list[Path], context: tuple[Any, ...], spill: Path | None = None
) -> CasePhase:
    """The per-case phases of consecutive buckets reduced into one (:func:`reduce_phases`,
    its kept rows spilled to ``spill`` when given)."""
    calendar, params, org, end, _folder, reorganized = context
    phases = (
        case_phase(
            pl.scan_parquet(f),
            calendar=calendar,
            params=params,
            org=org,
            end=end,
            reorganized=reorganized,
        )
        for f in files
    )
    if spill is None and len(files) == 1:
        return next(phases)
    return reduce_phases(phases, spill)


def _case_phases_to_disk(
    files: list[Path], context: tuple[Any, ...]
) -> tuple[Path, list[list[Path]]]:
    """:func:`_case_phases_of` written to a folder in the spill folder (read back by
    :func:`_read_phase`), its kept rows spilled there; runs in a worker process."""
    folder = context[4] / f"run-{files[0].stem}"
    folder.mkdir()
    phase = _case_phases_of(files, context, spill=folder)
    tables = {"workload": phase.workload, "handover": phase.handover, "subjects": phase.subjects}
    tables |= {f"plain-{i:03d}": obs for i, obs in enumerate(phase.observations)}
    for name, frame in tables.items():
        frame.write_parquet(folder / f"{name}.parquet", **SCRATCH_PARQUET)
    return folder, phase.spilled


def _read_phase(folder: Path, spilled: list[list[Path]]) -> CasePhase:
    """A run's reduced phase from :func:`_case_phases_to_disk`: its running totals read (and
    their files deleted), its spilled rows left on disk."""

    def read(name: str) -> pl.DataFrame:
        frame = pl.read_parquet(folder / f"{name}.parquet")
        (folder / f"{name}.parquet").unlink()
        return frame

    observations = [read(f.stem) for f in sorted(folder.glob("plain-*.parquet"))]
    return CasePhase(
        observations, read("workload"), read("handover"), read("subjects"), spilled=spilled
    )


_RESULT_TABLES = ("findings", "person_metrics", "unit_metrics", "handover")


@dataclass
class _Parked:
    """A province's result with its tables in Arrow IPC files (types kept exactly)."""

    code: str
    folder: Path
    assessed: pl.DataFrame  # a few rows: kept in memory

    def scan(self, name: str) -> pl.LazyFrame:
        return pl.scan_ipc(self.folder / f"{name}.arrow", memory_map=False)


def _park(code: str, result: DetectionResult, folder: Path) -> _Parked:
    folder.mkdir()
    for name in _RESULT_TABLES:
        getattr(result, name).write_ipc(folder / f"{name}.arrow")
    return _Parked(code, folder, result.assessed)


def combine_provinces(results: list[tuple[str, DetectionResult]]) -> DetectionResult:
    """The results of provinces analysed apart as one: each table the provinces' rows one
    after another with the province first; what could be assessed summed over provinces."""
    tables = {
        name: [(code, getattr(result, name).lazy()) for code, result in results]
        for name in _RESULT_TABLES
    }
    return _stacked(tables, [result.assessed for _, result in results])


def _combine(parked: list[_Parked]) -> DetectionResult:
    """:func:`combine_provinces` over the provinces' results parked on disk (read once, into
    the combined tables)."""
    tables = {name: [(p.code, p.scan(name)) for p in parked] for name in _RESULT_TABLES}
    return _stacked(tables, [p.assessed for p in parked])


def _stacked(
    tables: dict[str, list[tuple[str, pl.LazyFrame]]], assessed_of: list[pl.DataFrame]
) -> DetectionResult:
    def stacked(name: str) -> pl.DataFrame:
        return pl.concat(
            [frame.select(pl.lit(code).alias(PROVINCE), pl.all()) for code, frame in tables[name]],
            how="diagonal_relaxed",  # a province with no hand-over of a kind lacks nothing
        ).collect()

    assessed = [a for a in assessed_of if not a.is_empty()]
    summed = pl.DataFrame()
    if assessed:
        first = assessed[0]
        keys = [c for c in first.columns if first.schema[c] == pl.String]
        summed = (
            pl.concat(assessed)
            .group_by(keys, maintain_order=True)
            .agg(pl.exclude(keys).sum())
            .select([pl.col(c).cast(t) for c, t in first.schema.items()])
        )
    return DetectionResult(
        findings=stacked("findings"),
        person_metrics=stacked("person_metrics"),
        unit_metrics=stacked("unit_metrics"),
        handover=stacked("handover"),
        assessed=summed,
    )
