"""A whole province's evaluation year through the real flow (`manage.py evaluation_province`).

For every công chức with a primary post, each month of the year up to today is opened under the
rule set in force (ND 335/2025 from 1/1/2026), its products recorded, self-assessed, proposed
by the superior, decided and finalised; then the year is opened, averaged (ND 335 Art. 21),
decided, and checked against the HTXS quota (≤ 20 % of HTT per unit and per job group, Art.
20.5) unit by unit: a unit within the quota is finalised, a unit over it stays "decided" with
the warning on its page for the competent level to settle (lower a level or give the Art.
20.5.b reason). The year before (2025) is classified under ND 90/2020 + 48/2023 for everyone
with a rule set (công chức, viên chức, cán bộ), from the same task log.

Products come from the real task log first: every task the person led that fell due in the
month is a product line — late completion or still open past the deadline is a delay, each
rework request a failed quality review, an acknowledged legal obstacle or dependency pause its
objective cause (services.task_lines). The demo log has about 55 tasks a month for 1,500
people, so each person's routine work from the job position's catalogue (deterministic from
the seed) fills the month; leaders without a job position get their direction work.

Everything goes through the actions (sealed log, permission checks). The run is idempotent:
periods that already exist are left as they are.
"""

from __future__ import annotations

import random
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import transaction

from congvu.evaluation import actions, authority, services
from congvu.evaluation.actions import ProductLine
from congvu.evaluation.defaults import ND335
from congvu.evaluation.models import Evaluation, Level, ProductCatalogItem, Scheme
from congvu.evaluation.rules import rule_set_for
from congvu.lib.errors import ActionError
from congvu.org.models import Membership, Person, RoleGrant, Unit
from congvu.org.tree import tree_as_of

S = Evaluation.Status
ROLE_ORDER: dict[str, int] = {
    Membership.Role.MEMBER: 0,
    Membership.Role.DEPUTY: 1,
    Membership.Role.HEAD: 2,
}

# (code, name, coefficient) common to every job position, plus one item per position and its
# group of similar jobs (the quota is checked per group, ND 335 Art. 20.5).
COMMON_ITEMS = [
    ("VB", "Văn bản tham mưu, trả lời, hướng dẫn", "1.0"),
    ("BC", "Báo cáo định kỳ, chuyên đề", "1.5"),
    ("TT", "Tờ trình, dự thảo văn bản", "2.0"),
    (actions.TASK_ITEM_CODE, "Nhiệm vụ được giao theo văn bản chỉ đạo", "1.5"),
]
POSITION_ITEMS: dict[str, tuple[str, str, str, str]] = {
    "Chuyên viên tổng hợp": ("Tham mưu tổng hợp", "TH", "Báo cáo tổng hợp tình hình", "1.8"),
    "Chuyên viên kế hoạch": ("Tham mưu tổng hợp", "KH", "Kế hoạch, chương trình công tác", "2.0"),
    "Chuyên viên cải cách hành chính": (
        "Tham mưu tổng hợp",
        "CC",
        "Thủ tục hành chính được rà soát",
        "0.5",
    ),
    "Chuyên viên quản lý ngân sách": ("Quản lý chuyên ngành", "DT", "Hồ sơ dự toán", "2.5"),
    "Chuyên viên quản lý đất đai": ("Quản lý chuyên ngành", "DD", "Hồ sơ đất đai", "1.2"),
    "Chuyên viên quản lý xây dựng": ("Quản lý chuyên ngành", "XD", "Hồ sơ thẩm định", "1.2"),
    "Chuyên viên quản lý văn hóa": ("Quản lý chuyên ngành", "VH", "Hồ sơ cấp phép", "1.0"),
    "Chuyên viên pháp chế": ("Pháp chế, tổ chức", "PC", "Văn bản được thẩm định", "2.0"),
    "Chuyên viên tổ chức cán bộ": ("Pháp chế, tổ chức", "TC", "Hồ sơ nhân sự", "1.0"),
    "Chuyên viên văn thư": ("Hỗ trợ, phục vụ", "VT", "Văn bản đến, đi được xử lý", "0.1"),
    "Chuyên viên một cửa": ("Hỗ trợ, phục vụ", "MC", "Hồ sơ tiếp nhận, trả kết quả", "0.2"),
}
LEADER_WORK = ("Chỉ đạo, điều hành lĩnh vực được phân công", Decimal("2.0"))


@dataclass
class YearRun:
    year: int
    months: int = 0
    periods: int = 0
    task_products: int = 0
    excused: int = 0
    years: int = 0
    finalised_years: int = 0
    over_quota_units: dict[str, list[str]] = field(default_factory=dict)
    previous_year: int = 0
    skipped: int = 0
    seconds: float = 0.0


def ensure_catalogue(day: date) -> int:
    """The demo job positions' catalogue (idempotent), entered by HR through the action."""
    hr = (
        RoleGrant.objects.active_on(day)
        .filter(role__in=[RoleGrant.Role.HR, RoleGrant.Role.ADMIN])
        .select_related("person")
        .order_by("role", "id")
        .first()
    )
    if hr is None:
        return 0
    positions = set(
        Membership.objects.active_on(day)
        .exclude(job_position="")
        .values_list("job_position", flat=True)
    )
    existing = set(ProductCatalogItem.objects.values_list("job_position", "code"))
    added = 0
    for position in sorted(positions):
        group, code, name, coef = POSITION_ITEMS.get(position, ("", "", "", ""))
        items = [*COMMON_ITEMS, *([(code, name, coef)] if code else [])]
        for item_code, item_name, item_coef in items:
            if (position, item_code) in existing:
                continue
            actions.do_add_catalog_item(
                job_position=position,
                job_group=group,
                code=item_code,
                name=item_name,
                coefficient=Decimal(item_coef),
                valid_from=date(day.year, 1, 1),
                actor=hr.person,
            )
            added += 1
    return added


@dataclass(frozen=True)
class Traits:
    """How a person works, drawn once per person: the general-criteria level and how often
    routine work falls short."""

    general: float  # points per criterion (of 6)
    shortfall: float  # chance a routine line is not fully done
    sloppy: float  # chance a routine line gets a failed review


def _traits(rng: random.Random) -> Traits:
    # Calibrated on the demo province: about one person in eight HTXS, most HTT (general
    # criteria ≈ 19.5/30 with complete routine work ≈ 88 points), a few HT.
    draw = rng.random()
    if draw < 0.12:
        return Traits(5.8, 0.0, 0.0)  # strong: HTXS territory
    if draw < 0.85:
        return Traits(3.9, 0.15, 0.02)
    return Traits(3.3, 0.35, 0.2)


class _Org:
    """Who leads which unit on a day, and the ancestors: the superior of each evaluation."""

    def __init__(self, day: date) -> None:
        self.tree = tree_as_of(day)
        self.leaders: dict[int, list[tuple[str, Person]]] = defaultdict(list)
        for m in Membership.objects.active_on(day).leaders().select_related("person"):
            self.leaders[m.unit_id].append((m.role, m.person))
        for rows in self.leaders.values():
            rows.sort(key=lambda r: (r[0] != Membership.Role.HEAD, r[1].pk))
        self.province_leaders = [
            g.person
            for g in RoleGrant.objects.active_on(day)
            .filter(role=RoleGrant.Role.LEADER)
            .select_related("person")
        ]

    def superior(self, e: Evaluation) -> Person | None:
        """Who proposes (authority.py): the head of the person's unit, else the decider."""
        return authority.proposer_for(e)

    def decider(self, e: Evaluation) -> Person | None:
        """Who decides and finalises (authority.py): the head of the classifying agency."""
        return authority.decider_for(e)

    def superior_of(self, m: Membership) -> Person | None:
        """The proposer for a post, asked before opening a period (nobody competent to
        decide → nothing is opened)."""
        e = Evaluation(person_id=m.person_id, unit_id=m.unit_id, role_in_unit=m.role)
        return self.superior(e) if self.decider(e) is not None else None


def _people(day: date, categories: Iterable[str]) -> list[Membership]:
    """Primary posts on `day`, deepest units first and, within a unit, members before deputies
    before heads: a leader's score mixes in the results of the people they manage."""
    rows = list(
        Membership.objects.active_on(day)
        .filter(is_primary=True, person__category__in=list(categories))
        .select_related("person")
    )
    tree = tree_as_of(day)
    return sorted(
        rows,
        key=lambda m: (
            -(tree.depth(m.unit_id) if m.unit_id in tree else 0),
            m.unit_id,
            ROLE_ORDER.get(str(m.role), 0),
            m.person.code,
        ),
    )


def _routine(
    e: Evaluation, rng: random.Random, traits: Traits, catalogue: list[ProductCatalogItem]
) -> list[ProductLine]:
    items = [i for i in catalogue if i.code != actions.TASK_ITEM_CODE]
    if not items:
        name, coef = LEADER_WORK
        return [ProductLine(name, coef, Decimal(4), Decimal(4))]
    lines = []
    for item in rng.sample(items, min(2, len(items))):
        assigned = Decimal(rng.randint(3, 8))
        completed = assigned - 1 if rng.random() < traits.shortfall else assigned
        issues: tuple[services.TaskIssue, ...] = ()
        if rng.random() < traits.sloppy:
            issues = (services.TaskIssue("quality", e.end, "Chưa đạt yêu cầu khi thẩm định"),)
        lines.append(
            ProductLine(item.name, item.coefficient, assigned, completed, item, issues=issues)
        )
    return lines


def _sheet(traits: Traits, rng: random.Random) -> dict[str, float]:
    return {
        c["code"]: round(
            min(float(c["max"]), max(0.0, traits.general + rng.choice([-0.5, 0, 0, 0.25]))), 2
        )
        for c in ND335["general_criteria"]
    }


def _finalise_by_superior(org: _Org, evaluations: list[Evaluation], reason: str = "") -> int:
    """Months: each superior finalises the periods they are competent for, in one batch."""
    groups: dict[int, tuple[Person, list[Evaluation]]] = {}
    for e in evaluations:
        head = org.decider(e)
        if head is not None:
            groups.setdefault(head.pk, (head, []))[1].append(e)
    done = 0
    # Staff before their heads: the batches with proportionally fewer HTXS are finalised
    # first, so the HTT they bring count when a head's batch is checked.
    for head, batch in sorted(
        groups.values(),
        key=lambda hb: sum(1 for e in hb[1] if e.decided_level == Level.HTXS) / len(hb[1]),
    ):
        batch_reason = reason
        if not batch_reason and actions.quota_warnings(batch):
            # The caller checked the whole agency within the quota; one competent level's
            # batch alone may not be (an agency head is classified by the level above).
            batch_reason = (
                "Tỷ lệ tính trên toàn cơ quan, đơn vị: trong giới hạn (chốt theo từng cấp có "
                "thẩm quyền)."
            )
        actions.do_finalise(batch, actor=head, quota_override_reason=batch_reason)
        done += len(batch)
    return done


def _finalise_unit(org: _Org, rows: list[Evaluation], reason: str = "") -> int:
    """A unit's year in one finalisation by a level competent for all of it (the superior of
    its head is also above its members), so the quota is judged on the whole unit as on the
    unit page; without such a person, superior by superior."""
    by_rank = sorted(rows, key=lambda e: ROLE_ORDER.get(e.role_in_unit, 0), reverse=True)
    top = org.decider(by_rank[0])
    if top is not None and all(authority.may(top, e, authority.FINALISE) for e in rows):
        actions.do_finalise(rows, actor=top, quota_override_reason=reason)
        return len(rows)
    return _finalise_by_superior(org, rows, reason)


def _month(
    year: int,
    month: int,
    *,
    today: date,
    rng_seed: int,
    traits: dict[int, Traits],
    existing: set[tuple[int, str, int, int]],
    result: YearRun,
) -> None:
    start, end = actions.period_bounds(Evaluation.Kind.MONTH, year, month)
    day = min(end, today)
    org = _Org(day)
    posts = _people(day, [Person.Category.CONG_CHUC])
    tasks = services.task_lines([m.person_id for m in posts], start, end, today)
    catalogue: dict[str, list[ProductCatalogItem]] = {}
    decided: list[Evaluation] = []
    for m in posts:
        person = m.person
        if (person.pk, Evaluation.Kind.MONTH, year, month) in existing:
            continue
        # Seeded by the person's code, not the row id: the same people draw the same on every
        # database (PostgreSQL sequences do not restart).
        rng = random.Random(f"{rng_seed}-{person.code}-{year}-{month}")  # noqa: S311 - demo data
        t = traits.setdefault(person.pk, _traits(random.Random(f"{rng_seed}-{person.code}")))  # noqa: S311
        head = org.superior_of(m)
        if head is None:
            result.skipped += 1
            continue
        try:
            e = actions.do_open_evaluation(person, Evaluation.Kind.MONTH, year, month)
        except ActionError:
            result.skipped += 1
            continue
        if e.job_position not in catalogue:
            catalogue[e.job_position] = actions.catalog_for(e.job_position, e.start, None)
        mine = tasks.get(person.pk, [])
        lines = actions.task_product_lines(e, mine) + _routine(e, rng, t, catalogue[e.job_position])
        actions.do_add_products(e, actor=head, lines=lines)
        result.task_products += len(mine)
        result.excused += sum(len(line.issues) for line in mine if line.cause)
        sheet = _sheet(t, rng)
        if e.is_leader:
            # e (rallying, uniting staff) is assessed by the proposer; đ is computed.
            sheet["doan_ket"] = 100.0 if t.general >= 5 else 90.0 if t.general >= 3.5 else 75.0
        actions.do_self_assess(e, actor=person, sheet=sheet)
        try:
            e = actions.do_propose(e, actor=head, sheet=sheet)
        except ActionError:
            result.skipped += 1  # a leader whose staff's month could not be decided
            continue
        if e.total_score is None:
            continue  # nothing assigned in the month: not scored, left open
        actions.do_decide(e, actor=org.decider(e) or head)
        decided.append(e)
    result.periods += _finalise_by_superior(org, decided)


def _year_due(
    posts: list[Membership],
    org: _Org,
    year: int,
    existing: set[tuple[int, str, int, int]],
    result: YearRun,
) -> Iterator[tuple[Membership, Person]]:
    """The posts whose year is not evaluated yet, each with the superior who evaluates it;
    a post without one is counted as skipped (both schemes' year runs start from this)."""
    for m in posts:
        if (m.person_id, Evaluation.Kind.YEAR, year, 0) in existing:
            continue
        head = org.superior_of(m)
        if head is None:
            result.skipped += 1
            continue
        yield m, head


def _year_points(
    year: int, today: date, existing: set[tuple[int, str, int, int]], result: YearRun
) -> None:
    org = _Org(today)
    by_unit: dict[int, list[Evaluation]] = defaultdict(list)
    for m, head in _year_due(
        _people(today, [Person.Category.CONG_CHUC]), org, year, existing, result
    ):
        try:
            y = actions.do_open_evaluation(m.person, Evaluation.Kind.YEAR, year)
        except ActionError:
            result.skipped += 1
            continue
        try:
            actions.do_self_assess(y, actor=m.person, comment="Báo cáo tự đánh giá năm.")
            actions.do_record_collective_comments(y, actor=head, comments="Tập thể nhất trí.")
            actions.do_propose(y, actor=head)
            actions.do_decide(y, actor=org.decider(y) or head)
        except ActionError:
            result.skipped += 1  # e.g. no tracked month in the year
            continue
        # The quota is counted per agency (the Sở with all its divisions, ND 335 Art. 20.5):
        # an agency's year is finalised together or left decided together.
        by_unit[authority.classifying_unit(y.unit_id)].append(y)
        result.years += 1
    codes = dict(Unit.objects.filter(pk__in=list(by_unit)).values_list("pk", "code"))
    for unit_id, rows in sorted(by_unit.items()):
        fresh = list(
            Evaluation.objects.filter(pk__in=[e.pk for e in rows]).select_related("rule_set")
        )
        warnings = actions.quota_warnings(fresh)
        if warnings:
            # Left decided: the unit page shows the warning before the finalise button.
            result.over_quota_units[codes.get(unit_id, str(unit_id))] = warnings
            continue
        result.finalised_years += _finalise_unit(org, fresh)


def _criteria_from_tasks(
    lines: list[services.TaskLine], rng: random.Random, traits: Traits, leader: bool
) -> dict[str, object]:
    """ND 90/48 criteria sheet: the person's tasks of the year on top of a routine base of 10."""
    # ND 90 counts a task done late or below standard as "short" (chưa bảo đảm tiến độ, chất
    # lượng) and an unfinished one against "completed": one unfinished task already keeps the
    # person from HT (Art. 10), as the decree reads.
    base = 10
    routine_short = 1 if rng.random() < traits.shortfall else 0
    open_tasks = sum(1 for t in lines if not t.completed)
    late = sum(1 for t in lines if t.completed and t.issues and not t.cause)
    total = base + len(lines)
    short = late + routine_short
    good = traits.general >= 5
    sheet: dict[str, object] = {
        "general_well": traits.general >= 3.9,
        "general_met": True,
        "tasks_total": total,
        "tasks_completed": total - open_tasks,
        "tasks_on_time_quality": total - open_tasks - short,
        "tasks_exceeded": total // 2 + 1 if good and short + open_tasks == 0 else 0,
        "tasks_short": short,
    }
    if leader:
        sheet |= {
            "unit_targets_total": 10,
            "unit_targets_completed": 10,
            "unit_targets_on_time_quality": 9,
            "unit_targets_exceeded": 6 if good else 2,
            "sub_units_total": 1,
            "sub_units_ht_or_better": 1,
            "sub_units_htt_or_better": 1,
        }
    return sheet


def _year_criteria(
    year: int,
    *,
    rng_seed: int,
    traits: dict[int, Traits],
    existing: set[tuple[int, str, int, int]],
    result: YearRun,
) -> None:
    end = date(year, 12, 31)
    org = _Org(end)
    posts = _people(end, Person.Category.values)
    lines = services.task_lines([m.person_id for m in posts], date(year, 1, 1), end, end)
    decided: dict[int, list[Evaluation]] = defaultdict(list)
    for m, head in _year_due(posts, org, year, existing, result):
        try:
            if rule_set_for(m.person.category, date(year, 1, 1)).scheme != Scheme.CRITERIA:
                continue
            y = actions.do_open_evaluation(m.person, Evaluation.Kind.YEAR, year)
        except ActionError:
            result.skipped += 1
            continue
        rng = random.Random(f"{rng_seed}-{m.person.code}-{year}")  # noqa: S311 - demo data
        t = traits.setdefault(
            m.person_id,
            _traits(random.Random(f"{rng_seed}-{m.person.code}")),  # noqa: S311 - demo data
        )
        sheet = _criteria_from_tasks(lines.get(m.person_id, []), rng, t, y.is_leader)
        actions.do_self_assess(y, actor=m.person, sheet=sheet, comment="Báo cáo tự đánh giá năm.")
        actions.do_record_collective_comments(y, actor=head, comments="Tập thể nhất trí.")
        actions.do_propose(y, actor=head, sheet=sheet)
        actions.do_decide(y, actor=org.decider(y) or head)
        decided[y.unit_id].append(y)
    for rows in decided.values():
        fresh = list(
            Evaluation.objects.filter(pk__in=[e.pk for e in rows]).select_related("rule_set")
        )
        reason = (
            "Kết quả năm đã được cấp có thẩm quyền xem xét (dữ liệu mẫu)"
            if actions.quota_warnings(fresh)
            else ""
        )
        result.previous_year += _finalise_unit(org, fresh, reason)


def run_year(
    year: int,
    *,
    today: date,
    seed: int = 2026,
    previous_year: bool = True,
    progress: Callable[[str], None] | None = None,
) -> YearRun:
    """Evaluate the province's `year` month by month up to `today` (ND 335 for công chức), the
    year with the quota check, and (previous_year) year − 1 under the rule set then in force."""
    started = time.monotonic()
    result = YearRun(year=year)
    say = progress or (lambda _msg: None)
    traits: dict[int, Traits] = {}
    existing = set(
        Evaluation.objects.filter(year__in=[year, year - 1]).values_list(
            "person_id", "kind", "year", "number"
        )
    )
    with actions.cached_access():
        with transaction.atomic():
            ensure_catalogue(today)
        if previous_year:
            with transaction.atomic():
                _year_criteria(
                    year - 1, rng_seed=seed, traits=traits, existing=existing, result=result
                )
            say(f"Năm {year - 1}: {result.previous_year} kết quả theo NĐ 90/2020, NĐ 48/2023")
        last_month = today.month if today.year == year else 12
        for month in range(1, last_month + 1):
            if (
                rule_set_for(Person.Category.CONG_CHUC, date(year, month, 1)).scheme
                != Scheme.POINTS
            ):
                continue
            with transaction.atomic():
                _month(
                    year,
                    month,
                    today=today,
                    rng_seed=seed,
                    traits=traits,
                    existing=existing,
                    result=result,
                )
            result.months += 1
            say(f"Tháng {month}/{year}: {result.periods} kỳ tháng đã chốt")
        with transaction.atomic():
            _year_points(year, today, existing, result)
    result.seconds = time.monotonic() - started
    return result
