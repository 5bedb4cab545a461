"""The BPI Challenge 2013 process owner's three questions, on the canonical schema.

Definitions (also in docs/bpic2013.md; tests/analytics/bpic_reference.py computes the same
figures independently from the raw XES):

* Events of a case are ordered by timestamp; ties keep the input order (the loader's file
  order). The **custody team** after an event is ``holder_unit`` (from the mapping's
  ``[custody] unit``); events without a holder are ignored.
* **(a) Team ping-pong**: collapse consecutive repeats of the custody team into a sequence
  T1, T2, ...; a bounce is any i with T(i) = T(i+2) (hence T(i) != T(i+1)): the case went
  A -> B -> A. A case "has ping-pong" if it has at least one bounce. A bounce belongs to the
  unordered pair {A, B}; pairs are ranked by the number of cases with at least one bounce of
  that pair, then by bounces, then by name.
* **(a') Team cycles** (the published definition, Paszkiewicz & Picard, BPIC 2013): a case has a
  cycle if the collapsed sequence visits some team twice, A -> ... -> A, however many teams lie
  between. Every immediate bounce is a cycle; the converse is not true. A **return** is a step
  whose team already appeared earlier in the sequence; teams are ranked by the cases that came
  back to them.
* **(a'') Support-line order**: each change of team is a move from the line of one team to the
  line of the next. A move is **out of order** when it goes back down to the 1st line (2nd -> 1st,
  3rd -> 1st) or skips the 2nd line (1st -> 3rd); 3rd -> 2nd is the ordinary way back from an
  expert team and is not counted.
* **(b) Wait - User share**: each event opens an interval that lasts until the next event of
  the case (the last event opens none). The interval belongs to the event's custody team; the
  team's **handling time** is the sum of its intervals, its **Wait - User time** the sum of
  intervals opened by a ``wait`` event with reason ``wait_user``. Share = Wait-User / handling.
* **(c) Push to 2nd/3rd line**: ``level`` of each event (support line from the team name). A
  case is escalated if any event has level >= 2 (and reaches the 3rd line if any has level 3).
  Time to escalation = first event with level >= 2 minus the first event of the case, reported
  for cases whose first event is at level 1. "Pushed without trying" = escalated cases starting
  at level 1 with no ``work`` event at level 1 before the first escalation.
"""

from __future__ import annotations

import polars as pl

from congvu_analytics.schema import (
    ACTIVITY,
    CASE_ID,
    HOLDER_UNIT,
    LEVEL,
    REASON_CODE,
    TIMESTAMP,
    Activity,
)

WAIT_USER = "wait_user"
TEAM_A = "team_a"
TEAM_B = "team_b"


def _ordered(events: pl.LazyFrame) -> pl.LazyFrame:
    return events.sort([CASE_ID, TIMESTAMP], maintain_order=True)


def team_sequence(events: pl.LazyFrame) -> pl.LazyFrame:
    """Custody-team sequence per case, consecutive repeats collapsed.

    Args:
        events: canonical events.

    Returns:
        ``case_id``, ``step`` (0-based), ``holder_unit``, ``timestamp`` (first event of the step).
    """
    held = _ordered(events).filter(pl.col(HOLDER_UNIT).is_not_null())
    return (
        held.filter(pl.col(HOLDER_UNIT).ne_missing(pl.col(HOLDER_UNIT).shift(1).over(CASE_ID)))
        .with_columns(step=pl.int_range(pl.len()).over(CASE_ID))
        .select(CASE_ID, "step", HOLDER_UNIT, TIMESTAMP)
    )


def team_bounces(events: pl.LazyFrame) -> pl.LazyFrame:
    """Every A -> B -> A bounce of custody between teams.

    Returns:
        ``case_id``, ``step`` (of the return to A), ``team_a``/``team_b`` (the unordered pair,
        ``team_a`` < ``team_b``), ``from_team`` (A) and ``to_team`` (B).
    """
    seq = team_sequence(events).sort([CASE_ID, "step"])
    prev1 = pl.col(HOLDER_UNIT).shift(1).over(CASE_ID)
    prev2 = pl.col(HOLDER_UNIT).shift(2).over(CASE_ID)
    return (
        seq.with_columns(prev1=prev1, prev2=prev2)
        .filter(pl.col("prev2") == pl.col(HOLDER_UNIT))
        .select(
            CASE_ID,
            "step",
            pl.min_horizontal(HOLDER_UNIT, "prev1").alias(TEAM_A),
            pl.max_horizontal(HOLDER_UNIT, "prev1").alias(TEAM_B),
            pl.col(HOLDER_UNIT).alias("from_team"),
            pl.col("prev1").alias("to_team"),
        )
    )


def ping_pong_summary(events: pl.LazyFrame) -> pl.LazyFrame:
    """(a) One row: cases, cases with team ping-pong, their share, total bounces."""
    bounces = team_bounces(events)
    n_cases = events.select(pl.col(CASE_ID).n_unique().alias("cases"))
    return n_cases.join(
        bounces.select(
            pl.col(CASE_ID).n_unique().alias("cases_with_ping_pong"),
            pl.len().alias("bounces"),
        ),
        how="cross",
    ).with_columns(share=pl.col("cases_with_ping_pong") / pl.col("cases"))


def ping_pong_pairs(events: pl.LazyFrame) -> pl.LazyFrame:
    """(a) Team pairs ranked by the number of cases in which they ping-ponged.

    Returns:
        ``team_a``, ``team_b``, ``cases``, ``bounces``; sorted best first.
    """
    return (
        team_bounces(events)
        .group_by(TEAM_A, TEAM_B)
        .agg(cases=pl.col(CASE_ID).n_unique(), bounces=pl.len())
        .sort(["cases", "bounces", TEAM_A, TEAM_B], descending=[True, True, False, False])
    )


def team_cycles(events: pl.LazyFrame) -> pl.LazyFrame:
    """(a') Every return of a case to a team it had already left (A -> ... -> A).

    Returns:
        ``case_id``, ``step`` (of the return), ``holder_unit`` (the team returned to) and
        ``gap`` (teams visited in between: 1 is an immediate bounce).
    """
    seq = team_sequence(events).sort([CASE_ID, "step"])
    last_seen = pl.col("step").shift(1).over([CASE_ID, HOLDER_UNIT])
    return (
        seq.with_columns(last_seen=last_seen)
        .filter(pl.col("last_seen").is_not_null())
        .select(
            CASE_ID,
            "step",
            HOLDER_UNIT,
            (pl.col("step") - pl.col("last_seen") - 1).cast(pl.Int64).alias("gap"),
        )
    )


def cycle_summary(events: pl.LazyFrame) -> pl.LazyFrame:
    """(a') One row: cases, cases with a team cycle, cases with an immediate bounce, the cases
    that cycle only through longer loops, their shares, and the number of returns."""
    cycles = team_cycles(events)
    n_cases = events.select(pl.col(CASE_ID).n_unique().alias("cases"))
    per_case = cycles.group_by(CASE_ID).agg(immediate=(pl.col("gap") == 1).any())
    counts = per_case.select(
        cases_with_cycle=pl.len(),
        cases_with_bounce=pl.col("immediate").sum(),
    ).with_columns(
        cases_only_longer=pl.col("cases_with_cycle") - pl.col("cases_with_bounce"),
    )
    returns = cycles.select(returns=pl.len())
    return (
        n_cases.join(counts, how="cross")
        .join(returns, how="cross")
        .with_columns(
            cycle_share=pl.col("cases_with_cycle") / pl.col("cases"),
            bounce_share=pl.col("cases_with_bounce") / pl.col("cases"),
        )
    )


def cycle_teams(events: pl.LazyFrame) -> pl.LazyFrame:
    """(a') Teams ranked by the cases that came back to them after leaving.

    Returns:
        ``holder_unit``, ``cases``, ``returns``; sorted best first, then by name.
    """
    return (
        team_cycles(events)
        .group_by(HOLDER_UNIT)
        .agg(cases=pl.col(CASE_ID).n_unique(), returns=pl.len())
        .sort(["cases", "returns", HOLDER_UNIT], descending=[True, True, False])
    )


def _line_steps(events: pl.LazyFrame) -> pl.LazyFrame:
    """Each change of team as (case, from_level, to_level); the level of a step is that of its
    first event (a missing level is the 1st line)."""
    return (
        _ordered(events)
        .filter(pl.col(HOLDER_UNIT).is_not_null())
        .filter(pl.col(HOLDER_UNIT).ne_missing(pl.col(HOLDER_UNIT).shift(1).over(CASE_ID)))
        .select(CASE_ID, pl.col(LEVEL).fill_null(1).alias("to_level"))
        .with_columns(from_level=pl.col("to_level").shift(1).over(CASE_ID))
        .filter(pl.col("from_level").is_not_null())
    )


_BACK_TO_FIRST = (pl.col("from_level") >= 2) & (pl.col("to_level") == 1)
_SKIPS_SECOND = (pl.col("from_level") == 1) & (pl.col("to_level") == 3)


def line_moves(events: pl.LazyFrame) -> pl.LazyFrame:
    """(a'') Changes of team by support line, with the out-of-order moves marked.

    Returns:
        ``from_level``, ``to_level``, ``moves``, ``cases``, ``out_of_order``; sorted by levels.
    """
    return (
        _line_steps(events)
        .group_by("from_level", "to_level")
        .agg(moves=pl.len(), cases=pl.col(CASE_ID).n_unique())
        .with_columns(out_of_order=_BACK_TO_FIRST | _SKIPS_SECOND)
        .sort("from_level", "to_level")
    )


def line_order_summary(events: pl.LazyFrame) -> pl.LazyFrame:
    """(a'') One row: cases with a move back down to the 1st line, with a 1st -> 3rd skip, with
    either, and that share of all cases."""
    n_cases = events.select(pl.col(CASE_ID).n_unique().alias("cases"))
    per_case = (
        _line_steps(events)
        .group_by(CASE_ID)
        .agg(down=_BACK_TO_FIRST.any(), skip=_SKIPS_SECOND.any())
        .select(
            cases_back_to_first=pl.col("down").sum(),
            cases_skipping_second=pl.col("skip").sum(),
            cases_out_of_order=(pl.col("down") | pl.col("skip")).sum(),
        )
    )
    return n_cases.join(per_case, how="cross").with_columns(
        out_of_order_share=pl.col("cases_out_of_order") / pl.col("cases")
    )


def wait_user_share(events: pl.LazyFrame, *, min_cases: int = 1) -> pl.LazyFrame:
    """(b) Share of each team's handling time spent in ``wait``/``wait_user``.

    Args:
        events: canonical events.
        min_cases: keep teams that held at least this many cases.

    Returns:
        ``holder_unit``, ``cases``, ``handling_hours``, ``wait_user_hours``, ``share``;
        sorted by share (desc), then team.
    """
    seconds = (
        pl.col(TIMESTAMP).shift(-1).over(CASE_ID) - pl.col(TIMESTAMP)
    ).dt.total_microseconds()
    is_wait_user = (pl.col(ACTIVITY) == Activity.WAIT.value) & (pl.col(REASON_CODE) == WAIT_USER)
    # Intervals run to the next event of the case whatever its holder, so the sort must see
    # events without a holder too.
    intervals = (
        _ordered(events)
        .with_columns(duration_us=seconds)
        .filter(pl.col(HOLDER_UNIT).is_not_null())
        .with_columns(wait_us=pl.when(is_wait_user).then(pl.col("duration_us")).otherwise(0))
    )
    return (
        intervals.group_by(HOLDER_UNIT)
        .agg(
            cases=pl.col(CASE_ID).n_unique(),
            handling_hours=pl.col("duration_us").sum() / 3.6e9,
            wait_user_hours=pl.col("wait_us").sum() / 3.6e9,
        )
        .filter(pl.col("cases") >= min_cases)
        .with_columns(
            share=pl.when(pl.col("handling_hours") > 0)
            .then(pl.col("wait_user_hours") / pl.col("handling_hours"))
            .otherwise(None)
        )
        .sort(["share", HOLDER_UNIT], descending=[True, False], nulls_last=True)
    )


def escalation_summary(events: pl.LazyFrame) -> pl.LazyFrame:
    """(c) One row: how many cases reach the 2nd/3rd line, and how soon.

    Returns:
        ``cases``, ``escalated``, ``escalated_share``, ``third_line``, ``third_line_share``,
        ``from_first_line`` (escalated cases that start at level 1), ``median_hours``,
        ``p25_hours``, ``p75_hours`` (time to first escalation, over ``from_first_line``),
        ``without_work`` and ``without_work_share`` (of ``from_first_line``: no ``work`` event
        at level 1 before the first escalation).
    """
    up = pl.col(LEVEL) >= 2
    ordered = (
        _ordered(events)
        .with_columns(idx=pl.int_range(pl.len()).over(CASE_ID))
        .with_columns(first_up_idx=pl.col("idx").filter(up).min().over(CASE_ID))
    )
    work_first_line = (pl.col(ACTIVITY) == Activity.WORK.value) & (pl.col(LEVEL) == 1)
    per_case = ordered.group_by(CASE_ID).agg(
        first_level=pl.col(LEVEL).first(),
        first_time=pl.col(TIMESTAMP).first(),
        max_level=pl.col(LEVEL).max(),
        first_up_time=pl.col(TIMESTAMP).filter(up).min(),
        tried=(work_first_line & (pl.col("idx") < pl.col("first_up_idx"))).any(),
    )
    per_case = per_case.with_columns(
        escalated=pl.col("max_level") >= 2,
        third=pl.col("max_level") >= 3,
        from_first=(pl.col("max_level") >= 2) & (pl.col("first_level") == 1),
        hours=(pl.col("first_up_time") - pl.col("first_time")).dt.total_microseconds() / 3.6e9,
    )
    return per_case.select(
        cases=pl.len(),
        escalated=pl.col("escalated").sum(),
        escalated_share=pl.col("escalated").mean(),
        third_line=pl.col("third").sum(),
        third_line_share=pl.col("third").mean(),
        from_first_line=pl.col("from_first").sum(),
        median_hours=pl.col("hours").filter(pl.col("from_first")).median(),
        p25_hours=pl.col("hours").filter(pl.col("from_first")).quantile(0.25, "linear"),
        p75_hours=pl.col("hours").filter(pl.col("from_first")).quantile(0.75, "linear"),
        without_work=(pl.col("from_first") & ~pl.col("tried")).sum(),
    ).with_columns(without_work_share=pl.col("without_work") / pl.col("from_first_line"))
