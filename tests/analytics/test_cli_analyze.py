"""``congvu analyze``: reads, validates, calls the detector suite and writes outputs atomically."""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass

import polars as pl
import pytest

from congvu_analytics import cli

from .xes_helpers import MAPPING, small_log, write


# TEMPORARY import guard (tests only): the real congvu_analytics.detect.run_all is developed on
# another branch. This tiny fake has the documented DetectionResult shape; the CLI itself always
# calls the real run_all. Remove the monkeypatch once both branches are merged if desired.
@dataclass
class FakeResult:
    findings: pl.DataFrame
    person_metrics: pl.DataFrame
    unit_metrics: pl.DataFrame
    handover: pl.DataFrame


def fake_run_all(events, *, calendar=None, params=None, org=None, progress=None):
    assert isinstance(events, pl.LazyFrame)
    if progress is not None:
        progress("ping_pong")
    findings = pl.DataFrame(
        {
            "finding_id": ["f1"],
            "subject_type": ["unit"],
            "subject_id": ["A"],
            "behaviour": ["buck_passing"],
            "detector": ["ping_pong"],
            "strength": [0.9],
            "rate": [0.5],
            "peer_rate": [0.1],
            "n": [2],
            "evidence_event_ids": [["C1#1", "C1#3"]],
            "case_ids": [["C1"]],
            "sentence": ["Đơn vị A đã chuyển trả lại nơi vừa giao cho mình (A→B→A)."],
        }
    )
    metrics = pl.DataFrame({"subject_id": ["A"], "cases_handled": [2]})
    handover = pl.DataFrame(
        {
            "level": ["unit", "unit"],
            "from_holder": ["A", "B 2nd"],
            "to_holder": ["B 2nd", "A"],
            "count": [1, 1],
            "came_back": [1, 0],
            "came_back_share": [1.0, 0.0],
        }
    )
    return FakeResult(findings, metrics, metrics, handover)


@pytest.fixture
def fake_detectors(monkeypatch):
    monkeypatch.setattr(cli, "_run_all", lambda: fake_run_all)


def test_it_writes_every_format_and_an_offline_html_report(tmp_path, fake_detectors, capsys):
    log = write(tmp_path / "log.xes.gz", small_log())
    mapping = write(tmp_path / "m.toml", MAPPING)
    out = tmp_path / "out"
    rc = cli.main(["analyze", str(log), "--mapping", str(mapping), "--out", str(out), "--quiet"])
    assert rc == 0
    names = {p.name for p in out.iterdir()}
    for table in cli.TABLES:
        assert {f"{table}.json", f"{table}.csv", f"{table}.parquet"} <= names
    assert "report.html" in names
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "<svg" in html and "C1#3" in html and "Đùn đẩy" in html
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "<script" not in html
    assert pl.read_parquet(out / "findings.parquet").get_column("evidence_event_ids").to_list() == [
        ["C1#1", "C1#3"]
    ]
    assert pl.read_csv(out / "findings.csv").get_column("evidence_event_ids").to_list() == [
        "C1#1;C1#3"
    ]
    load = json.loads((out / "load_report.json").read_text(encoding="utf-8"))
    assert load["n_events"] == 6
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    assert "Đã phân tích 6 sự kiện" in capsys.readouterr().out


def test_it_writes_only_the_requested_formats(tmp_path, fake_detectors):
    log = write(tmp_path / "log.xes", small_log())
    mapping = write(tmp_path / "m.toml", MAPPING)
    out = tmp_path / "out"
    assert (
        cli.main(
            [
                "analyze",
                str(log),
                "--mapping",
                str(mapping),
                "--out",
                str(out),
                "--format",
                "csv",
                "--quiet",
            ]
        )
        == 0
    )
    assert {p.suffix for p in out.iterdir()} == {".csv"}


def test_it_exits_non_zero_on_a_truncated_gzip_and_writes_nothing(tmp_path, fake_detectors, capsys):
    whole = gzip.compress(small_log().encode() * 5)
    log = tmp_path / "cut.xes.gz"
    log.write_bytes(whole[: len(whole) // 2])
    mapping = write(tmp_path / "m.toml", MAPPING)
    out = tmp_path / "out"
    rc = cli.main(["analyze", str(log), "--mapping", str(mapping), "--out", str(out), "--quiet"])
    assert rc == 2
    assert not out.exists()
    err = capsys.readouterr().err
    assert err.startswith("Lỗi:") and "gzip" in err and str(log) in err


def test_strict_turns_unknown_labels_into_a_failure(tmp_path, fake_detectors, capsys):
    log = write(tmp_path / "log.xes", small_log())
    mapping = write(tmp_path / "m.toml", MAPPING.replace('"Completed" = "complete"\n', ""))
    out = tmp_path / "out"
    assert (
        cli.main(["analyze", str(log), "--mapping", str(mapping), "--out", str(out), "--quiet"])
        == 0
    )
    assert "Completed | Closed" in capsys.readouterr().err
    rc = cli.main(
        [
            "analyze",
            str(log),
            "--mapping",
            str(mapping),
            "--out",
            str(tmp_path / "o2"),
            "--strict",
            "--quiet",
        ]
    )
    assert rc == 2
    assert not (tmp_path / "o2").exists()


def test_it_refuses_an_unknown_output_format(capsys):
    with pytest.raises(SystemExit):
        cli.main(["analyze", "x.xes", "--format", "pdf"])
    assert "pdf" in capsys.readouterr().err


def test_the_workdays_subcommand_still_works(capsys):
    assert cli.main(["workdays", "25/04/2025", "--add", "3"]) == 0
    assert "29/04/2025" in capsys.readouterr().out


@pytest.mark.parametrize("rows_at_a_time", [1, 2, 10_000])
def test_json_tables_are_written_a_slice_at_a_time_as_one_dump_would(
    tmp_path, monkeypatch, rows_at_a_time
):
    # The JSON outputs are streamed (the whole table as dicts was the peak of a national run);
    # the bytes must stay those of json.dumps over all the rows.
    from datetime import date, datetime

    frame = pl.DataFrame(
        {
            "id": ["a", 'dòng\nmới "trích"', None],
            "n": [1, None, 3],
            "at": [datetime(2026, 1, 2, 3, 4), None, datetime(2026, 5, 6)],
            "day": [date(2026, 1, 2), date(2026, 1, 3), None],
            "ids": [["x", "y"], [], None],
            "parts": [[{"k": 1, "r": 0.5}], [], [{"k": None, "r": 1.0}, {"k": 2, "r": None}]],
        }
    )
    monkeypatch.setattr(cli, "JSON_ROWS", rows_at_a_time)
    for table in (frame, frame.clear(), frame.select("n")):
        path = tmp_path / "t.json"
        cli.write_json_rows(table, path)
        expected = json.dumps(table.to_dicts(), ensure_ascii=False, default=str, indent=1)
        assert path.read_text(encoding="utf-8") == expected
