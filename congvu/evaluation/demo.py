"""Demo evaluations for a unit subtree: 2025 years under ND 90/48, 2026 months under ND 335.

Everything goes through the actions (real flow, sealed log), deterministically from a seed,
so the web pages have something true to show. Quality failures and delays are sprinkled on a
few people so that training needs, rewards and the quota warning appear.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction

from congvu.evaluation import actions, authority
from congvu.evaluation.consequences import generate_period_rewards, generate_year_proposals
from congvu.evaluation.defaults import ND335
from congvu.evaluation.models import Evaluation
from congvu.lib.errors import ActionError
from congvu.org.models import Membership, Person, Unit
from congvu.org.tree import tree_as_of

PRODUCTS = [
    ("Tờ trình, dự thảo văn bản", Decimal("2.0")),
    ("Báo cáo chuyên đề", Decimal("1.5")),
    ("Văn bản trả lời, hướng dẫn", Decimal("1.0")),
    ("Hồ sơ thẩm định", Decimal("1.2")),
]


@dataclass
class DemoResult:
    months: int = 0
    years: int = 0
    proposals: int = 0
    skipped: int = 0


def _open(
    person: Person, result: DemoResult, kind: str, year: int, number: int = 0
) -> tuple[Evaluation, Person, Person] | None:
    """The opened evaluation with its proposer and decider (authority.py); None, counted as
    skipped, when it cannot be opened or nobody is competent for it."""
    try:
        e = actions.do_open_evaluation(person, kind, year, number)
    except ActionError:
        result.skipped += 1
        return None
    proposer, decider = authority.proposer_for(e), authority.decider_for(e)
    if proposer is None or decider is None:
        result.skipped += 1
        return None
    return e, proposer, decider


def _general(rng: random.Random, strong: bool) -> dict[str, float]:
    return {
        c["code"]: float(c["max"])
        - (rng.choice([0, 0, 0.5, 1]) if strong else rng.choice([1, 1.5, 2]))
        for c in ND335["general_criteria"]
    }


def _months(
    person: Person, rng: random.Random, months: int, result: DemoResult
) -> list[Evaluation]:
    out: list[Evaluation] = []
    strong = rng.random() < 0.3
    sloppy = rng.random() < 0.15
    for month in range(1, months + 1):
        opened = _open(person, result, Evaluation.Kind.MONTH, 2026, month)
        if opened is None:
            continue
        e, head, decider = opened
        for name, coef in rng.sample(PRODUCTS, 2):
            assigned = Decimal(rng.randint(2, 6))
            done = assigned if rng.random() < 0.8 else assigned - 1
            p = actions.do_add_product(
                e,
                actor=person,
                name=name,
                coefficient=coef,
                quantity_assigned=assigned,
                quantity_completed=done,
            )
            if sloppy and rng.random() < 0.5:
                actions.do_record_product_issue(
                    p, actor=head, kind=rng.choice(["quality", "delay"]), occurred_on=e.end
                )
        sheet: dict[str, float] = _general(rng, strong)
        if e.is_leader:
            sheet["doan_ket"] = 100.0 if strong else 80.0  # e, assessed by the proposer
        actions.do_self_assess(e, actor=person, sheet=sheet)
        try:
            actions.do_propose(e, actor=head, sheet=sheet)
        except ActionError:
            result.skipped += 1  # e.g. a leader whose staff have no decided month
            continue
        actions.do_decide(e, actor=decider)
        actions.do_finalise([e], actor=decider, quota_override_reason="Theo dõi tháng")
        result.months += 1
        out.append(e)
    return out


@transaction.atomic
def generate_evaluations(unit: Unit, *, seed: int = 2026, months: int = 3) -> DemoResult:
    rng = random.Random(seed)  # noqa: S311 - deterministic demo data, not security
    result = DemoResult()
    today = date(2026, months, 28)
    units = tree_as_of(today).subtree(unit.pk)
    tree = tree_as_of(today)
    posts = (
        Membership.objects.active_on(today)
        .filter(unit_id__in=units, is_primary=True, person__category=Person.Category.CONG_CHUC)
        .select_related("person")
    )
    # Staff before their leaders (deepest units first, members, deputies, heads): a leader's
    # score needs the decided results of the people he manages.
    order = {"member": 0, "deputy": 1, "head": 2}
    people = [
        m.person
        for m in sorted(
            posts,
            key=lambda m: (-tree.depth(m.unit_id), order.get(str(m.role), 0), m.person.code),
        )
    ]
    finalised: list[Evaluation] = []
    for person in people:
        finalised += _months(person, rng, months, result)
        opened = _open(person, result, Evaluation.Kind.YEAR, 2025)
        if opened is None:
            continue
        y, head, decider = opened
        short = rng.choice([0, 0, 0, 1, 2, 6])
        sheet = {
            "general_well": short == 0,
            "general_met": True,
            "tasks_total": 10,
            "tasks_completed": 10 if short < 6 else 6,
            "tasks_on_time_quality": 10 - short,
            "tasks_exceeded": rng.choice([0, 2, 5, 6]) if short == 0 else 0,
            "tasks_short": short,
        }
        if y.is_leader:
            sheet |= {
                "unit_targets_total": 10,
                "unit_targets_completed": 10,
                "unit_targets_on_time_quality": 9,
                "unit_targets_exceeded": 5,
                "sub_units_total": 1,
                "sub_units_ht_or_better": 1,
                "sub_units_htt_or_better": 1,
            }
        actions.do_self_assess(
            y, actor=person, sheet=sheet, comment="Báo cáo tự đánh giá năm 2025."
        )
        actions.do_record_collective_comments(y, actor=head, comments="Tập thể nhất trí.")
        actions.do_propose(y, actor=head, sheet=sheet)
        actions.do_decide(y, actor=decider)
        actions.do_finalise([y], actor=decider, quota_override_reason="Dữ liệu mẫu")
        y.refresh_from_db()
        finalised.append(y)
        result.years += 1
    result.proposals = len(generate_year_proposals(finalised, today=today)) + len(
        generate_period_rewards(finalised, today=today)
    )
    return result
