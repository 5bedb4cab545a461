"""Read a province's organisation tables (units, people) and check them at the boundary.

The tables are CSV files whose columns are the names of ``congvu_analytics.org`` (``unit,
name, type, parent, head, level``; ``person, name, unit, position, start_date``) or any other
names declared column by column (``[org.unit_columns]`` in a mapping, docs/mapping.md). Only
the key columns (``unit``, ``person``) are required; a declared column that the file lacks is
an error, an undeclared optional column that the file lacks is simply unknown (null).

Refused with a :class:`~congvu_analytics.io.errors.LogError` naming the file, the line and the
column: duplicate codes, a parent unit that is not in the table, a cycle of parents, a person
in a unit that is not in the table, a level that is not an integer, a start date or a unit's
``valid_to`` that is not a date, a reorganisation ``successor`` that is not in the table, is
the unit itself, has no ``valid_to`` beside it, or closes a cycle of successors. Nothing is
returned half-checked.

:func:`org_coverage` then compares a log with the tables: units and people of the log that the
tables do not know are reported (not fatal; the detectors fall back to what the log shows).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from congvu_analytics import org as o
from congvu_analytics import schema as s
from congvu_analytics.io.errors import LogError
from congvu_analytics.io.loader import top_counts

_LINE = "__line"
_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")


def read_table(
    path: Path,
    columns: Mapping[str, str],
    schema: Mapping[str, pl.DataType],
    key: str,
    *,
    values: Mapping[str, Mapping[str, str]] | None = None,
    delimiter: str = ",",
    what: str,
) -> pl.DataFrame:
    """A CSV organisation table with canonical column names and a ``__line`` column.

    Args:
        path: the CSV file (UTF-8, header row).
        columns: canonical name -> column in the file, for names that differ.
        schema: the canonical schema (``org.UNITS_SCHEMA`` or ``org.PEOPLE_SCHEMA``).
        key: the required key column.
        values: canonical column -> {source value: value}; values not listed are kept.
        delimiter: the CSV separator.
        what: the table's Vietnamese name, for messages.
    """
    unknown = sorted(set(columns) - set(schema))
    if unknown:
        raise LogError(
            f"Cột chuẩn không có trong bảng {what}: {', '.join(unknown)} "
            f"(hợp lệ: {', '.join(schema)}).",
            path=path,
        )
    if not path.exists():
        raise LogError(f"Không tìm thấy tệp bảng {what}.", path=path)
    if path.is_dir():
        raise LogError(f"Đường dẫn bảng {what} là một thư mục, không phải tệp CSV.", path=path)
    try:
        raw = pl.read_csv(path, separator=delimiter, infer_schema=False, encoding="utf8")
    except pl.exceptions.NoDataError as exc:
        raise LogError(f"Bảng {what} rỗng.", path=path) from exc
    except (pl.exceptions.ComputeError, OSError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise LogError(f"Không đọc được bảng {what} (CSV, UTF-8): {first}", path=path) from exc
    source = {name: columns.get(name, name) for name in schema}
    missing = [
        source[name]
        for name in schema
        if source[name] not in raw.columns and (name == key or name in columns)
    ]
    if missing:
        undeclared = [name for name in schema if source[name] in missing and name not in columns]
        section = "[org.unit_columns]" if key == "unit" else "[org.people_columns]"
        hint = (
            f" Nếu bảng dùng tên cột riêng, khai báo chúng trong {section} của tệp ánh xạ "
            f"(tên chuẩn = tên cột trong tệp, ví dụ {undeclared[0]} = "
            f"{raw.columns[0]!r}; docs/mapping.md, mục Organisation tables)."
            if undeclared
            else ""
        )
        raise LogError(
            f"Bảng {what} thiếu cột {', '.join(repr(c) for c in missing)}; "
            f"các cột hiện có: {', '.join(repr(c) for c in raw.columns)}.{hint}",
            path=path,
            column=missing[0],
        )
    # Line numbers as a spreadsheet shows them: the header is line 1.
    frame = raw.with_row_index(_LINE, offset=2).select(
        _LINE,
        *[
            pl.col(source[name]).str.strip_chars().alias(name)
            if source[name] in raw.columns
            else pl.lit(None, dtype=pl.String).alias(name)
            for name in schema
        ],
    )
    frame = frame.with_columns(
        pl.when(pl.col(name) == "").then(None).otherwise(pl.col(name)).alias(name)
        for name in schema
    )
    for name, table in (values or {}).items():
        if name not in schema:
            raise LogError(f"Cột chuẩn {name!r} không có trong bảng {what}.", path=path)
        frame = frame.with_columns(pl.col(name).replace(dict(table)))
    _no_empty_keys(frame, key, path, source[key], what)
    _no_duplicates(frame, key, path, source[key], what)
    return frame


def _fail(
    frame: pl.DataFrame, mask: pl.Series | pl.Expr, message: str, **where: object
) -> LogError:
    bad = frame.filter(mask)
    line = int(bad.get_column(_LINE)[0])
    return LogError(message, line=line, **where)  # type: ignore[arg-type]


def _no_empty_keys(frame: pl.DataFrame, key: str, path: Path, column: str, what: str) -> None:
    empty = pl.col(key).is_null()
    if frame.select(empty.any()).item():
        raise _fail(frame, empty, f"Thiếu mã trong bảng {what}.", path=path, column=column)


def _no_duplicates(frame: pl.DataFrame, key: str, path: Path, column: str, what: str) -> None:
    dup = pl.col(key).is_duplicated()
    if frame.select(dup.any()).item():
        rows = frame.filter(dup)
        code = rows.get_column(key)[0]
        lines = rows.filter(pl.col(key) == code).get_column(_LINE).to_list()
        raise LogError(
            f"Mã {code!r} bị trùng trong bảng {what} (các dòng {', '.join(map(str, lines))}).",
            path=path,
            line=int(lines[1]),
            column=column,
        )


def _cast_level(frame: pl.DataFrame, path: Path, column: str) -> pl.DataFrame:
    parsed = pl.col(o.UNIT_LEVEL).cast(pl.Int8, strict=False)
    bad = pl.col(o.UNIT_LEVEL).is_not_null() & parsed.is_null()
    if frame.select(bad.any()).item():
        value = frame.filter(bad).get_column(o.UNIT_LEVEL)[0]
        raise _fail(frame, bad, f"Cấp {value!r} không phải số nguyên.", path=path, column=column)
    return frame.with_columns(parsed)


def _cast_date(
    frame: pl.DataFrame, path: Path, column: str, name: str = o.START_DATE
) -> pl.DataFrame:
    text = pl.col(name)
    parsed = pl.coalesce(*[text.str.to_date(f, strict=False) for f in _DATE_FORMATS])
    bad = text.is_not_null() & parsed.is_null()
    if frame.select(bad.any()).item():
        value = frame.filter(bad).get_column(name)[0]
        raise _fail(
            frame,
            bad,
            f"Ngày {value!r} không hợp lệ (dùng yyyy-mm-dd hoặc dd/mm/yyyy).",
            path=path,
            column=column,
        )
    return frame.with_columns(parsed.alias(name))


def _check_parents(units: pl.DataFrame, path: Path, column: str) -> None:
    codes = set(units.get_column(o.UNIT_ID).to_list())
    unknown = pl.col(o.UNIT_PARENT).is_not_null() & ~pl.col(o.UNIT_PARENT).is_in(sorted(codes))
    if units.select(unknown.any()).item():
        row = units.filter(unknown).row(0, named=True)
        raise _fail(
            units,
            unknown,
            f"Đơn vị {row[o.UNIT_ID]!r} có đơn vị cấp trên {row[o.UNIT_PARENT]!r} không có "
            "trong bảng đơn vị.",
            path=path,
            column=column,
        )
    parent = dict(
        zip(
            units.get_column(o.UNIT_ID).to_list(),
            units.get_column(o.UNIT_PARENT).to_list(),
            strict=False,
        )
    )
    line = dict(
        zip(units.get_column(o.UNIT_ID).to_list(), units.get_column(_LINE).to_list(), strict=False)
    )
    # Follow parents from each unit; a unit met twice on one walk closes a cycle. Units whose
    # chain is known to end at the top are remembered, so the walk is linear overall.
    reaches_top: set[str] = set()
    for start in parent:
        walk: list[str] = []
        seen: set[str] = set()
        node: str | None = start
        while node is not None and node not in reaches_top:
            if node in seen:
                cycle = [*walk[walk.index(node) :], node]
                raise LogError(
                    f"Đơn vị cấp trên tạo thành vòng: {' → '.join(cycle)}.",
                    path=path,
                    line=int(line[node]),
                    column=column,
                )
            seen.add(node)
            walk.append(node)
            node = parent[node]
        reaches_top.update(walk)


def _check_successors(units: pl.DataFrame, path: Path, column: str, valid_column: str) -> None:
    """A reorganisation's successor (``successor``: the unit that took over a dissolved or
    merged unit's work, from the day after ``valid_to``) must be another unit of the table, and
    following successors must end somewhere: the detectors excuse the dissolved unit's
    hand-overs to it, so a wrong successor would excuse the wrong hand-overs."""
    codes = sorted(units.get_column(o.UNIT_ID).to_list())
    succ = pl.col(o.UNIT_SUCCESSOR)
    checks = (
        (
            succ.is_not_null() & ~succ.is_in(codes),
            "Đơn vị {unit!r} có đơn vị kế thừa {successor!r} không có trong bảng đơn vị.",
            column,
        ),
        (
            succ.is_not_null() & (succ == pl.col(o.UNIT_ID)),
            "Đơn vị {unit!r} không thể là đơn vị kế thừa của chính nó.",
            column,
        ),
        (
            succ.is_not_null() & pl.col(o.UNIT_VALID_TO).is_null(),
            "Đơn vị {unit!r} có đơn vị kế thừa {successor!r} nhưng thiếu ngày kết thúc hoạt động"
            f" (cột {valid_column!r}): cần ngày để biết các lần chuyển giao nào do sắp xếp tổ "
            "chức bộ máy.",
            valid_column,
        ),
    )
    for bad, message, where in checks:
        if units.select(bad.any()).item():
            row = units.filter(bad).row(0, named=True)
            raise _fail(
                units,
                bad,
                message.format(unit=row[o.UNIT_ID], successor=row[o.UNIT_SUCCESSOR]),
                path=path,
                column=where,
            )
    successor = {
        u: v for u, v in units.select(o.UNIT_ID, o.UNIT_SUCCESSOR).iter_rows() if v is not None
    }
    line = dict(units.select(o.UNIT_ID, _LINE).iter_rows())
    ends: set[str] = set()
    for start in sorted(successor):
        walk: list[str] = []
        node: str | None = start
        while node is not None and node not in ends:
            if node in walk:
                cycle = [*walk[walk.index(node) :], node]
                raise LogError(
                    f"Đơn vị kế thừa tạo thành vòng: {' → '.join(cycle)}.",
                    path=path,
                    line=int(line[node]),
                    column=column,
                )
            walk.append(node)
            node = successor.get(node)
        ends.update(walk)


def _check_levels(units: pl.DataFrame, path: Path, column: str) -> None:
    """A unit's level may not be above its parent's: levels grow UPWARD (the event schema's
    convention). A table numbered from the top (1 = province) read as it is would make every
    division "higher" than its department, and "pushing work up" would point down."""
    parents = units.select(
        pl.col(o.UNIT_ID).alias(o.UNIT_PARENT), pl.col(o.UNIT_LEVEL).alias("_parent_level")
    )
    rows = units.join(parents, on=o.UNIT_PARENT, how="left")
    above = pl.col(o.UNIT_LEVEL).is_not_null() & (pl.col(o.UNIT_LEVEL) > pl.col("_parent_level"))
    if rows.select(above.any()).item():
        row = rows.filter(above).sort(_LINE).row(0, named=True)
        raise _fail(
            rows.sort(_LINE),
            above,
            f"Đơn vị {row[o.UNIT_ID]!r} có cấp {row[o.UNIT_LEVEL]} cao hơn đơn vị cấp trên "
            f"{row[o.UNIT_PARENT]!r} (cấp {row['_parent_level']}): trong Công Vụ cấp càng "
            "lớn càng ở trên (UBND tỉnh lớn nhất). Nếu bảng đánh số từ trên xuống (1 = tỉnh), "
            'hãy đảo lại trong tệp ánh xạ: [org.unit_values] level = { "1" = "3", "2" = "2", '
            '"3" = "1" }.',
            path=path,
            column=column,
        )


@dataclass(frozen=True)
class OrgTables:
    """The checked tables and what the check noticed without refusing."""

    org: o.Org
    warnings: list[str] = field(default_factory=list)


def load_org(
    units_path: str | Path | None,
    people_path: str | Path | None,
    *,
    unit_columns: Mapping[str, str] | None = None,
    people_columns: Mapping[str, str] | None = None,
    unit_values: Mapping[str, Mapping[str, str]] | None = None,
    people_values: Mapping[str, Mapping[str, str]] | None = None,
    delimiter: str = ",",
) -> OrgTables:
    """Read and check the units and people tables (either may be omitted).

    Raises:
        LogError: a table cannot be read or breaks a rule listed in the module docstring.
    """
    units = pl.DataFrame(schema={_LINE: pl.Int64, **o.UNITS_SCHEMA})
    people = pl.DataFrame(schema={_LINE: pl.Int64, **o.PEOPLE_SCHEMA})
    unit_columns = dict(unit_columns or {})
    people_columns = dict(people_columns or {})
    warnings: list[str] = []
    if units_path is not None:
        upath = Path(units_path)
        units = read_table(
            upath,
            unit_columns,
            o.UNITS_SCHEMA,
            o.UNIT_ID,
            values=unit_values,
            delimiter=delimiter,
            what="đơn vị",
        )
        units = _cast_level(units, upath, unit_columns.get(o.UNIT_LEVEL, o.UNIT_LEVEL))
        _check_parents(units, upath, unit_columns.get(o.UNIT_PARENT, o.UNIT_PARENT))
        _check_levels(units, upath, unit_columns.get(o.UNIT_LEVEL, o.UNIT_LEVEL))
        valid_column = unit_columns.get(o.UNIT_VALID_TO, o.UNIT_VALID_TO)
        units = _cast_date(units, upath, valid_column, o.UNIT_VALID_TO)
        _check_successors(
            units, upath, unit_columns.get(o.UNIT_SUCCESSOR, o.UNIT_SUCCESSOR), valid_column
        )
    if people_path is not None:
        ppath = Path(people_path)
        people = read_table(
            ppath,
            people_columns,
            o.PEOPLE_SCHEMA,
            o.PERSON_ID,
            values=people_values,
            delimiter=delimiter,
            what="cán bộ",
        )
        people = _cast_date(people, ppath, people_columns.get(o.START_DATE, o.START_DATE))
        if units_path is not None:
            known = sorted(units.get_column(o.UNIT_ID).to_list())
            outside = pl.col(o.PERSON_UNIT).is_not_null() & ~pl.col(o.PERSON_UNIT).is_in(known)
            if people.select(outside.any()).item():
                row = people.filter(outside).row(0, named=True)
                raise _fail(
                    people,
                    outside,
                    f"Cán bộ {row[o.PERSON_ID]!r} thuộc đơn vị {row[o.PERSON_UNIT]!r} không có "
                    f"trong bảng đơn vị {units_path}.",
                    path=ppath,
                    column=people_columns.get(o.PERSON_UNIT, o.PERSON_UNIT),
                )
    if units_path is not None and people_path is not None:
        persons = sorted(people.get_column(o.PERSON_ID).to_list())
        headless = units.filter(
            pl.col(o.UNIT_HEAD).is_not_null() & ~pl.col(o.UNIT_HEAD).is_in(persons)
        )
        if headless.height:
            shown = ", ".join(
                f"{u!r} (dòng {n})"
                for u, n in headless.select(o.UNIT_ID, _LINE).head(10).iter_rows()
            )
            warnings.append(
                f"{headless.height} đơn vị có thủ trưởng không có trong bảng cán bộ: {shown}."
            )
    return OrgTables(org=o.Org.of(units.drop(_LINE), people.drop(_LINE)), warnings=warnings)


@dataclass(frozen=True)
class OrgCoverage:
    """Units and people of the log that the organisation tables do not list (with event
    counts), and how many the log has in all."""

    units_missing: dict[str, int]
    people_missing: dict[str, int]
    n_units: int
    n_people: int

    def warnings(self) -> list[str]:
        """Vietnamese warnings (top 20 of each, then how many more)."""
        out = []
        if self.units_missing:
            out.append(
                f"{len(self.units_missing)}/{self.n_units} đơn vị trong nhật ký không có trong "
                f"bảng đơn vị (số lần xuất hiện: {top_counts(self.units_missing)}); các đơn vị này "
                "được so sánh theo những gì nhật ký cho thấy."
            )
        if self.people_missing:
            out.append(
                f"{len(self.people_missing)}/{self.n_people} cán bộ trong nhật ký không có trong "
                f"bảng cán bộ (số lần xuất hiện: {top_counts(self.people_missing)}); những người này "
                "được so sánh theo những gì nhật ký cho thấy."
            )
        return out


def org_coverage(events: pl.DataFrame, org: o.Org, *, units: bool, people: bool) -> OrgCoverage:
    """Compare the log's units and actors with the tables that were given."""

    def missing(columns: list[str], known: pl.Series) -> tuple[dict[str, int], int]:
        values = pl.concat(
            [
                events.get_column(c).cast(pl.String).drop_nulls()
                for c in columns
                if c in events.columns
            ]
        ).alias("v")
        counts = values.to_frame().group_by("v").len()
        absent = counts.filter(~pl.col("v").is_in(known.implode()))
        # Most frequent first (then by value): the same report on every run.
        ordered = absent.sort(["len", "v"], descending=[True, False])
        return {str(k): int(n) for k, n in ordered.iter_rows()}, counts.height

    units_missing, n_units = (
        missing([s.UNIT, s.TARGET_UNIT, s.HOLDER_UNIT], org.units.get_column(o.UNIT_ID))
        if units
        else ({}, 0)
    )
    people_missing, n_people = (
        missing([s.ACTOR, s.TARGET_ACTOR, s.HOLDER_ACTOR], org.people.get_column(o.PERSON_ID))
        if people
        else ({}, 0)
    )
    return OrgCoverage(units_missing, people_missing, n_units, n_people)
