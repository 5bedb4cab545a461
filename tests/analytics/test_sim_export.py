"""The test province's foreign export: the source's words, none of the app-only facts."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from congvu_analytics.sim import Province, generate, write_export
from congvu_analytics.sim.export import README


@pytest.fixture(scope="module")
def province() -> Province:
    return generate(3, "tiny")


@pytest.fixture(scope="module")
def exported(province: Province, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_export(province, tmp_path_factory.mktemp("export") / "tinh")


def _events(directory: Path) -> pl.DataFrame:
    return pl.read_csv(directory / "events.csv.gz", infer_schema=False)


def test_the_export_has_the_four_files_and_every_event(province: Province, exported: Path) -> None:
    assert sorted(p.name for p in exported.iterdir()) == [
        "README.txt",
        "events.csv.gz",
        "people.csv",
        "units.csv",
    ]
    events = _events(exported)
    assert events.height == province.events.height
    assert events["ma_thao_tac"].n_unique() == events.height
    assert pl.read_csv(exported / "people.csv").height == province.org.people.height
    assert pl.read_csv(exported / "units.csv").height == province.org.units.height


def test_the_export_has_no_app_only_columns_or_canonical_codes(exported: Path) -> None:
    events = _events(exported)
    app_only = {"reviewed", "ref_event_id", "within_authority", "holder_actor", "holder_unit"}
    assert not app_only & set(events.columns)
    assert not {"activity", "reason_code", "position", "event_id"} & set(events.columns)
    # Vietnamese labels and the source's own reason codes, never the canonical ones.
    assert "Giao việc" in set(events["thao_tac"])
    assert not {"assign", "accept", "pause"} & set(events["thao_tac"])
    codes = set(events["ma_ly_do"].drop_nulls())
    assert "sai_tham_quyen" in codes
    assert "vuong_mac_phap_ly" in codes
    assert not {"misrouted", "legal_obstacle", "competence", "workload"} & codes


def test_readme_describes_every_column_of_every_table(exported: Path) -> None:
    text = (exported / "README.txt").read_text(encoding="utf-8")
    assert text == README
    columns = list(_events(exported).columns)
    columns += pl.read_csv(exported / "units.csv").columns
    columns += pl.read_csv(exported / "people.csv").columns
    for column in columns:
        assert f"  {column} " in text, column
    for code in set(_events(exported)["ma_ly_do"].drop_nulls()):
        assert code in text, code
    for label in set(_events(exported)["thao_tac"]):
        assert label in text, label


def test_times_are_local_strings_and_tiers_count_from_the_top(
    province: Province, exported: Path
) -> None:
    events = _events(exported)
    first = province.events.row(0, named=True)
    local = first["timestamp"].astimezone(__import__("zoneinfo").ZoneInfo("Asia/Ho_Chi_Minh"))
    assert events["thoi_gian"][0] == local.strftime("%d/%m/%Y %H:%M:%S")
    assert events["han_xu_ly"].drop_nulls().str.ends_with("23:59:59").all()
    units = pl.read_csv(exported / "units.csv")
    assert dict(zip(units["ma_don_vi"], units["cap"], strict=True))["UBND"] == 1
    assert set(units.filter(pl.col("loai_don_vi") == "Phòng chuyên môn")["cap"]) == {3}


def test_app_only_facts_survive_only_as_later_events(province: Province, exported: Path) -> None:
    events = _events(exported)
    # A reviewed pause in the app's log is a leader's "Cho ý kiến" confirming it in the export.
    reviewed = province.events.filter(pl.col("reviewed").fill_null(False))
    assert reviewed.height > 0
    confirmations = events.filter(
        (pl.col("thao_tac") == "Cho ý kiến") & (pl.col("ma_ly_do") == "xac_nhan_vuong_mac")
    )
    assert confirmations.height == reviewed.height
    # Opinion answers say whether the matter was within the asker's authority.
    within = province.events.filter(
        (pl.col("activity") == "opinion_given") & pl.col("within_authority")
    )
    assert events.filter(pl.col("ma_ly_do") == "thuoc_tham_quyen").height == within.height
    # Coordination answers come from the requested unit, to the requester, unlinked.
    answers = events.filter(pl.col("thao_tac") == "Trả lời phối hợp")
    assert answers.height > 0
    assert answers["nguoi_nhan"].null_count() == 0


def test_innovation_tasks_carry_their_proposal_number(province: Province, exported: Path) -> None:
    events = _events(exported)
    protected_cases = set(province.events.filter(pl.col("protected"))["case_id"])
    marked = set(events.filter(pl.col("ma_sang_kien").is_not_null())["ma_nhiem_vu"])
    assert protected_cases
    assert marked == protected_cases


def test_an_existing_export_is_replaced_whole(province: Province, tmp_path: Path) -> None:
    target = tmp_path / "tinh"
    target.mkdir()
    (target / "cu.txt").write_text("bản cũ", encoding="utf-8")
    write_export(province, target)
    assert not (target / "cu.txt").exists()
    assert (target / "events.csv.gz").exists()
    # No temporary directory is left beside it.
    assert [p.name for p in tmp_path.iterdir()] == ["tinh"]


def test_the_export_directory_is_readable_by_others(exported: Path) -> None:
    # Regression: the temporary directory renamed into place kept mkdtemp's 0700.
    assert exported.stat().st_mode & 0o755 == 0o755


def test_the_command_line_writes_the_export_and_the_parquet_files(tmp_path: Path) -> None:
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "congvu_analytics.sim", "--seed", "2", "--size", "tiny",
         "--export", str(tmp_path / "x"), "--parquet", str(tmp_path / "p")],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "x" / "events.csv.gz").exists()
    assert (tmp_path / "p" / "events.parquet").exists()
    refused = subprocess.run(
        [sys.executable, "-m", "congvu_analytics.sim", "--seed", "2"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert refused.returncode != 0
    assert "--export" in refused.stderr
