"""The ``congvu`` console command: file-level tools that need no database or web server."""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import json
import shutil
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Protocol

import polars as pl

from congvu_analytics.io.errors import LogError
from congvu_analytics.io.loader import LoadReport
from congvu_analytics.io.mapping import Mapping
from congvu_analytics.io.org import OrgTables, load_org
from congvu_analytics.io.params import load_params, params_to_dict
from congvu_analytics.org import Org
from congvu_analytics.partitioned import BucketedLog
from congvu_analytics.safe_csv import write_frame_csv
from congvu_analytics.scratch import OWNER as SCRATCH_OWNER
from congvu_analytics.scratch import scratch_dir
from congvu_analytics.workdays import VN_ZONE, WorkCalendar, make_calendar

_MAX_YEARS = 200

FORMATS = ("html", "json", "csv", "parquet")
TABLES = ("findings", "person_metrics", "unit_metrics", "handover")


def _parse_date(text: str) -> date:
    for fmt_sep in ("-", "/"):
        parts = text.split(fmt_sep)
        if len(parts) == 3:
            try:
                if fmt_sep == "/":  # Vietnamese dd/mm/yyyy
                    return date(int(parts[2]), int(parts[1]), int(parts[0]))
                return date(int(parts[0]), int(parts[1]), int(parts[2]))
            except ValueError:
                break
    raise argparse.ArgumentTypeError(
        f"Ngày không hợp lệ: {text!r} (dùng dd/mm/yyyy hoặc yyyy-mm-dd)"
    )


def _cmd_workdays(args: argparse.Namespace) -> int:
    cal = WorkCalendar()
    if args.add is not None:
        due = cal.add_working_days(args.start, args.add)
        print(f"{args.start:%d/%m/%Y} + {args.add} ngày làm việc = {due:%d/%m/%Y}")
    if args.until is not None:
        n = cal.working_days_between(args.start, args.until)
        print(f"Từ {args.start:%d/%m/%Y} đến {args.until:%d/%m/%Y}: {n} ngày làm việc")
    if args.year is not None:
        for info in cal.holidays_in(args.year):
            kind = "làm việc" if info.working else "nghỉ"
            print(f"{info.day:%d/%m/%Y}\t{kind}\t{info.reason}")
    return 0


class _Result(Protocol):
    findings: pl.DataFrame
    person_metrics: pl.DataFrame
    unit_metrics: pl.DataFrame
    handover: pl.DataFrame


RunAll = Callable[..., _Result]


def _run_all() -> RunAll:
    # The detector suite lives in congvu_analytics.detect (developed on another branch). It is
    # imported by name so that this module type-checks whether or not that package is present
    # in the tree being checked; at run time it must be there.
    module = importlib.import_module("congvu_analytics.detect")
    fn: RunAll = module.run_all
    return fn


def _non_negative(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"Cần một số nguyên không âm: {text!r}")
    return value


def _formats(text: str) -> list[str]:
    out = [f.strip().lower() for f in text.split(",") if f.strip()]
    bad = [f for f in out if f not in FORMATS]
    if bad or not out:
        raise argparse.ArgumentTypeError(
            f"Định dạng không hợp lệ: {', '.join(bad) or text!r} (chọn trong: {', '.join(FORMATS)})"
        )
    return out


def _flat_for_csv(frame: pl.DataFrame) -> pl.DataFrame:
    """Lists as ``;``-joined text; a list of records (a finding's components) as JSON objects."""
    flat = []
    for name, dtype in frame.schema.items():
        if not isinstance(dtype, pl.List):
            continue
        column = pl.col(name)
        if isinstance(dtype.inner, pl.Struct):
            column = column.list.eval(pl.element().struct.json_encode())
        elif dtype.inner != pl.String:
            column = column.list.eval(pl.element().cast(pl.String))
        flat.append(column.list.join(";"))
    return frame.with_columns(flat)


def _write_outputs(
    directory: Path,
    tables: dict[str, pl.DataFrame],
    formats: list[str],
    html: str | None,
    load: dict[str, Any],
) -> None:
    for name, frame in tables.items():
        if "json" in formats:
            write_json_rows(frame, directory / f"{name}.json")
        if "csv" in formats:
            write_frame_csv(_flat_for_csv(frame), directory / f"{name}.csv")
        if "parquet" in formats:
            frame.write_parquet(directory / f"{name}.parquet")
    if "json" in formats:
        (directory / "load_report.json").write_text(
            json.dumps(load, ensure_ascii=False, indent=1), encoding="utf-8"
        )
    if html is not None:
        (directory / "report.html").write_text(html, encoding="utf-8")


JSON_ROWS = 10_000  # rows turned into Python objects at a time by write_json_rows


def write_json_rows(frame: pl.DataFrame, path: Path) -> None:
    """``json.dumps(frame.to_dicts(), ensure_ascii=False, default=str, indent=1)`` written to
    ``path``, byte for byte, JSON_ROWS rows at a time.

    The whole table as dicts and the encoder's pieces cost ~50 times its Polars size (measured:
    1.47 GB to write six provinces' tables of 0.07 GB, the peak of the whole analysis); a slice
    at a time costs one slice. Each slice is encoded as a list and written without its brackets,
    the slices joined by the comma the encoder puts between two items."""
    encoder = json.JSONEncoder(ensure_ascii=False, default=str, indent=1)
    with path.open("w", encoding="utf-8") as out:
        if frame.is_empty():
            out.write("[]")
            return
        out.write("[")
        for offset in range(0, frame.height, JSON_ROWS):
            text = encoder.encode(frame.slice(offset, JSON_ROWS).to_dicts())
            out.write(("," if offset else "") + text[1:-2])  # "[" ... "\n]"
        out.write("\n]")


def _replace_dir(tmp: Path, out: Path) -> None:
    """Put ``tmp`` in place of ``out`` so that readers never see a half-written directory."""
    if out.exists():
        old = out.with_name(out.name + ".old")
        if old.exists():
            shutil.rmtree(old)
        out.rename(old)
        tmp.rename(out)
        shutil.rmtree(old)
    else:
        tmp.rename(out)


def _org_tables(args: argparse.Namespace, mapping: Mapping | None) -> OrgTables | None:
    """The organisation tables from --units/--people, else from the mapping's [org]."""
    spec = mapping.org if mapping is not None else None
    units = Path(args.units) if args.units else (spec.units if spec else None)
    people = Path(args.people) if args.people else (spec.people if spec else None)
    if units is None and people is None:
        return None
    return load_org(
        units,
        people,
        unit_columns=spec.unit_columns if spec else None,
        people_columns=spec.people_columns if spec else None,
        unit_values=spec.unit_values if spec else None,
        people_values=spec.people_values if spec else None,
        delimiter=spec.delimiter if spec else ",",
    )


def _years(events: pl.DataFrame) -> tuple[int, int]:
    """The years a log's instants and deadlines span (the calendar covers them all, so no date
    is clamped); refused when absurdly wide (a typo such as year 20225)."""
    stamps = pl.concat(
        [events.get_column(c).drop_nulls() for c in ("timestamp", "due") if c in events.columns]
    )
    years = stamps.dt.year()
    first, last = int(years.min() or 2000), int(years.max() or 2000)  # type: ignore[arg-type]
    if last - first > _MAX_YEARS:
        raise ValueError(
            f"Thời điểm/hạn trải từ năm {first} đến {last} (hơn {_MAX_YEARS} năm): "
            "kiểm tra lại cột thời điểm và hạn xử lý."
        )
    return first, last + 1  # deadlines just after the last event of the log


def _with_org(params: Any, org: Org | None) -> Any:
    """Peers by unit type and 'upward' by unit level from the organisation tables, where the
    parameters do not set them already."""
    if org is None:
        return params
    from congvu_analytics.detect import DetectionParams

    params = params or DetectionParams()
    names = {f.name for f in dataclasses.fields(params)}
    units = org.units
    changes: dict[str, Any] = {}
    if "unit_types" in names and params.unit_types is None:
        typed = units.filter(pl.col("type").is_not_null())
        if typed.height:
            changes["unit_types"] = dict(typed.select("unit", "type").iter_rows())
    if "unit_levels" in names and params.unit_levels is None:
        levelled = units.filter(pl.col("level").is_not_null())
        if levelled.height:
            changes["unit_levels"] = dict(levelled.select("unit", "level").iter_rows())
    return dataclasses.replace(params, **changes) if changes else params


def _load_summary(
    report: LoadReport,
    *,
    warnings: list[str],
    org_load: dict[str, Any] | None,
    calendar: WorkCalendar,
    params: Any,
    calendar_name: str,
) -> dict[str, Any]:
    """``load_report.json``: what was read, repaired, recovered, and with which settings."""
    return {
        "path": report.path,
        "format": report.source_format,
        "mapping": report.mapping,
        "parser": report.parser,
        "native": report.native,
        "n_events": report.n_events,
        "n_cases": report.n_cases,
        "duplicates_dropped": report.duplicates_dropped,
        "out_of_order": report.out_of_order,
        "unknown_labels": report.unknown_labels,
        "unknown_reasons": report.unknown_reasons,
        "empty_columns": report.empty_columns,
        "coordination_answers_paired": report.coordination_paired,
        "acknowledged": report.acknowledged,
        "unacknowledged_answers": report.unacknowledged_answers,
        "unknown_positions": report.unknown_positions,
        "flags": {
            "pauses": report.pauses,
            "pauses_reviewed": report.pauses_reviewed,
            "opinion_requests": report.opinion_requests,
            "opinion_requests_outside_authority": report.opinions_outside,
        },
        "custody": report.custody_mode,
        "legitimate_waits": report.legitimate_waits,
        "wait_end_events": report.wait_end_events,
        "ties": {
            "events": report.tied_events,
            "cases": report.cases_with_ties,
            "order": report.tie_order,
            "date_only": report.date_only,
        },
        "org": org_load,
        "calendar": {
            "name": calendar_name,
            "country": calendar.country,
            "working_weekdays": sorted(set(range(7)) - calendar.weekend),
            "years": [calendar.first_year, calendar.last_year],
            "timezone": calendar.timezone,
        },
        "params": params_to_dict(params) if params is not None else None,
        "warnings": warnings,
    }


def _assessed(result: _Result, params: Any) -> tuple[dict[str, Any], str | None]:
    """What could be assessed: per detector, subjects observed and subjects with enough cases
    to be judged; a note when no subject could be judged by any detector, saying why."""
    frame = getattr(result, "assessed", None)
    if not isinstance(frame, pl.DataFrame) or frame.is_empty():
        return {}, None
    out: dict[str, Any] = {}
    for detector, kind, observed, judged, hits in frame.sort(
        "detector", "subject_type"
    ).iter_rows():
        out.setdefault(detector, {})[kind] = {"observed": observed, "judged": judged, "hits": hits}
    if int(frame.get_column("judged").sum()) > 0:
        return out, None
    from congvu_analytics.detect import DetectionParams

    need = f"{(params or DetectionParams()).min_cases} "
    if int(frame.get_column("observed").sum()) == 0:
        return out, (
            "Không bộ phát hiện nào quan sát được người hay đơn vị nào: nhật ký không cho biết "
            "ai giữ hay xử lý hồ sơ (xem [custody] và các cột actor/unit trong tệp ánh xạ)."
        )
    return out, (
        f"Không người hay đơn vị nào có đủ {need}hồ sơ (min_cases) ở bộ phát hiện nào để được "
        "đánh giá: không có phát hiện nào vì thiếu dữ liệu, không phải vì không có hành vi."
    )


@dataclasses.dataclass(frozen=True)
class _CalendarChoice:
    name: str
    workweek: str | None
    timezone: str
    zone_guessed: bool  # a foreign country's calendar with no zone declared anywhere: UTC


def _calendar_choice(args: argparse.Namespace, mapping: Mapping | None) -> _CalendarChoice:
    """The calendar: the command line first, then the mapping's [calendar], then Vietnam's.

    The zone of the working days: --timezone, [calendar] timezone, the zone the mapping assumes
    for its timestamps ([timestamps] timezone), else Vietnam's for the vn and none calendars
    and UTC (with a warning) for another country's.
    """
    spec = mapping.calendar if mapping is not None else None
    name = args.calendar or (spec.name if spec else None) or "vn"
    workweek = args.workweek or (spec.workweek if spec else None)
    zone = (
        args.timezone
        or (spec.timezone if spec else None)
        or (mapping.timezone if mapping is not None else None)
    )
    guessed = zone is None and name.strip().lower() not in ("vn", "none")
    if zone is None:
        zone = "UTC" if guessed else VN_ZONE
    return _CalendarChoice(name=name, workweek=workweek, timezone=zone, zone_guessed=guessed)


# A table log at least this large (on disk) is split into case buckets while it streams in,
# unless --buckets says otherwise: the results are the same, the memory a fraction.
AUTO_SPLIT_BYTES = 64 << 20


@dataclass
class _Loaded:
    """The log as the rest of the pipeline needs it, read whole or bucket by bucket."""

    report: LoadReport
    years: tuple[int, int]
    events: pl.DataFrame | None = None  # read whole
    buckets: BucketedLog | None = None  # or bucket by bucket


def _split_mode(args: argparse.Namespace, log_path: Path, mapping: Mapping | None) -> bool:
    from congvu_analytics.partitioned import splittable

    if not log_path.is_file() or not splittable(log_path, mapping):
        if args.engine == "spark":
            raise LogError(
                "--engine spark đọc tệp CSV/Parquet hoặc bộ dữ liệu phân vùng, không đọc XES.",
                path=log_path,
            )
        return False
    if args.engine == "spark":
        return True
    if args.buckets == 0:
        return False
    return bool(args.buckets) or log_path.stat().st_size >= AUTO_SPLIT_BYTES


def _load(
    args: argparse.Namespace,
    *,
    log_path: Path,
    mapping: Mapping | None,
    org: Org | None,
    work: Path,
    bar: Any,
) -> _Loaded:
    """Read the log whole, or bucket by bucket (a partitioned dataset, or a large table file
    split while it streams in); raises LogError or ValueError (calendar span)."""
    from congvu_analytics import partitioned as part
    from congvu_analytics.io.loader import load_log

    provinces = None
    if part.is_dataset(args.log):
        sources, resolved, report = part.dataset_sources(args.log)
        provinces = part.dataset_provinces(args.log)
        fmt = "parquet"
    elif _split_mode(args, log_path, mapping):
        split = part.split_table(
            log_path,
            mapping,
            work / "split",
            buckets=args.buckets or part.DEFAULT_BUCKETS,
            progress=bar.update,
            workers=args.workers or None,
        )
        sources, resolved, report = part.split_sources(split), split.mapping, split.report
        fmt = report.source_format
    else:
        loaded = load_log(log_path, mapping, strict=args.strict, progress=bar.update)
        return _Loaded(loaded.report, _years(loaded.events), events=loaded.events)
    (work / "events").mkdir()
    log = part.load_buckets(
        sources,
        path=Path(args.log),
        fmt=fmt,
        mapping=resolved,
        report=report,
        workdir=work / "events",
        strict=args.strict,
        org=org,
        provinces=provinces,
        workers=args.workers or None,
        shapes="html" in args.format,
    )
    if (work / "split").exists():
        shutil.rmtree(work / "split")
    span = pl.DataFrame({"timestamp": [log.first, log.last]})
    return _Loaded(log.report, _years(span), buckets=log)


def _detect(
    args: argparse.Namespace,
    loaded: _Loaded,
    *,
    calendar: WorkCalendar,
    params: Any,
    org: Org | None,
    progress: Callable[[str], None],
) -> _Result:
    """The detector suite on the whole log, bucket by bucket, or on Spark."""
    from congvu_analytics.partitioned import run_buckets, run_provinces

    if loaded.buckets is not None and args.engine == "spark":
        from congvu_analytics.spark import run_spark

        # Province by province, each province's result parked on disk, as on one node.
        return run_provinces(
            loaded.buckets,
            lambda alone: run_spark(
                alone, calendar=calendar, params=params, org=org, master=args.master
            ),
        )
    if loaded.buckets is not None:
        return run_buckets(
            loaded.buckets,
            calendar=calendar,
            params=params,
            org=org,
            progress=progress,
            workers=args.workers or None,
        )
    assert loaded.events is not None
    return _run_all()(
        loaded.events.lazy(), calendar=calendar, params=params, org=org, progress=progress
    )


def _cmd_analyze(args: argparse.Namespace) -> int:
    from congvu_analytics.scratch import scratch_dir
    from congvu_analytics.workers import kept_workers

    out = Path(args.out)
    try:
        # The worker processes serve the split, the loading and the per-case phase (started
        # once, not once per stage), and stop before the work folder is removed.
        with scratch_dir(out.parent, f".{out.name}-work-") as work, kept_workers():
            return _analyze(args, work)
    except OSError as exc:
        print(f"Lỗi: không ghi được tệp tạm cạnh {out}: {exc}", file=sys.stderr)
        return 3


def _analyze(args: argparse.Namespace, work: Path) -> int:  # noqa: PLR0912, PLR0915 - one linear pipeline
    from tqdm import tqdm

    from congvu_analytics.detect.open_cases import open_cases
    from congvu_analytics.io.mapping import load_mapping
    from congvu_analytics.io.org import org_coverage
    from congvu_analytics.report import build_html, thousands

    log_path = Path(args.log)
    out = Path(args.out)
    try:
        params = load_params(args.params) if args.params else None
        mapping = load_mapping(args.mapping) if args.mapping else None
        choice = _calendar_choice(args, mapping)
        try:
            make_calendar(choice.name, workweek=choice.workweek, timezone=choice.timezone)
        except ValueError as exc:
            raise LogError(f"--calendar/--workweek/--timezone: {exc}") from exc
        # The small tables first: a mistake in them must not cost the wait for a large log.
        tables_in = _org_tables(args, mapping)
        if args.engine == "spark":
            from congvu_analytics.spark import check_spark

            check_spark()
        size = log_path.stat().st_size if log_path.is_file() else 0
        # disable=None: the bar shows only on a terminal, never in logs or pipes.
        with tqdm(
            total=size,
            unit="B",
            unit_scale=True,
            desc="Đọc nhật ký",
            file=sys.stderr,
            disable=None if not args.quiet else True,
            leave=False,
        ) as bar:
            try:
                loaded = _load(
                    args,
                    log_path=log_path,
                    mapping=mapping,
                    org=tables_in.org if tables_in else None,
                    work=work,
                    bar=bar,
                )
            except LogError:
                raise  # already names its file (the log's, or the mapping's for a typo)
            except ValueError as exc:
                raise LogError(str(exc), path=log_path) from exc
    except LogError as exc:
        print(f"Lỗi: {exc}", file=sys.stderr)
        return 2
    report = loaded.report
    try:
        calendar = make_calendar(
            choice.name,
            workweek=choice.workweek,
            years=loaded.years,
            timezone=choice.timezone,
        )
    except ValueError as exc:
        print(f"Lỗi: [tệp {log_path}] {exc}", file=sys.stderr)
        return 2
    warnings = report.warnings()
    if choice.zone_guessed:
        warnings.append(
            f"Không khai báo múi giờ của lịch {choice.name!r} (--timezone hoặc [calendar] "
            "timezone trong tệp ánh xạ): ngày làm việc được tính theo giờ UTC."
        )
    # Cases are whole in each bucket: the buckets' counts, at the log's end, add up.
    if loaded.events is not None:
        still_open = open_cases(loaded.events.lazy())
    else:
        assert loaded.buckets is not None
        still_open = {}
        for _code, alone in loaded.buckets.by_province():
            for file in alone.files:  # open at the end of its own province's log
                counts = open_cases(pl.scan_parquet(file), end=alone.end)
                still_open = {k: still_open.get(k, 0) + v for k, v in counts.items()}
    if still_open["open"]:
        warnings.append(
            f"{still_open['open']} hồ sơ còn mở ở cuối nhật ký: {still_open['open_past_deadline']}"
            f" đã quá hạn, {still_open['open_within_deadline']} chưa đến hạn (không tính là "
            f"trễ), {still_open['open_without_deadline']} không có hạn."
        )
    org = None
    org_load: dict[str, Any] | None = None
    if tables_in is None and mapping is not None and mapping.org is not None:
        # The mapping says how to read the tables, but none was given: peers fall back to what
        # the log shows (roles inferred from decisions), which compares people less fairly.
        warnings.append(
            "Tệp ánh xạ khai báo bảng tổ chức ([org]) nhưng không có bảng đơn vị hay cán bộ "
            "nào được cung cấp (--units, --people hoặc [org] units/people): cán bộ được so "
            "với đồng nghiệp theo vai trò suy ra từ nhật ký, không theo chức vụ và cấp."
        )
    if tables_in is not None:
        org = tables_in.org
        if loaded.buckets is not None and loaded.buckets.coverage is not None:
            coverage = loaded.buckets.coverage
        else:
            assert loaded.events is not None
            coverage = org_coverage(
                loaded.events,
                org,
                units=org.units.height > 0,
                people=org.people.height > 0,
            )
        warnings += tables_in.warnings + coverage.warnings()
        org_load = {
            "units": org.units.height,
            "people": org.people.height,
            "log_units_missing": coverage.units_missing,
            "log_people_missing": coverage.people_missing,
        }
    for w in warnings:
        print(f"Cảnh báo: {w}", file=sys.stderr)
    params = _with_org(params, org)

    steps = tqdm(
        desc="Phát hiện",
        unit=" bước",
        file=sys.stderr,
        disable=None if not args.quiet else True,
        leave=False,
    )
    with steps:

        def progress(step: str) -> None:
            steps.set_postfix_str(step)
            steps.update(1)

        result = _detect(args, loaded, calendar=calendar, params=params, org=org, progress=progress)

    tables = {name: getattr(result, name) for name in TABLES}
    load = _load_summary(
        report,
        warnings=warnings,
        org_load=org_load,
        calendar=calendar,
        params=params,
        calendar_name=choice.name,
    )
    load["open_cases"] = still_open
    load["assessed"], note = _assessed(result, params)
    if note:
        print(f"Cảnh báo: {note}", file=sys.stderr)
        load["warnings"].append(note)
    html = None
    if "html" in args.format:
        html = build_html(
            loaded.events,
            result.findings,
            result.handover,
            load=load,
            warnings=warnings,
            shapes=loaded.buckets.shapes if loaded.buckets is not None else None,
        )
    try:
        # Removed on error and on SIGTERM/SIGINT; a SIGKILL's leftover goes at the next run.
        with scratch_dir(out.parent, f".{out.name}-") as tmp:
            _write_outputs(tmp, tables, args.format, html, load)
            (tmp / SCRATCH_OWNER).unlink()
            _replace_dir(tmp, out)
    except OSError as exc:
        print(f"Lỗi: không ghi được kết quả vào {out}: {exc}", file=sys.stderr)
        return 3
    print(
        f"Đã phân tích {thousands(report.n_events)} sự kiện của {thousands(report.n_cases)} "
        f"hồ sơ: {thousands(result.findings.height)} phát hiện. Kết quả ghi tại {out}"
    )
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="congvu", description="Công Vụ — công cụ làm việc trên tệp"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    wd = sub.add_parser("workdays", help="Tính ngày làm việc theo lịch Việt Nam")
    wd.add_argument("start", type=_parse_date, help="Ngày bắt đầu (không tính ngày này)")
    wd.add_argument("--add", type=int, help="Cộng N ngày làm việc")
    wd.add_argument("--until", type=_parse_date, help="Đếm ngày làm việc đến ngày này")
    wd.add_argument("--year", type=int, help="Liệt kê ngày nghỉ/làm bù của năm")
    wd.set_defaults(func=_cmd_workdays)

    an = sub.add_parser(
        "analyze",
        help="Đọc nhật ký (XES, CSV, Parquet), phát hiện hành vi và ghi báo cáo",
        description=(
            "Đọc một nhật ký sự kiện, ánh xạ sang lược đồ chuẩn, kiểm tra dữ liệu, chạy bộ phát "
            "hiện và ghi kết quả. Nhật ký xuất từ Công Vụ không cần tệp ánh xạ."
        ),
    )
    an.add_argument(
        "log",
        help="Tệp nhật ký: .xes, .xes.gz, .csv, .csv.gz hoặc .parquet; hoặc thư mục (mẫu glob) "
        "của bộ dữ liệu Parquet phân vùng theo hồ sơ (xem docs/scale.md); bộ dữ liệu nhiều "
        "tỉnh (province=<mã>/...) được phân tích lần lượt từng tỉnh, kết quả có cột province",
    )
    an.add_argument("--mapping", help="Tệp ánh xạ TOML (xem docs/mapping.md)")
    an.add_argument(
        "--units",
        help="Bảng đơn vị CSV (unit, name, type, parent, head, level); thay cho [org] units",
    )
    an.add_argument(
        "--people",
        help="Bảng cán bộ CSV (person, name, unit, position, start_date); thay cho [org] people",
    )
    an.add_argument(
        "--out", default="congvu-ketqua", help="Thư mục kết quả (mặc định: congvu-ketqua)"
    )
    an.add_argument(
        "--format",
        type=_formats,
        default=list(FORMATS),
        help="Các định dạng kết quả, phân cách bằng dấu phẩy (mặc định: html,json,csv,parquet)",
    )
    an.add_argument(
        "--strict", action="store_true", help="Coi nhãn hoạt động không có trong ánh xạ là lỗi"
    )
    an.add_argument(
        "--params",
        help="Tệp tham số phát hiện TOML (mọi trường của DetectionParams; xem docs/mapping.md)",
    )
    an.add_argument(
        "--calendar",
        help="Lịch ngày làm việc: vn (mặc định, hoặc [calendar] của tệp ánh xạ), none (ngày "
        "lịch) hoặc mã quốc gia của gói holidays (NL, IT, BE...)",
    )
    an.add_argument(
        "--timezone",
        help="Múi giờ của ngày làm việc, ví dụ Europe/Rome (mặc định: [calendar] hoặc "
        "[timestamps] timezone của tệp ánh xạ, giờ Việt Nam với lịch vn)",
    )
    an.add_argument(
        "--workweek",
        help="Các ngày làm việc trong tuần, ví dụ mon-fri (mặc định), mon-sat, sun-thu, t2-t6",
    )
    an.add_argument(
        "--buckets",
        type=_non_negative,
        help="Chia nhật ký CSV/Parquet thành N nhóm hồ sơ và xử lý lần lượt từng nhóm để giới "
        "hạn bộ nhớ (mặc định: tự động với tệp từ 64 MB; 0: đọc cả tệp một lần)",
    )
    an.add_argument(
        "--workers",
        type=_non_negative,
        help="Số tiến trình kiểm tra và phân tích song song các nhóm hồ sơ (mặc định: số lõi "
        "CPU, tối đa 2, hoặc biến môi trường CONGVU_WORKERS; mỗi tiến trình thêm bộ nhớ của một "
        "nhóm). Với N > 1, tệp CSV cũng được ánh xạ song song (mặc định: trong một tiến trình)",
    )
    an.add_argument(
        "--engine",
        choices=("polars", "spark"),
        default="polars",
        help="polars (mặc định, một máy) hoặc spark (giai đoạn theo hồ sơ chạy trên Apache "
        "Spark; cần gói congvu[spark] và Java 17)",
    )
    an.add_argument(
        "--master",
        default="local[2]",
        help="Địa chỉ Spark master khi --engine spark (mặc định: local[2])",
    )
    an.add_argument("--quiet", action="store_true", help="Không hiện thanh tiến độ")
    an.set_defaults(func=_cmd_analyze)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    result: int = args.func(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
