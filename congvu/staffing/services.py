"""Streamlining lists (ND 154/2025), weak-unit signals (KL 210-KL/TW) and on-demand evaluation
snapshots (QĐ 366-QĐ/TW), all computed from stored results and the task log.

Each is judged by the policy version in force for its period (congvu.privacy Policy), so a
2024 list follows ND 29/2023 and a 2025 one ND 154/2025.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from congvu.evaluation import rules, scoring, services
from congvu.evaluation.models import Evaluation, Level, Proposal, Scheme
from congvu.lib.choices import shown
from congvu.lib.errors import ActionError
from congvu.org.models import Membership, Person, Unit
from congvu.privacy.models import Policy, policy_params
from congvu.staffing.models import Circumstance


@dataclass(frozen=True)
class Exclusion:
    kind: str
    label: str
    evidence: str


@dataclass
class ListEntry:
    person: Person
    unit: Unit
    evaluation: Evaluation
    evidence: list[str]
    exclusions: list[Exclusion] = field(default_factory=list)
    voluntary: bool = False

    @property
    def included(self) -> bool:
        return not self.exclusions


def _exclusions(
    person_ids: list[int], on: date, kinds: set[str]
) -> tuple[dict[int, list[Exclusion]], set[int]]:
    out: dict[int, list[Exclusion]] = defaultdict(list)
    voluntary: set[int] = set()
    for c in Circumstance.objects.active_on(on).filter(person_id__in=person_ids):
        if c.kind == Circumstance.Kind.VOLUNTARY:
            voluntary.add(c.person_id)
        elif c.kind in kinds:
            out[c.person_id].append(Exclusion(c.kind, c.get_kind_display(), c.evidence_ref))
    # A discipline proposal still open is a pending discipline review: read from evaluation.
    if Circumstance.Kind.PENDING_DISCIPLINE in kinds:
        for p in Proposal.objects.filter(
            person_id__in=person_ids,
            kind=Proposal.Kind.DISCIPLINE,
            status=Proposal.Status.OPEN,
            opened_on__lte=on,
        ):
            out[p.person_id].append(
                Exclusion(
                    Circumstance.Kind.PENDING_DISCIPLINE,
                    shown(Circumstance.Kind.PENDING_DISCIPLINE.label),
                    f"Đề xuất xem xét kỷ luật #{p.pk} mở ngày {p.opened_on:%d/%m/%Y}",
                )
            )
    return out, voluntary


def streamlining_list(
    year: int, on: date, units: set[int] | None
) -> tuple[Policy, list[ListEntry]]:
    """People whose finalised year result for `year` is in scope (KHT under ND 154), with the
    evidence behind each entry and the exclusions in force on `on`. A person who applied
    voluntarily is not excluded for the circumstances the decree lets them waive."""
    policy, params = policy_params(Policy.Topic.STREAMLINING, date(year, 12, 31))
    qs = Evaluation.objects.finalised().filter(
        kind=Evaluation.Kind.YEAR, year=year, final_level__in=params["levels_in_scope"]
    )
    if units is not None:
        qs = qs.filter(unit_id__in=units)
    evaluations = list(qs.select_related("person", "unit", "finalised_by").order_by("unit_id"))
    excl, voluntary = _exclusions([e.person_id for e in evaluations], on, set(params["exclusions"]))
    waivable = set(params.get("voluntary_overrides", []))
    entries = []
    for e in evaluations:
        found = excl.get(e.person_id, [])
        if e.person_id in voluntary:
            found = [x for x in found if x.kind not in waivable]
        # The list is a page (no document quotes it): its evidence reads in the reader's
        # language; the stored level reasons below stay as they were written.
        evidence = [
            _("Kết quả năm %(year)s: %(level)s")
            % {"year": year, "level": shown(Level(e.final_level).label)}
            + (
                _(" (%(score)s điểm)") % {"score": e.total_score}
                if e.total_score is not None
                else ""
            ),
            _("Chốt ngày %(day)s") % {"day": f"{e.finalised_at:%d/%m/%Y}"}
            + (_(" bởi %(name)s") % {"name": e.finalised_by.full_name} if e.finalised_by else "")
            if e.finalised_at
            else "",
        ]
        evidence += [r for r in e.level_reasons if isinstance(r, str)]
        entries.append(
            ListEntry(
                e.person,
                e.unit,
                e,
                [x for x in evidence if x],
                found,
                e.person_id in voluntary,
            )
        )
    return policy, entries


@dataclass(frozen=True)
class UnitSignal:
    unit: Unit
    rated: int
    kht: int
    head_kht: bool
    competent: Unit | None  # the level that decides on the unit's head (the parent unit)

    @property
    def share(self) -> float:
        return self.kht / self.rated if self.rated else 0.0


def weak_units(year: int, units: set[int] | None) -> tuple[Policy, list[UnitSignal]]:
    """Units whose finalised year results show weakness (KL 210: replace weak cadres and heads
    of weak units without waiting for the term to end): a share of KHT at or above the policy
    threshold among at least `min_rated` rated people, or the head rated KHT."""
    policy, params = policy_params(Policy.Topic.WEAK_UNITS, date(year, 12, 31))
    threshold, min_rated = float(params["kht_share"]), int(params["min_rated"])
    qs = Evaluation.objects.finalised().filter(kind=Evaluation.Kind.YEAR, year=year)
    if units is not None:
        qs = qs.filter(unit_id__in=units)
    rated: dict[int, int] = defaultdict(int)
    kht: dict[int, int] = defaultdict(int)
    head_kht: set[int] = set()
    for unit_id, level, role in qs.values_list("unit_id", "final_level", "role_in_unit"):
        rated[unit_id] += 1
        if level == Level.KHT:
            kht[unit_id] += 1
            if role == Membership.Role.HEAD:
                head_kht.add(unit_id)
    weak = [
        u
        for u in rated
        if u in head_kht or (rated[u] >= min_rated and kht[u] / rated[u] >= threshold)
    ]
    by_id = Unit.objects.select_related("parent").in_bulk(weak)
    signals = [UnitSignal(by_id[u], rated[u], kht[u], u in head_kht, by_id[u].parent) for u in weak]
    return policy, sorted(signals, key=lambda s: (-s.share, s.unit.name))


@dataclass
class PersonSnapshot:
    person: Person
    tasks: int
    completed: int
    delays: int
    reworks: int
    excused: int
    result: scoring.TaskResult | None
    findings: list[services.ConfirmedFinding]


def _products(lines: Iterable[services.TaskLine]) -> list[scoring.Product]:
    one = Decimal(1)
    out = []
    for line in lines:
        kept = [] if line.cause else list(line.issues)
        out.append(
            scoring.Product(
                one,
                one,
                one if line.completed else Decimal(0),
                quality_failures=sum(1 for i in kept if i.kind == "quality"),
                delays=sum(1 for i in kept if i.kind == "delay"),
            )
        )
    return out


def snapshot(
    people: list[Person], start: date, end: date, today: date
) -> tuple[list[PersonSnapshot], scoring.TaskResult | None]:
    """An evaluation "when needed" (QĐ 366) for any date range, from the task log: each
    person's tasks due in the range as products, scored by the rule set in force at the
    start of the range (points scheme), with confirmed findings; and the unit's total."""
    lines = services.task_lines([p.pk for p in people], start, end, today)
    out: list[PersonSnapshot] = []
    every: list[scoring.Product] = []
    params: dict[str, Any] | None = None
    for p in people:
        mine = lines.get(p.pk, [])
        products = _products(mine)
        every += products
        result = None
        try:
            rule_set = rules.rule_set_for(p.category, start)
        except ActionError:  # no rule set for the category then: shown unscored
            rule_set = None
        if rule_set is not None and rule_set.scheme == Scheme.POINTS and products:
            params = rule_set.params_with_defaults
            result = scoring.task_result(products, params)
        out.append(
            PersonSnapshot(
                p,
                len(mine),
                sum(1 for x in mine if x.completed),
                sum(1 for x in mine for i in x.issues if i.kind == "delay"),
                sum(1 for x in mine for i in x.issues if i.kind == "quality"),
                sum(len(x.issues) for x in mine if x.cause),
                result,
                services.confirmed_findings(p.pk, start, end),
            )
        )
    total = scoring.task_result(every, params) if params is not None and every else None
    return out, total


def unit_people(unit: Unit, start: date, end: date) -> list[Person]:
    ids = (
        Membership.objects.overlapping(start, end)
        .filter(unit=unit)
        .values_list("person_id", flat=True)
    )
    return list(Person.objects.filter(pk__in=ids).order_by("full_name"))
