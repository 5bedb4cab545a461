"""Read a log file, map it onto the canonical schema and validate it at the boundary.

``load_log`` is the one entry point used by the CLI and the tests. It refuses bad input with
a :class:`LogError` (Vietnamese message naming file, line or trace, and column) and repairs
only what can be repaired without guessing, reporting each repair:

* exact duplicate events (identical in every source attribute) are dropped and counted;
* events listed out of time order within a case are sorted (ties keep file order) and counted;
* activity labels missing from the mapping become ``unknown_activity`` and are listed with
  counts (an error with ``strict=True``).
"""

from __future__ import annotations

import datetime as dt
import functools
import tomllib
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from congvu_analytics import schema as s
from congvu_analytics.custody import derive_custody
from congvu_analytics.enrich import acknowledge, match_coordination
from congvu_analytics.io.csv_rows import csv_rows, fitted
from congvu_analytics.io.errors import LogError, MappingError, toml_lines
from congvu_analytics.io.limits import check_text_file
from congvu_analytics.io.mapping import (
    LEGIT_MARK,
    ORDER_RANK,
    XES_SCHEMA_KEY,
    Mapping,
    apply_mapping,
    check_columns,
    native_mapping,
    resolve_optional,
)
from congvu_analytics.io.xes import POS_COL, TRACE_COL, parse_iso_timestamps, read_xes
from congvu_analytics.safe_csv import restore_frame
from congvu_analytics.textkey import label_key, near_spelling, text_key

ORDER_COL = "__order"
LINE_COL = "__line"
HASH_COL = "__row_hash"
BAD_TIME_COL = "__bad_time"
_BOOKKEEPING = (ORDER_COL, LINE_COL, POS_COL, TRACE_COL, "__known", HASH_COL, BAD_TIME_COL)


@dataclass
class LoadReport:
    """What happened while loading: counts and repairs, for the CLI and the HTML report."""

    path: str
    source_format: str
    mapping: str
    parser: str = ""
    native: bool = False
    n_events: int = 0
    n_cases: int = 0
    duplicates_dropped: int = 0
    out_of_order: int = 0
    unknown_labels: dict[str, int] = field(default_factory=dict)
    unknown_reasons: dict[str, int] = field(default_factory=dict)
    unknown_reason_code: str | None = None
    coordination_paired: int = 0
    acknowledged: dict[str, int] = field(default_factory=dict)
    idle_rules: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    empty_columns: list[str] = field(default_factory=list)
    # What the mapping says the log means (docs/mapping.md): counted so a reader sees it acted.
    legitimate_waits: int = 0
    wait_end_events: int = 0
    custody_mode: str = "events"
    # Events sharing their case's timestamp with the previous one, and how they were ordered.
    tied_events: int = 0
    cases_with_ties: int = 0
    tie_order: str = "file"
    date_only: bool = False
    # Distinct label keys (full and bare) and reason keys the log holds: a mapping name that
    # matches none of them while a near spelling is unknown is a typo (check_unknown_labels).
    seen_labels: set[str] = field(default_factory=set)
    seen_reasons: set[str] = field(default_factory=set)
    # What the detectors will read from the flags (docs/mapping.md, "Acknowledgement rules"):
    # pauses and how many carry a review, opinion requests and how many are marked outside
    # the asker's authority, and the superiors' answer codes no rule reads.
    pauses: int = 0
    pauses_reviewed: int = 0
    opinion_requests: int = 0
    opinions_outside: int = 0
    unacknowledged_answers: dict[str, int] = field(default_factory=dict)
    # Coordination answers whose position is not agree/disagree/none (the detectors read
    # only those: a source's "khong_ro" is not an unclear answer until a lookup says so).
    unknown_positions: dict[str, int] = field(default_factory=dict)

    def warnings(self) -> list[str]:
        """Vietnamese warnings about repairs and unknown labels."""
        out = list(self.notes)
        if self.duplicates_dropped:
            out.append(f"Đã loại {self.duplicates_dropped} sự kiện trùng lặp hoàn toàn.")
        if self.out_of_order:
            out.append(
                f"{self.out_of_order} sự kiện ghi không theo thứ tự thời gian trong hồ sơ; "
                "đã sắp xếp lại theo thời điểm."
            )
        if self.unknown_labels:
            n = sum(self.unknown_labels.values())
            out.append(
                f"{n} sự kiện có nhãn hoạt động không có trong tệp ánh xạ "
                f"({top_counts(self.unknown_labels)})."
            )
        if self.unknown_reasons:
            n = sum(self.unknown_reasons.values())
            then = (
                f"; đã coi là {self.unknown_reason_code!r}"
                if self.unknown_reason_code
                else "; giữ nguyên giá trị nguồn"
            )
            out.append(
                f"{n} sự kiện có mã lý do không có trong [reasons] của tệp ánh xạ và không phải "
                f"mã chuẩn ({top_counts(self.unknown_reasons)}){then}."
            )
        who = {s.ACTOR, s.UNIT, s.HOLDER_ACTOR, s.HOLDER_UNIT, s.TARGET_ACTOR, s.TARGET_UNIT}
        if self.n_events and who <= set(self.empty_columns):
            out.append(
                "Nhật ký không cho biết người hay đơn vị nào thực hiện hoặc giữ hồ sơ (không có "
                "cột người thực hiện, đơn vị hay người/đơn vị nhận): không thể đánh giá ai, nên "
                "sẽ không có phát hiện nào."
            )
        elif self.n_events and {s.ACTOR, s.HOLDER_ACTOR, s.TARGET_ACTOR} <= set(self.empty_columns):
            out.append(
                "Nhật ký không có cột người thực hiện: chỉ đánh giá được đơn vị, không đánh giá "
                "được từng cán bộ."
            )
        if self.tied_events:
            how = {
                "file": "thứ tự trong tệp (khai báo [order] nếu tệp có cột số thứ tự)",
                "column": "cột số thứ tự khai báo trong [order]",
                "activities": "thứ tự nhãn khai báo trong [order]",
            }[self.tie_order]
            out.append(
                f"{self.tied_events} sự kiện ở {self.cases_with_ties} hồ sơ trùng thời điểm với "
                f"sự kiện trước đó của hồ sơ; thứ tự giữa chúng theo {how}."
            )
        if self.date_only:
            out.append(
                "Mọi thời điểm trong nhật ký đều là 00:00 (chỉ có ngày, không có giờ): thứ tự "
                "các sự kiện trong cùng một ngày không được ghi lại."
            )
        for rule in self.idle_rules:
            out.append(
                f"Quy tắc {rule} của tệp ánh xạ không khớp sự kiện nào trong nhật ký "
                "(kiểm tra lại nhãn, mã hoạt động và mã lý do của quy tắc)."
            )
        out += self._flag_warnings()
        return out

    def _flag_warnings(self) -> list[str]:
        """Mapping mistakes that load without error but silently change what is detected: the
        superiors' answer codes no acknowledgement rule reads, pauses never reviewed, opinion
        requests never outside the asker's authority (a foreign log only: the app records the
        flags itself)."""
        if self.native:
            return []
        out = []
        if self.unacknowledged_answers:
            n = sum(self.unacknowledged_answers.values())
            out.append(
                f"{n} sự kiện cho ý kiến (opinion_given) mang mã lý do mà không quy tắc "
                f"[[acknowledge]] nào dùng ({top_counts(self.unacknowledged_answers)}). Nếu mã "
                "là ý kiến cấp trên xác nhận (hoặc không chấp nhận) lý do tạm dừng, hay trả lời "
                "việc thuộc/ngoài thẩm quyền người hỏi, hãy khai báo quy tắc [[acknowledge]] "
                "cho mã đó (docs/mapping.md, mục Acknowledgement rules): keep_reasons chỉ làm "
                "hết cảnh báo mã lạ, không cho bộ phát hiện biết ý nghĩa của mã."
            )
        if self.unknown_positions:
            n = sum(self.unknown_positions.values())
            out.append(
                f"{n} câu trả lời phối hợp có ý kiến (position) không phải agree, disagree hay "
                f"none ({top_counts(self.unknown_positions)}): bộ phát hiện chỉ hiểu ba giá trị "
                "đó (none = không nêu rõ quan điểm); hãy dịch giá trị nguồn bằng lookup, ví dụ "
                'position = { column = "y_kien", lookup = { dong_y = "agree", khong_dong_y = '
                '"disagree", khong_ro = "none" } }.'
            )
        if self.pauses and not self.pauses_reviewed:
            out.append(
                f"{self.pauses} lần tạm dừng nhưng không lần nào có kết quả xem xét (không có "
                'cột reviewed, không quy tắc [[acknowledge]] set = "reviewed" nào khớp): mọi '
                "thời gian tạm dừng, kể cả vướng mắc pháp lý đã được cấp trên xác nhận, sẽ bị "
                "tính là chờ không rõ lý do (cầm chừng). Nếu nhật ký ghi ý kiến cấp trên về lý "
                "do tạm dừng, hãy khai báo quy tắc [[acknowledge]]."
            )
        if self.opinion_requests and not self.opinions_outside:
            out.append(
                f"{self.opinion_requests} lần xin ý kiến nhưng không lần nào được đánh dấu là "
                "việc ngoài thẩm quyền người hỏi (within_authority = false): mọi lần xin ý kiến "
                'đều được tính cho sợ trách nhiệm. Quy tắc within_authority = true ("thuộc '
                'thẩm quyền") một mình không thay đổi điều đó; nếu nhật ký ghi câu trả lời '
                '"ngoài thẩm quyền" của cấp trên, hãy khai báo quy tắc [[acknowledge]] với '
                'set = "within_authority", value = false.'
            )
        return out


def top_counts(counts: dict[str, int], top: int = 20) -> str:
    """``'a': 3; 'b': 1`` for the ``top`` largest counts, then how many more values there are
    (a log with hundreds of unknown labels must not bury the other warnings)."""
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    listed = "; ".join(f"{k!r}: {v}" for k, v in ranked[:top])
    rest = ranked[top:]
    if rest:
        listed += f"; và {len(rest)} giá trị khác ({sum(v for _, v in rest)} sự kiện)"
    return listed


@dataclass
class LoadedLog:
    """A validated canonical log (sorted by case, time, file order) and its load report."""

    events: pl.DataFrame
    report: LoadReport


def detect_format(path: Path, mapping: Mapping | None) -> str:
    """``xes``, ``csv`` or ``parquet``, from the mapping or else from the file name."""
    if mapping is not None and mapping.source_format is not None:
        return mapping.source_format
    name = path.name.lower()
    if name.endswith((".xes", ".xes.gz")):
        return "xes"
    if name.endswith((".csv", ".csv.gz", ".tsv", ".txt")):
        return "csv"
    if name.endswith((".parquet", ".pq")):
        return "parquet"
    raise LogError(
        "Không nhận ra định dạng tệp (cần .xes, .xes.gz, .csv hoặc .parquet, "
        "hoặc khai báo [source] format trong tệp ánh xạ).",
        path=path,
    )


def load_log(
    path: str | Path,
    mapping: Mapping | None = None,
    *,
    strict: bool = False,
    progress: Callable[[int], None] | None = None,
) -> LoadedLog:
    """Read, map and validate a log file.

    Args:
        path: XES/XES.gz, CSV or Parquet file.
        mapping: how to map a foreign log; ``None`` accepts only the web app's own export
            (docs/log-format.md).
        strict: unknown activity labels are an error instead of a warning.
        progress: called with bytes consumed while reading XES (for a progress bar).

    Returns:
        The canonical events (``schema.SCHEMA`` columns) and the load report.

    Raises:
        LogError: the file cannot be read, does not fit the mapping, or holds invalid data.
    """
    path = Path(path)
    if not path.exists():
        raise LogError("Không tìm thấy tệp.", path=path)
    if path.is_dir():
        raise LogError("Đường dẫn là một thư mục, không phải tệp nhật ký.", path=path)
    fmt = detect_format(path, mapping)
    scan, parser, native = _open(path, fmt, mapping, progress)
    lazy, resolved, report = mapped_scan(scan, path, fmt, mapping, parser=parser, native=native)
    try:
        frame = collect_mapped(lazy, resolved, path, fmt)
    except LogError as exc:
        if fmt != "csv" or not isinstance(exc.__cause__, pl.exceptions.ComputeError):
            raise
        if path.stat().st_size > _TOLERANT_MAX_BYTES:
            raise  # the csv module holds every value as a Python string: small files only
        # Polars' reader refuses a quote character inside an unquoted value (free text such
        # as `Công văn "khẩn`); the file is read again by the csv module, which keeps it as
        # text, as the reader of large files does (docs/mapping.md, "Rows of a CSV").
        scan = _tolerant_scan(path, mapping)
        native = set(s.SCHEMA) <= set(scan.collect_schema().names())
        if native:
            scan = restore_frame(scan)
        lazy, resolved, report = mapped_scan(
            scan, path, fmt, mapping, parser="csv (python)", native=native
        )
        frame = collect_mapped(lazy, resolved, path, fmt)
    mapping = resolved
    events = finish(frame, mapping, report, path)
    check_unknown_labels(report, mapping, path, strict=strict)
    return LoadedLog(events=events, report=report)


def mapped_scan(
    scan: pl.LazyFrame,
    path: Path,
    fmt: str,
    mapping: Mapping | None,
    *,
    parser: str,
    native: bool,
) -> tuple[pl.LazyFrame, Mapping, LoadReport]:
    """The raw table mapped onto the canonical columns (lazy, row by row: it may run on a part
    of the file at a time), with the resolved mapping and a fresh load report."""
    names = scan.collect_schema().names()
    if mapping is None:
        if not native:
            raise MappingError(
                "Tệp không theo định dạng gốc của Công Vụ "
                + (
                    f"(thiếu thuộc tính log {XES_SCHEMA_KEY!r}); "
                    if fmt == "xes"
                    else "(thiếu một số cột chuẩn); "
                )
                + "hãy chỉ định tệp ánh xạ bằng --mapping.",
                path=path,
            )
        mapping = native_mapping(fmt)
    report = LoadReport(path=str(path), source_format=fmt, mapping=mapping.name, parser=parser)
    report.native = native and mapping.name == native_mapping(fmt).name
    mapping, report.notes = resolve_optional(mapping, names)
    check_columns(names, mapping, path=path)

    # Exact duplicates are identical in every source attribute: a 64-bit hash of the whole
    # source row travels with the mapped columns (the unmapped ones are never materialised).
    data_cols = [c for c in names if c not in _BOOKKEEPING]
    scan = scan.with_columns(pl.struct(data_cols).hash().alias(HASH_COL))
    lazy = apply_mapping(scan, mapping, keep=(ORDER_COL, LINE_COL, POS_COL, HASH_COL))
    return lazy, mapping, report


def collect_mapped(lazy: pl.LazyFrame, mapping: Mapping, path: Path, fmt: str) -> pl.DataFrame:
    """The mapped rows, timestamps parsed while the file streams in where the format allows."""
    try:
        frame = _parse_in_stream(lazy, mapping).collect(engine="streaming")
        if BAD_TIME_COL in frame.columns:
            if frame.get_column(BAD_TIME_COL).any():
                # Some text is not a time: read the text again, so that _parse_times names
                # the first bad value, its line and column (only bad files pay twice).
                frame = lazy.collect(engine="streaming")
            else:
                frame = frame.drop(BAD_TIME_COL)
    except _READ_ERRORS as exc:
        raise _read_error(exc, fmt, path) from exc
    return frame


def raise_bad_times(frame: pl.DataFrame, mapping: Mapping, path: Path) -> None:
    """For a log read part by part: where :func:`collect_mapped` fell back to the text because
    some value is not a time, name that value now (every part must carry parsed times)."""
    declared = _parse_in_stream(frame.lazy().select(s.TIMESTAMP, s.DUE).head(0), mapping)
    parsed = [c for c in (s.TIMESTAMP, s.DUE) if BAD_TIME_COL in declared.collect_schema()]
    if any(frame.schema[c] == pl.String for c in parsed):
        _parse_times(frame, mapping, path)


def finish(frame: pl.DataFrame, mapping: Mapping, report: LoadReport, path: Path) -> pl.DataFrame:
    """Validate, repair and enrich mapped rows (whole cases: all of the log, or one bucket of
    it), filling ``report`` with this part's counts. Unknown labels are counted, not judged
    (:func:`check_unknown_labels`)."""
    if frame.height == 0:
        raise LogError("Nhật ký rỗng: không có sự kiện nào.", path=path)
    frame, report.duplicates_dropped = _drop_exact_duplicates(frame)
    frame = _check_required(frame, path)
    frame = _parse_times(frame, mapping, path)
    frame = _parse_flags(frame, mapping, path)

    unknown = (
        frame.filter(~pl.col("__known"))
        .group_by(s.ACTIVITY_LABEL)
        .len()
        .sort(["len", s.ACTIVITY_LABEL], descending=[True, False])
    )
    report.unknown_labels = {str(k): int(v) for k, v in unknown.iter_rows()}

    frame = _event_ids(frame)
    frame = _check_unique_ids(frame, path)
    frame, report.out_of_order = _sort_events(frame)
    events = _enrich(frame, mapping, report)
    del frame
    report.n_events = events.height
    # Sorted by case: the cases are the runs of equal ids.
    report.empty_columns = [
        c for c in s.SCHEMA if events.get_column(c).null_count() == events.height
    ]
    runs = events.get_column(s.CASE_ID).rle_id()
    report.n_cases = int(runs[-1]) + 1 if events.height else 0
    return events


def check_unknown_labels(report: LoadReport, mapping: Mapping, path: Path, *, strict: bool) -> None:
    """Unknown activity labels are an error in strict mode (after the whole log is counted);
    an unknown label or reason value that is a near spelling of one the mapping names and
    the log lacks is a typo, refused in every mode (:func:`check_near_misses`)."""
    check_near_misses(report, mapping)
    if strict and report.unknown_labels:
        listed = "; ".join(f"{k!r}: {v}" for k, v in report.unknown_labels.items())
        raise MappingError(
            f"Có nhãn hoạt động không có trong tệp ánh xạ (chế độ --strict): {listed}.",
            path=path,
            column=mapping.columns["activity"],
        )


def _parse_in_stream(lazy: pl.LazyFrame, mapping: Mapping) -> pl.LazyFrame:
    """Timestamps and deadlines written with a declared format (no offset) parsed while the
    file streams in: a datetime takes 8 bytes where its text takes ~35, which matters at 16M
    events. ISO text and offsets keep the checked path of :func:`_parse_times`."""
    names = lazy.collect_schema()
    parsed: dict[str, pl.Expr] = {}
    for column in (s.TIMESTAMP, s.DUE):
        fmt = mapping.time_format(column)
        if column not in names or names[column] != pl.String or fmt == "iso" or "z" in fmt:
            continue
        value = pl.col(column).str.strip_chars().str.to_datetime(fmt, strict=False, time_unit="us")
        parsed[f"__parsed_{column}"] = value
    if not parsed:
        return lazy
    # Parsed once under a temporary name, then checked against the text: in one step the
    # streaming engine parsed every value twice (once more for the check).
    bad = [
        pl.col(name.removeprefix("__parsed_")).is_not_null() & pl.col(name).is_null()
        for name in parsed
    ]
    return (
        lazy.with_columns(**parsed)
        .with_columns(
            pl.any_horizontal(bad).alias(BAD_TIME_COL),
            *[pl.col(name).alias(name.removeprefix("__parsed_")) for name in parsed],
        )
        .drop(*parsed)
    )


def _drop_exact_duplicates(frame: pl.DataFrame) -> tuple[pl.DataFrame, int]:
    """Drop events identical in every source attribute, keeping the first.

    Candidates are rows whose whole-source-row hash repeats; among them, rows equal in every
    mapped column and in the hash are duplicates (two different source rows would need equal
    mapped values AND a 64-bit hash collision on the rest).
    """
    hashes = frame.get_column(HASH_COL)
    # Sorting 8-byte hashes and comparing neighbours answers "any repeat?" with a fraction of
    # the memory of a hash-table is_duplicated (measured +0.6 GB for 4M rows).
    ordered = hashes.sort()
    if not (ordered.slice(1) == ordered.slice(0, max(0, ordered.len() - 1))).any():
        return frame.drop(HASH_COL), 0
    candidates = hashes.is_duplicated()
    key = [c for c in frame.columns if c not in (ORDER_COL, LINE_COL, POS_COL)]
    suspects = frame.filter(candidates)
    kept = suspects.unique(subset=key, keep="first", maintain_order=True)
    dropped = suspects.height - kept.height
    if dropped == 0:
        return frame.drop(HASH_COL), 0
    keep = ~candidates | frame.get_column(ORDER_COL).is_in(kept.get_column(ORDER_COL).implode())
    return frame.filter(keep).drop(HASH_COL), dropped


def _sort_events(frame: pl.DataFrame) -> tuple[pl.DataFrame, int]:
    """Events in (case, timestamp, declared order, file order) order, and how many were out of
    time order.

    Out of order: an event earlier than the previous one of its case in file order. Most
    exports are already grouped by case and in time order: one comparison pass finds that and
    skips both the count's group-by and the sort.
    """
    c, t, o = pl.col(s.CASE_ID), pl.col(s.TIMESTAMP), pl.col(ORDER_COL)
    ranked = ORDER_RANK in frame.columns
    if ranked:
        frame = _numeric_rank(frame)
    r = pl.col(ORDER_RANK) if ranked else pl.lit(0)
    tie = (r > r.shift(1)) | ((r == r.shift(1)) & (o > o.shift(1)))
    in_order = frame.select(
        ((c > c.shift(1)) | ((c == c.shift(1)) & ((t > t.shift(1)) | ((t == t.shift(1)) & tie))))
        .fill_null(True)
        .all()
    ).item()
    if in_order:
        return frame, 0
    by_file = frame.sort(ORDER_COL)
    out_of_order = int(by_file.select((t < t.shift(1).over(s.CASE_ID)).sum()).item())
    keys = [s.CASE_ID, s.TIMESTAMP, *([ORDER_RANK] if ranked else []), ORDER_COL]
    return by_file.sort(keys, maintain_order=True, nulls_last=True), out_of_order


def _numeric_rank(frame: pl.DataFrame) -> pl.DataFrame:
    """A declared sequence column compares as numbers when every value is one ("10" after
    "9"), else as text."""
    rank = frame.get_column(ORDER_RANK)
    if rank.dtype != pl.String:
        return frame
    numbers = rank.cast(pl.Float64, strict=False)
    if numbers.null_count() == rank.null_count():
        return frame.with_columns(numbers.alias(ORDER_RANK))
    return frame


def _order_ties(frame: pl.DataFrame, mapping: Mapping, report: LoadReport) -> pl.DataFrame:
    """Count events that share their case's timestamp with the previous one; where there are
    any, write the loader's order into ``seq`` so that the engine keeps it (it would otherwise
    break ties by event id)."""
    c, t = pl.col(s.CASE_ID), pl.col(s.TIMESTAMP)
    tied = ((c == c.shift(1)) & (t == t.shift(1))).fill_null(False)
    counts = frame.select(tied.sum().alias("events"), c.filter(tied).n_unique().alias("cases")).row(
        0
    )
    report.tied_events, report.cases_with_ties = int(counts[0]), int(counts[1])
    report.date_only = _date_only(frame, mapping)
    if mapping.order_column is not None:
        report.tie_order = "column"
    elif mapping.order_labels:
        report.tie_order = "activities"
    if not report.tied_events:
        return frame
    return frame.with_columns(pl.int_range(pl.len(), dtype=pl.UInt32).alias(s.SEQ))


def _date_only(frame: pl.DataFrame, mapping: Mapping) -> bool:
    """Every timestamp at local midnight (the log's zone): the log records days, not times.

    The first rows answer for almost every log that has times, so the whole column is
    converted only when they are all midnight."""
    zone = mapping.calendar.timezone or mapping.timezone or "UTC"
    local = pl.col(s.TIMESTAMP).dt.convert_time_zone(zone)
    midnight = ((local.dt.hour() == 0) & (local.dt.minute() == 0) & (local.dt.second() == 0)).all()
    if not frame.head(10_000).select(midnight).item():
        return False
    return bool(frame.select(midnight).item())


def _open(
    path: Path, fmt: str, mapping: Mapping | None, progress: Callable[[int], None] | None
) -> tuple[pl.LazyFrame, str, bool]:
    """The raw log (lazy for tables), the parser used, and whether it is Công Vụ's own
    format."""
    if fmt != "xes":
        scan = _scan_table(path, fmt, mapping)
        native = set(s.SCHEMA) <= set(scan.collect_schema().names())
        if native and fmt == "csv":  # undo export_log's formula guard (congvu_analytics.safe_csv)
            scan = restore_frame(scan)
        return scan, fmt, native
    timezone = mapping.timezone if mapping is not None else None
    raw_log = read_xes(path, naive_timezone=timezone, progress=progress)
    raw = raw_log.frame.sort(TRACE_COL, POS_COL).with_row_index(ORDER_COL)
    if raw.height == 0:
        raise LogError("Nhật ký rỗng: không có sự kiện nào.", path=path)
    return raw.lazy(), raw_log.parser, XES_SCHEMA_KEY in raw_log.log_attributes


_READ_ERRORS = (pl.exceptions.ComputeError, pl.exceptions.NoDataError, OSError, LookupError)


def _read_error(exc: BaseException, fmt: str, path: Path) -> LogError:
    if isinstance(exc, pl.exceptions.NoDataError):
        return LogError("Nhật ký rỗng: tệp không có dữ liệu.", path=path)
    return LogError(f"Không đọc được tệp {fmt.upper()}: {_first_line(exc)}", path=path)


def _scan_table(path: Path, fmt: str, mapping: Mapping | None) -> pl.LazyFrame:
    """The table as a lazy scan (CSV, CSV.gz, Parquet), with file order and line numbers.

    Lazy so that only the columns the mapping reads are parsed and the mapping runs while
    the file streams in: reading a 16M-event CSV.gz eagerly costs ~5 GB before any work.
    Codecs other than UTF-8 are decoded eagerly first (Polars reads only UTF-8).
    """
    try:
        if fmt == "parquet":
            return (
                pl.scan_parquet(path)
                .with_row_index(ORDER_COL)
                .with_columns((pl.col(ORDER_COL).cast(pl.Int64) + 1).alias(LINE_COL))
            )
        check_text_file(path)  # size and line length bounded before polars allocates
        opts = mapping.csv if mapping is not None else None
        delimiter = opts.delimiter if opts else ","
        quote = opts.quote if opts else '"'
        encoding = opts.encoding if opts else "utf8"
        has_header = opts.has_header if opts else True
        nulls = list(opts.null_values) if opts else [""]
        if encoding.replace("-", "").lower() in ("utf8", "utf8lossy"):
            lazy = pl.scan_csv(
                path,
                separator=delimiter,
                quote_char=quote,
                encoding="utf8-lossy" if "lossy" in encoding else "utf8",
                has_header=has_header,
                infer_schema=False,
                null_values=nulls,
            )
            lazy.collect_schema()  # a header that cannot be read fails here, not later
        else:
            lazy = pl.read_csv(
                path,
                separator=delimiter,
                quote_char=quote,
                encoding=encoding,
                has_header=has_header,
                infer_schema=False,
                null_values=nulls,
            ).lazy()
    except _READ_ERRORS as exc:
        raise _read_error(exc, fmt, path) from exc
    header_lines = 1 if (mapping is None or mapping.csv.has_header) else 0
    names = lazy.collect_schema().names()
    return (
        lazy.with_row_index(ORDER_COL)
        .with_columns((pl.col(ORDER_COL).cast(pl.Int64) + 1 + header_lines).alias(LINE_COL))
        # A blank line (a file ending in two line breaks, say) is a row of nulls to Polars and
        # was refused as an event without a case. It holds no event: skipped, after the
        # numbering, so that the rows after it keep their lines. Arrow's reader, which reads a
        # large file split as it streams in, skips it too.
        .filter(~pl.all_horizontal(pl.col(names).is_null()))
    )


# A file read again by the csv module when Polars refuses it (values held as Python strings,
# ~10 times the text): at most this large on disk. Larger files are split as they stream in
# (``congvu analyze``), whose reader keeps such quotes too.
_TOLERANT_MAX_BYTES = 128 << 20


def _tolerant_scan(path: Path, mapping: Mapping | None) -> pl.LazyFrame:
    """The table as :func:`_scan_table` gives it, read by Python's csv module
    (:mod:`congvu_analytics.io.csv_rows`: a quote inside an unquoted value stays text, each
    row keeps the file line it starts on, short rows are read with their missing fields empty)."""
    opts = mapping.csv if mapping is not None else None
    has_header = opts.has_header if opts else True
    nulls = set(opts.null_values) if opts else {""}
    rows = csv_rows(
        path,
        delimiter=opts.delimiter if opts else ",",
        quote=opts.quote if opts else '"',
        encoding=opts.encoding if opts else "utf8",
    )
    names: list[str] | None = None
    columns: list[list[str | None]] = []
    lines: list[int] = []
    for line, row in rows:
        if names is None:
            names = row if has_header else [f"column_{i + 1}" for i in range(len(row))]
            columns = [[] for _ in names]
            if has_header:
                continue
        values = fitted(row, len(names), nulls, path=path, line=line)
        if all(v is None for v in values):
            continue  # a row of empty fields: no event
        for column, value in zip(columns, values, strict=True):
            column.append(value)
        lines.append(line)
    if not names or not lines:
        raise LogError("Nhật ký rỗng: tệp không có dữ liệu.", path=path)
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise LogError(f"Tiêu đề có cột trùng tên: {', '.join(map(repr, twice))}.", path=path)
    frame = pl.DataFrame(
        {
            name: pl.Series(name, values, dtype=pl.String)
            for name, values in zip(names, columns, strict=True)
        }
    )
    return (
        frame.with_row_index(ORDER_COL)
        .with_columns(pl.Series(LINE_COL, lines, dtype=pl.Int64))
        .lazy()
    )


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _error_at(
    frame: pl.DataFrame, mask: pl.Series, message: str, *, path: Path, column: str
) -> LogError:
    """A LogError located at the first row where ``mask`` is true (line and/or trace)."""
    index = int(mask.arg_true()[0])
    line = int(frame.get_column(LINE_COL)[index]) if LINE_COL in frame.columns else None
    trace = None
    if s.CASE_ID in frame.columns and frame.get_column(s.CASE_ID)[index] is not None:
        trace = str(frame.get_column(s.CASE_ID)[index])
    return LogError(message, path=path, line=line, trace=trace, column=column)


def _check_required(frame: pl.DataFrame, path: Path) -> pl.DataFrame:
    for column, what in ((s.CASE_ID, "mã hồ sơ"), (s.TIMESTAMP, "thời điểm")):
        mask = frame.get_column(column).is_null()
        if mask.any():
            raise _error_at(
                frame,
                mask,
                f"Thiếu {what} ở {int(mask.sum())} sự kiện.",
                path=path,
                column=column,
            )
    return frame


def _parse_times(frame: pl.DataFrame, mapping: Mapping, path: Path) -> pl.DataFrame:
    out = frame
    for column in (s.TIMESTAMP, s.DUE):
        if column not in out.columns:
            continue
        source = mapping.columns.get("timestamp" if column == s.TIMESTAMP else "due", column)
        out = out.with_columns(_parse_time_series(out, column, mapping, path, source).alias(column))
    return out


def _parse_time_series(
    frame: pl.DataFrame, column: str, mapping: Mapping, path: Path, source: str
) -> pl.Series:
    series = frame.get_column(column)
    dtype = series.dtype
    if isinstance(dtype, pl.Datetime):
        if dtype.time_zone is not None:
            return series.dt.convert_time_zone("UTC").dt.cast_time_unit("us")
        return _assume_zone(frame, series, mapping, path, source)
    if dtype == pl.Date:
        return _assume_zone(frame, series.cast(pl.Datetime("us")), mapping, path, source)
    text = series.cast(pl.String).str.strip_chars()
    fmt = mapping.time_format(column)
    if fmt == "iso":
        try:
            return parse_iso_timestamps(
                frame.with_columns(text.alias(column)),
                column,
                mapping.timezone,
                path=path,
                case_column=s.CASE_ID,
            )
        except LogError as exc:
            raise _error_at(
                frame,
                text.is_not_null() & ~_iso_ok(text, mapping.timezone),
                exc.detail,
                path=path,
                column=source,
            ) from exc
    aware = "%z" in fmt or "%:z" in fmt or "%#z" in fmt
    if aware:
        parsed = text.str.to_datetime(fmt, strict=False, time_unit="us", time_zone="UTC")
    else:
        parsed = text.str.to_datetime(fmt, strict=False, time_unit="us")
    bad = text.is_not_null() & parsed.is_null()
    if bad.any():
        raise _error_at(
            frame,
            bad,
            f"Không đọc được thời điểm {text.filter(bad)[0]!r} theo định dạng {fmt!r} "
            f"({int(bad.sum())} giá trị như vậy).",
            path=path,
            column=source,
        )
    if aware:
        return parsed
    return _assume_zone(frame, parsed, mapping, path, source)


_TRUE = ("true", "1", "yes", "có", "co", "x")
_FALSE = ("false", "0", "no", "không", "khong", "")


def _parse_flags(frame: pl.DataFrame, mapping: Mapping, path: Path) -> pl.DataFrame:
    """Boolean columns given as text: true/false, 1/0, yes/no, có/không."""
    out = frame
    roles = {
        s.REVIEWED: "reviewed",
        s.PROTECTED: "protected",
        s.SUBJECT_AUTHORITY: "within_authority",
    }
    for column, role in roles.items():
        if column not in out.columns or out.schema[column] != pl.String:
            continue
        # The few distinct texts are read, the rows looked up (a flag column holds a handful
        # of spellings over millions of rows).
        given = out.get_column(column)
        distinct = given.drop_nulls().unique()
        words = distinct.str.strip_chars().str.to_lowercase()
        meaning = pl.select(
            pl.when(words.is_in(_TRUE)).then(True).when(words.is_in(_FALSE)).then(False)
        ).to_series()
        values = given.replace_strict(
            distinct, meaning, default=None, return_dtype=pl.Boolean
        ).alias(column)
        bad = given.is_not_null() & values.is_null()
        if bad.any():
            raise _error_at(
                out,
                bad,
                f"Giá trị {out.get_column(column).filter(bad)[0]!r} không phải đúng/sai "
                "(dùng true/false, 1/0, có/không).",
                path=path,
                column=mapping.columns.get(role, column),
            )
        out = out.with_columns(values)
    return out


def _iso_ok(text: pl.Series, timezone: str | None) -> pl.Series:
    norm = text.str.replace(r"Z$", "+00:00").str.replace(r"([+-]\d\d)(\d\d)$", "$1:$2")
    aware = norm.str.to_datetime("%Y-%m-%dT%H:%M:%S%.f%:z", strict=False, time_zone="UTC")
    if timezone is None:
        return aware.is_not_null()
    naive = norm.str.to_datetime("%Y-%m-%dT%H:%M:%S%.f", strict=False)
    return aware.is_not_null() | naive.is_not_null()


def _assume_zone(
    frame: pl.DataFrame, naive: pl.Series, mapping: Mapping, path: Path, source: str
) -> pl.Series:
    if mapping.timezone is None:
        mask = naive.is_not_null()
        if not mask.any():
            return naive.dt.replace_time_zone("UTC")
        raise _error_at(
            frame,
            mask,
            f"Thời điểm {naive.filter(mask)[0]} không có múi giờ và tệp ánh xạ không khai báo "
            "múi giờ giả định ([timestamps] timezone); không thể đoán giờ địa phương.",
            path=path,
            column=source,
        )
    offset = _fixed_offset(mapping.timezone, naive.min(), naive.max())
    if offset is not None:
        # One offset over the log's whole span (Asia/Ho_Chi_Minh: UTC+7 since 1975): the
        # same instants as the zone rules give, without a rule lookup per value (0.15 s of
        # CPU per 2M values, twice per event; a 16M-event log spends ~2 s on it).
        return naive.dt.replace_time_zone("UTC").dt.cast_time_unit("us") - offset
    localized = naive.dt.replace_time_zone(
        mapping.timezone, ambiguous="earliest", non_existent="null"
    )
    bad = naive.is_not_null() & localized.is_null()
    if bad.any():
        raise _error_at(
            frame,
            bad,
            f"Thời điểm {naive.filter(bad)[0]} không tồn tại ở múi giờ {mapping.timezone} "
            "(khoảng nhảy giờ mùa hè).",
            path=path,
            column=source,
        )
    return localized.dt.convert_time_zone("UTC").dt.cast_time_unit("us")


# Longer spans are left to the per-value rules (hourly samples of 30 years: 0.26M lookups).
_FIXED_SPAN = dt.timedelta(days=366 * 30)


def _fixed_offset(zone: str, lo: object, hi: object) -> dt.timedelta | None:
    """The zone's UTC offset if it is one and the same at every hour from ``lo`` to ``hi``
    (naive local times), else None (a change of offset inside the span, an unknown zone,
    or no values). No zone has held an offset for less than an hour, so hourly samples see
    every change."""
    if not isinstance(lo, dt.datetime) or not isinstance(hi, dt.datetime):
        return None
    if hi - lo > _FIXED_SPAN:
        return None
    # Whole days, so that the buckets of one log (each spanning about the same days) share
    # one answer in a worker's cache (a 2-year span costs ~50 ms to sample).
    day = dt.timedelta(days=1)
    start = dt.datetime.combine(lo.date(), dt.time()) - day
    return _hourly_offset(zone, start, dt.datetime.combine(hi.date(), dt.time()) + 2 * day)


@functools.lru_cache(maxsize=64)
def _hourly_offset(zone: str, start: dt.datetime, end: dt.datetime) -> dt.timedelta | None:
    try:
        tz = zoneinfo.ZoneInfo(zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None
    first = start.replace(tzinfo=tz).utcoffset()
    hour = dt.timedelta(hours=1)
    at = start
    while at <= end:
        local = at.replace(tzinfo=tz)
        # fold=1 also: an ambiguous hour (clocks turned back) has two offsets.
        if local.utcoffset() != first or local.replace(fold=1).utcoffset() != first:
            return None
        at += hour
    return first


def _event_ids(frame: pl.DataFrame) -> pl.DataFrame:
    """Generate ``<case>#<n>`` (n = 1-based position in the case, file order) where missing."""
    position = (
        (pl.col(POS_COL) + 1)
        if POS_COL in frame.columns
        else pl.col(ORDER_COL).rank("ordinal").over(s.CASE_ID)
    )
    generated = pl.col(s.CASE_ID) + pl.lit("#") + position.cast(pl.String)
    if s.EVENT_ID in frame.columns:
        ids = frame.get_column(s.EVENT_ID).cast(pl.String)
        if ids.null_count() == 0:  # the usual case: no per-case ranking over the whole log
            return frame.with_columns(ids)
        return frame.with_columns(pl.col(s.EVENT_ID).cast(pl.String).fill_null(generated))
    return frame.with_columns(generated.alias(s.EVENT_ID))


def _check_unique_ids(frame: pl.DataFrame, path: Path) -> pl.DataFrame:
    ids = frame.get_column(s.EVENT_ID)
    # Counting distinct ids is several times cheaper than marking duplicates (measured 0.2 s
    # against 1.0 s for 4M ids), and distinct 64-bit hashes mean distinct ids at a sixth of
    # that again (0.06 s against 0.40 s for 2M ids); the texts are compared only when two
    # hashes meet, and the mask is built only to name a duplicate.
    if ids.hash(seed=1).n_unique() == ids.len() or ids.n_unique() == ids.len():
        return frame
    dup = ids.is_duplicated()
    if dup.any():
        raise _error_at(
            frame,
            dup,
            f"Mã sự kiện {frame.get_column(s.EVENT_ID).filter(dup)[0]!r} bị trùng giữa các sự "
            f"kiện khác nhau ({int(dup.sum())} sự kiện).",
            path=path,
            column=s.EVENT_ID,
        )
    return frame


def _enrich(frame: pl.DataFrame, mapping: Mapping, report: LoadReport) -> pl.DataFrame:
    """Canonical events with the facts a foreign log carries only implicitly
    (congvu_analytics.enrich): answers paired with requests for every log, acknowledgement
    rules where the mapping declares them; what was recovered goes to the report."""
    frame = _order_ties(frame, mapping, report)
    if not report.native and "reason_code" in mapping.columns:
        frame = _unknown_reasons(frame, mapping, report)
    report.idle_rules = _idle_rules(frame, mapping)
    if LEGIT_MARK in frame.columns:
        report.legitimate_waits = int(frame.get_column(LEGIT_MARK).sum())
    if s.ENDS_WAIT in frame.columns:
        report.wait_end_events = int(frame.get_column(s.ENDS_WAIT).sum())
    events = acknowledge(match_coordination(s.conform(frame.lazy()).collect()), mapping.acknowledge)
    report.coordination_paired = _count_paired(frame, events)
    report.acknowledged = _count_acknowledged(frame, events)
    _count_flags(frame, events, mapping, report)
    report.custody_mode = mapping.custody_mode
    if mapping.custody_mode == "collaborative":
        # People hold a case only when the log says it was handed to them: the loader's order
        # is final here (ties kept in ``seq``), so the derivation does not sort again.
        events = derive_custody(
            events.lazy(), presorted=True, has_holders=True, collaborative=True
        ).collect()
    return events


def _unknown_reasons(frame: pl.DataFrame, mapping: Mapping, report: LoadReport) -> pl.DataFrame:
    """List reason values the mapping does not know, with counts; recode them when the mapping
    declares ``unknown_reason``."""
    known = sorted(mapping.known_reasons())
    unknown = pl.col(s.REASON_CODE).is_not_null() & ~pl.col(s.REASON_CODE).is_in(known)
    counts = frame.filter(unknown).group_by(s.REASON_CODE).len()
    report.unknown_reasons = {str(k): int(v) for k, v in counts.iter_rows()}
    report.unknown_reason_code = mapping.unknown_reason
    if mapping.unknown_reason is None or not report.unknown_reasons:
        return frame
    return frame.with_columns(
        pl.when(unknown)
        .then(pl.lit(mapping.unknown_reason))
        .otherwise(pl.col(s.REASON_CODE))
        .alias(s.REASON_CODE)
    )


def _count_paired(before: pl.DataFrame, after: pl.DataFrame) -> int:
    """Answers given a reference by the pairing (rows are in the same order in both frames)."""
    had = (
        before.get_column(s.REF_EVENT_ID).is_not_null()
        if s.REF_EVENT_ID in before.columns
        else pl.Series([False] * before.height)
    )
    return int((after.get_column(s.REF_EVENT_ID).is_not_null() & ~had).sum())


def _count_acknowledged(before: pl.DataFrame, after: pl.DataFrame) -> dict[str, int]:
    """Flags set by acknowledgement rules, as ``{"reviewed=true": n, ...}``."""
    out: dict[str, int] = {}
    for flag in (s.REVIEWED, s.SUBJECT_AUTHORITY):
        now = after.get_column(flag)
        new = now.is_not_null()
        if flag in before.columns:
            new = new & before.get_column(flag).is_null()
        for value in (True, False):
            n = int((new & (now == value)).sum())
            if n:
                out[f"{flag}={str(value).lower()}"] = n
    return out


def _idle_rules(frame: pl.DataFrame, mapping: Mapping) -> list[str]:
    """Acknowledgement rules whose response never occurs in the log (a typo in a reason value
    cannot be caught when the mapping is read: the source's answer codes are its own)."""
    idle = []
    # The columns a response is told by, not the whole frame, go through the rules' filters.
    answers = frame.select(s.REASON_CODE, s.ACTIVITY, s.ACTIVITY_LABEL)
    for rule in mapping.acknowledge:
        if rule.responses(answers).height == 0:
            idle.append(rule.name)
    return idle


def _count_flags(
    frame: pl.DataFrame, events: pl.DataFrame, mapping: Mapping, report: LoadReport
) -> None:
    """What the log holds for the typo check and the flag warnings (LoadReport fields)."""
    labels = frame.get_column(s.ACTIVITY_LABEL).drop_nulls().unique().to_list()
    report.seen_labels = {label_key(str(v)) for v in labels} | {
        label_key(str(v).split("|")[0]) for v in labels
    }
    reasons = events.get_column(s.REASON_CODE).drop_nulls().unique().to_list()
    report.seen_reasons = {text_key(str(v)) for v in reasons}
    act = pl.col(s.ACTIVITY)
    pause = act == s.Activity.PAUSE.value
    opinion = act == s.Activity.OPINION_REQUEST.value
    (
        report.pauses,
        report.pauses_reviewed,
        report.opinion_requests,
        report.opinions_outside,
    ) = events.select(
        pause.sum(),
        (pause & pl.col(s.REVIEWED).is_not_null()).sum().alias("r"),
        opinion.sum().alias("o"),
        (opinion & (pl.col(s.SUBJECT_AUTHORITY) == pl.lit(False))).sum().alias("f"),
    ).row(0)
    positions = (
        events.filter(
            (act == s.Activity.COORD_ANSWER.value)
            & pl.col(s.POSITION).is_not_null()
            & ~pl.col(s.POSITION).is_in(["agree", "disagree", "none"])
        )
        .group_by(s.POSITION)
        .len()
    )
    report.unknown_positions = {
        str(k): int(v)
        for k, v in sorted(positions.iter_rows(), key=lambda kv: (-kv[1], str(kv[0])))
    }
    read = {text_key(v) for rule in mapping.acknowledge for v in rule.by_reason}
    canonical = {text_key(r.value) for r in s.ReasonCode}
    answers = (
        events.filter((act == s.Activity.OPINION_GIVEN.value) & pl.col(s.REASON_CODE).is_not_null())
        .group_by(s.REASON_CODE)
        .len()
    )
    ranked = sorted(answers.iter_rows(), key=lambda kv: (-kv[1], str(kv[0])))
    report.unacknowledged_answers = {
        str(k): int(v) for k, v in ranked if text_key(str(k)) not in read | canonical
    }


@dataclass(frozen=True)
class _Name:
    """A label or reason value the mapping names, where, and whether the log has it."""

    table: str
    spelling: str
    line: int | None
    seen: bool


def _mapping_names(mapping: Mapping, report: LoadReport) -> tuple[list[_Name], list[_Name]]:
    """(labels, reason values) the mapping names, with their lines when the file is at hand."""
    labels: list[_Name] = []
    reasons: list[_Name] = []
    seen_l, seen_r = report.seen_labels, report.seen_reasons
    path = Path(mapping.name)
    try:
        text = path.read_text(encoding="utf-8") if path.is_file() else None
        data = tomllib.loads(text) if text is not None else None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        text = data = None
    if text is None or data is None:
        lines: dict[tuple[str, str | int], int] = {}
        activities = list(mapping.activities)
        table = dict(mapping.reasons)
        rules = [list(r.by_reason) for r in mapping.acknowledge]
    else:
        lines = toml_lines(text)
        activities = [str(k) for k in dict(data.get("activities", {}))]
        table = {str(k): str(v) for k, v in dict(data.get("reasons", {})).items()}
        rules = []
        for rule in list(data.get("acknowledge", [])):
            by = rule.get("by_reason", []) if isinstance(rule, dict) else []
            rules.append([by] if isinstance(by, str) else [str(v) for v in by])
    for label in activities:
        key = label_key(label)
        labels.append(_Name("[activities]", label, lines.get(("activities", label)), key in seen_l))
    for value, target in table.items():
        # The column holds the translation, so a value is "seen" when its target is.
        seen = text_key(target) in seen_r
        reasons.append(_Name("[reasons]", value, lines.get(("reasons", value)), seen))
    for value in mapping.keep_reasons:
        line = lines.get(("", "keep_reasons"))
        reasons.append(_Name("keep_reasons", value, line, text_key(value) in seen_r))
    for number, values in enumerate(rules, start=1):
        for value in values:
            line = lines.get(("acknowledge", number))
            where = f"[[acknowledge]] quy tắc thứ {number}: by_reason"
            reasons.append(_Name(where, value, line, text_key(value) in seen_r))
    return labels, reasons


def check_near_misses(report: LoadReport, mapping: Mapping) -> None:
    """A label or reason value of the mapping that matches nothing in the log while a near
    spelling of it is unknown to the mapping is a typo: refused, naming the mapping's line and
    the log's spelling (a mistyped "Tiếp nhận" would otherwise turn every acceptance into an
    unknown event, and the detection would run on a log without acceptances)."""
    if report.native or not (report.unknown_labels or report.unknown_reasons):
        return
    labels, reasons = _mapping_names(mapping, report)
    for names, unknown, key, what in (
        (labels, report.unknown_labels, label_key, "nhãn"),
        (reasons, report.unknown_reasons, text_key, "mã lý do"),
    ):
        ranked = sorted(unknown.items(), key=lambda kv: (-kv[1], kv[0]))[:100]
        for name in names:
            if name.seen:
                continue
            for value, count in ranked:
                if near_spelling(key(name.spelling), key(value)):
                    raise MappingError(
                        f"{name.table} {name.spelling!r} không khớp {what} nào trong nhật ký, "
                        f"còn nhật ký có {what} {value!r} ({count} sự kiện) không có trong tệp "
                        f"ánh xạ: có lẽ gõ nhầm. Hãy sửa thành {value!r} (so sánh không phân "
                        "biệt chữ hoa/thường, khoảng trắng và dạng Unicode, nhưng phân biệt "
                        "chữ cái và dấu).",
                        path=mapping.name,
                        line=name.line,
                    )
