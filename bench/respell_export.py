"""Respell a foreign export's labels and reason values as another system might type them, to
check that a mapping still reads it (docs/mapping.md, "Spelling").

    .venv/bin/python bench/respell_export.py EXPORT.csv[.gz] OUT.csv --columns thao_tac,ma_ly_do

Each distinct value of the named columns gets one of four spellings in turn (sorted order):
NFD, upper case, doubled and surrounding spaces, and the old tone placement of oa/oe/uy.
Then run ``congvu analyze`` on both files with the same mapping and compare the findings.
"""

from __future__ import annotations

import argparse
import unicodedata

import polars as pl

# New placement -> old (the reverse of congvu_analytics.textkey), for the most common syllables.
_NEW_TO_OLD = {"oà": "òa", "oá": "óa", "oả": "ỏa", "oã": "õa", "oạ": "ọa", "uỷ": "ủy", "uý": "úy"}


def respell(value: str, turn: int) -> str:
    """One of four spellings of ``value`` a reader takes for the same text."""
    kind = turn % 4
    if kind == 0:
        return unicodedata.normalize("NFD", value)
    if kind == 1:
        return value.upper()
    if kind == 2:
        return "  " + value.replace(" ", "  ") + " "
    for new, old in _NEW_TO_OLD.items():
        value = value.replace(new, old)
    return value


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("export")
    parser.add_argument("out")
    parser.add_argument("--columns", required=True, help="comma-separated columns to respell")
    args = parser.parse_args(argv)
    frame = pl.read_csv(args.export, infer_schema_length=0)
    for column in args.columns.split(","):
        distinct = frame.get_column(column).drop_nulls().unique().sort().to_list()
        table = {v: respell(v, i) for i, v in enumerate(distinct)}
        changed = sum(1 for v in distinct if table[v] != v)
        print(f"{column}: {changed} of {len(distinct)} distinct values respelled")
        frame = frame.with_columns(pl.col(column).replace(table))
    frame.write_csv(args.out)


if __name__ == "__main__":
    main()
