"""Cases still open at the end of the log: how many, and whether their deadline has passed.

A log is a window on a running process: a case without a completion or cancellation at the
log's end is *still open*, not late. It counts as late (``stalling.late``) only when its
deadline had passed by the log's last instant; this summary says how many are which, so a
reader of the load report sees what the window cut.
"""

from __future__ import annotations

from datetime import datetime

import polars as pl

from congvu_analytics.detect.stalling import DUE_CARRIERS, NOT_CASE_DUE
from congvu_analytics.schema import ACTIVITY, CASE_ID, DUE, TIMESTAMP, Activity


def open_cases(events: pl.LazyFrame, *, end: datetime | None = None) -> dict[str, int]:
    """Open cases at the log's end: past their deadline, within it, without one.

    ``events`` are in case and time order, as :func:`congvu_analytics.io.loader.load_log`
    returns them (the last deadline of a case is the last in that order).

    The deadline is read as the late-completion detector reads it: the last one a hand-over
    or a granted extension carries, else the case's own (a case attribute on its last event).

    ``end`` is the whole log's last instant when ``events`` are some of its whole cases (one
    bucket): the counts of the buckets then add up to the log's.

    Examples:
        >>> from datetime import datetime, UTC
        >>> t = lambda d: datetime(2025, 3, d, tzinfo=UTC)
        >>> log = pl.LazyFrame({
        ...     "case_id": ["a", "a", "b", "c"], "activity": ["assign", "complete", "assign", "work"],
        ...     "timestamp": [t(1), t(2), t(3), t(20)], "due": [t(9), None, t(5), t(30)]})
        >>> open_cases(log)
        {'open': 2, 'open_past_deadline': 1, 'open_within_deadline': 1, 'open_without_deadline': 0}
    """
    act = pl.col(ACTIVITY)
    carried = act.is_in([a.value for a in DUE_CARRIERS]) & pl.col(DUE).is_not_null()
    own = pl.col(DUE).is_not_null() & ~act.is_in([a.value for a in NOT_CASE_DUE])
    last = pl.col(TIMESTAMP).max() if end is None else pl.lit(end, pl.Datetime("us", "UTC"))
    per_case = (
        events.with_columns(last.alias("_end"))
        .group_by(CASE_ID)
        .agg(
            act.is_in([Activity.COMPLETE.value, Activity.CANCEL.value]).any().alias("_closed"),
            pl.coalesce(pl.col(DUE).filter(carried).last(), pl.col(DUE).filter(own).last()).alias(
                "_due"
            ),
            pl.col("_end").first(),
        )
        .filter(~pl.col("_closed"))
        .collect()
    )
    past = per_case.filter(pl.col("_due") < pl.col("_end")).height
    without = per_case.filter(pl.col("_due").is_null()).height
    return {
        "open": per_case.height,
        "open_past_deadline": past,
        "open_within_deadline": per_case.height - past - without,
        "open_without_deadline": without,
    }
