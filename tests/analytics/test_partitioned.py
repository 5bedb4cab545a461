"""A log read bucket by bucket (split while it streams in, a partitioned dataset, or on Spark)
gives the same outputs, byte for byte, as the same log read whole."""

from __future__ import annotations

import csv
import gzip
import io
import random
from pathlib import Path

import polars as pl
import pytest

from congvu_analytics import partitioned
from congvu_analytics.cli import main
from congvu_analytics.detect import (
    FRACTIONS,
    DetectionParams,
    case_phase,
    compact_observations,
    detectors,
    observations_of,
    reduce_phases,
)
from congvu_analytics.detect._common import EVIDENCE, OBS_SCHEMA, VALUE, rates
from congvu_analytics.io.errors import LogError
from congvu_analytics.io.loader import load_log
from congvu_analytics.io.mapping import load_mapping
from congvu_analytics.partitioned import bucket_of, write_dataset
from congvu_analytics.sim import generate, write_export
from congvu_analytics.spark import spark_missing

ROOT = Path(__file__).resolve().parents[2]
BPIC = ROOT / ".." / "shared" / "data" / "bpic2013" / "BPI_Challenge_2013_closed_problems.xes.gz"
BPIC_CALENDAR = ("--calendar", "BE", "--timezone", "Europe/Brussels")  # its mapping's [calendar]
TABLES = ("findings", "person_metrics", "unit_metrics", "handover")


@pytest.fixture(scope="module")
def province(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny test province's foreign export (every behaviour and look-alike)."""
    return write_export(generate(3, "tiny"), tmp_path_factory.mktemp("export") / "tinh")


def _analyze(log: Path | str, out: Path, *extra: str) -> Path:
    code = main(["analyze", str(log), "--out", str(out), "--quiet", *extra])
    assert code == 0
    return out


def _province_args(export: Path) -> list[str]:
    return [
        "--mapping",
        str(ROOT / "mappings" / "province_vn.toml"),
        "--units",
        str(export / "units.csv"),
        "--people",
        str(export / "people.csv"),
    ]


def _assert_same(whole: Path, parts: Path, *, load_report: bool = True) -> None:
    names = [f"{t}.{ext}" for t in TABLES for ext in ("json", "csv", "parquet")]
    if load_report:
        names.append("load_report.json")
    for name in names:
        assert (whole / name).read_bytes() == (parts / name).read_bytes(), name
    findings = pl.read_parquet(whole / "findings.parquet")
    assert findings.height > 0  # the comparison means something


def test_a_province_split_into_buckets_gives_the_same_outputs(
    province: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    args = _province_args(province)
    log = province / "events.csv.gz"
    whole = _analyze(log, tmp_path / "whole", *args, "--buckets", "0")
    # Several record batches, mapped and written by two worker processes.
    monkeypatch.setattr(partitioned, "BATCH_BYTES", 256 << 10)
    parts = _analyze(log, tmp_path / "parts", *args, "--buckets", "5", "--workers", "2")
    _assert_same(whole, parts)
    # The histograms of the report count the same gaps and cases.
    for html in (whole, parts):
        text = (html / "report.html").read_text(encoding="utf-8")
        assert "khoảng)" in text
    strip = lambda p: [  # noqa: E731
        line for line in (p / "report.html").read_text().splitlines() if "Tạo lúc" not in line
    ]
    assert strip(whole) == strip(parts)


def test_a_run_without_the_html_report_counts_no_histograms_and_gives_the_same_tables(
    province: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    counted: list[int] = []
    real = partitioned.distributions

    def counting(events: pl.LazyFrame) -> object:
        counted.append(1)
        return real(events)

    monkeypatch.setattr(partitioned, "distributions", counting)
    log, args = province / "events.csv.gz", _province_args(province)
    every = _analyze(log, tmp_path / "every", *args, "--buckets", "3", "--workers", "1")
    assert len(counted) == 3  # one histogram count a bucket, for report.html
    counted.clear()
    tables = _analyze(
        log, tmp_path / "tables", *args, "--buckets", "3", "--workers", "1", "--format", "parquet"
    )
    assert counted == []
    assert not (tables / "report.html").exists()
    for table in TABLES:
        name = f"{table}.parquet"
        assert (every / name).read_bytes() == (tables / name).read_bytes(), name


def test_a_partitioned_dataset_gives_the_same_outputs_as_its_single_file(
    province: Path, tmp_path: Path
) -> None:
    events = load_log(
        province / "events.csv.gz", load_mapping(ROOT / "mappings" / "province_vn.toml")
    ).events
    events.write_parquet(tmp_path / "log.parquet")
    assert write_dataset(events, tmp_path / "ds", buckets=4) >= 4
    # Every case is whole in one file.
    files = sorted((tmp_path / "ds").rglob("*.parquet"))
    cases = pl.concat([pl.read_parquet(f).select("case_id").unique() for f in files])
    assert cases.height == events.get_column("case_id").n_unique()
    whole = _analyze(tmp_path / "log.parquet", tmp_path / "whole", "--buckets", "0")
    parts = _analyze(tmp_path / "ds", tmp_path / "parts", "--workers", "2")
    _assert_same(whole, parts, load_report=False)
    # One process or two: the same outputs, load report included.
    alone = _analyze(tmp_path / "ds", tmp_path / "alone", "--workers", "1")
    _assert_same(alone, parts)


def test_spilled_rows_are_the_rows_kept_in_memory(province: Path, tmp_path: Path) -> None:
    """Buckets reduced with a spill folder: the kept rows (a behaviour, or a value kept item by
    item) are on disk, only the running totals (workloads, value counts) in memory, and read
    back they are the same rows in the same order."""
    events = load_log(
        province / "events.csv.gz", load_mapping(ROOT / "mappings" / "province_vn.toml")
    ).events
    buckets = bucket_of(events.get_column("case_id"), 3)
    end = events.get_column("timestamp").max()

    # Each bucket's phase computed once (a detector's row order may differ between two runs).
    phases = [case_phase(events.filter(buckets == b).lazy(), end=end) for b in range(3)]
    kept = reduce_phases(iter(phases))
    (tmp_path / "spill").mkdir()
    spilled = reduce_phases(iter(phases), tmp_path / "spill")
    assert any(spilled.spilled)
    for i, det in enumerate(detectors(DetectionParams())):
        shows = pl.col(EVIDENCE).is_not_null()
        if det.values == FRACTIONS:
            shows = shows | pl.col(VALUE).is_not_null()
        assert spilled.observations[i].filter(shows).is_empty()
        read = observations_of(spilled, i)
        obs = kept.observations[i]
        assert read.filter(shows).equals(obs.filter(shows))  # row for row, in order
        # The running totals (per subject, and value where counted): the same, in the order a
        # group-by gives.
        by = ["subject_type", "subject_id", "value"]
        assert read.filter(~shows).sort(by).equals(obs.filter(~shows).sort(by))
    assert spilled.workload.equals(kept.workload)
    assert spilled.handover.equals(kept.handover)


def test_counted_values_give_the_median_and_mean_of_the_values_one_by_one() -> None:
    """Whole-day values summed into counts per subject and value, bucket by bucket, give
    bit for bit the median and mean that Polars gives on the values themselves (odd and even
    counts, negative days, a hit that carries its value)."""
    rng = random.Random(19)
    rows = []
    for person in range(40):
        for item in range(rng.randint(1, 60)):
            value = float(rng.randint(-3, 12))
            hit = value >= 10
            rows.append(("person", f"p{person}", f"i{person}-{item}", f"c{item}",
                         [f"e{person}-{item}"] if hit else None, value, 1))  # fmt: skip
    obs = pl.DataFrame(rows, schema=OBS_SCHEMA, orient="row")
    peers = pl.LazyFrame(schema={"subject_type": pl.String, "subject_id": pl.String,
                                 "peer_group": pl.String})  # fmt: skip
    params = DetectionParams()
    # Three "buckets" compacted apart, then their running total compacted again.
    thirds = [compact_observations(obs[i::3]) for i in range(3)]
    total = compact_observations(pl.concat(thirds))
    assert total.height < obs.height
    got = rates(total.lazy(), peers, params).collect()
    want = (
        obs.group_by("subject_type", "subject_id")
        .agg(
            pl.col(VALUE).median().alias("value_median"),
            (pl.col(VALUE).sum() / pl.col("weight").sum()).alias("value_mean"),
            pl.col(EVIDENCE).is_not_null().sum().cast(pl.UInt32).alias("k"),
        )
        .sort("subject_type", "subject_id")
    )
    assert got.select(want.columns).equals(want)


def test_the_bucket_of_a_case_is_stable_crc32() -> None:
    got = bucket_of(pl.Series(["NV0000001", "NV0000001", "x"]), 16).to_list()
    assert got == [got[0], got[0], got[2]]
    import zlib

    assert got[0] == zlib.crc32(b"NV0000001") % 16


@pytest.mark.skipif(not BPIC.exists(), reason="BPIC 2013 logs not available")
def test_bpic2013_as_a_partitioned_dataset_gives_the_same_findings(tmp_path: Path) -> None:
    mapping = ROOT / "mappings" / "bpic2013_closed_problems.toml"
    events = load_log(BPIC, load_mapping(mapping)).events
    write_dataset(events, tmp_path / "ds", buckets=3)
    whole = _analyze(BPIC, tmp_path / "whole", "--mapping", str(mapping))
    # A dataset of canonical events carries no mapping: its calendar is given on the command line.
    parts = _analyze(tmp_path / "ds", tmp_path / "parts", *BPIC_CALENDAR)
    _assert_same(whole, parts, load_report=False)


def test_a_dataset_with_no_parquet_file_is_refused(tmp_path: Path, capsys) -> None:
    (tmp_path / "empty").mkdir()
    assert main(["analyze", str(tmp_path / "empty"), "--out", str(tmp_path / "o")]) == 2
    assert "là một thư mục nhưng không có tệp Parquet" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def test_an_event_id_repeated_in_two_buckets_is_refused(province: Path, tmp_path: Path, capsys):
    events = load_log(
        province / "events.csv.gz", load_mapping(ROOT / "mappings" / "province_vn.toml")
    ).events
    first, other = (
        events.row(0, named=True),
        events.filter(pl.col("case_id") != events["case_id"][0]).row(0, named=True),
    )
    clash = events.with_columns(
        pl.when(pl.col("event_id") == other["event_id"])
        .then(pl.lit(first["event_id"]))
        .otherwise(pl.col("event_id"))
        .alias("event_id")
    )
    write_dataset(clash, tmp_path / "ds", buckets=1 << 12)
    assert main(["analyze", str(tmp_path / "ds"), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert repr(first["event_id"]) in err and "bị trùng" in err
    assert not (tmp_path / "o").exists()


def _rewritten(export: Path, out: Path, edit) -> Path:
    """The export's events.csv.gz with its lines (header first) passed through ``edit``."""
    lines = gzip.decompress((export / "events.csv.gz").read_bytes()).decode().splitlines(True)
    out.write_bytes(gzip.compress("".join(edit(lines)).encode()))
    return out


def test_text_pieces_split_in_workers_give_the_rows_of_one_reader(
    province: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The workers parse pieces of text cut at line breaks (some pieces shorter than a line):
    the buckets hold the rows, line numbers and file order of one reader; a file whose lines
    are not its rows (a blank line) is read by one reader."""
    mapping = load_mapping(ROOT / "mappings" / "province_vn.toml")

    def buckets(log: Path, name: str, workers: int) -> dict[str, pl.DataFrame]:
        (tmp_path / name).mkdir()
        split = partitioned.split_table(log, mapping, tmp_path / name, buckets=3, workers=workers)
        return {f.name: pl.read_parquet(sorted(f.glob("*.parquet"))) for f in split.folders}

    def same(a: dict[str, pl.DataFrame], b: dict[str, pl.DataFrame]) -> None:
        assert a.keys() == b.keys()
        for name, frame in a.items():
            assert frame.equals(b[name]), name

    log = province / "events.csv.gz"
    monkeypatch.setattr(partitioned, "PIECE_BYTES", 16 << 10)
    monkeypatch.setattr(partitioned, "BATCH_BYTES", 64 << 10)
    same(buckets(log, "one", 1), buckets(log, "two", 2))
    # A blank line (and no line break at the end): not one row per line.
    blank = _rewritten(
        province, tmp_path / "blank.csv.gz", lambda ls: [*ls[:500], "\n", *ls[500:-1], ls[-1][:-1]]
    )
    same(buckets(blank, "blank-one", 1), buckets(blank, "blank-two", 2))
    # Pieces shorter than a line are joined with the next: the text and its lines, in order.
    dialect = partitioned._csv_dialect(log, mapping)
    monkeypatch.setattr(partitioned, "PIECE_BYTES", 50)
    monkeypatch.setattr(partitioned, "BATCH_BYTES", 120)
    pieces = list(partitioned._csv_pieces(log, dialect))
    text = gzip.decompress(log.read_bytes())
    joined = [b"".join((h, *blocks[:-1], blocks[-1][:cut])) for h, blocks, cut, _ in pieces]
    assert b"".join(joined) == text.split(b"\n", 1)[1]
    assert sum(lines for *_, lines in pieces) == text.count(b"\n") - 1


def test_blank_lines_and_empty_rows_are_skipped_alike_whole_and_split(
    province: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A row of empty fields went to Arrow's single reader in the split path, which kept it,
    # and the run stopped at "no case id"; the whole-file path stopped at a blank line.
    args = _province_args(province)
    columns = gzip.decompress((province / "events.csv.gz").read_bytes()).split(b"\n", 1)[0]
    empty = "," * columns.count(b",") + "\n"
    log = _rewritten(
        province, tmp_path / "trong.csv.gz", lambda ls: [*ls[:300], empty, *ls[300:], "\n"]
    )
    plain = _analyze(province / "events.csv.gz", tmp_path / "plain", *args, "--buckets", "0")
    whole = _analyze(log, tmp_path / "whole", *args, "--buckets", "0")
    monkeypatch.setattr(partitioned, "BATCH_BYTES", 256 << 10)
    parts = _analyze(log, tmp_path / "parts", *args, "--buckets", "5", "--workers", "2")
    _assert_same(plain, whole, load_report=False)
    _assert_same(plain, parts, load_report=False)


def test_a_bad_time_in_the_last_piece_is_refused_with_its_line(
    province: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    """Parsed in a worker, a bad value near the end still names the file and its line, and
    nothing is written."""

    def spoil(lines: list[str]) -> list[str]:
        cells = lines[-3].split(",")
        cells[3] = "31/02/2025 25:00:00"
        return [*lines[:-3], ",".join(cells), *lines[-2:]]

    log = _rewritten(province, tmp_path / "bad.csv.gz", spoil)
    monkeypatch.setattr(partitioned, "PIECE_BYTES", 16 << 10)
    monkeypatch.setattr(partitioned, "BATCH_BYTES", 64 << 10)
    args = _province_args(province)
    out = tmp_path / "o"
    code = main(["analyze", str(log), "--out", str(out), *args, "--buckets", "3", "--workers", "2"])
    assert code == 2
    err = capsys.readouterr().err
    count = len(gzip.decompress(log.read_bytes()).decode().splitlines())
    assert str(log) in err and f"dòng {count - 2}" in err and "31/02/2025 25:00:00" in err
    assert not out.exists()


def test_values_that_hold_line_breaks_are_split_in_workers_and_keep_their_lines(
    province: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    """A free-text value with line breaks (quoted, RFC 4180) sent the whole file to one
    reader in one process: ~10 s more on 16M events. The pieces are now cut outside quoted
    values, so the workers read it, with the outputs of the whole file, and a bad value after
    such a row is named at its line in the file."""
    text_column = 9  # noi_dung: the free text of the export

    def multiline(lines: list[str], every: int = 97) -> list[str]:
        out = [lines[0]]
        for i, row in enumerate(csv.reader(lines[1:]), start=1):
            if i % every == 0:
                row[text_column] = 'Dòng một, có "ngoặc"\nDòng hai\n\nDòng bốn'
            text = io.StringIO()
            csv.writer(text, lineterminator="\n").writerow(row)
            out.append(text.getvalue())
        return out

    log = _rewritten(province, tmp_path / "ml.csv.gz", multiline)
    monkeypatch.setattr(partitioned, "PIECE_BYTES", 16 << 10)
    monkeypatch.setattr(partitioned, "BATCH_BYTES", 64 << 10)
    args = _province_args(province)
    whole = _analyze(log, tmp_path / "whole", *args, "--buckets", "0")

    def no_single_reader(*_args: object) -> None:
        raise AssertionError("the file went to the single reader")

    monkeypatch.setattr(partitioned, "_csv_batches", no_single_reader)
    parts = _analyze(log, tmp_path / "parts", *args, "--buckets", "3", "--workers", "2")
    _assert_same(whole, parts, load_report=False)

    def spoil(lines: list[str]) -> list[str]:
        lines = multiline(lines)
        cells = lines[-3].split(",")
        cells[3] = "31/02/2025 25:00:00"
        return [*lines[:-3], ",".join(cells), *lines[-2:]]

    bad = _rewritten(province, tmp_path / "bad.csv.gz", spoil)
    out = tmp_path / "o"
    code = main(["analyze", str(bad), "--out", str(out), *args, "--buckets", "3", "--workers", "2"])
    assert code == 2
    err = capsys.readouterr().err
    text = gzip.decompress(bad.read_bytes()).decode()
    line = text[: text.index("31/02/2025 25:00:00")].count("\n") + 1  # its line in the file
    assert line > len(text.splitlines()) - 20 * 4  # far below the rows of several lines
    assert f"dòng {line}," in err and "31/02/2025 25:00:00" in err
    assert not out.exists()


def test_a_large_file_read_by_one_reader_reads_a_short_row_with_its_fields_empty(
    province: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A blank line sends a large file to Arrow's single reader, which refused a row that
    drops its trailing empty fields (every other reader reads them empty): the file is read
    again by the csv module, to the findings of the whole-file reader."""

    def blank_and_short(lines: list[str]) -> list[str]:
        rows = list(lines)
        rows.insert(400, "\n")  # a blank line
        short = next(i for i in range(900, len(rows)) if rows[i].endswith(",\n"))
        rows[short] = rows[short][:-2] + "\n"  # the last (empty) field left out
        return rows

    log = _rewritten(province, tmp_path / "short.csv.gz", blank_and_short)
    monkeypatch.setattr(partitioned, "PIECE_BYTES", 16 << 10)
    monkeypatch.setattr(partitioned, "BATCH_BYTES", 64 << 10)
    monkeypatch.setattr(partitioned, "_PYTHON_BATCH_ROWS", 5000)
    args = _province_args(province)
    whole = _analyze(log, tmp_path / "whole", *args, "--buckets", "0")
    parts = _analyze(log, tmp_path / "parts", *args, "--buckets", "3", "--workers", "2")
    _assert_same(whole, parts, load_report=False)

    def too_long(lines: list[str]) -> list[str]:
        rows = blank_and_short(lines)
        rows[1200] = rows[1200][:-1] + ",thừa\n"
        return rows

    bad = _rewritten(province, tmp_path / "long.csv.gz", too_long)
    mapping = load_mapping(ROOT / "mappings" / "province_vn.toml")
    with pytest.raises(LogError, match="nhiều hơn 13 cột") as info:
        partitioned.split_table(bad, mapping, tmp_path / "split", buckets=3, workers=2)
    assert info.value.line == 1201


def _with_stray_quote(lines: list[str]) -> list[str]:
    rows = list(csv.reader(lines[1:]))
    rows[150][9] = "STRAY"  # noi_dung, written below unquoted with one quote character
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows(rows)
    return [lines[0], text.getvalue().replace("STRAY", 'Công văn "khẩn', 1)]


def test_the_whole_file_reader_keeps_a_stray_quote_as_the_split_does(
    province: Path, tmp_path: Path
) -> None:
    """A small file (read whole) with a quote character in free text was refused (`not
    properly escaped`) where a large one was read; both read it now, to the same findings."""
    log = _rewritten(province, tmp_path / "stray.csv.gz", _with_stray_quote)
    args = _province_args(province)
    whole = _analyze(log, tmp_path / "whole", *args, "--buckets", "0")
    parts = _analyze(log, tmp_path / "parts", *args, "--buckets", "3", "--workers", "2")
    _assert_same(whole, parts, load_report=False)


def test_a_stray_quote_in_free_text_is_kept_as_text_as_the_single_reader_keeps_it(
    province: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A quote character inside an unquoted value (free text written by hand): Polars refuses
    the piece, Arrow's single reader keeps the quote as text. The split must not stop the run
    on a file the single reader reads."""
    mapping = load_mapping(ROOT / "mappings" / "province_vn.toml")
    log = _rewritten(province, tmp_path / "stray.csv.gz", _with_stray_quote)
    monkeypatch.setattr(partitioned, "PIECE_BYTES", 16 << 10)
    monkeypatch.setattr(partitioned, "BATCH_BYTES", 64 << 10)

    def buckets(name: str, workers: int) -> pl.DataFrame:
        split = partitioned.split_table(log, mapping, tmp_path / name, buckets=3, workers=workers)
        return pl.concat(pl.read_parquet(sorted(f.glob("*.parquet"))) for f in split.folders)

    one, two = buckets("one", 1), buckets("two", 2)
    assert one.equals(two)
    assert two.filter(pl.col("reason_text") == 'Công văn "khẩn').height == 1
    # After the stray quote no line break seems outside quotes: pieces are still cut, at twice
    # a piece's text, rather than the rest of the file becoming one piece.
    pieces = partitioned._csv_pieces(log, partitioned._csv_dialect(log, mapping))
    sizes = [len(h) + sum(len(b) for b in blocks[:-1]) + cut for h, blocks, cut, _ in pieces]
    assert len(sizes) > 4 and max(sizes) <= 2 * (64 << 10) + (16 << 10)


@pytest.mark.spark
@pytest.mark.skipif(spark_missing() is not None, reason=f"Spark: {spark_missing()}")
def test_spark_gives_the_same_findings_as_a_single_node(province: Path, tmp_path: Path) -> None:
    args = _province_args(province)
    log = province / "events.csv.gz"
    whole = _analyze(log, tmp_path / "whole", *args, "--buckets", "0")
    spark = _analyze(log, tmp_path / "spark", *args, "--engine", "spark", "--master", "local[2]")
    _assert_same(whole, spark)
    if BPIC.exists():
        mapping = ROOT / "mappings" / "bpic2013_closed_problems.toml"
        events = load_log(BPIC, load_mapping(mapping)).events
        write_dataset(events, tmp_path / "ds", buckets=3)
        whole = _analyze(BPIC, tmp_path / "bpic_whole", "--mapping", str(mapping))
        spark = _analyze(
            tmp_path / "ds", tmp_path / "bpic_spark", "--engine", "spark", *BPIC_CALENDAR
        )
        _assert_same(whole, spark, load_report=False)


def test_a_merger_with_no_reason_is_presumed_alike_in_buckets_and_whole(tmp_path: Path) -> None:
    """A unit's last day and its open cases are the whole log's, not a bucket's: read bucket
    by bucket, the presumed reorganisations (``presumed_reorganizations``) are added up over
    the buckets first, so the outputs are the same, byte for byte."""
    from congvu_analytics.detect import reorganizations
    from congvu_analytics.workdays import WorkCalendar

    merged = generate(3, "tiny", tasks=3_000, reorganized=10, reorg_blank=True)
    presumed = reorganizations([merged.events.lazy()], WorkCalendar(), None)
    assert presumed.height >= 3  # the comparison means something
    export = write_export(merged, tmp_path / "tinh")
    log = export / "events.csv.gz"
    whole = _analyze(log, tmp_path / "whole", *_province_args(export), "--buckets", "0")
    parts = _analyze(log, tmp_path / "parts", *_province_args(export), "--buckets", "4")
    _assert_same(whole, parts)


@pytest.mark.parametrize(
    ("damage", "buckets"),
    [
        ("cut", "3"),  # truncated half way: ISA-L's EOFError, in the pass that cuts pieces
        ("cut-early", "3"),  # truncated in the first kilobytes: found reading the column names
        ("garbled", "3"),  # a damaged deflate block: ISA-L's own error type
        ("cut", "0"),  # read whole: the limits check's pass finds it
    ],
)
def test_a_damaged_csv_gz_is_refused_with_its_name_and_nothing_is_written(
    province: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys, damage, buckets
) -> None:
    whole = (province / "events.csv.gz").read_bytes()
    if damage == "cut":
        data = whole[: len(whole) // 2]
    elif damage == "cut-early":
        data = whole[:2000]
    else:
        middle = len(whole) // 2
        data = whole[:middle] + bytes(b ^ 0x5A for b in whole[middle : middle + 4000])
        data += whole[middle + 4000 :]
    log = tmp_path / "events.csv.gz"
    log.write_bytes(data)
    monkeypatch.setattr(partitioned, "PIECE_BYTES", 16 << 10)
    monkeypatch.setattr(partitioned, "BATCH_BYTES", 64 << 10)
    out = tmp_path / "o"
    args = [*_province_args(province), "--buckets", buckets, "--workers", "2", "--quiet"]
    assert main(["analyze", str(log), "--out", str(out), *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith("Lỗi:") and str(log) in err
    assert "Tệp nén gzip bị hỏng hoặc bị cắt cụt" in err
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["events.csv.gz"]  # no work folder left


@pytest.mark.parametrize("workers", ["2", "1"])
def test_the_read_limits_hold_in_the_pass_that_cuts_the_pieces(
    province: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys, workers
) -> None:
    """Split in workers, the file is not read in a pass of its own for the limits: a line
    over CONGVU_MAX_LINE_BYTES and text over CONGVU_MAX_LOG_BYTES are still refused (and
    with one reader, in a pass of their own)."""
    long = _rewritten(
        province, tmp_path / "long.csv.gz", lambda ls: [*ls[:700], "x" * 5000 + "\n", *ls[700:]]
    )
    monkeypatch.setattr(partitioned, "PIECE_BYTES", 16 << 10)
    monkeypatch.setattr(partitioned, "BATCH_BYTES", 64 << 10)
    args = [*_province_args(province), "--buckets", "3", "--workers", workers, "--quiet"]
    monkeypatch.setenv("CONGVU_MAX_LINE_BYTES", "4000")
    out = tmp_path / "o"
    assert main(["analyze", str(long), "--out", str(out), *args]) == 2
    err = capsys.readouterr().err
    assert "CONGVU_MAX_LINE_BYTES" in err and str(long) in err and "dòng 701" in err
    assert not out.exists()
    monkeypatch.delenv("CONGVU_MAX_LINE_BYTES")
    monkeypatch.setenv("CONGVU_MAX_LOG_BYTES", "200000")
    log = province / "events.csv.gz"
    assert main(["analyze", str(log), "--out", str(out), *args]) == 2
    err = capsys.readouterr().err
    assert "CONGVU_MAX_LOG_BYTES" in err and str(log) in err
    assert not out.exists()


def test_column_names_from_the_first_lines_are_those_of_the_whole_stream(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The names are read from the first lines only; a header that the first lines cut (a
    line break inside a quoted name) is read from the whole stream, and gzip members after
    the first are read on."""
    mapping = load_mapping(ROOT / "mappings" / "province_vn.toml")
    header = '"ma_ho_so","ghi\nchu",b\n'
    rows = "".join(f"h{i},x,{i}\n" for i in range(200))
    log = tmp_path / "two-members.csv.gz"
    log.write_bytes(gzip.compress(header.encode()) + gzip.compress(rows.encode()))
    monkeypatch.setattr(partitioned, "_HEAD_BYTES", 8)
    assert partitioned._csv_dialect(log, mapping).names == ("ma_ho_so", "ghi\nchu", "b")
    monkeypatch.setattr(partitioned, "_HEAD_BYTES", 1 << 20)
    dialect = partitioned._csv_dialect(log, mapping)
    assert dialect.names == ("ma_ho_so", "ghi\nchu", "b")
    # The header's quoted line break makes its line count two: the pieces start after the
    # first line break, which is why such a file is found out and read again by one reader.
    text = b"".join(
        b"".join((h, *blocks[:-1], blocks[-1][:cut]))
        for h, blocks, cut, _ in partitioned._csv_pieces(log, dialect)
    )
    assert text == (header + rows).encode().split(b"\n", 1)[1]
