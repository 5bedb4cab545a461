"""Print the BPIC 2013 figures of docs/bpic2013.md (process owner's three questions).

.venv/bin/python bench/bpic2013_figures.py
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from congvu_analytics import bpic
from congvu_analytics.io.loader import load_log
from congvu_analytics.io.mapping import load_mapping

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / ".." / "shared" / "data" / "bpic2013"
LOGS = {
    "incidents": ("BPI_Challenge_2013_incidents.xes.gz", "bpic2013_incidents.toml"),
    "closed problems": (
        "BPI_Challenge_2013_closed_problems.xes.gz",
        "bpic2013_closed_problems.toml",
    ),
}
MIN_CASES = 30


def main() -> None:
    pl.Config.set_tbl_rows(20)
    pl.Config.set_tbl_cols(20)
    pl.Config.set_tbl_width_chars(160)
    for title, (log, mapping) in LOGS.items():
        loaded = load_log(DATA / log, load_mapping(ROOT / "mappings" / mapping))
        events = loaded.events.lazy()
        print(f"\n=== {title}: {loaded.report.n_events} events, {loaded.report.n_cases} cases")
        print("(a) team ping-pong")
        print(bpic.ping_pong_summary(events).collect())
        print(bpic.ping_pong_pairs(events).head(5).collect())
        print("(a') team cycles of any length (published definition)")
        print(bpic.cycle_summary(events).collect())
        print(bpic.cycle_teams(events).head(5).collect())
        print("(a'') moves between support lines (out of order: back to 1st, 1st -> 3rd)")
        print(bpic.line_moves(events).collect())
        print(bpic.line_order_summary(events).collect())
        print(f"(b) Wait - User share of handling time, teams holding >= {MIN_CASES} cases")
        share = bpic.wait_user_share(events, min_cases=MIN_CASES).collect()
        print(share.head(5))
        total = share.select(
            pl.col("wait_user_hours").sum() / pl.col("handling_hours").sum()
        ).item()
        print(f"    all these teams together: {total:.1%}")
        print("(c) push to 2nd/3rd line")
        print(bpic.escalation_summary(events).collect())


if __name__ == "__main__":
    main()
