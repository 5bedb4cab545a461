"""Closing a tracking period (ND 335/2025: monthly or quarterly tracking of task results).

When a month (or quarter, per the rule set's `period_kind`) has ended, every person scored by
points under the rule set in force gets that period opened — their evaluation page then asks
for the self-assessment — and the tasks they led that fell due in it recorded as products, with
the delays, failed reviews and objective causes read from the sealed task log
(actions.do_import_task_products). Periods already opened are only topped up with tasks not yet
recorded; periods past the draft stage are left alone. Run daily by `run_jobs`; idempotent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from congvu.evaluation import actions
from congvu.evaluation.models import Evaluation, RuleSet
from congvu.evaluation.rules import rule_set_for
from congvu.evaluation.schemes import scheme_of
from congvu.lib.errors import ActionError
from congvu.org.models import Membership, Person

S = Evaluation.Status


@dataclass
class Closing:
    period: str = ""
    opened: int = 0
    products: int = 0
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "period": self.period,
            "opened": self.opened,
            "products": self.products,
            "errors": len(self.errors),
            "first_errors": self.errors[:5],
        }


def last_ended(kind: str, day: date) -> tuple[int, int]:
    """(year, number) of the last month or quarter that ended before `day`."""
    previous = day.replace(day=1) - timedelta(days=1)  # last day of the previous month
    if kind == Evaluation.Kind.MONTH:
        return previous.year, previous.month
    quarter = (day.month - 1) // 3 + 1
    if quarter == 1:
        return day.year - 1, 4
    return day.year, quarter - 1


def _tracked(kind: str, start: date) -> list[str]:
    """Categories whose rule set in force at `start` scores by points tracked per `kind`."""
    categories: list[str] = []
    for rule_set in RuleSet.objects.in_force_on(start):
        if not scheme_of(rule_set).periodic:
            continue
        if rule_set.params_with_defaults.get("period_kind", Evaluation.Kind.MONTH) != kind:
            continue
        categories += [c for c in rule_set.categories if rule_set_for(c, start) == rule_set]
    return categories


def close_ended_periods(day: date) -> dict[str, object]:
    """Open and fill the period that ended last, for everyone tracked by points in it."""
    closing = Closing()
    periods = []
    for kind in (Evaluation.Kind.MONTH, Evaluation.Kind.QUARTER):
        year, number = last_ended(kind, day)
        start, end = actions.period_bounds(kind, year, number)
        categories = _tracked(kind, start)
        if categories:
            periods.append(f"{Evaluation.Kind(kind).label.lower()} {number}/{year}")
            _close(closing, kind, year, number, end=end, categories=categories)
    closing.period = ", ".join(periods)
    return closing.as_dict()


def _close(
    closing: Closing, kind: str, year: int, number: int, *, end: date, categories: list[str]
) -> None:
    people = Person.objects.filter(
        category__in=categories,
        pk__in=Membership.objects.active_on(end).filter(is_primary=True).values("person_id"),
    ).order_by("pk")
    existing = {
        e.person_id: e
        for e in Evaluation.objects.filter(kind=kind, year=year, number=number).select_related(
            "rule_set"
        )
    }
    for person in people:
        try:
            evaluation = existing.get(person.pk)
            if evaluation is None:
                evaluation = actions.do_open_evaluation(person, kind, year, number)
                closing.opened += 1
            if evaluation.status == S.DRAFT:
                closing.products += len(actions.do_import_task_products(evaluation, actor=None))
        except ActionError as exc:  # one person's problem must not stop the province
            closing.errors.append(f"{person.code}: {exc.message}")
