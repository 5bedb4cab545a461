"""Who holds each case after each event (custody).

A case is held by one unit (and, when known, one person) at a time. Custody moves on:

- ``assign`` / ``transfer`` / ``reassign``: to ``target_unit`` / ``target_actor``;
- ``return`` (trả lại): to ``target_*`` when given, else back to whoever handed the case over last
  (the actor and unit of the latest assign/transfer/reassign) -- "return to sender";
- ``decline`` (từ chối): always back to the sender; ``target_unit`` on a decline is only the
  *proposed* competent unit, so it does not take custody;
- ``accept``: the accepting person becomes the holding person when the hand-over named only a unit.

Every other event keeps the current holder (forward fill within the case). A log that arrives with
holder columns already filled (a foreign log mapped with a custody column) keeps them: derivation
only applies to cases that carry no holder at all.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from congvu_analytics.frames import cumsum_within, ffill_within, is_group_start, shift_within
from congvu_analytics.schema import (
    ACTIVITY,
    ACTOR,
    CASE_ID,
    EVENT_ID,
    HOLDER_ACTOR,
    HOLDER_UNIT,
    SEQ,
    TARGET_ACTOR,
    TARGET_UNIT,
    TIMESTAMP,
    UNIT,
    Activity,
)

HANDOFFS = (Activity.ASSIGN, Activity.TRANSFER, Activity.REASSIGN)
BACK_TO_SENDER = (Activity.RETURN, Activity.DECLINE)
CUSTODY_CHANGES = (*HANDOFFS, *BACK_TO_SENDER)
CASE_KEY = "_cid"  # integer id of the case, contiguous after sorting


def order_keys(events: pl.LazyFrame) -> list[str]:
    """(case, timestamp, event_id), with the loader's ``seq`` before the event id where the log
    has tied timestamps whose order was declared or taken from the file."""
    seq = [SEQ] if SEQ in events.collect_schema().names() else []
    return [CASE_ID, TIMESTAMP, *seq, EVENT_ID]


def sort_events(events: pl.LazyFrame) -> pl.LazyFrame:
    """Sort by :func:`order_keys`: the one order every custody computation assumes."""
    return events.sort(order_keys(events), nulls_last=True)


@dataclass(frozen=True)
class LogFacts:
    """What one cheap pass over the log tells the custody derivation."""

    presorted: bool  # already in (case, timestamp, event_id) order, no null keys
    has_holders: bool  # some event carries a holder (a foreign log mapped with custody)


def log_facts(events: pl.LazyFrame) -> LogFacts:
    """Check order and holder columns in one pass over five columns.

    Most exported logs are grouped by case and ordered by time; checking costs one pass,
    sorting 10M rows costs several seconds.
    """
    c, t = pl.col(CASE_ID), pl.col(TIMESTAMP)
    e = pl.col(SEQ) if SEQ in events.collect_schema().names() else pl.col(EVENT_ID)
    after = (c > c.shift(1)) | (
        (c == c.shift(1)) & ((t > t.shift(1)) | ((t == t.shift(1)) & (e >= e.shift(1))))
    )
    no_nulls = c.is_not_null().all() & t.is_not_null().all() & e.is_not_null().all()
    holders = pl.col(HOLDER_UNIT).is_not_null().any() | pl.col(HOLDER_ACTOR).is_not_null().any()
    row = events.select(
        (after.fill_null(True).all() & no_nulls).alias("sorted"), holders.alias("holders")
    ).collect()
    return LogFacts(presorted=bool(row["sorted"].item()), has_holders=bool(row["holders"].item()))


def is_sorted_log(events: pl.LazyFrame) -> bool:
    """True when the log is already in (case, timestamp, event_id) order with no null keys."""
    return log_facts(events).presorted


def derive_custody(
    events: pl.LazyFrame,
    *,
    presorted: bool = False,
    has_holders: bool = True,
    collaborative: bool = False,
) -> pl.LazyFrame:
    """Fill ``holder_unit`` / ``holder_actor`` (the holder after each event).

    Args:
        events: a canonical event log (see :mod:`congvu_analytics.schema`).
        presorted: the caller guarantees (case, timestamp, event_id) order (see
            :func:`log_facts`); the sort is skipped.
        has_holders: False when no event carries a holder (see :func:`log_facts`): the
            per-case check for given holders is skipped.
        collaborative: a log where several people work on a case in turn (``[custody] mode =
            "collaborative"``, docs/mapping.md): a change of actor is not a hand-over. The
            unit holder is the given ``holder_unit`` (a team column) where the case has one,
            else derived as usual; the person holder changes only at hand-over events and at
            the *first* acceptance after a hand-over or a change of team (the first to act for
            a new team takes it), so A, B, A working in turn stay with whoever took the case.
            A case with neither a team column nor hand-over events is held by the unit that
            acts on it.

    Returns:
        The same events sorted by (case, timestamp, event_id) with both holder columns filled
        wherever custody is known. Cases that already carry holders keep them (forward-filled).

    Examples:
        >>> from datetime import datetime, UTC
        >>> from congvu_analytics.schema import conform
        >>> t = lambda d: datetime(2025, 3, d, tzinfo=UTC)
        >>> log = conform(pl.LazyFrame({
        ...     "event_id": ["1", "2", "3"], "case_id": ["c", "c", "c"],
        ...     "activity": ["assign", "transfer", "return"], "timestamp": [t(3), t(4), t(5)],
        ...     "actor": ["boss", "a", "b"], "unit": ["UB", "A", "B"],
        ...     "target_unit": ["A", "B", None], "target_actor": ["a", "b", None]}))
        >>> derive_custody(log).collect()["holder_unit"].to_list()
        ['A', 'B', 'A']
    """
    act = pl.col(ACTIVITY)
    accepts = act == Activity.ACCEPT
    if collaborative:
        # A new team (the team column, else the acting unit, changes) starts a new segment;
        # whoever acts first for it takes the case, as if they had accepted it.
        team_change = (_team() != shift_within(_team(), 1, CASE_KEY)).fill_null(False)
        # Only the first acceptance of a segment takes the case: later ones are colleagues
        # working on it, not hand-overs.
        accepts = accepts | team_change
        accepts = accepts & (cumsum_within(accepts.cast(pl.UInt32), "_gseg") == 1)
    is_handoff = act.is_in([a.value for a in HANDOFFS])
    is_back = act.is_in([a.value for a in BACK_TO_SENDER])
    is_change = is_handoff | is_back
    # Sender of the latest hand-over, as seen from each row (a return is not itself a hand-over,
    # so the forward fill at a return row is the previous hand-over's sender).
    sender_unit = ffill_within(pl.when(is_handoff).then(pl.col(UNIT)), CASE_KEY)
    sender_actor = ffill_within(pl.when(is_handoff).then(pl.col(ACTOR)), CASE_KEY)
    returned_with_target = (act == Activity.RETURN) & pl.col(TARGET_UNIT).is_not_null()
    new_unit = (
        pl.when(is_handoff | returned_with_target)
        .then(pl.col(TARGET_UNIT))
        .when(is_back)
        .then(pl.col("_sender_unit"))
    )
    new_actor = (
        pl.when(is_handoff | returned_with_target)
        .then(pl.col(TARGET_ACTOR))
        .when(is_back)
        .then(pl.col("_sender_actor"))
    )
    # Custody segments: a new one starts at each custody change and at each case start, so a
    # value taken at the segment's first row and filled forward within it is the holder.
    seg_start = pl.col("_seg_start")
    if collaborative:
        is_change = is_change | team_change
    derived = (
        (events if presorted else sort_events(events))
        .with_columns(pl.col(CASE_ID).rle_id().alias(CASE_KEY))
        .with_columns(
            _sender_unit=sender_unit,
            _sender_actor=sender_actor,
            _seg_start=is_change | is_group_start(CASE_KEY),
            _given=(pl.col(HOLDER_UNIT).is_not_null() | pl.col(HOLDER_ACTOR).is_not_null())
            .any()
            .over(CASE_KEY)
            if has_holders
            else pl.lit(False),
        )
        .with_columns(
            _new_unit=new_unit,
            _new_actor=new_actor,
            _gseg=seg_start.cast(pl.UInt32).cum_sum(),
        )
        .with_columns(
            _d_unit=ffill_within(pl.when(seg_start).then(pl.col("_new_unit")), "_gseg"),
            _d_actor=ffill_within(pl.when(seg_start).then(pl.col("_new_actor")), "_gseg"),
            _acceptor=ffill_within(pl.when(accepts).then(pl.col(ACTOR)), "_gseg"),
        )
    )
    derived_unit = pl.col("_d_unit")
    derived_actor = pl.coalesce("_d_actor", "_acceptor")
    if collaborative:
        holders = [
            pl.coalesce(ffill_within(pl.col(HOLDER_UNIT), CASE_KEY), derived_unit, _team()).alias(
                HOLDER_UNIT
            ),
            derived_actor.alias(HOLDER_ACTOR),
        ]
    elif has_holders:
        holders = [
            pl.when(pl.col("_given"))
            .then(ffill_within(pl.col(HOLDER_UNIT), CASE_KEY))
            .otherwise(derived_unit)
            .alias(HOLDER_UNIT),
            pl.when(pl.col("_given"))
            .then(ffill_within(pl.col(HOLDER_ACTOR), CASE_KEY))
            .otherwise(derived_actor)
            .alias(HOLDER_ACTOR),
        ]
    else:
        holders = [derived_unit.alias(HOLDER_UNIT), derived_actor.alias(HOLDER_ACTOR)]
    derived = derived.with_columns(holders)
    return derived.drop(
        CASE_KEY, "_sender_unit", "_sender_actor", "_seg_start", "_gseg", "_given", "_new_unit",
        "_new_actor", "_d_unit", "_d_actor", "_acceptor",
    )  # fmt: skip


def _team() -> pl.Expr:
    """The team holding a case in a collaborative log: the given unit holder (a team column),
    else the unit that acted last."""
    return pl.coalesce(
        ffill_within(pl.col(HOLDER_UNIT), CASE_KEY), ffill_within(pl.col(UNIT), CASE_KEY)
    )
