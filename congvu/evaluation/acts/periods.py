"""Opening evaluation periods (month, quarter, year) for a person in their unit."""

from __future__ import annotations

import calendar
from datetime import date

from django.db import transaction

from congvu.evaluation.acts.common import _log
from congvu.evaluation.models import (
    Evaluation,
    ProductCatalogItem,
)
from congvu.evaluation.rules import rule_set_for
from congvu.evaluation.schemes import scheme_of
from congvu.lib.errors import ActionError, ActionPermissionError
from congvu.org.models import Membership, Person, RoleGrant, Unit
from congvu.org.permissions import access_for

# --- opening periods ------------------------------------------------------------------------


def period_bounds(kind: str, year: int, number: int) -> tuple[date, date]:
    if kind == Evaluation.Kind.MONTH:
        if not 1 <= number <= 12:
            raise ActionError("invalid_period", "Tháng phải từ 1 đến 12.", field="number")
        return date(year, number, 1), date(year, number, calendar.monthrange(year, number)[1])
    if kind == Evaluation.Kind.QUARTER:
        if not 1 <= number <= 4:
            raise ActionError("invalid_period", "Quý phải từ 1 đến 4.", field="number")
        first = 3 * (number - 1) + 1
        return date(year, first, 1), date(year, first + 2, calendar.monthrange(year, first + 2)[1])
    if kind == Evaluation.Kind.YEAR:
        return date(year, 1, 1), date(year, 12, 31)
    raise ActionError("invalid_period", f"Loại kỳ đánh giá không hợp lệ: {kind}.", field="kind")


def _membership_for(person: Person, start: date, end: date) -> Membership:
    """The primary membership at the end of the period (the unit that evaluates), else any
    membership overlapping it."""
    qs = Membership.objects.filter(person=person).select_related("unit")
    m = (
        qs.active_on(end).filter(is_primary=True).first()
        or qs.overlapping(start, end).order_by("-valid_from").first()
    )
    if m is None:
        raise ActionError(
            "no_membership",
            f"{person.full_name} không công tác tại đơn vị nào trong kỳ đánh giá.",
        )
    return m


@transaction.atomic
def do_open_evaluation(
    person: Person,
    kind: str,
    year: int,
    number: int = 0,
    *,
    actor: Person | None = None,
    unit: Unit | None = None,
) -> Evaluation:
    """Open a period for a person, scored by the rule set in force at the period's start."""
    start, end = period_bounds(kind, year, 0 if kind == Evaluation.Kind.YEAR else number)
    if kind == Evaluation.Kind.YEAR:
        number = 0
    rule_set = rule_set_for(person.category, start)
    if not scheme_of(rule_set).periodic and kind != Evaluation.Kind.YEAR:
        raise ActionError(
            "period_not_supported",
            f"Bộ quy tắc {rule_set.code} chỉ đánh giá, xếp loại theo năm.",
            field="kind",
        )
    if Evaluation.objects.filter(person=person, kind=kind, year=year, number=number).exists():
        raise ActionError("duplicate_period", "Kỳ đánh giá này đã được mở cho người này.")
    membership = _membership_for(person, start, end)
    eval_unit = unit or membership.unit
    if actor is not None and actor.pk != person.pk:
        access = access_for(actor)
        if not (
            access.can_act_on_unit(eval_unit.pk)
            or (access.has_role(RoleGrant.Role.HR) and access.can_see_evaluations_of(eval_unit.pk))
        ):
            raise ActionPermissionError(
                "Chỉ người được đánh giá, lãnh đạo đơn vị hoặc Sở Nội vụ mở kỳ đánh giá."
            )
    group = ""
    item = (
        ProductCatalogItem.objects.filter(job_position=membership.job_position)
        .exclude(job_group="")
        .first()
    )
    if item is not None:
        group = item.job_group
    evaluation = Evaluation.objects.create(
        person=person,
        unit=eval_unit,
        role_in_unit=membership.role,
        category=person.category,
        job_position=membership.job_position,
        job_group=group or membership.job_position,
        rule_set=rule_set,
        kind=kind,
        year=year,
        number=number,
        start=start,
        end=end,
    )
    _log(
        evaluation,
        "opened",
        actor,
        {"period": evaluation.period_label, "rule_set": rule_set.code, "unit": eval_unit.code},
    )
    return evaluation
