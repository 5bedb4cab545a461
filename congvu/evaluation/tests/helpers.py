"""Small factories for evaluation tests (plain functions, djangoproject's Factory style)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from congvu.evaluation import actions, authority
from congvu.evaluation.defaults import ND335
from congvu.evaluation.models import Evaluation
from congvu.org.models import Person


def decider_of(e: Evaluation) -> Person:
    """The head of the classifying agency (authority.py): who decides and finalises."""
    found = authority.decider_for(e)
    assert found is not None, "no competent level in the test organisation"
    return found


def sheet(points: float = 6) -> dict[str, Any]:
    """A general-criteria sheet with the same points on every criterion (5 × 6 = 30)."""
    return {c["code"]: points for c in ND335["general_criteria"]}


def scored_month(
    person: Person,
    head: Person,
    month: int,
    *,
    year: int = 2026,
    general: float = 6,
    done: int = 10,
    quality_failures: int = 0,
    delays: int = 0,
    finalise: bool = True,
    extra: dict[str, Any] | None = None,
) -> Evaluation:
    """A month under ND 335: one product line (coef 1, 10 assigned), scored, decided, final."""
    e = actions.do_open_evaluation(person, Evaluation.Kind.MONTH, year, month)
    p = actions.do_add_product(
        e,
        actor=person,
        name="Văn bản tham mưu",
        coefficient=Decimal(1),
        quantity_assigned=Decimal(10),
        quantity_completed=Decimal(done),
    )
    from datetime import date

    for _ in range(quality_failures):
        actions.do_record_product_issue(
            p, actor=head, kind="quality", occurred_on=date(year, month, 10)
        )
    for _ in range(delays):
        actions.do_record_product_issue(
            p, actor=head, kind="delay", occurred_on=date(year, month, 12)
        )
    actions.do_self_assess(e, actor=person, sheet=sheet(general) | (extra or {}))
    actions.do_propose(e, actor=head, sheet=sheet(general) | (extra or {}))
    decider = decider_of(e)
    actions.do_decide(e, actor=decider)
    if finalise:
        actions.do_finalise([e], actor=decider)
    e.refresh_from_db()
    return e


def nd90_sheet(**kw: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "general_well": True,
        "general_met": True,
        "tasks_total": 10,
        "tasks_completed": 10,
        "tasks_on_time_quality": 10,
        "tasks_exceeded": 0,
        "tasks_short": 0,
    }
    base.update(kw)
    return base


def decided_year_2025(person: Person, head: Person, **criteria: Any) -> Evaluation:
    """A 2025 year evaluation under ND 90/48, up to the decision (not finalised)."""
    e = actions.do_open_evaluation(person, Evaluation.Kind.YEAR, 2025)
    actions.do_self_assess(e, actor=person, sheet=nd90_sheet(**criteria), comment="Tự nhận xét")
    actions.do_record_collective_comments(e, actor=head, comments="Tập thể nhất trí.")
    actions.do_propose(e, actor=head, sheet=nd90_sheet(**criteria))
    actions.do_decide(e, actor=decider_of(e))
    e.refresh_from_db()
    return e
