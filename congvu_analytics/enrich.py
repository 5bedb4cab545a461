"""Recover the facts a foreign log carries only implicitly: pure frame-in/frame-out steps.

The detectors read app-only flags that a province's export does not have as columns:

* ``reviewed`` on a pause or wait (the superior accepted the obstacle), ``within_authority`` on
  an opinion request (the matter was the asker's to decide). A real log says these things with
  a LATER event of the same case: the superior's answer ("Cho ý kiến") whose code confirms the
  obstacle or says "within your authority". :func:`acknowledge` applies the mapping's
  acknowledgement rules (``[[acknowledge]]`` in docs/mapping.md) to set them.
* ``ref_event_id`` on a coordination answer. A real log shows only the order of requests and
  answers per case and unit. :func:`match_coordination` pairs each unreferenced answer with the
  open request of the same case addressed to the answering unit, earliest open first.

Both take and return a canonical event frame (``congvu_analytics.schema``) sorted by case, then
time, then file order (as ``io.loader.load_log`` builds it), and never overwrite a value the log
itself carries. No Django, no I/O.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

import polars as pl

from congvu_analytics import schema as s
from congvu_analytics.textkey import label_key

# Flags an acknowledgement rule may set, and the activities each one is meaningful on.
FLAG_TARGETS: dict[str, tuple[str, ...]] = {
    s.REVIEWED: (s.Activity.PAUSE.value, s.Activity.WAIT.value),
    s.SUBJECT_AUTHORITY: (s.Activity.OPINION_REQUEST.value,),
}

_ROW = "__enrich_row"


@dataclass(frozen=True)
class AckRule:
    """Set ``flag`` to ``value`` on events of activity ``mark`` that a later event acknowledges.

    The acknowledging event is the FIRST later event of the same case that matches every
    condition given (activity in ``by_activity``, source label in ``by_label``, reason in
    ``by_reason``), at most ``within_days`` calendar days after the marked event (no limit when
    ``None``) and before the next event of the same kind in the case (a verdict after the
    next pause is that pause's). Rules for one flag compete: the earliest matching event decides, so with a
    "confirmed" and a "not confirmed" rule each pause takes the first verdict given after it,
    and an unrelated answer in between (another code) is not mistaken for it.

    Attributes:
        mark: activity codes of the events to mark (e.g. ``("pause",)``).
        flag: ``reviewed`` or ``within_authority``.
        value: the value set.
        by_activity: activity codes of the response.
        by_label: source labels of the response (``activity`` or ``activity | lifecycle``),
            compared by :func:`congvu_analytics.textkey.label_key`.
        by_reason: reason codes of the response (after the mapping's ``[reasons]`` table).
        within_days: the window in calendar days.
        name: how messages and reports refer to the rule.
    """

    mark: tuple[str, ...]
    flag: str
    value: bool = True
    by_activity: tuple[str, ...] = ()
    by_label: tuple[str, ...] = ()
    by_reason: tuple[str, ...] = ()
    within_days: float | None = None
    name: str = "acknowledge"

    def responses(self, frame: pl.DataFrame) -> pl.DataFrame:
        """The rows of ``frame`` that count as a response (cheapest condition first: on a
        large log the reason and activity tests leave few rows for the label test)."""
        if self.by_reason:
            frame = frame.filter(pl.col(s.REASON_CODE).is_in(list(self.by_reason)))
        if self.by_activity:
            frame = frame.filter(pl.col(s.ACTIVITY).is_in(list(self.by_activity)))
        if self.by_label:
            # The label as the source wrote it, compared by key (congvu_analytics.textkey):
            # the few distinct labels are keyed, the rows looked up by their text.
            keys = {label_key(v) for v in self.by_label}
            shown = frame.get_column(s.ACTIVITY_LABEL).drop_nulls().unique().to_list()
            matching = [
                v for v in shown if label_key(v) in keys or label_key(v.split("|")[0]) in keys
            ]
            frame = frame.filter(pl.col(s.ACTIVITY_LABEL).is_in(matching))
        return frame


def _case_keys(events: pl.DataFrame) -> pl.Series:
    """An integer per case, increasing down the frame; refuses a frame whose cases are not
    contiguous (the functions here rely on the loader's case/time order)."""
    cases = events.get_column(s.CASE_ID)
    keys = cases.rle_id()
    runs = int(keys[-1]) + 1 if events.height else 0
    # Sorted ids are contiguous by definition; only an unsorted column needs the count.
    if not cases.is_sorted() and runs != cases.n_unique():
        raise ValueError("Các sự kiện phải được sắp theo hồ sơ rồi theo thời điểm.")
    return keys


def acknowledge(events: pl.DataFrame, rules: Sequence[AckRule]) -> pl.DataFrame:
    """Set ``reviewed`` / ``within_authority`` from later responses (see :class:`AckRule`).

    Where several rules reach one event, the one whose response comes first wins (rule order
    breaks ties). A value the log already carries is never overwritten.

    Args:
        events: canonical events sorted by case, then time, then file order.
        rules: the mapping's acknowledgement rules.

    Returns:
        ``events`` with the flag columns filled where a rule applies; same rows, same order.
    """
    if not rules or events.height == 0:
        return events
    rows = events.select(
        pl.int_range(pl.len(), dtype=pl.Int64).alias(_ROW),
        _case_keys(events).alias("__case"),
        s.ACTIVITY,
        s.ACTIVITY_LABEL,
        s.REASON_CODE,
        s.TIMESTAMP,
    )
    per_flag: dict[str, list[pl.DataFrame]] = {}
    for index, rule in enumerate(rules):
        marked = (
            rows.filter(pl.col(s.ACTIVITY).is_in(list(rule.mark)))
            .select(_ROW, "__case", s.TIMESTAMP)
            .with_columns(
                # The next event of the same kind in the case: an answer after it is its answer.
                pl.when(pl.col("__case").shift(-1) == pl.col("__case"))
                .then(pl.col(_ROW).shift(-1))
                .alias("__next_mark"),
                (pl.col(_ROW) + 1).alias("__key"),
            )
        )
        responses = rule.responses(rows).select(
            pl.col(_ROW).alias("__key"),
            pl.col(_ROW).alias("__resp_row"),
            pl.col("__case").alias("__resp_case"),
            pl.col(s.TIMESTAMP).alias("__resp_ts"),
        )
        # First response after the marked row in the whole frame; since the frame is grouped
        # by case, it is in the same case or there is none (a plain sorted as-of join).
        found = marked.join_asof(responses, on="__key", strategy="forward").filter(
            (pl.col("__resp_case") == pl.col("__case"))
            & (pl.col("__next_mark").is_null() | (pl.col("__resp_row") < pl.col("__next_mark")))
        )
        if rule.within_days is not None:
            window = timedelta(days=rule.within_days)
            found = found.filter(pl.col("__resp_ts") - pl.col(s.TIMESTAMP) <= window)
        per_flag.setdefault(rule.flag, []).append(
            found.select(
                _ROW,
                "__resp_row",
                pl.lit(index, dtype=pl.Int32).alias("__rule"),
                pl.lit(rule.value).alias("__value"),
            )
        )
    out = events
    for flag, candidates in per_flag.items():
        chosen = (
            pl.concat(candidates)
            .sort(_ROW, "__resp_row", "__rule")
            .unique(_ROW, keep="first", maintain_order=True)
        )
        current = out.get_column(flag).cast(pl.Boolean).clone()
        at = chosen.get_column(_ROW)
        # Only where the log says nothing: an explicit value always wins.
        free = current.gather(at).is_null()
        out = out.with_columns(
            current.scatter(at.filter(free), chosen.get_column("__value").filter(free))
        )
    return out


def match_coordination(events: pl.DataFrame) -> pl.DataFrame:
    """Fill ``ref_event_id`` of coordination answers that lack it.

    Each answer (``coord_answer``, keyed by its ``unit``; ``deemed_agree``, keyed by its
    ``target_unit``) is paired with the earliest still-open ``coord_request`` of the same case
    addressed to that unit (``target_unit``) and made before the answer. A request already
    referenced by some answer in the log is not open. Requests never answered stay unanswered;
    an answer with no open request keeps a null reference.

    Args:
        events: canonical events sorted by case, then time, then file order.

    Returns:
        ``events`` with ``ref_event_id`` filled where a pairing exists; same rows, same order.
    """
    act = pl.col(s.ACTIVITY)
    answer_kinds = [s.Activity.COORD_ANSWER.value, s.Activity.DEEMED_AGREE.value]
    kinds = [s.Activity.COORD_REQUEST.value, *answer_kinds]
    # Only the coordination events matter: a few percent of a log; and only the columns read
    # here are filtered (the whole frame's twenty cost more than all the pairing).
    needed = [s.ACTIVITY, s.CASE_ID, s.EVENT_ID, s.REF_EVENT_ID, s.UNIT, s.TARGET_UNIT]
    rows = events.select(pl.int_range(pl.len(), dtype=pl.UInt32).alias(_ROW), *needed)
    rows = rows.filter(act.is_in(kinds))
    if rows.height == 0:
        return events
    referenced = rows.filter(act.is_in(answer_kinds) & pl.col(s.REF_EVENT_ID).is_not_null()).select(
        pl.col(s.REF_EVENT_ID).alias(s.EVENT_ID)
    )
    requests = (
        rows.filter((act == s.Activity.COORD_REQUEST.value) & pl.col(s.TARGET_UNIT).is_not_null())
        .join(referenced, on=s.EVENT_ID, how="anti")
        .select(
            _ROW,
            s.CASE_ID,
            pl.col(s.TARGET_UNIT).cast(pl.String).alias("__unit"),
            pl.col(s.EVENT_ID).alias("__req_id"),
            pl.lit(1, dtype=pl.Int64).alias("__is_req"),
        )
    )
    answers = rows.filter(act.is_in(answer_kinds) & pl.col(s.REF_EVENT_ID).is_null()).select(
        _ROW,
        s.CASE_ID,
        pl.when(act == s.Activity.DEEMED_AGREE.value)
        .then(pl.col(s.TARGET_UNIT))
        .otherwise(pl.col(s.UNIT))
        .cast(pl.String)
        .alias("__unit"),
        pl.lit(None, dtype=pl.String).alias("__req_id"),
        pl.lit(0, dtype=pl.Int64).alias("__is_req"),
    )
    group = [s.CASE_ID, "__unit"]
    # Greedy FIFO pairing without a Python loop: with R = requests seen before the j-th answer
    # of the group and M_j = answers paired among the first j, M_j = min(M_{j-1} + 1, R_j),
    # whose closed form is M_j = j + min(0, min_{i<=j}(R_i - i)). Answer j is paired iff
    # M_j > M_{j-1}, with the M_j-th request of the group.
    #
    # The rows are sorted by group, so the running sums and minimum within a group are taken
    # over the whole column and set back at each group's first row: windows over (case, unit)
    # hashed both texts for every one of them (0.27 of 0.29 CPU s on 1M events).
    both = (
        pl.concat([requests, answers])
        .filter(pl.col("__unit").is_not_null())
        .sort(*group, _ROW)
        .with_columns(
            pl.any_horizontal(pl.col(c) != pl.col(c).shift(1) for c in group)
            .fill_null(True)
            .alias("__first")
        )
        .with_columns(
            pl.col("__first").cum_sum().cast(pl.Int64).alias("__group"),
            _in_group_sum(pl.col("__is_req")).alias("__r"),
            _in_group_sum(1 - pl.col("__is_req")).alias("__j"),
        )
    )
    answered = both.filter(pl.col("__is_req") == 0)
    # A running minimum that restarts at each group: every group is moved below all earlier
    # ones (R - j lies within ±(rows) of a group) before one running minimum over the column.
    shift = 2 * both.height + 2
    lowered = pl.col("__r") - pl.col("__j") - pl.col("__group") * shift
    in_group = pl.col("__group") == pl.col("__group").shift(1)
    paired = (
        answered.with_columns((lowered.cum_min() + pl.col("__group") * shift).alias("__slack"))
        .with_columns((pl.col("__j") + pl.min_horizontal(pl.lit(0), "__slack")).alias("__m"))
        .with_columns(
            pl.when(in_group.fill_null(False))
            .then(pl.col("__m").shift(1))
            .otherwise(0)
            .alias("__m_prev")
        )
        .filter(pl.col("__m") > pl.col("__m_prev"))
        .select(_ROW, "__group", pl.col("__m").alias("__r"))
    )
    numbered = both.filter(pl.col("__is_req") == 1).select("__group", "__r", "__req_id")
    refs = paired.join(numbered, on=["__group", "__r"], how="inner")
    if refs.height == 0:
        return events
    current = events.get_column(s.REF_EVENT_ID).cast(pl.String).clone()
    return events.with_columns(current.scatter(refs.get_column(_ROW), refs.get_column("__req_id")))


def _in_group_sum(value: pl.Expr) -> pl.Expr:
    """The running sum of ``value`` within each group of rows sorted by group (``__first``
    marks a group's first row)."""
    total = value.cum_sum()
    return total - pl.when(pl.col("__first")).then(total - value).forward_fill()
