"""Mapping files (TOML): how a foreign log maps onto the canonical schema.

The format is documented with a full example in ``docs/mapping.md``. In short::

    [source]                # optional: format and CSV dialect
    format = "xes"          # xes | csv | parquet (default: from the file name)

    [columns]               # canonical role -> source column / attribute
    case = "case:concept:name"
    activity = "concept:name"
    lifecycle = "lifecycle:transition"   # optional sub-status, combined with activity
    timestamp = "time:timestamp"
    actor = "org:resource"
    unit = "org:group"

    [timestamps]
    format = "iso"                  # or a chrono format such as "%d/%m/%Y %H:%M"
    timezone = "Asia/Ho_Chi_Minh"   # assumed for naive values; omit to refuse them

    [custody]               # the value of a column is the holder: a change is a hand-over
    unit = "org:group"

    [level]                 # tier of the holder, from suffixes of a column
    column = "org:group"
    default = 1
    suffixes = { " 2nd" = 2, " 3rd" = 3 }

    [activities]            # "label" or "label | lifecycle" -> code or {code, reason}
    "Queued | Awaiting Assignment" = { code = "transfer", reason = "queued" }
    "Accepted | Wait - User" = { code = "wait", reason = "wait_user" }
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import polars as pl

from congvu_analytics import schema as s
from congvu_analytics.enrich import FLAG_TARGETS, AckRule
from congvu_analytics.io.errors import MappingError, check_keys, located, read_toml, with_lines
from congvu_analytics.textkey import (
    LABEL_SEPARATOR,
    key_expr,
    label_key,
    near_spelling,
    text_key,
)

_V = TypeVar("_V")

# Roles accepted in [columns] and the canonical column each one fills. ``activity`` and
# ``lifecycle`` are special: together they form the label looked up in [activities].
ROLE_COLUMNS: dict[str, str] = {
    "event_id": s.EVENT_ID,
    "case": s.CASE_ID,
    "timestamp": s.TIMESTAMP,
    "actor": s.ACTOR,
    "unit": s.UNIT,
    "target_actor": s.TARGET_ACTOR,
    "target_unit": s.TARGET_UNIT,
    "reason_code": s.REASON_CODE,
    "reason_text": s.REASON_TEXT,
    "due": s.DUE,
    "ref_event_id": s.REF_EVENT_ID,
    "position": s.POSITION,
    "reviewed": s.REVIEWED,
    "protected": s.PROTECTED,
    "within_authority": s.SUBJECT_AUTHORITY,
    "level": s.LEVEL,
}
LABEL_ROLES = ("activity", "lifecycle")
REQUIRED_ROLES = ("case", "activity", "timestamp")
FORMATS = ("xes", "csv", "parquet")
_ACTIVITY_CODES = {a.value for a in s.Activity}
_REASON_CODES = {r.value for r in s.ReasonCode}
# Role names used in [[acknowledge]] `set` and the canonical flag column each one fills.
ACK_FLAGS = {"reviewed": s.REVIEWED, "within_authority": s.SUBJECT_AUTHORITY}
_ACK_KEYS = {"mark", "set", "value", "by_activity", "by_label", "by_reason", "within_days"}


@dataclass(frozen=True)
class ActivityRule:
    """What a source label becomes: an Activity code and an optional reason code.

    ``legitimate_wait``: a waiting state the law imposes (payment period, appeal, the
    citizen's supplement): its events are marked reviewed, so the wait never counts as
    stalling or hidden waiting; the reason says which statutory wait it is.
    """

    code: str
    reason: str | None = None
    legitimate_wait: bool = False


_RULE_KEYS = {"code", "reason", "legitimate_wait"}
WAIT_CODES = (s.Activity.PAUSE.value, s.Activity.WAIT.value)


@dataclass(frozen=True)
class WaitEndRule:
    """``[[wait_end]]``: waits opened by these labels last until one of the ``ends_at`` labels
    (or a resume, a completion), whatever happens in between."""

    wait: tuple[str, ...]
    ends_at: tuple[str, ...]


CUSTODY_MODES = ("events", "holder", "collaborative")
PAUSE_OWNERS = ("holder", "opener")


@dataclass(frozen=True)
class CalendarSpec:
    """``[calendar]``: the log's own calendar; the CLI's --calendar/--workweek/--timezone win."""

    name: str | None = None
    workweek: str | None = None
    timezone: str | None = None


@dataclass(frozen=True)
class CsvOptions:
    """CSV dialect declared in ``[source]``."""

    delimiter: str = ","
    encoding: str = "utf8"
    quote: str | None = '"'
    has_header: bool = True
    null_values: tuple[str, ...] = ("",)


@dataclass(frozen=True)
class LevelRule:
    """Tier of the holder derived from the suffix of a column's value."""

    column: str
    suffixes: dict[str, int]
    default: int | None = None


_SPEC_KEYS = {
    "column", "value", "concat", "sep", "lookup", "default", "case_attribute", "optional",
    "present",
}  # fmt: skip
DERIVED_PREFIX = "__role_"


@dataclass(frozen=True)
class ColumnSpec:
    """A ``[columns]`` entry given as a table: where a role's value comes from when it is not
    simply one column (docs/mapping.md, "Derived and optional columns")."""

    column: str | None = None
    value: str | None = None
    concat: tuple[str, ...] = ()
    sep: str = ""
    lookup: dict[str, str] | None = None
    default: str | None = None
    case_attribute: bool = False
    optional: bool = False
    present: bool = False  # "true" where the column has a value, "false" where it is empty

    def sources(self) -> list[str]:
        """The source columns this entry reads."""
        return [*([self.column] if self.column else []), *self.concat]

    def is_plain(self) -> bool:
        """Just one column (perhaps optional): read directly, no derived column needed."""
        return (
            self.column is not None
            and self.lookup is None
            and not self.case_attribute
            and not self.present
            and self.default is None
        )

    def expr(self, case: str | None) -> pl.Expr:
        """The role's values; ``case`` is the (source or derived) case column, for
        ``case_attribute``."""
        if self.value is not None:
            return pl.lit(self.value, dtype=pl.String)
        if self.concat:
            # Null parts are left out rather than making the whole value null.
            return pl.concat_str(
                [pl.col(c).cast(pl.String) for c in self.concat],
                separator=self.sep,
                ignore_nulls=True,
            )
        assert self.column is not None  # checked when the mapping is read
        out = pl.col(self.column)
        if self.present:
            text = out.cast(pl.String).str.strip_chars()
            return (
                pl.when(text.is_null() | (text == ""))
                .then(pl.lit("false"))
                .otherwise(pl.lit("true"))
            )
        if self.lookup is not None:
            text = out.cast(pl.String).str.strip_chars()
            fallback = pl.lit(self.default, dtype=pl.String) if self.default is not None else text
            out = text.replace_strict(self.lookup, default=fallback, return_dtype=pl.String)
        if self.case_attribute and case is not None:
            # The first value given anywhere in the case (file order), on every event of it.
            out = out.filter(out.is_not_null()).first().over(case)
        return out


@dataclass(frozen=True)
class OrgFiles:
    """``[org]``: the organisation tables named by the mapping (paths relative to it)."""

    units: Path | None = None
    people: Path | None = None
    unit_columns: dict[str, str] = field(default_factory=dict)
    people_columns: dict[str, str] = field(default_factory=dict)
    # canonical column -> {source value: value}, e.g. tiers numbered from the top instead of
    # from the bottom; values not listed are kept.
    unit_values: dict[str, dict[str, str]] = field(default_factory=dict)
    people_values: dict[str, dict[str, str]] = field(default_factory=dict)
    delimiter: str = ","


@dataclass(frozen=True)
class Mapping:
    """A parsed mapping file (see module docstring and docs/mapping.md)."""

    columns: dict[str, str]
    activities: dict[str, ActivityRule] = field(default_factory=dict)
    # Roles given as a table in [columns]; their `columns` entry is the derived column's name
    # (DERIVED_PREFIX + role) unless the entry is a plain, optional column.
    specs: dict[str, ColumnSpec] = field(default_factory=dict)
    source_format: str | None = None
    csv: CsvOptions = field(default_factory=CsvOptions)
    timestamp_format: str = "iso"
    due_format: str | None = None  # [timestamps] due_format: deadlines written differently
    timezone: str | None = None
    custody_unit: str | None = None
    custody_actor: str | None = None
    level: LevelRule | None = None
    unknown_code: str = s.Activity.OTHER.value
    name: str = "(ánh xạ)"
    # Built-in mappings only: a column holding the source's own label, and whether optional
    # columns may be absent from the file (an XES export has a key only where a value exists).
    label_column: str | None = None
    optional_columns: bool = False
    # [reasons]: source reason value (its text_key) -> canonical ReasonCode; unknown_reason:
    # code for values neither in the table nor canonical (None keeps them as they are, listed
    # in the report).
    reasons: dict[str, str] = field(default_factory=dict)
    # text_key -> the spelling the reason column gets: [reasons] translations, and every
    # reason value the mapping names (canonical codes, keep_reasons, rules), so that the
    # source's "DONG Y" or NFD spelling compares equal to the mapping's "dong y" downstream.
    reason_spellings: dict[str, str] = field(default_factory=dict)
    unknown_reason: str | None = None
    # The source's own codes kept as they are on purpose (not canonical, not "unknown").
    keep_reasons: tuple[str, ...] = ()
    acknowledge: tuple[AckRule, ...] = ()
    org: OrgFiles | None = None
    # [[wait_end]] rules; [custody] mode and who a pause is charged to.
    wait_ends: tuple[WaitEndRule, ...] = ()
    custody_mode: str = "events"
    pause_owner: str = "holder"
    # [order]: how events that share a timestamp are ordered: a source column, or a rank of
    # labels (earlier in the list = earlier in the case); neither: file order.
    order_column: str | None = None
    order_labels: tuple[str, ...] = ()
    calendar: CalendarSpec = field(default_factory=CalendarSpec)

    def time_format(self, column: str) -> str:
        """The format a time column is written in: deadlines may have their own (due_format)."""
        if column == s.DUE and self.due_format is not None:
            return self.due_format
        return self.timestamp_format

    def known_reasons(self) -> set[str]:
        """Reason values that are not reported as unknown: canonical codes, the [reasons]
        table (both sides), reasons declared in [activities] and in acknowledgement rules."""
        known = set(_REASON_CODES) | set(self.reasons.values())
        known |= set(self.reason_spellings.values())
        known |= {r.reason for r in self.activities.values() if r.reason}
        known |= set(self.keep_reasons)
        for rule in self.acknowledge:
            known |= set(rule.by_reason)
        return known

    def source_columns(self) -> list[str]:
        """Every source column the mapping reads (for the 'missing column' check)."""
        if self.optional_columns:
            return [self.columns[r] for r in REQUIRED_ROLES]
        cols = [c for r, c in self.columns.items() if r not in self.specs]
        for spec in self.specs.values():
            if not spec.optional:
                cols += spec.sources()
        cols += [c for c in (self.custody_unit, self.custody_actor, self.order_column) if c]
        if self.level is not None:
            cols.append(self.level.column)
        return list(dict.fromkeys(cols))


def load_mapping(path: str | Path) -> Mapping:
    """Read and check a TOML mapping file.

    Args:
        path: the ``.toml`` file.

    Returns:
        The mapping.

    Raises:
        MappingError: the file is missing, is not valid TOML, or declares something unknown.
    """
    path = Path(path)
    data = read_toml(path, "ánh xạ", MappingError)
    try:
        return mapping_from_dict(data, name=str(path))
    except MappingError as exc:
        # Parsed TOML has no line numbers: the places the error names are found in the text.
        located_exc = with_lines(exc, path.read_text(encoding="utf-8"))
        if located_exc is exc:
            raise
        raise located_exc from exc


def mapping_from_dict(  # noqa: PLR0915 - one check per section, kept together
    data: dict[str, Any], *, name: str = "(ánh xạ)"
) -> Mapping:
    """Build a :class:`Mapping` from already-parsed TOML data (see :func:`load_mapping`)."""
    known = {
        "source",
        "columns",
        "timestamps",
        "custody",
        "level",
        "activities",
        "unknown_activity",
        "reasons",
        "unknown_reason",
        "keep_reasons",
        "acknowledge",
        "org",
        "wait_end",
        "order",
        "calendar",
    }
    unknown = sorted(set(data) - known)
    if unknown:
        raise MappingError(
            f"Mục không được hỗ trợ trong tệp ánh xạ: {', '.join(unknown)}.", path=name
        )
    _check_top_level_keys(data, name)
    columns, specs = _parse_columns(dict(data.get("columns", {})), name)
    bad_roles = sorted(set(columns) - set(ROLE_COLUMNS) - set(LABEL_ROLES))
    if bad_roles:
        raise MappingError(
            f"Vai trò cột không hợp lệ trong [columns]: {', '.join(bad_roles)} "
            f"(hợp lệ: {', '.join([*LABEL_ROLES, *ROLE_COLUMNS])}).",
            path=name,
        )
    missing = [r for r in REQUIRED_ROLES if r not in columns]
    if missing:
        raise MappingError(f"[columns] thiếu vai trò bắt buộc: {', '.join(missing)}.", path=name)
    source = dict(data.get("source", {}))
    check_keys(source, _SOURCE_KEYS, "[source]", name)
    fmt = source.get("format")
    if fmt is not None and fmt not in FORMATS:
        raise MappingError(
            f"[source] format = {fmt!r} không hợp lệ (xes, csv, parquet).", path=name
        )
    csv = CsvOptions(
        delimiter=str(source.get("delimiter", ",")),
        encoding=str(source.get("encoding", "utf8")),
        quote=source.get("quote", '"') or None,
        has_header=bool(source.get("has_header", True)),
        null_values=tuple(source.get("null_values", [""])),
    )
    stamps = dict(data.get("timestamps", {}))
    check_keys(stamps, _TIMESTAMP_KEYS, "[timestamps]", name)
    timezone = stamps.get("timezone")
    if timezone is not None:
        try:
            ZoneInfo(str(timezone))
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise MappingError(f"Múi giờ không tồn tại: {timezone!r}.", path=name) from exc
    custody = dict(data.get("custody", {}))
    bad_custody = sorted(set(custody) - {"unit", "actor", "mode", "pauses"})
    if bad_custody:
        raise MappingError(
            f"[custody] chỉ nhận 'unit', 'actor', 'mode', 'pauses', không nhận {bad_custody}.",
            path=name,
        )
    custody_mode, pause_owner = _parse_custody(custody, name)
    level = None
    if "level" in data:
        raw_level = dict(data["level"])
        if "column" not in raw_level:
            raise MappingError("[level] cần khai báo 'column'.", path=name)
        level = LevelRule(
            column=str(raw_level["column"]),
            suffixes={str(k): int(v) for k, v in dict(raw_level.get("suffixes", {})).items()},
            default=raw_level.get("default"),
        )
    activities = _parse_activities(data.get("activities", {}), name)
    unknown_code = str(data.get("unknown_activity", s.Activity.OTHER.value))
    if unknown_code not in _ACTIVITY_CODES:
        raise MappingError(f"unknown_activity = {unknown_code!r} không hợp lệ.", path=name)
    reasons = _parse_reasons(data.get("reasons", {}), name)
    unknown_reason = data.get("unknown_reason")
    if unknown_reason is not None and unknown_reason not in _REASON_CODES:
        raise MappingError(
            f"unknown_reason = {unknown_reason!r} không phải mã lý do chuẩn "
            f"(hợp lệ: {', '.join(sorted(_REASON_CODES))}).",
            path=name,
        )
    keep_reasons = data.get("keep_reasons", [])
    if not isinstance(keep_reasons, list) or not all(isinstance(v, str) for v in keep_reasons):
        raise MappingError("keep_reasons phải là danh sách mã lý do của nguồn.", path=name)
    spellings = _reason_spellings(reasons, activities, keep_reasons)
    acknowledge = _parse_acknowledge(data.get("acknowledge", []), activities, spellings, name)
    org = _parse_org(data.get("org"), name)
    wait_ends = _parse_wait_ends(data.get("wait_end", []), activities, name)
    order_column, order_labels = _parse_order(data.get("order"), activities, name)
    calendar = _parse_calendar(data.get("calendar"), name)
    return Mapping(
        columns=columns,
        activities=activities,
        specs=specs,
        source_format=fmt,
        csv=csv,
        timestamp_format=str(stamps.get("format", "iso")),
        due_format=None if stamps.get("due_format") is None else str(stamps["due_format"]),
        timezone=None if timezone is None else str(timezone),
        custody_unit=custody.get("unit"),
        custody_actor=custody.get("actor"),
        level=level,
        unknown_code=unknown_code,
        name=name,
        reasons=reasons,
        reason_spellings=spellings,
        unknown_reason=None if unknown_reason is None else str(unknown_reason),
        keep_reasons=tuple(keep_reasons),
        acknowledge=acknowledge,
        org=org,
        wait_ends=wait_ends,
        custody_mode=custody_mode,
        pause_owner=pause_owner,
        order_column=order_column,
        order_labels=order_labels,
        calendar=calendar,
    )


_SOURCE_KEYS = frozenset({"format", "delimiter", "encoding", "quote", "has_header", "null_values"})
_TIMESTAMP_KEYS = frozenset({"format", "due_format", "timezone"})
# Keys of the top level that a reader easily writes under a table: TOML files every key after
# a [table] header under that table, so "keep_reasons" written below [reasons] is a reason.
_TOP_LEVEL_KEYS = ("keep_reasons", "unknown_reason", "unknown_activity")


def _check_top_level_keys(data: dict[str, Any], name: str) -> None:
    for table, body in data.items():
        if not isinstance(body, dict):
            continue
        for key in _TOP_LEVEL_KEYS:
            if key in body:
                exc = MappingError(
                    f"[{table}] {key!r} là khóa cấp cao nhất nhưng nằm trong bảng [{table}] "
                    "(TOML xếp mọi khóa viết sau tiêu đề [bảng] vào bảng đó): hãy chuyển nó "
                    "lên đầu tệp, trước tiêu đề bảng đầu tiên.",
                    path=name,
                )
                exc.places = ((table, key),)
                raise exc


def _parse_activities(raw: Any, name: str) -> dict[str, ActivityRule]:
    """[activities] keyed by :func:`label_key`; two labels with one key must agree."""
    if not isinstance(raw, dict):
        raise MappingError("[activities] phải là một bảng 'nhãn' = mã hoạt động.", path=name)
    activities: dict[str, ActivityRule] = {}
    written: dict[str, str] = {}
    for label, rule in raw.items():
        with located("activities", str(label)):
            parsed = _parse_activity(str(label), rule, name)
        _put_folded(
            activities,
            written,
            label_key(str(label)),
            str(label),
            parsed,
            table="activities",
            what="nhãn",
            differ=lambda old, new: (
                f"được ánh xạ khác nhau ({_rule_text(old)} và {_rule_text(new)}). "
                "Giữ một khóa hoặc cho cả hai cùng một quy tắc."
            ),
            name=name,
        )
    return activities


def _put_folded(
    out: dict[str, _V],
    written: dict[str, str],
    key: str,
    spelling: str,
    value: _V,
    *,
    table: str,
    what: str,
    differ: Callable[[_V, _V], str],
    name: str,
) -> None:
    """``out[key] = value`` for a key folded from ``spelling``: two spellings of one key must
    map to the same value. ``written`` keeps the first spelling, to name both in the error."""
    if key in out and out[key] != value:
        raise _at(
            [(table, written[key]), (table, spelling)],
            f"[{table}] {written[key]!r} và {spelling!r} là cùng một {what} (so sánh "
            f"không phân biệt dạng Unicode, chữ hoa/thường, khoảng trắng, vị trí dấu thanh: "
            f"{key!r}) nhưng {differ(out[key], value)}",
            name,
        )
    out[key] = value
    written.setdefault(key, spelling)


def _at(places: list[tuple[str, str | int]], message: str, name: str) -> MappingError:
    """A :class:`MappingError` located at several places (each spelling of one key)."""
    exc = MappingError(message, path=name)
    exc.places = tuple(places)
    return exc


def _rule_text(rule: ActivityRule) -> str:
    extra = f", reason {rule.reason!r}" if rule.reason else ""
    return f"{rule.code!r}{extra}" + (", legitimate_wait" if rule.legitimate_wait else "")


def _reason_spellings(
    reasons: dict[str, str], activities: dict[str, ActivityRule], keep: Sequence[str]
) -> dict[str, str]:
    """text_key -> what the reason column holds: the [reasons] translation, else the spelling
    the mapping itself uses (canonical codes first, then reasons of [activities], then
    keep_reasons)."""
    spellings: dict[str, str] = {}
    named = [*sorted(_REASON_CODES), *(r.reason for r in activities.values() if r.reason), *keep]
    for value in named:
        spellings.setdefault(text_key(value), value)
    spellings.update(reasons)
    return spellings


def _parse_activity(label: str, rule: Any, name: str) -> ActivityRule:
    where = f"[activities] {label!r}:"
    if isinstance(rule, str):
        parsed = ActivityRule(code=rule)
    elif isinstance(rule, dict):
        check_keys(rule, _RULE_KEYS, where, name)
        legit = rule.get("legitimate_wait", False)
        if not isinstance(legit, bool):
            raise MappingError(f"{where} legitimate_wait phải là true hoặc false.", path=name)
        reason = rule.get("reason")
        if reason is not None and not isinstance(reason, str):
            raise MappingError(f"{where} reason phải là một chuỗi.", path=name)
        parsed = ActivityRule(code=str(rule.get("code")), reason=reason, legitimate_wait=legit)
    else:
        raise MappingError(f"{where} cần mã hoạt động hoặc một bảng {{ code, ... }}.", path=name)
    if parsed.code not in _ACTIVITY_CODES:
        raise MappingError(
            f"Mã hoạt động {parsed.code!r} cho nhãn {label!r} không có trong schema.Activity.",
            path=name,
        )
    if parsed.legitimate_wait:
        # A legitimate wait must say which statutory wait it is: the reason is the evidence a
        # reviewer reads when the wait is excused.
        if parsed.code not in WAIT_CODES:
            raise MappingError(
                f"{where} legitimate_wait chỉ dùng cho mã pause hoặc wait (không phải "
                f"{parsed.code!r}).",
                path=name,
            )
        if not (parsed.reason or "").strip():
            raise MappingError(
                f"{where} legitimate_wait = true cần reason (thời gian chờ theo luật định nào: "
                "nộp phí, khiếu nại, công dân bổ sung hồ sơ...).",
                path=name,
            )
    return parsed


def _parse_custody(custody: dict[str, Any], name: str) -> tuple[str, str]:
    has_column = "unit" in custody or "actor" in custody
    mode = custody.get("mode", "holder" if has_column else "events")
    if mode not in CUSTODY_MODES:
        raise MappingError(
            f"[custody] mode = {mode!r} không hợp lệ ({', '.join(CUSTODY_MODES)}).", path=name
        )
    if mode == "holder" and not has_column:
        raise MappingError("[custody] mode = 'holder' cần cột 'unit' hoặc 'actor'.", path=name)
    if mode == "events" and has_column:
        raise MappingError(
            "[custody] mode = 'events' lấy người giữ hồ sơ từ sự kiện chuyển giao: không khai "
            "báo 'unit'/'actor'.",
            path=name,
        )
    if mode == "collaborative" and "actor" in custody:
        raise MappingError(
            "[custody] mode = 'collaborative': cán bộ chỉ đổi khi nhật ký ghi chuyển giao, nên "
            "không khai báo 'actor' (chỉ 'unit' nếu có cột đơn vị giữ hồ sơ).",
            path=name,
        )
    pauses = custody.get("pauses", "holder")
    if pauses not in PAUSE_OWNERS:
        raise MappingError(
            f"[custody] pauses = {pauses!r} không hợp lệ ({', '.join(PAUSE_OWNERS)}).", path=name
        )
    return str(mode), str(pauses)


def _labels_of(
    raw: Any, where: str, key: str, activities: dict[str, ActivityRule], name: str
) -> tuple[str, ...]:
    written = _names(raw, where, key, name)
    labels = tuple(label_key(v) for v in written)
    bad = [v for v in written if label_key(v) not in activities]
    if bad:
        raise MappingError(
            f"{where} {key} = {bad[0]!r} không có trong [activities] của tệp ánh xạ.", path=name
        )
    return labels


def _parse_wait_ends(
    raw: Any, activities: dict[str, ActivityRule], name: str
) -> tuple[WaitEndRule, ...]:
    if isinstance(raw, dict):
        raw = [raw]
    if not isinstance(raw, list):
        raise MappingError("[[wait_end]] phải là danh sách quy tắc.", path=name)
    rules = []
    for number, item in enumerate(raw, start=1):
        with located("wait_end", number):
            where = f"[[wait_end]] quy tắc thứ {number}:"
            if not isinstance(item, dict):
                raise MappingError(f"{where} phải là một bảng.", path=name)
            check_keys(item, {"wait", "ends_at"}, where, name)
            wait = _labels_of(item.get("wait"), where, "wait", activities, name)
            ends_at = _labels_of(item.get("ends_at"), where, "ends_at", activities, name)
            if not wait or not ends_at:
                raise MappingError(f"{where} cần cả wait và ends_at.", path=name)
            not_wait = [w for w in wait if activities[w].code not in WAIT_CODES]
            if not_wait:
                raise MappingError(
                    f"{where} wait = {not_wait[0]!r} không phải nhãn tạm dừng/chờ (mã pause hoặc "
                    "wait trong [activities]).",
                    path=name,
                )
            rules.append(WaitEndRule(wait=wait, ends_at=ends_at))
    return tuple(rules)


def _parse_order(
    raw: Any, activities: dict[str, ActivityRule], name: str
) -> tuple[str | None, tuple[str, ...]]:
    if raw is None:
        return None, ()
    if not isinstance(raw, dict):
        raise MappingError("[order] phải là một bảng.", path=name)
    check_keys(raw, {"column", "activities"}, "[order]", name)
    column = raw.get("column")
    if column is not None and not isinstance(column, str):
        raise MappingError("[order] column phải là tên cột.", path=name)
    labels = _labels_of(raw.get("activities"), "[order]", "activities", activities, name)
    if (column is None) == (not labels):
        raise MappingError(
            "[order] cần đúng một trong column (cột số thứ tự) hoặc activities (thứ tự nhãn).",
            path=name,
        )
    return column, labels


def _parse_calendar(raw: Any, name: str) -> CalendarSpec:
    if raw is None:
        return CalendarSpec()
    if not isinstance(raw, dict):
        raise MappingError("[calendar] phải là một bảng.", path=name)
    check_keys(raw, {"name", "workweek", "timezone"}, "[calendar]", name)
    for key, value in raw.items():
        if not isinstance(value, str):
            raise MappingError(f"[calendar] {key} phải là một chuỗi.", path=name)
    timezone = raw.get("timezone")
    if timezone is not None:
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise MappingError(
                f"[calendar] múi giờ không tồn tại: {timezone!r}.", path=name
            ) from exc
    return CalendarSpec(name=raw.get("name"), workweek=raw.get("workweek"), timezone=timezone)


def _parse_columns(raw: dict[str, Any], name: str) -> tuple[dict[str, str], dict[str, ColumnSpec]]:
    columns: dict[str, str] = {}
    specs: dict[str, ColumnSpec] = {}
    for role, entry in raw.items():
        if isinstance(entry, str):
            columns[role] = entry
            continue
        where = f"[columns] {role}:"
        if not isinstance(entry, dict):
            raise MappingError(f"{where} cần tên cột hoặc một bảng.", path=name)
        check_keys(entry, _SPEC_KEYS, where, name)
        kinds = [k for k in ("column", "value", "concat") if k in entry]
        if len(kinds) != 1:
            raise MappingError(f"{where} cần đúng một trong column, value, concat.", path=name)
        concat = entry.get("concat", [])
        if not isinstance(concat, list) or not all(isinstance(c, str) for c in concat):
            raise MappingError(f"{where} concat phải là danh sách tên cột.", path=name)
        lookup = entry.get("lookup")
        if lookup is not None and (
            "column" not in entry
            or not isinstance(lookup, dict)
            or not all(isinstance(v, str) for v in lookup.values())
        ):
            raise MappingError(
                f"{where} lookup cần 'column' và một bảng 'giá trị nguồn' = 'giá trị'.",
                path=name,
            )
        spec = ColumnSpec(
            column=entry.get("column"),
            value=None if entry.get("value") is None else str(entry["value"]),
            concat=tuple(concat),
            sep=str(entry.get("sep", "")),
            lookup=None if lookup is None else {str(k): v for k, v in lookup.items()},
            default=None if entry.get("default") is None else str(entry["default"]),
            case_attribute=bool(entry.get("case_attribute", False)),
            optional=bool(entry.get("optional", False)),
            present=bool(entry.get("present", False)),
        )
        specs[role] = spec
        columns[role] = spec.column if spec.is_plain() and spec.column else DERIVED_PREFIX + role
    return columns, specs


def resolve_optional(mapping: Mapping, available: Sequence[str]) -> tuple[Mapping, list[str]]:
    """Drop the optional roles whose source columns the file lacks.

    Returns:
        The mapping without them, and the Vietnamese notes saying which roles stay empty.
    """
    notes: list[str] = []
    columns = dict(mapping.columns)
    specs = dict(mapping.specs)
    present = set(available)
    for role, spec in mapping.specs.items():
        absent = [c for c in spec.sources() if c not in present]
        if spec.optional and absent:
            if role in REQUIRED_ROLES or role == "activity":
                continue  # a required role cannot be left out; check_columns names it
            del columns[role]
            del specs[role]
            notes.append(
                f"Tệp không có cột tùy chọn {', '.join(repr(c) for c in absent)}: "
                f"vai trò {role} để trống."
            )
    return replace(mapping, columns=columns, specs=specs), notes


def _with_derived(raw: pl.LazyFrame, mapping: Mapping) -> pl.LazyFrame:
    """Add the derived columns of the table entries in [columns] (case first: the others may
    be case attributes computed over it)."""
    derived = {
        r: s
        for r, s in mapping.specs.items()
        if mapping.columns.get(r, "").startswith(DERIVED_PREFIX)
    }
    if not derived:
        return raw
    first = {r: s for r, s in derived.items() if not s.case_attribute}
    if first:
        raw = raw.with_columns(s.expr(None).alias(DERIVED_PREFIX + r) for r, s in first.items())
    later = {r: s for r, s in derived.items() if s.case_attribute}
    if later:
        case = mapping.columns["case"]
        raw = raw.with_columns(s.expr(case).alias(DERIVED_PREFIX + r) for r, s in later.items())
    return raw


def _parse_reasons(raw: Any, name: str) -> dict[str, str]:
    if not isinstance(raw, dict):
        raise MappingError("[reasons] phải là một bảng 'giá trị nguồn' = 'mã lý do'.", path=name)
    out: dict[str, str] = {}
    written: dict[str, str] = {}
    for value, code in raw.items():
        if not isinstance(code, str) or code not in _REASON_CODES:
            raise _at(
                [("reasons", str(value))],
                f"[reasons] {value!r} = {code!r}: mã lý do không có trong schema.ReasonCode "
                f"(hợp lệ: {', '.join(sorted(_REASON_CODES))}).",
                name,
            )
        _put_folded(
            out,
            written,
            text_key(str(value)),
            str(value),
            code,
            table="reasons",
            what="giá trị",
            differ=lambda old, new: f"được ánh xạ sang hai mã khác nhau ({old!r} và {new!r}).",
            name=name,
        )
    return out


def _names(raw: Any, where: str, key: str, name: str) -> tuple[str, ...]:
    """A string or a list of strings, as a tuple."""
    if raw is None:
        return ()
    values = [raw] if isinstance(raw, str) else raw
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise MappingError(f"{where} {key} phải là chuỗi hoặc danh sách chuỗi.", path=name)
    return tuple(values)


def _parse_acknowledge(
    raw: Any, activities: dict[str, ActivityRule], spellings: dict[str, str], name: str
) -> tuple[AckRule, ...]:
    if isinstance(raw, dict):
        raw = [raw]
    if not isinstance(raw, list):
        raise MappingError("[[acknowledge]] phải là danh sách quy tắc.", path=name)
    rules: list[AckRule] = []
    for number, item in enumerate(raw, start=1):
        with located("acknowledge", number):
            where = f"[[acknowledge]] quy tắc thứ {number}:"
            if not isinstance(item, dict):
                raise MappingError(f"{where} phải là một bảng.", path=name)
            check_keys(item, _ACK_KEYS, where, name)
            flag_name = item.get("set")
            if flag_name not in ACK_FLAGS:
                raise MappingError(
                    f"{where} set = {flag_name!r} không hợp lệ (reviewed hoặc within_authority).",
                    path=name,
                )
            flag = ACK_FLAGS[str(flag_name)]
            mark = _names(item.get("mark"), where, "mark", name) or FLAG_TARGETS[flag]
            wrong = [m for m in mark if m not in FLAG_TARGETS[flag]]
            if wrong:
                raise MappingError(
                    f"{where} mark = {wrong[0]!r}: cờ {flag_name} chỉ gắn cho hoạt động "
                    f"{', '.join(FLAG_TARGETS[flag])}.",
                    path=name,
                )
            by_activity = _names(item.get("by_activity"), where, "by_activity", name)
            bad = [a for a in by_activity if a not in _ACTIVITY_CODES]
            if bad:
                raise MappingError(
                    f"{where} by_activity = {bad[0]!r} không có trong schema.Activity.", path=name
                )
            written = _names(item.get("by_label"), where, "by_label", name)
            by_label = tuple(label_key(v) for v in written)
            bad = [v for v in written if label_key(v) not in activities]
            if bad:
                raise MappingError(
                    f"{where} by_label = {bad[0]!r} không có trong [activities] của tệp ánh xạ.",
                    path=name,
                )
            by_reason = _names(item.get("by_reason"), where, "by_reason", name)
            if not (by_activity or by_label or by_reason):
                raise MappingError(
                    f"{where} cần ít nhất một trong by_activity, by_label, by_reason.", path=name
                )
            value = item.get("value", True)
            if not isinstance(value, bool):
                raise MappingError(f"{where} value phải là true hoặc false.", path=name)
            days = item.get("within_days")
            if days is not None and (
                isinstance(days, bool) or not isinstance(days, int | float) or days < 0
            ):
                raise MappingError(f"{where} within_days phải là số ngày không âm.", path=name)
            rules.append(
                AckRule(
                    mark=mark,
                    flag=flag,
                    value=value,
                    by_activity=by_activity,
                    by_label=by_label,
                    # Compared with the reason AFTER [reasons] translation: a rule may name either
                    # the source's value or the canonical code, in any spelling (text_key).
                    by_reason=tuple(
                        dict.fromkeys(spellings.setdefault(text_key(v), v) for v in by_reason)
                    ),
                    within_days=None if days is None else float(days),
                    name=f"acknowledge #{number}",
                )
            )
    return tuple(rules)


_ORG_KEYS = {
    "units", "people", "unit_columns", "people_columns", "unit_values", "people_values",
    "delimiter",
}  # fmt: skip


def _parse_org(raw: Any, name: str) -> OrgFiles | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise MappingError("[org] phải là một bảng.", path=name)
    check_keys(raw, _ORG_KEYS, "[org]", name)
    # Paths are relative to the mapping file, so a mapping and its tables travel together.
    base = Path(name).parent

    def path_of(key: str) -> Path | None:
        value = raw.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            raise MappingError(f"[org] {key} phải là đường dẫn tệp.", path=name)
        return base / value

    def columns_of(key: str) -> dict[str, str]:
        value = raw.get(key, {})
        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            raise MappingError(f"[org.{key}] phải là bảng 'cột chuẩn' = 'cột nguồn'.", path=name)
        return {str(k): v for k, v in value.items()}

    def values_of(key: str) -> dict[str, dict[str, str]]:
        value = raw.get(key, {})
        ok = isinstance(value, dict) and all(
            isinstance(table, dict) and all(isinstance(v, str | int) for v in table.values())
            for table in value.values()
        )
        if not ok:
            raise MappingError(
                f"[org.{key}] phải là bảng 'cột chuẩn' = {{ 'giá trị nguồn' = 'giá trị' }}.",
                path=name,
            )
        return {
            str(col): {str(k): str(v) for k, v in table.items()} for col, table in value.items()
        }

    return OrgFiles(
        units=path_of("units"),
        people=path_of("people"),
        unit_columns=columns_of("unit_columns"),
        people_columns=columns_of("people_columns"),
        unit_values=values_of("unit_values"),
        people_values=values_of("people_values"),
        delimiter=str(raw.get("delimiter", ",")),
    )


def label_expr(mapping: Mapping) -> pl.Expr:
    """The source label: ``activity`` or ``activity | lifecycle`` when a lifecycle is mapped."""
    activity = pl.col(mapping.columns["activity"]).cast(pl.String).str.strip_chars()
    lifecycle_col = mapping.columns.get("lifecycle")
    if lifecycle_col is None:
        return activity
    lifecycle = pl.col(lifecycle_col).cast(pl.String).str.strip_chars()
    return (
        pl.when(lifecycle.is_null() | (lifecycle == ""))
        .then(activity)
        .otherwise(activity + pl.lit(LABEL_SEPARATOR) + lifecycle)
    )


def check_columns(available: list[str], mapping: Mapping, *, path: str | Path) -> None:
    """Refuse a log that lacks a column the mapping reads.

    Raises:
        MappingError: naming the missing column(s) and listing what the file has.
    """
    missing = [c for c in mapping.source_columns() if c not in available]
    if missing:
        # The reader's bookkeeping columns (file order, line numbers) are not the file's.
        present = [c for c in available if not c.startswith("__")]
        shown = ", ".join(repr(c) for c in present[:30])
        close = [c for c in present if near_spelling(text_key(missing[0]), text_key(c))]
        hint = f" Có phải {close[0]!r}?" if close else ""
        raise MappingError(
            f"Tệp không có cột/thuộc tính mà tệp ánh xạ {mapping.name} cần: "
            f"{', '.join(repr(c) for c in missing)}. Các cột hiện có: {shown}.{hint}",
            path=path,
            column=missing[0],
        )


def apply_mapping(raw: pl.LazyFrame, mapping: Mapping, *, keep: Sequence[str] = ()) -> pl.LazyFrame:
    """Map a raw log onto the canonical columns (timestamps still raw; see ``loader``).

    Args:
        raw: the raw log (columns as in the source).
        mapping: the mapping.
        keep: bookkeeping columns passed through unchanged (file order, line numbers).

    Returns:
        A frame with the canonical columns that the mapping fills, ``activity_label``, a
        ``__known`` flag (the label was found in [activities]) and the ``keep`` columns. Timestamp and
        due columns keep their source type; :func:`congvu_analytics.io.loader.load_log`
        parses and validates them.
    """
    raw = _with_derived(raw, mapping)
    available = set(raw.collect_schema().names())
    if mapping.optional_columns:
        mapping = _drop_absent(mapping, available)
    # Computed row by row inside the streaming scan: a join with a table of the distinct
    # labels would make Polars cache the whole scan in memory (measured 1.65 GB against
    # 0.2 GB for 4M events), since the scan would feed both sides of the join.
    # Looked up by key (congvu_analytics.textkey): the source's NFD, upper-case, double-spaced
    # or old-tone spelling finds the mapping's label; the label shown keeps the source's.
    label = pl.col("__label_key")
    bare = pl.col("__bare_key")
    codes = {k: v.code for k, v in mapping.activities.items()}
    reasons = {k: v.reason for k, v in mapping.activities.items() if v.reason}
    code = label.replace_strict(codes, default=None, return_dtype=pl.String)
    reason_from_rule = label.replace_strict(reasons, default=None, return_dtype=pl.String)
    if "lifecycle" in mapping.columns:
        code = code.fill_null(bare.replace_strict(codes, default=None, return_dtype=pl.String))
        reason_from_rule = reason_from_rule.fill_null(
            bare.replace_strict(reasons, default=None, return_dtype=pl.String)
        )
    shown_label = pl.col("__label_text")
    if mapping.label_column is not None and mapping.label_column in available:
        shown_label = pl.col(mapping.label_column).cast(pl.String).fill_null(shown_label)
    if "lifecycle" in mapping.columns:
        raw = raw.with_columns(
            label_expr(mapping).alias("__label_text"),
            key_expr(pl.col(mapping.columns["activity"]), label_key).alias("__bare_key"),
        ).with_columns(key_expr(pl.col("__label_text"), label_key).alias("__label_key"))
    else:
        # The label is the activity alone: one key for both (each key_expr costs a lookup
        # per row, ~1 CPU s for 16M events).
        raw = raw.with_columns(label_expr(mapping).alias("__label_text")).with_columns(
            key_expr(pl.col("__label_text"), label_key).alias("__label_key")
        )
        raw = raw.with_columns(pl.col("__label_key").alias("__bare_key"))
    raw = raw.with_columns(code.alias("__code"))
    exprs: list[pl.Expr] = [
        shown_label.alias(s.ACTIVITY_LABEL),
        pl.col("__code").is_not_null().alias("__known"),
        pl.col("__code").fill_null(pl.lit(mapping.unknown_code)).alias(s.ACTIVITY),
        *[pl.col(c) for c in keep if c in available],
    ]
    # Placeholder values ([source] null_values, e.g. BPIC's resource "-") mean "nobody", in
    # every format: a placeholder must never become a person or a team with findings.
    nulls = list(mapping.csv.null_values)

    def who(expr: pl.Expr) -> pl.Expr:
        expr = expr.cast(pl.String)
        return pl.when(expr.is_in(nulls)).then(None).otherwise(expr) if nulls else expr

    for role, target in ROLE_COLUMNS.items():
        source = mapping.columns.get(role)
        if source is None:
            continue
        expr = pl.col(source)
        if target in (s.ACTOR, s.UNIT, s.TARGET_ACTOR, s.TARGET_UNIT):
            expr = who(expr)
        elif target in (s.CASE_ID, s.EVENT_ID):
            expr = expr.cast(pl.String)
        exprs.append(expr.alias(target))
    exprs = [e for e in exprs if e.meta.output_name() != s.REASON_CODE]
    exprs.append(_reason_expr(mapping, reason_from_rule, nulls).alias(s.REASON_CODE))
    if mapping.custody_unit is not None:
        exprs.append(who(pl.col(mapping.custody_unit)).alias(s.HOLDER_UNIT))
    if mapping.custody_actor is not None:
        exprs.append(who(pl.col(mapping.custody_actor)).alias(s.HOLDER_ACTOR))
    if mapping.level is not None:
        exprs = [e for e in exprs if e.meta.output_name() != s.LEVEL]
        exprs.append(level_expr(mapping.level).alias(s.LEVEL))
    return raw.select(_meaning_exprs(mapping, exprs))


ORDER_RANK = "__order_rank"  # the declared order of tied events ([order]), for the loader
LEGIT_MARK = "__legit"  # the event opens a legitimate wait (counted in the load report)


def _meaning_exprs(mapping: Mapping, exprs: list[pl.Expr]) -> list[pl.Expr]:
    """What the mapping says the log means beyond its columns: legitimate waits (marked
    reviewed), waits that end only at a named event (read as pauses, their end events marked),
    pauses charged to whoever opened them, and the declared order of tied events."""
    label, bare = pl.col("__label_key"), pl.col("__bare_key")
    keys = list(mapping.activities)
    # The [activities] key that gave the event its code: the full label, else the bare one.
    matched = label
    if "lifecycle" in mapping.columns:
        matched = pl.when(label.is_in(keys)).then(label).when(bare.is_in(keys)).then(bare)
    by_name = {e.meta.output_name(): e for e in exprs}
    activity = by_name[s.ACTIVITY]
    legit = [k for k, r in mapping.activities.items() if r.legitimate_wait]
    if legit:
        is_legit = matched.is_in(legit).fill_null(False)
        by_name[LEGIT_MARK] = is_legit
        if s.REVIEWED in by_name:  # text or boolean: the loader parses the text flags
            given = by_name[s.REVIEWED].cast(pl.String)
            by_name[s.REVIEWED] = pl.when(is_legit).then(pl.lit("true")).otherwise(given)
        else:
            by_name[s.REVIEWED] = pl.when(is_legit).then(pl.lit(True)).otherwise(None)
    if mapping.wait_ends:
        governed = [w for rule in mapping.wait_ends for w in rule.wait]
        ends = [e for rule in mapping.wait_ends for e in rule.ends_at]
        # A wait that lasts until a named event is a pause in the engine's terms (it is not
        # ended by whatever activity comes next); its label stays as the evidence.
        activity = (
            pl.when(matched.is_in(governed).fill_null(False))
            .then(pl.lit(s.Activity.PAUSE.value))
            .otherwise(activity)
        )
        by_name[s.ENDS_WAIT] = matched.is_in(ends).fill_null(False)
    by_name[s.ACTIVITY] = activity
    if mapping.pause_owner == "opener":
        by_name[s.WAIT_BY_OPENER] = activity.is_in(WAIT_CODES)
    if mapping.order_column is not None:
        by_name[ORDER_RANK] = pl.col(mapping.order_column).cast(pl.String).str.strip_chars()
    elif mapping.order_labels:
        ranks = {k: i for i, k in enumerate(mapping.order_labels)}
        by_name[ORDER_RANK] = matched.replace_strict(
            ranks, default=len(ranks), return_dtype=pl.Int64
        ).fill_null(len(ranks))
    return [e.alias(n) for n, e in by_name.items()]


def _reason_expr(mapping: Mapping, from_rule: pl.Expr, nulls: list[str]) -> pl.Expr:
    """The source's reason column translated by [reasons], else the reason of the label's
    rule in [activities]."""
    if "reason_code" not in mapping.columns:
        return from_rule
    placeholders = set(nulls)
    spellings = mapping.reason_spellings

    def code_of(text: str) -> str | None:
        # A placeholder ([source] null_values) is no reason; a value the [reasons] table or
        # the mapping names, found by key (congvu_analytics.textkey), is the mapping's code;
        # other values keep the source's spelling, so the unknown-reason warning shows them
        # as written. Worked out once per distinct value (key_expr).
        if text in placeholders:
            return None
        return spellings.get(text_key(text), text) if spellings else text

    source = pl.col(mapping.columns["reason_code"]).cast(pl.String).str.strip_chars()
    return key_expr(source, code_of).fill_null(from_rule)


def _drop_absent(mapping: Mapping, available: set[str]) -> Mapping:
    columns = {
        role: col
        for role, col in mapping.columns.items()
        if col in available or role in REQUIRED_ROLES
    }
    return replace(
        mapping,
        columns=columns,
        custody_unit=mapping.custody_unit if mapping.custody_unit in available else None,
        custody_actor=mapping.custody_actor if mapping.custody_actor in available else None,
        level=mapping.level if mapping.level and mapping.level.column in available else None,
    )


def level_expr(rule: LevelRule) -> pl.Expr:
    """Tier from the suffix of ``rule.column`` (longest suffix first), else ``rule.default``."""
    value = pl.col(rule.column).cast(pl.String).str.strip_chars_end()
    expr: pl.Expr = pl.lit(rule.default, dtype=pl.Int8)
    for suffix, tier in sorted(rule.suffixes.items(), key=lambda kv: len(kv[0])):
        expr = (
            pl.when(value.str.ends_with(suffix.rstrip()))
            .then(pl.lit(tier, dtype=pl.Int8))
            .otherwise(expr)
        )
    return pl.when(value.is_null()).then(pl.lit(None, dtype=pl.Int8)).otherwise(expr)


def native_mapping(source_format: str) -> Mapping:
    """The built-in mapping for the web app's own export (see docs/log-format.md).

    CSV/Parquet exports already carry the canonical columns; XES exports use the standard keys
    plus ``congvu:*`` keys for the other canonical columns.
    """
    identity = {code: ActivityRule(code=code) for code in sorted(_ACTIVITY_CODES)}
    if source_format == "xes":
        columns = {
            "case": "case:concept:name",
            "activity": "concept:name",
            "timestamp": "time:timestamp",
            "actor": "org:resource",
            "unit": "org:group",
        }
        for role, target in ROLE_COLUMNS.items():
            if role not in columns:
                columns[role] = XES_NATIVE_PREFIX + target
        return Mapping(
            columns=columns,
            activities=identity,
            source_format="xes",
            custody_unit=XES_NATIVE_PREFIX + s.HOLDER_UNIT,
            custody_actor=XES_NATIVE_PREFIX + s.HOLDER_ACTOR,
            name="(định dạng gốc Công Vụ)",
            label_column=XES_NATIVE_PREFIX + s.ACTIVITY_LABEL,
            optional_columns=True,
        )
    columns = dict(ROLE_COLUMNS)
    columns["activity"] = s.ACTIVITY
    return Mapping(
        columns=columns,
        activities=identity,
        source_format=source_format,
        custody_unit=s.HOLDER_UNIT,
        custody_actor=s.HOLDER_ACTOR,
        name="(định dạng gốc Công Vụ)",
        label_column=s.ACTIVITY_LABEL,
    )


XES_NATIVE_PREFIX = "congvu:"
XES_SCHEMA_KEY = "congvu:schema"
