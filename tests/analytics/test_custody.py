# ruff: noqa: C408 -- dict(e=..., a=...) reads like an event row; literals would not
from __future__ import annotations

import polars as pl

from congvu_analytics.custody import derive_custody
from tests.analytics.helpers import log


def holders(rows: list[dict[str, object]]) -> list[tuple[str | None, str | None]]:
    out = derive_custody(log(rows)).collect()
    return list(zip(out["holder_unit"].to_list(), out["holder_actor"].to_list(), strict=True))


def test_it_moves_custody_on_assign_transfer_and_return_to_sender() -> None:
    rows = [
        dict(c="c", a="assign", d=0, actor="boss", unit="UB", target_unit="A", target_actor="a"),
        dict(c="c", a="progress", d=1, actor="a", unit="A"),
        dict(c="c", a="transfer", d=2, actor="a", unit="A", target_unit="B", target_actor="b"),
        dict(c="c", a="return", d=3, actor="b", unit="B"),
    ]
    assert holders(rows) == [("A", "a"), ("A", "a"), ("B", "b"), ("A", "a")]


def test_a_decline_goes_back_to_the_assigner_not_to_the_proposed_unit() -> None:
    rows = [
        dict(c="c", a="assign", d=0, actor="boss", unit="UB", target_unit="A", target_actor="a"),
        dict(
            c="c", a="decline", d=1, actor="a", unit="A", target_unit="C", reason_code="competence"
        ),
    ]
    assert holders(rows) == [("A", "a"), ("UB", "boss")]


def test_the_accepting_person_becomes_holder_when_only_a_unit_was_named() -> None:
    rows = [
        dict(c="c", a="assign", d=0, actor="boss", unit="UB", target_unit="A"),
        dict(c="c", a="accept", d=1, actor="a2", unit="A"),
        dict(c="c", a="progress", d=2, actor="a2", unit="A"),
        dict(c="c", a="transfer", d=3, actor="a2", unit="A", target_unit="B"),
    ]
    assert holders(rows) == [("A", None), ("A", "a2"), ("A", "a2"), ("B", None)]


def test_it_sorts_by_case_time_and_event_id_before_filling() -> None:
    rows = [
        dict(e="2", c="c", a="progress", d=1, actor="a", unit="A"),
        dict(
            e="1",
            c="c",
            a="assign",
            d=0,
            actor="boss",
            unit="UB",
            target_unit="A",
            target_actor="a",
        ),
        dict(
            e="0",
            c="d",
            a="assign",
            d=5,
            actor="boss",
            unit="UB",
            target_unit="B",
            target_actor="b",
        ),
    ]
    out = derive_custody(log(rows)).collect()
    assert out["event_id"].to_list() == ["1", "2", "0"]
    assert out["holder_unit"].to_list() == ["A", "A", "B"]


def test_it_keeps_holders_a_foreign_log_already_carries() -> None:
    rows = [
        dict(c="c", a="work", d=0, actor="x", unit="Q", holder_unit="Q", holder_actor="x"),
        dict(c="c", a="transfer", d=1, actor="x", unit="Q", target_unit="R"),
        dict(c="c", a="work", d=2, actor="y", unit="R", holder_unit="R", holder_actor="y"),
    ]
    assert holders(rows) == [("Q", "x"), ("Q", "x"), ("R", "y")]


def test_it_does_not_mutate_its_input() -> None:
    frame = log([dict(c="c", a="assign", d=0, actor="boss", unit="UB", target_unit="A")]).collect()
    derive_custody(frame.lazy()).collect()
    assert frame["holder_unit"].to_list() == [None]
    assert isinstance(frame, pl.DataFrame)


def test_it_recognises_a_log_already_in_case_time_id_order() -> None:
    from congvu_analytics.custody import is_sorted_log

    rows = [
        dict(e="1", c="a", a="assign", d=0),
        dict(e="2", c="a", a="accept", d=1),
        dict(e="0", c="b", a="assign", d=0),
    ]
    assert is_sorted_log(log(rows))
    assert not is_sorted_log(log(list(reversed(rows))))


def test_log_facts_tell_whether_a_log_carries_holders() -> None:
    from congvu_analytics.custody import log_facts

    plain = log([dict(c="c", a="assign", d=0, target_unit="A")])
    mapped = log([dict(c="c", a="work", d=0, holder_unit="Q")])
    assert not log_facts(plain).has_holders
    assert log_facts(mapped).has_holders
