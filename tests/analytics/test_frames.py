from __future__ import annotations

import polars as pl
from polars.testing import assert_series_equal

from congvu_analytics.frames import bfill_within, cumsum_within, ffill_within, shift_within


def frame() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "k": [0, 0, 0, 1, 1, 2, 2, 2, 2],
            "x": [None, "a", None, None, "b", "c", None, None, "d"],
            "n": [1, 0, 1, 1, 1, 0, 1, 0, 1],
        }
    )


def test_the_masked_windows_equal_over_on_a_frame_sorted_by_key() -> None:
    df = frame()
    x, n = pl.col("x"), pl.col("n")
    pairs = {
        "shift1": (shift_within(x, 1, "k"), x.shift(1).over("k")),
        "shift-1": (shift_within(x, -1, "k"), x.shift(-1).over("k")),
        "shift2": (shift_within(x, 2, "k"), x.shift(2).over("k")),
        "ffill": (ffill_within(x, "k"), x.forward_fill().over("k")),
        "bfill": (bfill_within(x, "k"), x.backward_fill().over("k")),
        "cumsum": (cumsum_within(n, "k"), n.cum_sum().over("k")),
    }
    for name, (ours, reference) in pairs.items():
        got = df.select(ours.alias(name)).to_series()
        want = df.select(reference.alias(name)).to_series()
        assert_series_equal(got, want, check_dtypes=False)
