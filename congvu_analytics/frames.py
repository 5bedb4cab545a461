"""Window helpers for frames sorted by a group key (a case, a custody segment).

``expr.over(key)`` hashes the key for every window; on a frame already sorted by the group, the
same result comes from one global pass and a mask at group boundaries, which is an order of
magnitude faster on millions of rows (measured: ``shift(1).over(case)`` 0.10 s vs 0.001 s on 1M
rows). Every helper assumes ``key`` is a column whose equal values are contiguous (e.g. an
``rle_id`` of the sorted case id).
"""

from __future__ import annotations

import polars as pl


def shift_within(expr: pl.Expr, n: int, key: str) -> pl.Expr:
    """``expr.shift(n).over(key)`` for a frame sorted by ``key``."""
    k = pl.col(key)
    return pl.when(k.shift(n) == k).then(expr.shift(n))


def ffill_within(expr: pl.Expr, key: str) -> pl.Expr:
    """``expr.forward_fill().over(key)`` for a frame sorted by ``key``."""
    k = pl.col(key)
    return pl.when(pl.when(expr.is_not_null()).then(k).forward_fill() == k).then(
        expr.forward_fill()
    )


def bfill_within(expr: pl.Expr, key: str) -> pl.Expr:
    """``expr.backward_fill().over(key)`` for a frame sorted by ``key``."""
    k = pl.col(key)
    return pl.when(pl.when(expr.is_not_null()).then(k).backward_fill() == k).then(
        expr.backward_fill()
    )


def is_group_start(key: str) -> pl.Expr:
    """True on the first row of each group."""
    k = pl.col(key)
    return (k != k.shift(1)).fill_null(True)


def cumsum_within(expr: pl.Expr, key: str) -> pl.Expr:
    """``expr.cum_sum().over(key)`` for an integer ``expr`` on a frame sorted by ``key``."""
    total = expr.cum_sum()
    base = pl.when(is_group_start(key)).then(total - expr).forward_fill()
    return total - base
