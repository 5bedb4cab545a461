"""Issue #12: a log cannot make `congvu analyze` exhaust memory (break 6), and a killed run
leaves no scratch directory behind for good (break 7)."""

from __future__ import annotations

import gzip
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import polars as pl
import pytest

from congvu_analytics import cli
from congvu_analytics.io.errors import LogError
from congvu_analytics.io.limits import ReadLimits, check_text_file
from congvu_analytics.io.loader import load_log
from congvu_analytics.scratch import OWNER, scratch_dir, sweep

from .test_cli_analyze import fake_run_all
from .xes_helpers import MAPPING, small_log, write


@pytest.fixture
def fake_detectors(monkeypatch):  # the CLI test module's stand-in detector suite
    monkeypatch.setattr(cli, "_run_all", lambda: fake_run_all)


def gzip_bomb(path: Path, inflated: int) -> Path:
    """A valid gzip of `inflated` bytes of a repeated XES event: tiny on disk."""
    with gzip.open(path, "wb", compresslevel=9) as fh:
        head, tail = small_log().split("<trace>", 1)
        fh.write(head.encode())
        chunk = ("<trace>" + tail.rsplit("</log>", 1)[0]).encode() * 200
        written = 0
        while written < inflated:
            fh.write(chunk)
            written += len(chunk)
        fh.write(b"</log>\n")
    return path


def test_a_gzip_bomb_stops_at_the_decompressed_limit(tmp_path, monkeypatch, fake_detectors, capsys):
    monkeypatch.setenv("CONGVU_MAX_LOG_BYTES", str(2 * 1024 * 1024))
    log = gzip_bomb(tmp_path / "bomb.xes.gz", 40 * 1024 * 1024)
    assert log.stat().st_size < 1024 * 1024  # ≥ 40× inflation
    mapping = write(tmp_path / "m.toml", MAPPING)
    out = tmp_path / "out"
    rc = cli.main(["analyze", str(log), "--mapping", str(mapping), "--out", str(out), "--quiet"])
    assert rc == 2 and not out.exists()
    err = capsys.readouterr().err
    assert "CONGVU_MAX_LOG_BYTES" in err and "2 MiB" in err and "Traceback" not in err


def test_a_csv_gzip_bomb_is_refused_before_polars_reads_it(tmp_path, monkeypatch):
    monkeypatch.setenv("CONGVU_MAX_LOG_BYTES", str(1024 * 1024))
    path = tmp_path / "bomb.csv.gz"
    path.write_bytes(gzip.compress(b"case_id,activity\n" + b"1,a\n" * 1_000_000))
    with pytest.raises(LogError, match="CONGVU_MAX_LOG_BYTES"):
        load_log(path)


def test_one_endless_csv_line_is_named_by_its_line_number(tmp_path, monkeypatch):
    monkeypatch.setenv("CONGVU_MAX_LINE_BYTES", "4096")
    path = tmp_path / "line.csv"
    path.write_bytes(b"a,b\n1,2\n" + b"x" * 20_000 + b"\n3,4\n")
    with pytest.raises(LogError, match=r"dòng 3.*CONGVU_MAX_LINE_BYTES"):
        load_log(path)
    # Lines under the limit, in any number and split anywhere across reads, pass.
    ok = tmp_path / "ok.csv"
    ok.write_bytes(b"".join(b"%d,%s\n" % (i, b"y" * (i % 4000)) for i in range(3000)))
    check_text_file(ok, ReadLimits(max_line_bytes=4096))


def test_a_bad_limit_value_is_named(tmp_path, monkeypatch):
    monkeypatch.setenv("CONGVU_MAX_LINE_BYTES", "nhiều")
    path = tmp_path / "x.csv"
    path.write_text("a\n1\n")
    with pytest.raises(LogError, match="CONGVU_MAX_LINE_BYTES"):
        load_log(path)


# --- scratch directories ------------------------------------------------------------------

HOLD = """
import sys, time
from pathlib import Path
from congvu_analytics.scratch import scratch_dir
with scratch_dir(Path(sys.argv[1]), sys.argv[2]) as d:
    (d / "dump.bin").write_bytes(b"x" * 1000)
    print(d, flush=True)
    time.sleep(60)
"""


def _holder(parent: Path, prefix: str) -> tuple[subprocess.Popen[str], Path]:
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(parent), prefix], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    path = Path(proc.stdout.readline().strip())
    assert path.is_dir() and (path / OWNER).read_text() == str(proc.pid)
    return proc, path


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_removes_the_scratch_directory(tmp_path, sig):
    proc, path = _holder(tmp_path, ".out-")
    proc.send_signal(sig)
    assert proc.wait(10) in (128 + sig, -sig)  # SIGINT goes on as KeyboardInterrupt
    assert not path.exists()


def test_after_kill_9_the_next_analyze_run_sweeps_the_leftover(tmp_path, fake_detectors):
    # Issue #12, break 7: hidden directories beside --out stayed forever.
    proc, left = _holder(tmp_path, ".out-")
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(10)
    assert left.exists()
    log = write(tmp_path / "log.xes", small_log())
    mapping = write(tmp_path / "m.toml", MAPPING)
    out = tmp_path / "out"
    rc = cli.main(["analyze", str(log), "--mapping", str(mapping), "--out", str(out), "--quiet"])
    assert rc == 0 and not left.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["log.xes", "m.toml", "out"]
    assert not (out / OWNER).exists()
    assert pl.read_csv(out / "findings.csv").height == 1


def test_a_live_runs_scratch_directory_is_not_swept(tmp_path):
    proc, path = _holder(tmp_path, ".out-")
    try:
        assert sweep(tmp_path, ".out-") == [] and path.exists()
    finally:
        proc.kill()
        proc.wait(10)
    assert sweep(tmp_path, ".out-") == [path]


def test_scratch_is_removed_on_an_exception(tmp_path):
    with pytest.raises(RuntimeError), scratch_dir(tmp_path, ".x-") as d:
        (d / "f").write_text("1")
        raise RuntimeError
    assert list(tmp_path.iterdir()) == []
    assert time  # (imported for the holder script's pacing)
