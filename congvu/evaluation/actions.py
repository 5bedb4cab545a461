"""The only code that writes evaluation tables (STYLE.md §7.1).

Every do_* function runs in one transaction: it checks who acts, validates, changes rows and
records the step (audit.record); on ActionError nothing is changed. The flow of an
evaluation is: open → self-assessment → collective comments → the head proposes → the
competent level decides → finalisation (locked; with the HTXS quota check for years) →
corrections as new decisions, appeals within the window.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from congvu.audit import log as audit
from congvu.evaluation import authority, scoring, services
from congvu.evaluation.defaults import DISCIPLINE_FORMS
from congvu.evaluation.models import (
    Appeal,
    ConductRecord,
    Evaluation,
    EvaluationDecision,
    InnovationProposal,
    InnovationVote,
    Level,
    ProductCatalogItem,
    ProductIssue,
    ProductRecord,
    Proposal,
    RuleParameterChange,
    RuleSet,
    Scheme,
)
from congvu.evaluation.rules import rule_set_for, validate_param
from congvu.lib.errors import ActionError, ActionPermissionError
from congvu.org.models import Membership, Person, RoleGrant, Unit
from congvu.org.permissions import Access, access_for
from congvu.org.tree import tree_as_of

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from congvu.tasks.models import Task

# The kinds of audit event this module writes (congvu.audit.log refuses any other).
audit.register(
    "evaluation",
    "Kỳ đánh giá",
    (
        "opened",
        "product_added",
        "products_added",
        "product_issue",
        "objective_cause_claimed",
        "objective_cause_confirmed",
        "objective_cause_after_final",
        "objective_cause_rejected",
        "self_assessed",
        "collective_comments",
        "proposed",
        "decided",
        "finalised",
        "corrected",
        "appeal_filed",
        "appeal_resolved",
    ),
)
audit.register("rule_set", "Bộ tiêu chí", ("rule_set_created", "parameter_changed"))
audit.register("catalog", "Danh mục sản phẩm", ("catalog_item_added",))
audit.register("person", "Hồ sơ cán bộ", ("conduct_recorded",))
audit.register(
    "proposal", "Đề xuất khen thưởng, xử lý", ("proposal_decided", "discipline_extended")
)
audit.register(
    "innovation",
    "Đề xuất đổi mới, sáng tạo",
    (
        "innovation_registered",
        "innovation_vote",
        "innovation_vote_closed",
        "innovation_head_approved",
        "innovation_tasks",
        "innovation_finished",
        "innovation_reported",
        "innovation_evaluated",
    ),
)
S = Evaluation.Status


def _today() -> date:
    return timezone.localdate()


# --- rule sets ------------------------------------------------------------------------------


def _require_rule_admin(actor: Person | None, user: User | None) -> None:
    # Through access_for like every other check: the superuser is handled there.
    superuser = bool(user is not None and user.is_superuser)
    if not access_for(actor, _today(), superuser=superuser).may_edit_rules():
        raise ActionPermissionError(
            "Chỉ quản trị hệ thống hoặc Sở Nội vụ được sửa bộ quy tắc đánh giá."
        )


@transaction.atomic
def do_set_rule_parameter(
    rule_set: RuleSet,
    key: str,
    value: Any,
    *,
    reason: str,
    actor: Person | None = None,
    user: User | None = None,
) -> RuleParameterChange:
    """Edit one parameter; the old and new values, who, when and why are recorded."""
    _require_rule_admin(actor, user)
    if not reason.strip():
        raise ActionError("reason_required", "Cần nêu lý do sửa tham số.", field="reason")
    validate_param(key, value)
    rule_set = RuleSet.objects.select_for_update().get(pk=rule_set.pk)
    old = rule_set.params.get(key)
    if old == value:
        raise ActionError("unchanged", f"Tham số “{key}” đã có giá trị này.", field=key)
    rule_set.params = {**rule_set.params, key: value}
    rule_set.save(update_fields=["params"])
    change = RuleParameterChange.objects.create(
        rule_set=rule_set,
        key=key,
        old_value=old,
        new_value=value,
        reason=reason.strip(),
        changed_by=actor,
        changed_by_user=user,
    )
    audit.record(
        "rule_set", rule_set.pk, "parameter_changed", actor, {"key": key, "old": old, "new": value}
    )
    return change


@transaction.atomic
def do_create_rule_set(
    *,
    code: str,
    name: str,
    legal_basis: str,
    scheme: str,
    categories: Sequence[str],
    valid_from: date,
    valid_to: date | None = None,
    params: dict[str, Any] | None = None,
    reason: str,
    actor: Person | None = None,
    user: User | None = None,
) -> RuleSet:
    """Configure a new regime (e.g. a future decree for viên chức). Two rule sets starting on
    the same day for the same category would be ambiguous and are refused."""
    _require_rule_admin(actor, user)
    if not reason.strip():
        raise ActionError("reason_required", "Cần nêu lý do.", field="reason")
    code = code.strip()
    if not code or not name.strip() or not legal_basis.strip():
        raise ActionError("required", "Cần mã, tên và căn cứ pháp lý.", field="code")
    if RuleSet.objects.filter(code=code).exists():
        raise ActionError("duplicate_code", f"Mã bộ quy tắc {code} đã tồn tại.", field="code")
    if scheme not in Scheme.values:
        raise ActionError("invalid_scheme", "Phương pháp đánh giá không hợp lệ.", field="scheme")
    bad = [c for c in categories if c not in Person.Category.values]
    if not categories or bad:
        raise ActionError(
            "invalid_categories", f"Đối tượng áp dụng không hợp lệ: {bad}.", field="categories"
        )
    if valid_to is not None and valid_to < valid_from:
        raise ActionError(
            "invalid_range", "Ngày hết hiệu lực trước ngày bắt đầu.", field="valid_to"
        )
    for other in RuleSet.objects.filter(valid_from=valid_from):
        if set(other.categories) & set(categories):
            raise ActionError(
                "ambiguous_rule_set",
                f"Bộ quy tắc {other.code} cũng bắt đầu ngày {valid_from:%d/%m/%Y} cho cùng đối tượng.",
                field="valid_from",
            )
    for key, value in (params or {}).items():
        validate_param(key, value)
    rule_set = RuleSet.objects.create(
        code=code,
        name=name.strip(),
        legal_basis=legal_basis.strip(),
        scheme=scheme,
        categories=list(categories),
        valid_from=valid_from,
        valid_to=valid_to,
        params=params or {},
    )
    RuleParameterChange.objects.create(
        rule_set=rule_set,
        key="(tạo mới)",
        old_value=None,
        new_value={"categories": list(categories), "valid_from": valid_from.isoformat()},
        reason=reason.strip(),
        changed_by=actor,
        changed_by_user=user,
    )
    audit.record("rule_set", rule_set.pk, "rule_set_created", actor, {"code": code})
    return rule_set


@transaction.atomic
def do_set_rule_validity(
    rule_set: RuleSet,
    *,
    valid_to: date | None,
    reason: str,
    actor: Person | None = None,
    user: User | None = None,
) -> RuleParameterChange:
    """End (or reopen) a rule set, e.g. when a new decree for viên chức is configured."""
    _require_rule_admin(actor, user)
    if not reason.strip():
        raise ActionError("reason_required", "Cần nêu lý do.", field="reason")
    rule_set = RuleSet.objects.select_for_update().get(pk=rule_set.pk)
    if valid_to is not None and valid_to < rule_set.valid_from:
        raise ActionError(
            "invalid_range", "Ngày hết hiệu lực trước ngày bắt đầu.", field="valid_to"
        )
    old = rule_set.valid_to.isoformat() if rule_set.valid_to else None
    rule_set.valid_to = valid_to
    rule_set.save(update_fields=["valid_to"])
    return RuleParameterChange.objects.create(
        rule_set=rule_set,
        key="valid_to",
        old_value=old,
        new_value=valid_to.isoformat() if valid_to else None,
        reason=reason.strip(),
        changed_by=actor,
        changed_by_user=user,
    )


@transaction.atomic
def do_add_catalog_item(
    *,
    job_position: str,
    code: str,
    name: str,
    coefficient: Decimal,
    valid_from: date,
    measure: str = "sản phẩm",
    job_group: str = "",
    unit: Unit | None = None,
    actor: Person | None = None,
    user: User | None = None,
) -> ProductCatalogItem:
    _require_rule_admin(actor, user)
    if coefficient <= 0:
        raise ActionError(
            "invalid_coefficient", "Hệ số quy đổi phải lớn hơn 0.", field="coefficient"
        )
    if not job_position.strip() or not code.strip() or not name.strip():
        raise ActionError("required", "Cần vị trí việc làm, mã và tên sản phẩm.", field="code")
    if ProductCatalogItem.objects.filter(
        job_position=job_position.strip(), code=code.strip(), valid_from=valid_from
    ).exists():
        raise ActionError(
            "duplicate_code", f"Mã sản phẩm {code} đã có cho vị trí này.", field="code"
        )
    item = ProductCatalogItem.objects.create(
        job_position=job_position.strip(),
        job_group=job_group.strip(),
        code=code.strip(),
        name=name.strip(),
        measure=measure,
        coefficient=coefficient,
        unit=unit,
        valid_from=valid_from,
    )
    audit.record("catalog", item.pk, "catalog_item_added", actor, {"code": item.code})
    return item


def catalog_for(job_position: str, day: date, unit: Unit | None = None) -> list[ProductCatalogItem]:
    """The products of a job position in force on `day` (unit-specific items first)."""
    from django.db.models import Q

    qs = ProductCatalogItem.objects.filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=day),
        job_position=job_position,
        valid_from__lte=day,
    )
    qs = qs.filter(Q(unit__isnull=True) | Q(unit=unit)) if unit else qs.filter(unit__isnull=True)
    return list(qs.order_by("unit_id", "code"))


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
    if rule_set.scheme == Scheme.CRITERIA and kind != Evaluation.Kind.YEAR:
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
    audit.record(
        "evaluation",
        evaluation.pk,
        "opened",
        actor,
        {"period": evaluation.period_label, "rule_set": rule_set.code, "unit": eval_unit.code},
        evaluation=evaluation,
    )
    return evaluation


# --- who may act ----------------------------------------------------------------------------


def _lock(evaluation: Evaluation) -> Evaluation:
    return (
        Evaluation.objects.select_for_update()
        .select_related("rule_set", "unit", "person")
        .get(pk=evaluation.pk)
    )


def _require_open(evaluation: Evaluation, allowed: Sequence[str]) -> None:
    if evaluation.status == S.FINALISED:
        raise ActionError(
            "locked",
            "Kết quả đánh giá đã chốt, không thể sửa. Việc điều chỉnh phải bằng một quyết định mới.",
        )
    if evaluation.status not in allowed:
        raise ActionError(
            "wrong_step",
            f"Bước này không thực hiện được khi đánh giá đang ở trạng thái "
            f"“{evaluation.get_status_display()}”.",
        )


def _require_self(evaluation: Evaluation, actor: Person) -> None:
    if actor.pk != evaluation.person_id:
        raise ActionPermissionError("Chỉ người được đánh giá mới tự đánh giá được.")


# The bulk-run cache lives with the authority rules (authority.cached_access).
cached_access = authority.cached_access
_access = authority.access
_tree = authority.tree


def is_superior(actor: Person, evaluation: Evaluation) -> bool:
    """The actor directs the evaluated person: a head/deputy/leader over the unit, the head of
    the same unit for a deputy, someone above the unit for its head."""
    access = _access(actor)
    if actor.pk == evaluation.person_id or not access.can_act_on_unit(evaluation.unit_id):
        return False
    if not evaluation.is_leader or access.has_role(RoleGrant.Role.LEADER):
        return True
    parent = _tree().parent.get(evaluation.unit_id)
    if parent is not None and access.can_act_on_unit(parent):
        return True
    return (
        evaluation.role_in_unit == "deputy"
        and Membership.objects.active_on(_today())
        .filter(person=actor, unit_id=evaluation.unit_id, role=Membership.Role.HEAD)
        .exists()
    )


def _require_superior(evaluation: Evaluation, actor: Person) -> None:
    if not is_superior(actor, evaluation):
        raise ActionPermissionError(
            "Chỉ người đứng đầu, cấp trên có thẩm quyền của người được đánh giá mới thực hiện được."
        )


# --- products -------------------------------------------------------------------------------


@transaction.atomic
def do_add_product(
    evaluation: Evaluation,
    *,
    actor: Person,
    quantity_assigned: Decimal,
    quantity_completed: Decimal = Decimal(0),
    catalog_item: ProductCatalogItem | None = None,
    name: str = "",
    coefficient: Decimal | None = None,
    task: Task | None = None,
    task_ref: str = "",
) -> ProductRecord:
    evaluation = _lock(evaluation)
    _require_open(evaluation, [S.DRAFT, S.SELF_ASSESSED, S.COMMENTED, S.PROPOSED])
    if evaluation.rule_set.scheme != Scheme.POINTS or evaluation.kind == Evaluation.Kind.YEAR:
        raise ActionError("not_applicable", "Sản phẩm chỉ ghi nhận cho kỳ tháng/quý theo NĐ 335.")
    if actor.pk != evaluation.person_id and not is_superior(actor, evaluation):
        raise ActionPermissionError()
    if catalog_item is not None:
        name = name or catalog_item.name
        coefficient = coefficient or catalog_item.coefficient
    if not name.strip() or coefficient is None or coefficient <= 0:
        raise ActionError(
            "invalid_product", "Cần tên sản phẩm và hệ số quy đổi lớn hơn 0.", field="coefficient"
        )
    if quantity_assigned < 0 or quantity_completed < 0:
        raise ActionError("invalid_quantity", "Số lượng không được âm.", field="quantity")
    product = ProductRecord.objects.create(
        evaluation=evaluation,
        catalog_item=catalog_item,
        name=name.strip(),
        coefficient=coefficient,
        quantity_assigned=quantity_assigned,
        quantity_completed=quantity_completed,
        task=task,
        task_ref=task_ref,
    )
    audit.record(
        "evaluation",
        evaluation.pk,
        "product_added",
        actor,
        {
            "product": product.pk,
            "name": product.name,
            "coefficient": str(coefficient),
            "assigned": str(quantity_assigned),
            "completed": str(quantity_completed),
            "task": task.pk if task else None,
            "task_ref": task_ref,
        },
        evaluation=evaluation,
    )
    return product


@transaction.atomic
def do_record_product_issue(
    product: ProductRecord, *, actor: Person, kind: str, occurred_on: date, note: str = ""
) -> ProductIssue:
    """A failed quality review or a delay (−25 % of that product's points until excused)."""
    evaluation = _lock(product.evaluation)
    _require_open(evaluation, [S.DRAFT, S.SELF_ASSESSED, S.COMMENTED, S.PROPOSED])
    if not is_superior(actor, evaluation):
        raise ActionPermissionError("Chỉ người giao việc, người đứng đầu ghi nhận lỗi sản phẩm.")
    if kind not in ProductIssue.Kind.values:
        raise ActionError("invalid_kind", "Loại lỗi không hợp lệ.", field="kind")
    issue = ProductIssue.objects.create(
        product=product, kind=kind, occurred_on=occurred_on, note=note
    )
    audit.record(
        "evaluation",
        evaluation.pk,
        "product_issue",
        actor,
        {"product": product.pk, "kind": kind, "on": occurred_on.isoformat(), "note": note},
        evaluation=evaluation,
    )
    return issue


@transaction.atomic
def do_confirm_objective_cause(
    issue: ProductIssue, *, actor: Person | None, cause: str, source: str = "manual"
) -> ProductIssue:
    """Confirm an objective cause for an issue: it no longer deducts points.

    The tasks app calls this with source "legal_obstacle:<task>" after a legal obstacle is
    reviewed, or "dependency:<task>" when the delay belongs to another unit; actor None is the
    system acting on such a confirmed fact. On a finalised evaluation the fact is recorded but
    the score is not changed: a correction decision is needed (an event says so).
    """
    issue = ProductIssue.objects.select_for_update().select_related("product").get(pk=issue.pk)
    evaluation = _lock(issue.product.evaluation)
    if actor is not None:
        # The competent level (the head who proposes or decides), not any deputy.
        authority.require(actor, evaluation, authority.CONFIRM_CAUSE)
    if not cause.strip():
        raise ActionError("reason_required", "Cần nêu nguyên nhân khách quan.", field="cause")
    if issue.is_excused:
        raise ActionError("already_confirmed", "Nguyên nhân khách quan đã được xác nhận trước đó.")
    issue.objective_cause = cause.strip()
    issue.objective_cause_source = source
    issue.objective_cause_confirmed_by = actor
    issue.objective_cause_confirmed_at = timezone.now()
    issue.save(
        update_fields=[
            "objective_cause",
            "objective_cause_source",
            "objective_cause_confirmed_by",
            "objective_cause_confirmed_at",
        ]
    )
    audit.record(
        "evaluation",
        evaluation.pk,
        "objective_cause_after_final" if evaluation.is_locked else "objective_cause_confirmed",
        actor,
        {"issue": issue.pk, "cause": issue.objective_cause, "source": source},
        evaluation=evaluation,
    )
    return issue


def _valid_cause_source(issue: ProductIssue, source: str) -> str:
    """'manual', or a reviewed pause of the product's own task (services.cause_sources)."""
    source = source.strip() or "manual"
    if source == "manual":
        return source
    task_id = issue.product.task_id or 0
    allowed = {s.code for s in services.cause_sources([task_id]).get(task_id, [])}
    if source not in allowed:
        raise ActionError(
            "invalid_source",
            "Căn cứ nêu kèm không phải vướng mắc pháp lý hoặc sự phụ thuộc đã được xác nhận "
            "trên nhiệm vụ của sản phẩm này.",
            field="source",
        )
    return source


@transaction.atomic
def do_claim_objective_cause(
    issue: ProductIssue, *, actor: Person, cause: str, source: str = "manual"
) -> ProductIssue:
    """The person (or a superior on their behalf) puts forward an objective cause for a quality
    failure or a delay (giải trình); the competent level then confirms or rejects it."""
    issue = ProductIssue.objects.select_for_update().select_related("product").get(pk=issue.pk)
    evaluation = _lock(issue.product.evaluation)
    _require_open(evaluation, [S.DRAFT, S.SELF_ASSESSED, S.COMMENTED, S.PROPOSED])
    if actor.pk != evaluation.person_id and not is_superior(actor, evaluation):
        raise ActionPermissionError()
    if issue.is_excused:
        raise ActionError("already_confirmed", "Nguyên nhân khách quan đã được xác nhận trước đó.")
    if not cause.strip():
        raise ActionError("reason_required", "Cần nêu nguyên nhân khách quan.", field="cause")
    issue.cause_claim = cause.strip()
    issue.cause_claim_source = _valid_cause_source(issue, source)
    issue.cause_claimed_by = actor
    issue.cause_claimed_at = timezone.now()
    issue.save(
        update_fields=["cause_claim", "cause_claim_source", "cause_claimed_by", "cause_claimed_at"]
    )
    audit.record(
        "evaluation",
        evaluation.pk,
        "objective_cause_claimed",
        actor,
        {"issue": issue.pk, "cause": issue.cause_claim, "source": issue.cause_claim_source},
        evaluation=evaluation,
    )
    return issue


@transaction.atomic
def do_reject_objective_cause(issue: ProductIssue, *, actor: Person, reason: str) -> ProductIssue:
    """The competent level does not accept the cause put forward: the deduction stays."""
    issue = ProductIssue.objects.select_for_update().select_related("product").get(pk=issue.pk)
    evaluation = _lock(issue.product.evaluation)
    _require_open(evaluation, [S.DRAFT, S.SELF_ASSESSED, S.COMMENTED, S.PROPOSED])
    authority.require(actor, evaluation, authority.CONFIRM_CAUSE)
    if issue.cause_status != "claimed":
        raise ActionError(
            "nothing_to_reject", "Không có nguyên nhân khách quan nào đang chờ xem xét."
        )
    if not reason.strip():
        raise ActionError("reason_required", "Cần nêu lý do không xác nhận.", field="reason")
    issue.cause_rejection = reason.strip()
    issue.cause_rejected_by = actor
    issue.cause_rejected_at = timezone.now()
    issue.save(update_fields=["cause_rejection", "cause_rejected_by", "cause_rejected_at"])
    audit.record(
        "evaluation",
        evaluation.pk,
        "objective_cause_rejected",
        actor,
        {"issue": issue.pk, "reason": issue.cause_rejection},
        evaluation=evaluation,
    )
    return issue


# An acknowledged legal-obstacle or dependency pause explains a delay; it says nothing about the
# quality of the work, so a failed review on the same task keeps its deduction.
EXPLAINED_BY_PAUSE = (ProductIssue.Kind.DELAY,)


def _explains(cause: services.CauseSource | None, kind: str) -> services.CauseSource | None:
    return cause if cause is not None and kind in EXPLAINED_BY_PAUSE else None


# The catalogue item whose coefficient a task gets when it becomes a product line (per job
# position; without one the coefficient is 1).
TASK_ITEM_CODE = "NV"


@dataclass(frozen=True)
class ProductLine:
    """One product line for do_add_products: a catalogue item or a named product, or a task."""

    name: str
    coefficient: Decimal
    assigned: Decimal
    completed: Decimal
    catalog_item: ProductCatalogItem | None = None
    task_id: int | None = None
    issues: tuple[services.TaskIssue, ...] = ()
    cause: services.CauseSource | None = None


@transaction.atomic
def do_add_products(
    evaluation: Evaluation, *, actor: Person | None, lines: Sequence[ProductLine]
) -> list[ProductRecord]:
    """Several product lines of a period at once, with their issues and confirmed causes, in one
    transaction and one sealed event (`products_added`). The person or a superior may add
    products; only a superior (or the system, actor None) may bring issues with them. A task
    already in the period is skipped (idempotent)."""
    return _add_products(evaluation, actor, lines, from_log=False)


@transaction.atomic
def do_import_task_products(evaluation: Evaluation, *, actor: Person | None) -> list[ProductRecord]:
    """Tasks count as products (ND 335 Art. 14): the tasks the person led that were due in the
    period become product lines, with the delays and failed reviews read from the sealed task
    log and the objective causes acknowledged there (services.task_lines). The issues come
    from the log, not from the caller, so the person may run it too."""
    tasks = services.task_lines(
        [evaluation.person_id], evaluation.start, evaluation.end, _today()
    ).get(evaluation.person_id, [])
    return _add_products(evaluation, actor, task_product_lines(evaluation, tasks), from_log=True)


def _add_products(
    evaluation: Evaluation, actor: Person | None, lines: Sequence[ProductLine], *, from_log: bool
) -> list[ProductRecord]:
    evaluation = _lock(evaluation)
    _require_open(evaluation, [S.DRAFT, S.SELF_ASSESSED, S.COMMENTED, S.PROPOSED])
    if evaluation.rule_set.scheme != Scheme.POINTS or evaluation.kind == Evaluation.Kind.YEAR:
        raise ActionError("not_applicable", "Sản phẩm chỉ ghi nhận cho kỳ tháng/quý theo NĐ 335.")
    if actor is not None:
        superior = is_superior(actor, evaluation)
        if actor.pk != evaluation.person_id and not superior:
            raise ActionPermissionError()
        if not superior and not from_log and any(line.issues for line in lines):
            raise ActionPermissionError(
                "Chỉ người giao việc, người đứng đầu ghi nhận lỗi sản phẩm."
            )
    for line in lines:
        if not line.name.strip() or line.coefficient <= 0:
            raise ActionError(
                "invalid_product", "Cần tên sản phẩm và hệ số quy đổi lớn hơn 0.", field="name"
            )
        if line.assigned < 0 or line.completed < 0:
            raise ActionError("invalid_quantity", "Số lượng không được âm.", field="quantity")
    known = set(
        ProductRecord.objects.filter(evaluation=evaluation, task__isnull=False).values_list(
            "task_id", flat=True
        )
    )
    now = timezone.now()
    created: list[ProductRecord] = []
    logged: list[dict[str, Any]] = []
    for line in lines:
        if line.task_id is not None and line.task_id in known:
            continue
        product = ProductRecord.objects.create(
            evaluation=evaluation,
            catalog_item=line.catalog_item,
            name=line.name.strip()[:255],
            coefficient=line.coefficient,
            quantity_assigned=line.assigned,
            quantity_completed=line.completed,
            task_id=line.task_id,
        )
        ProductIssue.objects.bulk_create(
            ProductIssue(
                product=product,
                kind=issue.kind,
                occurred_on=issue.on,
                note=issue.note[:255],
                objective_cause=cause.label if cause else "",
                objective_cause_source=cause.code if cause else "",
                objective_cause_confirmed_at=now if cause else None,
            )
            for issue in line.issues
            for cause in [_explains(line.cause, issue.kind)]
        )
        created.append(product)
        logged.append(
            {
                "product": product.pk,
                "name": product.name,
                "coefficient": str(line.coefficient),
                "assigned": str(line.assigned),
                "completed": str(line.completed),
                "task": line.task_id,
                "issues": [[i.kind, i.on.isoformat(), i.note] for i in line.issues],
                "cause": line.cause.code if line.cause else "",
                "cause_excuses": list(EXPLAINED_BY_PAUSE) if line.cause else [],
            }
        )
    if created:
        audit.record(
            "evaluation",
            evaluation.pk,
            "products_added",
            actor,
            {"products": logged, "from_task_log": from_log},
            evaluation=evaluation,
        )
    return created


def task_product_lines(
    evaluation: Evaluation, tasks: Sequence[services.TaskLine]
) -> list[ProductLine]:
    """Tasks as product lines, with the coefficient of the job position's TASK_ITEM_CODE
    catalogue item (1 without one)."""
    item = next(
        (
            i
            for i in catalog_for(evaluation.job_position, evaluation.start, evaluation.unit)
            if i.code == TASK_ITEM_CODE
        ),
        None,
    )
    one = Decimal(1)
    return [
        ProductLine(
            name=f"Nhiệm vụ #{t.task_id}: {t.title}",
            coefficient=item.coefficient if item else one,
            assigned=one,
            completed=one if t.completed else Decimal(0),
            catalog_item=item,
            task_id=t.task_id,
            issues=t.issues,
            cause=t.cause,
        )
        for t in tasks
    ]


# --- the flow -------------------------------------------------------------------------------


@transaction.atomic
def do_self_assess(
    evaluation: Evaluation,
    *,
    actor: Person,
    sheet: dict[str, Any] | None = None,
    comment: str = "",
    level: str = "",
) -> Evaluation:
    """The person's self-assessment: general criteria (ND 335 periods) or criteria (ND 90)."""
    evaluation = _lock(evaluation)
    _require_self(evaluation, actor)
    _require_open(evaluation, [S.DRAFT, S.SELF_ASSESSED])
    sheet = sheet or {}
    result = services.score(evaluation, sheet, partial=True)
    self_level = result.level or ""
    if level:
        if level not in Level.values:
            raise ActionError("invalid_level", "Mức xếp loại không hợp lệ.", field="level")
        self_level = level
    if evaluation.rule_set.scheme == Scheme.CRITERIA:
        evaluation.criteria = {"self": sheet}
    else:
        evaluation.general_self = sheet
    evaluation.self_comment = comment
    evaluation.self_level = self_level
    evaluation.status = S.SELF_ASSESSED
    evaluation.save(
        update_fields=["criteria", "general_self", "self_comment", "self_level", "status"]
    )
    audit.record(
        "evaluation",
        evaluation.pk,
        "self_assessed",
        actor,
        {
            "sheet": sheet,
            "total": str(result.total) if result.total is not None else None,
            "level": self_level,
        },
        evaluation=evaluation,
    )
    return evaluation


@transaction.atomic
def do_record_collective_comments(
    evaluation: Evaluation, *, actor: Person, comments: str
) -> Evaluation:
    """Minutes of the unit meeting that commented on the self-assessment (ND 90 Art. 18)."""
    evaluation = _lock(evaluation)
    _require_open(evaluation, [S.SELF_ASSESSED, S.COMMENTED])
    access = access_for(actor)
    if actor.pk == evaluation.person_id or not access.can_act_on_unit(evaluation.unit_id):
        raise ActionPermissionError("Chỉ lãnh đạo đơn vị ghi nhận ý kiến của tập thể.")
    if not comments.strip():
        raise ActionError("required", "Cần nội dung ý kiến của tập thể.", field="comments")
    evaluation.collective_comments = comments.strip()
    evaluation.status = S.COMMENTED
    evaluation.save(update_fields=["collective_comments", "status"])
    audit.record(
        "evaluation",
        evaluation.pk,
        "collective_comments",
        actor,
        {"comments": comments.strip()},
        evaluation=evaluation,
    )
    return evaluation


@transaction.atomic
def do_propose(
    evaluation: Evaluation,
    *,
    actor: Person,
    sheet: dict[str, Any] | None = None,
    comment: str = "",
) -> Evaluation:
    """The head scores (general sheet / verified criteria) and proposes the level.

    Collective comments are required for a year; monthly and quarterly tracking may go from the
    self-assessment straight to the head.
    """
    evaluation = _lock(evaluation)
    allowed = [S.COMMENTED, S.PROPOSED]
    if evaluation.kind != Evaluation.Kind.YEAR:
        allowed.append(S.SELF_ASSESSED)
    _require_open(evaluation, allowed)
    authority.require(actor, evaluation, authority.PROPOSE)
    sheet = sheet or {}
    result = services.score(evaluation, sheet)
    result.reasons += services.finding_notes(evaluation)
    if evaluation.rule_set.scheme == Scheme.CRITERIA:
        evaluation.criteria = {**evaluation.criteria, "head": sheet}
    else:
        evaluation.general_head = sheet
    evaluation.general_score = result.general
    evaluation.task_score = result.task
    evaluation.total_score = result.total
    evaluation.proposed_level = result.level or ""
    evaluation.level_reasons = result.reasons
    evaluation.head_comment = comment
    evaluation.status = S.PROPOSED
    evaluation.save(
        update_fields=[
            "criteria",
            "general_head",
            "general_score",
            "task_score",
            "total_score",
            "proposed_level",
            "level_reasons",
            "head_comment",
            "status",
        ]
    )
    audit.record(
        "evaluation",
        evaluation.pk,
        "proposed",
        actor,
        {
            "sheet": sheet,
            "general": _s(result.general),
            "task": _s(result.task),
            "total": _s(result.total),
            "level": evaluation.proposed_level,
            "reasons": result.reasons,
        },
        evaluation=evaluation,
    )
    return evaluation


def _s(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


@transaction.atomic
def do_decide(
    evaluation: Evaluation, *, actor: Person, level: str = "", reason: str = ""
) -> Evaluation:
    """The competent level decides. Keeping the proposed level needs no reason; a different
    level does (and under ND 335 a level above the points is refused)."""
    evaluation = _lock(evaluation)
    _require_open(evaluation, [S.PROPOSED, S.DECIDED])
    authority.require(actor, evaluation, authority.DECIDE)
    level = level or evaluation.proposed_level
    if level not in Level.values:
        raise ActionError(
            "invalid_level",
            "Chưa có mức xếp loại để quyết định (chưa đủ điều kiện xếp loại).",
            field="level",
        )
    if level != evaluation.proposed_level:
        if not reason.strip():
            raise ActionError(
                "reason_required", "Quyết định khác mức đề xuất phải nêu lý do.", field="reason"
            )
        _check_level_change(evaluation, level)
    evaluation.decided_level = level
    evaluation.status = S.DECIDED
    evaluation.save(update_fields=["decided_level", "status"])
    audit.record(
        "evaluation",
        evaluation.pk,
        "decided",
        actor,
        {"level": level, "reason": reason},
        evaluation=evaluation,
    )
    return evaluation


def kht_grounds(evaluation: Evaluation) -> list[str]:
    """The decree's grounds for KHT that the record holds for this person and year (ND 335
    Art. 20.4 b–d; ND 90 Art. 11 / ND 48): points under 50 are the proposal's own ground."""
    params = evaluation.rule_set.params_with_defaults
    conduct = services.conduct_in_year(evaluation.person_id, evaluation.year)
    if evaluation.rule_set.scheme == Scheme.CRITERIA:
        from congvu.evaluation.scoring import nd48_applies

        duty_link = (
            bool(params.get("kht_discipline_requires_duty_link", False))
            if nd48_applies(evaluation.year, params)
            else True
        )
        return scoring.kht_overrides(conduct, params, duty_link=duty_link)
    return scoring.kht_overrides(conduct, params)


def _check_level_change(evaluation: Evaluation, level: str) -> None:
    """A decision below the proposal: KHT only on the decree's grounds; under ND 335 the level
    follows the points, so besides KHT only HTXS → HTT (the quota of Art. 20.5) is allowed.
    Never above the points (ND 335)."""
    from congvu.evaluation.models import level_rank

    proposed = evaluation.proposed_level
    points = evaluation.rule_set.scheme == Scheme.POINTS
    if points and proposed and level_rank(level) < level_rank(proposed):
        raise ActionError(
            "level_above_points",
            "Theo NĐ 335/2025, mức xếp loại không được cao hơn mức tương ứng với số điểm.",
            field="level",
        )
    if level == Level.KHT:
        if not kht_grounds(evaluation):
            raise ActionError(
                "kht_without_ground",
                "Chỉ xếp loại “Không hoàn thành nhiệm vụ” khi có căn cứ theo Nghị định: điểm "
                "dưới 50 (hoặc trên 50% nhiệm vụ chưa bảo đảm theo NĐ 90), bị kỷ luật do vi phạm "
                "liên quan đến thực thi công vụ trong năm, bị kết luận suy thoái, hoặc đơn vị "
                "trực tiếp phụ trách để xảy ra tham nhũng. Hồ sơ chưa ghi nhận căn cứ nào.",
                field="level",
            )
        return
    if points and proposed and not (proposed == Level.HTXS and level == Level.HTT):
        raise ActionError(
            "level_follows_points",
            "Theo NĐ 335/2025, mức xếp loại theo số điểm; chỉ được hạ từ “Hoàn thành xuất sắc” "
            "xuống “Hoàn thành tốt” (tỷ lệ tại Điều 20 khoản 5) hoặc xếp “Không hoàn thành” "
            "khi có căn cứ.",
            field="level",
        )


def finalisation_warnings(evaluations: Sequence[Evaluation]) -> list[str]:
    """What the web page shows before the finalise button: the HTXS quota violations (which
    block finalisation without a reason) and, for information, a missed year deadline."""
    return quota_warnings(evaluations) + deadline_warnings(evaluations)


def deadline_warnings(evaluations: Sequence[Evaluation], today: date | None = None) -> list[str]:
    """ND 335 Art. 21: the year is classified before 15/12 (`year_deadline`, day-month)."""
    today = today or _today()
    out: list[str] = []
    for year, rule_set in sorted(
        {(e.year, e.rule_set) for e in evaluations if e.kind == Evaluation.Kind.YEAR},
        key=lambda pair: pair[0],
    ):
        raw = rule_set.params_with_defaults.get("year_deadline")
        if not raw:
            continue
        day, month = (int(x) for x in str(raw).split("-"))
        from congvu.workdays.calendar import due_day

        # A day off ends the limit with the next working day (Civil Code Art. 148).
        deadline = due_day(date(year, month, day))
        if today > deadline:
            out.append(
                f"Đã quá thời điểm đánh giá, xếp loại năm {year} (trước ngày {deadline:%d/%m/%Y}); "
                "đơn vị có lịch đặc thù được thực hiện đến 15/01 năm sau."
            )
    return out


def quota_warnings(evaluations: Sequence[Evaluation]) -> list[str]:
    """HTXS ≤ 20 % of HTT per agency and per group of similar jobs (ND 335 Art. 20.5), counting
    the finalised results of the same agency (all its divisions) and year plus these."""
    out: list[str] = []
    by_agency: dict[tuple[int, int], dict[int, tuple[str, str]]] = {}
    for e in evaluations:
        if e.kind == Evaluation.Kind.YEAR:
            level = e.decided_level or e.proposed_level
            key = (authority.classifying_unit(e.unit_id), e.year)
            by_agency.setdefault(key, {})[e.pk] = (level, e.group_key)
    for (agency_id, year), pending in sorted(by_agency.items()):
        out += [v.message for v in services.quota_check(agency_id, year, pending)]
    return out


@transaction.atomic
def do_finalise(
    evaluations: Sequence[Evaluation],
    *,
    actor: Person,
    quota_override_reason: str = "",
    decision_ref: str = "",
) -> list[Evaluation]:
    """Finalise decided evaluations together (a unit's year). A violated HTXS quota is refused
    unless an override reason is given; the reason is stored and logged."""
    locked = [_lock(e) for e in evaluations]
    if not locked:
        raise ActionError("required", "Chưa chọn đánh giá nào để chốt.")
    for e in locked:
        _require_open(e, [S.DECIDED])
        authority.require(actor, e, authority.FINALISE)
    warnings = quota_warnings(locked)
    reason = quota_override_reason.strip()
    if warnings and not reason:
        raise ActionError(
            "quota_exceeded",
            " ".join(warnings)
            + " Hãy điều chỉnh kết quả hoặc nêu lý do vượt tỷ lệ (NĐ 335/2025 Điều 20 khoản 5) để chốt.",
            field="quota_override_reason",
        )
    now = timezone.now()
    for e in locked:
        e.final_level = e.decided_level
        e.status = S.FINALISED
        e.finalised_at = now
        e.finalised_by = actor
        e.quota_override_reason = reason if warnings else ""
        e.save(
            update_fields=[
                "final_level",
                "status",
                "finalised_at",
                "finalised_by",
                "quota_override_reason",
            ]
        )
        EvaluationDecision.objects.create(
            evaluation=e,
            kind=EvaluationDecision.Kind.FINAL,
            level=e.final_level,
            total_score=e.total_score,
            decided_by=actor,
            decision_ref=decision_ref,
            reason=reason if warnings else "",
        )
        audit.record(
            "evaluation",
            e.pk,
            "finalised",
            actor,
            {
                "level": e.final_level,
                "total": _s(e.total_score),
                "decision_ref": decision_ref,
                "quota_warnings": warnings,
                "quota_override_reason": reason if warnings else "",
            },
            evaluation=e,
        )
    return locked


@transaction.atomic
def do_correct(
    evaluation: Evaluation,
    *,
    actor: Person,
    level: str,
    reason: str,
    decision_ref: str = "",
    quota_override_reason: str = "",
    by_appeal: bool = False,
) -> EvaluationDecision:
    """A new decision on a finalised result (the old one stays in the record). `by_appeal`:
    called by do_resolve_appeal, which has checked the appeal level's competence."""
    evaluation = _lock(evaluation)
    if evaluation.status != S.FINALISED:
        raise ActionError("not_final", "Chỉ điều chỉnh được kết quả đã chốt.")
    if not by_appeal:
        authority.require(actor, evaluation, authority.DECIDE)
    if level not in Level.values:
        raise ActionError("invalid_level", "Mức xếp loại không hợp lệ.", field="level")
    if not reason.strip():
        raise ActionError(
            "reason_required", "Quyết định điều chỉnh phải nêu lý do.", field="reason"
        )
    if level == evaluation.final_level:
        raise ActionError("unchanged", "Mức xếp loại mới trùng mức hiện tại.", field="level")
    if (
        level == Level.KHT
        and evaluation.proposed_level != Level.KHT
        and not kht_grounds(evaluation)
    ):
        raise ActionError(
            "kht_without_ground",
            "Chỉ xếp loại “Không hoàn thành nhiệm vụ” khi có căn cứ theo Nghị định; hồ sơ chưa "
            "ghi nhận căn cứ nào.",
            field="level",
        )
    if evaluation.kind == Evaluation.Kind.YEAR:
        violations = services.quota_check(
            evaluation.unit_id, evaluation.year, {evaluation.pk: (level, evaluation.group_key)}
        )
        if violations and not quota_override_reason.strip():
            raise ActionError(
                "quota_exceeded",
                " ".join(v.message for v in violations) + " Cần nêu lý do vượt tỷ lệ.",
                field="quota_override_reason",
            )
    previous = evaluation.decisions.order_by("-decided_at", "-id").first()
    decision = EvaluationDecision.objects.create(
        evaluation=evaluation,
        kind=EvaluationDecision.Kind.CORRECTION,
        level=level,
        total_score=evaluation.total_score,
        decided_by=actor,
        decision_ref=decision_ref,
        reason=reason.strip(),
        supersedes=previous,
    )
    old = evaluation.final_level
    evaluation.final_level = level
    evaluation.save(update_fields=["final_level"])
    audit.record(
        "evaluation",
        evaluation.pk,
        "corrected",
        actor,
        {"old": old, "new": level, "reason": reason.strip(), "decision_ref": decision_ref},
        evaluation=evaluation,
    )
    return decision


@dataclass(frozen=True)
class AppealWindow:
    """When a result may be appealed and how fast the answer is due (docs/legal.md)."""

    notice_day: date  # the day the result was made known (finalisation, in-app notice)
    last_day: date  # after the Civil Code Art. 148 roll-forward
    days: int
    working: bool  # the window counts working days
    answer_working_days: int
    rule: str  # "" or "vien_chuc_2025"

    @property
    def rolled(self) -> bool:
        return not self.working and self.last_day != self.notice_day + timedelta(days=self.days)

    def describe(self) -> str:
        kind = "ngày làm việc" if self.working else "ngày"
        text = (
            f"{self.days} {kind} kể từ ngày nhận thông báo kết quả ({self.notice_day:%d/%m/%Y}), "
            f"hết hạn ngày {self.last_day:%d/%m/%Y}"
        )
        if self.rolled:
            text += " (ngày cuối trùng ngày nghỉ nên chuyển sang ngày làm việc tiếp theo)"
        return text


def appeal_window(evaluation: Evaluation) -> AppealWindow | None:
    """The appeal window of a finalised result. The first day is not counted (Civil Code
    Art. 147); a last day falling on a day off moves to the next working day (Art. 148). Viên
    chức under the Public Employees Law 2025 Art. 27 (from 1/7/2026): 5 days from publication,
    answered within 10 working days."""
    if evaluation.finalised_at is None:
        return None
    from congvu.workdays.calendar import get_calendar

    params = evaluation.rule_set.params_with_defaults
    notice = timezone.localtime(evaluation.finalised_at).date()
    cal = get_calendar()
    if authority.vien_chuc_law_applies(evaluation, notice, params):
        n = int(params["vien_chuc_appeal_window_days"])
        answer = int(params["vien_chuc_appeal_answer_working_days"])
        last = cal.next_working_day(notice + timedelta(days=n))
        return AppealWindow(notice, last, n, False, answer, "vien_chuc_2025")
    n = int(params["appeal_window_days"])
    answer = int(params["appeal_answer_working_days"])
    if params.get("appeal_window_kind") == "working":
        return AppealWindow(notice, cal.add_working_days(notice, n), n, True, answer, "")
    last = cal.next_working_day(notice + timedelta(days=n))
    return AppealWindow(notice, last, n, False, answer, "")


def appeal_deadline(evaluation: Evaluation) -> date | None:
    """The last day to appeal a finalised result (see appeal_window)."""
    window = appeal_window(evaluation)
    return window.last_day if window else None


def _decided_by(evaluation: Evaluation) -> int | None:
    last = evaluation.decisions.order_by("-decided_at", "-id").first()
    return last.decided_by_id if last else evaluation.finalised_by_id


@transaction.atomic
def do_file_appeal(
    evaluation: Evaluation, *, actor: Person, reason: str, filed_on: date | None = None
) -> Appeal:
    """The person appeals a finalised result within the window; the answer is due within
    `appeal_answer_working_days` working days, from the level above the one that decided."""
    evaluation = _lock(evaluation)
    _require_self(evaluation, actor)
    if evaluation.status != S.FINALISED or evaluation.finalised_at is None:
        raise ActionError("not_final", "Chỉ kiến nghị được đối với kết quả đã chốt.")
    if not reason.strip():
        raise ActionError("reason_required", "Cần nêu nội dung kiến nghị.", field="reason")
    if evaluation.appeals.filter(status=Appeal.Status.OPEN).exists():
        raise ActionError("appeal_open", "Kiến nghị trước về kết quả này đang được xem xét.")
    filed_on = filed_on or _today()
    window = appeal_window(evaluation)
    assert window is not None
    if filed_on > window.last_day:
        raise ActionError(
            "appeal_too_late",
            f"Đã quá thời hạn kiến nghị ({window.describe()}).",
            field="filed_on",
        )
    from congvu.workdays.calendar import add_working_days

    appeal = Appeal.objects.create(
        evaluation=evaluation,
        filed_by=actor,
        filed_on=filed_on,
        reason=reason.strip(),
        answer_due=add_working_days(filed_on, window.answer_working_days),
        rule=window.rule,
    )
    resolvers = authority.appeal_resolvers(
        evaluation, decided_by=_decided_by(evaluation), law_2025=bool(window.rule)
    )
    audit.record(
        "evaluation",
        evaluation.pk,
        "appeal_filed",
        actor,
        {
            "appeal": appeal.pk,
            "reason": reason,
            "answer_due": appeal.answer_due.isoformat() if appeal.answer_due else None,
            "rule": window.rule,
            "resolvers": resolvers,
        },
        evaluation=evaluation,
    )
    return appeal


def may_resolve_appeal(actor: Person, appeal: Appeal) -> bool:
    e = appeal.evaluation
    return authority.may_resolve_appeal(
        actor, e, decided_by=_decided_by(e), law_2025=bool(appeal.rule)
    )


@transaction.atomic
def do_resolve_appeal(
    appeal: Appeal,
    *,
    actor: Person,
    upheld: bool,
    resolution: str,
    new_level: str = "",
    decision_ref: str = "",
) -> Appeal:
    """The level above the one that decided answers in writing (never the person who decided).
    At the top of the tree the answer comes from outside the system: HR records it with the
    reference of the outside decision. An answer after `answer_due` is accepted and logged
    as late."""
    appeal = Appeal.objects.select_for_update().select_related("evaluation").get(pk=appeal.pk)
    if appeal.status != Appeal.Status.OPEN:
        raise ActionError("already_resolved", "Kiến nghị này đã được giải quyết.")
    if not resolution.strip():
        raise ActionError("reason_required", "Cần nêu kết quả giải quyết.", field="resolution")
    evaluation = appeal.evaluation
    decided_by = _decided_by(evaluation)
    if not authority.may_resolve_appeal(
        actor, evaluation, decided_by=decided_by, law_2025=bool(appeal.rule)
    ):
        if actor.pk == decided_by:
            raise ActionPermissionError(
                "Người đã quyết định kết quả không tự giải quyết kiến nghị về quyết định của "
                "mình: kiến nghị do cấp trên trực tiếp giải quyết."
            )
        raise ActionPermissionError(
            "Chỉ cấp trên của cấp đã quyết định kết quả mới giải quyết kiến nghị này."
        )
    outside = authority.competence(evaluation).appeal_unit is None and actor.pk not in (
        authority.appeal_resolvers(evaluation, decided_by=decided_by, law_2025=bool(appeal.rule))
    )
    if outside and not decision_ref.strip():
        raise ActionError(
            "reason_required",
            "Cấp giải quyết ở ngoài hệ thống: cần số văn bản trả lời của cấp có thẩm quyền.",
            field="decision_ref",
        )
    if upheld:
        do_correct(
            evaluation,
            actor=actor,
            level=new_level,
            reason=resolution,
            decision_ref=decision_ref,
            by_appeal=True,
        )
    today = _today()
    appeal.status = Appeal.Status.UPHELD if upheld else Appeal.Status.REJECTED
    appeal.resolution = resolution.strip()
    appeal.resolved_by = actor
    appeal.resolved_on = today
    appeal.decision_ref = decision_ref.strip()
    appeal.save(
        update_fields=["status", "resolution", "resolved_by", "resolved_on", "decision_ref"]
    )
    audit.record(
        "evaluation",
        evaluation.pk,
        "appeal_resolved",
        actor,
        {
            "appeal": appeal.pk,
            "upheld": upheld,
            "resolution": resolution,
            "decision_ref": decision_ref.strip(),
            "late": bool(appeal.answer_due and today > appeal.answer_due),
        },
        evaluation=evaluation,
    )
    return appeal


def overdue_appeals(day: date | None = None) -> list[Appeal]:
    """Open appeals past their answer deadline."""
    day = day or _today()
    return list(
        Appeal.objects.filter(status=Appeal.Status.OPEN, answer_due__lt=day)
        .select_related("evaluation", "evaluation__person")
        .order_by("answer_due", "pk")
    )


# --- conduct (inputs to the KHT overrides) ----------------------------------------------------


@transaction.atomic
def do_record_conduct(
    person: Person,
    *,
    actor: Person,
    kind: str,
    effective_on: date,
    form: str = "",
    decision_ref: str = "",
    note: str = "",
    related_to_duty: bool = True,
    violation_ref: str = "",
) -> ConductRecord:
    """Record a discipline decision or a conclusion that forces KHT in its year.

    `related_to_duty`: the violation was committed in performing public duty (only then does
    discipline force KHT under ND 335 Art. 20.4.c). `violation_ref`: the same reference on the
    Party and the administrative decision for one violation (ND 48/2023: counted in one year
    only)."""
    if kind not in ConductRecord.Kind.values:
        raise ActionError("invalid_kind", "Loại kết luận không hợp lệ.", field="kind")
    if kind in (ConductRecord.Kind.DISCIPLINE, ConductRecord.Kind.PARTY_DISCIPLINE) and (
        kind == ConductRecord.Kind.DISCIPLINE and form not in DISCIPLINE_FORMS
    ):
        raise ActionError(
            "invalid_form",
            "Hình thức kỷ luật phải là một trong: " + ", ".join(DISCIPLINE_FORMS.values()) + ".",
            field="form",
        )
    membership = person.primary_membership(effective_on) or person.primary_membership()
    access = access_for(actor)
    if (
        actor.pk == person.pk
        or membership is None
        or not (
            access.can_see_evaluations_of(membership.unit_id)
            and (access.has_role(RoleGrant.Role.HR) or access.can_act_on_unit(membership.unit_id))
        )
    ):
        raise ActionPermissionError("Chỉ cấp quản lý hoặc Sở Nội vụ ghi nhận kết luận, kỷ luật.")
    record = ConductRecord.objects.create(
        person=person,
        kind=kind,
        form=form,
        effective_on=effective_on,
        decision_ref=decision_ref,
        note=note,
        related_to_duty=related_to_duty,
        violation_ref=violation_ref.strip(),
        recorded_by=actor,
    )
    audit.record(
        "person",
        person.pk,
        "conduct_recorded",
        actor,
        {
            "kind": kind,
            "form": form,
            "on": effective_on.isoformat(),
            "decision_ref": decision_ref,
            "related_to_duty": related_to_duty,
            "violation_ref": violation_ref.strip(),
        },
    )
    return record


# --- consequences ---------------------------------------------------------------------------


def may_decide_proposal(
    actor: Person,
    proposal: Proposal,
    access: Access | None = None,
    unit_id: int | None = None,
) -> bool:
    """Not the person concerned; a leader directing the person's current unit, or HR.
    `unit_id` (the person's current primary unit) saves a query on list pages."""
    access = access or access_for(actor)
    if actor.pk == proposal.person_id:
        return False
    if unit_id is None:
        membership = proposal.person.primary_membership()
        if membership is None:
            return False
        unit_id = membership.unit_id
    return access.can_act_on_unit(unit_id) or access.has_role(RoleGrant.Role.HR)


@transaction.atomic
def do_decide_proposal(proposal: Proposal, *, actor: Person, accept: bool, note: str) -> Proposal:
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if proposal.status != Proposal.Status.OPEN:
        raise ActionError("already_decided", "Đề xuất này đã được quyết định.")
    if not may_decide_proposal(actor, proposal):
        raise ActionPermissionError("Chỉ cấp có thẩm quyền quyết định đề xuất này.")
    if not note.strip():
        raise ActionError("reason_required", "Cần ghi ý kiến quyết định.", field="note")
    proposal.status = Proposal.Status.ACCEPTED if accept else Proposal.Status.REJECTED
    proposal.decided_by = actor
    proposal.decided_at = timezone.now()
    proposal.decision_note = note.strip()
    proposal.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    audit.record(
        "proposal", proposal.pk, "proposal_decided", actor, {"accept": accept, "note": note}
    )
    return proposal


@transaction.atomic
def do_propose_discipline(
    person: Person,
    *,
    actor: Person,
    form: str,
    legal_ground: str,
    summary: str,
    opened_on: date | None = None,
    source_key: str = "",
    detected_on: date | None = None,
    violation_on: date | None = None,
) -> Proposal:
    """A discipline proposal with its ND 172/2025 form and time limit (90 days, up to 150,
    from the day the violation was detected; refused past the statute of limitations)."""
    from congvu.evaluation.consequences import discipline_proposal

    return discipline_proposal(
        person,
        actor=actor,
        form=form,
        legal_ground=legal_ground,
        summary=summary,
        opened_on=opened_on or _today(),
        source_key=source_key,
        detected_on=detected_on,
        violation_on=violation_on,
    )


@transaction.atomic
def do_extend_discipline(
    proposal: Proposal, *, actor: Person, new_due_on: date, reason: str
) -> Proposal:
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if proposal.kind != Proposal.Kind.DISCIPLINE or proposal.status != Proposal.Status.OPEN:
        raise ActionError("not_applicable", "Chỉ gia hạn được đề xuất kỷ luật đang xem xét.")
    access = access_for(actor)
    membership = proposal.person.primary_membership()
    if membership is None or not (
        access.can_act_on_unit(membership.unit_id) or access.has_role(RoleGrant.Role.HR)
    ):
        raise ActionPermissionError()
    if not reason.strip():
        raise ActionError("reason_required", "Gia hạn phải nêu lý do.", field="reason")
    assert proposal.max_due_on is not None
    if new_due_on > proposal.max_due_on or (proposal.due_on and new_due_on <= proposal.due_on):
        raise ActionError(
            "invalid_extension",
            f"Thời hạn xử lý kỷ luật chỉ được kéo dài đến tối đa ngày {proposal.max_due_on:%d/%m/%Y} "
            "(NĐ 172/2025: không quá 150 ngày).",
            field="new_due_on",
        )
    old = proposal.due_on
    proposal.due_on = new_due_on
    proposal.save(update_fields=["due_on"])
    audit.record(
        "proposal",
        proposal.pk,
        "discipline_extended",
        actor,
        {"old": old.isoformat() if old else None, "new": new_due_on.isoformat(), "reason": reason},
    )
    return proposal


# --- innovation (ND 73/2023) -----------------------------------------------------------------


def employing_agency(unit: Unit, day: date) -> Unit:
    """The nearest unit at or above `unit` that is an agency (cơ quan): a unit type of level
    ≤ AGENCY_MAX_LEVEL (UBND tỉnh, Sở, UBND xã); a phòng belongs to its Sở."""
    tree = tree_as_of(day)
    for unit_id in [unit.pk, *tree.ancestors(unit.pk)]:
        candidate = Unit.objects.select_related("unit_type").get(pk=unit_id)
        if candidate.unit_type.level <= AGENCY_MAX_LEVEL:
            return candidate
    return unit


# Unit-type levels that are agencies (cơ quan) for ND 73/2023; phòng (level 3) are not.
AGENCY_MAX_LEVEL = 2


def _agency_head(unit: Unit, day: date) -> Person | None:
    m = Membership.objects.active_on(day).heads().filter(unit=unit).select_related("person").first()
    return m.person if m else None


@transaction.atomic
def do_register_innovation(
    *,
    proposer: Person,
    title: str,
    necessity: str,
    content: str,
    scope: str,
    timeline: str,
    resources: str,
    expected_effect: str,
    received_on: date | None = None,
) -> InnovationProposal:
    """Art. 7: the plan goes to the head of the employing agency — or, if the proposer is that
    head, to the head of the superior agency. The vote is due within 7 working days (Art. 8.1)."""
    from congvu.workdays.calendar import add_working_days

    fields = {
        "title": title,
        "necessity": necessity,
        "content": content,
        "scope": scope,
        "timeline": timeline,
        "resources": resources,
        "expected_effect": expected_effect,
    }
    missing = [k for k, v in fields.items() if not v.strip()]
    if missing:
        raise ActionError(
            "required",
            "Kế hoạch đề xuất đổi mới phải có đủ: sự cần thiết, nội dung, phạm vi, thời gian, "
            f"nguồn lực, hiệu quả dự kiến (còn thiếu: {', '.join(missing)}).",
            field=missing[0],
        )
    received_on = received_on or _today()
    membership = proposer.primary_membership(received_on)
    if membership is None:
        raise ActionError("no_membership", "Người đề xuất không thuộc cơ quan nào.")
    if membership.role not in (Membership.Role.HEAD, Membership.Role.DEPUTY):
        raise ActionError(
            "not_covered",
            "NĐ 73/2023 áp dụng với cán bộ, công chức, viên chức giữ chức vụ lãnh đạo, quản lý.",
        )
    agency = employing_agency(membership.unit, received_on)
    head = _agency_head(agency, received_on)
    if head is not None and head.pk == proposer.pk:
        tree = tree_as_of(received_on)
        parent = tree.parent.get(agency.pk)
        if parent is None:
            raise ActionError(
                "no_superior", "Không xác định được cơ quan cấp trên để gửi kế hoạch đề xuất."
            )
        agency = employing_agency(Unit.objects.get(pk=parent), received_on)
    proposal = InnovationProposal.objects.create(
        proposer=proposer,
        agency=agency,
        received_on=received_on,
        vote_due_on=add_working_days(received_on, 7),
        **{k: v.strip() for k, v in fields.items()},
    )
    audit.record(
        "innovation",
        proposal.pk,
        "innovation_registered",
        proposer,
        {"agency": agency.code, "vote_due_on": proposal.vote_due_on.isoformat()},
    )
    return proposal


def innovation_voters(proposal: InnovationProposal, day: date) -> dict[int, bool]:
    """Eligible voters (person id → is head): the agency's head and deputies, minus the proposer."""
    rows = Membership.objects.active_on(day).leaders().filter(unit=proposal.agency)
    return {
        m.person_id: m.role == Membership.Role.HEAD
        for m in rows
        if m.person_id != proposal.proposer_id
    }


@transaction.atomic
def do_cast_innovation_vote(
    proposal: InnovationProposal, *, voter: Person, in_favour: bool, on: date | None = None
) -> InnovationVote:
    proposal = InnovationProposal.objects.select_for_update().get(pk=proposal.pk)
    on = on or _today()
    if proposal.status != InnovationProposal.Status.REGISTERED:
        raise ActionError("wrong_step", "Đề xuất không còn ở bước biểu quyết.")
    voters = innovation_voters(proposal, on)
    if voter.pk == proposal.proposer_id:
        raise ActionError(
            "ineligible_voter",
            "Người đề xuất là cấp phó không tham gia biểu quyết đề xuất của mình (NĐ 73/2023 Điều 8).",
        )
    if voter.pk not in voters:
        raise ActionError(
            "ineligible_voter",
            "Chỉ người đứng đầu và cấp phó của cơ quan được biểu quyết đề xuất đổi mới, sáng tạo.",
        )
    if InnovationVote.objects.filter(proposal=proposal, voter=voter).exists():
        raise ActionError("already_voted", "Người này đã biểu quyết.")
    vote = InnovationVote.objects.create(
        proposal=proposal, voter=voter, in_favour=in_favour, is_head=voters[voter.pk]
    )
    audit.record("innovation", proposal.pk, "innovation_vote", voter, {"in_favour": in_favour})
    return vote


@transaction.atomic
def do_close_innovation_vote(
    proposal: InnovationProposal, *, actor: Person, on: date | None = None
) -> InnovationProposal:
    """Count: more than 50 % of the eligible voters in favour passes; on a tie the head's vote
    decides (Art. 8.1)."""
    proposal = InnovationProposal.objects.select_for_update().get(pk=proposal.pk)
    on = on or _today()
    if proposal.status != InnovationProposal.Status.REGISTERED:
        raise ActionError("wrong_step", "Đề xuất không còn ở bước biểu quyết.")
    voters = innovation_voters(proposal, on)
    head_id = next((pid for pid, is_head in voters.items() if is_head), None)
    if actor.pk != head_id:
        raise ActionPermissionError("Người đứng đầu cơ quan chủ trì và kết luận biểu quyết.")
    votes = list(proposal.votes.all())
    yes = sum(1 for v in votes if v.in_favour)
    no = sum(1 for v in votes if not v.in_favour)
    total = len(voters)
    head_vote = next((v.in_favour for v in votes if v.voter_id == head_id), None)
    passed = 2 * yes > total or (2 * yes == total and yes == no and head_vote is True)
    proposal.status = (
        InnovationProposal.Status.APPROVED if passed else InnovationProposal.Status.REJECTED
    )
    proposal.voted_on = on
    proposal.approved_on = on if passed else None
    proposal.save(update_fields=["status", "voted_on", "approved_on"])
    audit.record(
        "innovation",
        proposal.pk,
        "innovation_vote_closed",
        actor,
        {
            "yes": yes,
            "no": no,
            "eligible": total,
            "passed": passed,
            "head_vote": head_vote,
            # The 7-working-day limit binds the agency; a late meeting is recorded, not refused.
            "late": on > proposal.vote_due_on,
        },
    )
    return proposal


@transaction.atomic
def do_head_approve_innovation(
    proposal: InnovationProposal, *, actor: Person, written_decision: str, on: date | None = None
) -> InnovationProposal:
    """After a failed vote the head may approve in writing and bears the responsibility."""
    proposal = InnovationProposal.objects.select_for_update().get(pk=proposal.pk)
    on = on or _today()
    if proposal.status != InnovationProposal.Status.REJECTED:
        raise ActionError(
            "wrong_step", "Chỉ phê duyệt bằng văn bản sau khi biểu quyết không thông qua."
        )
    voters = innovation_voters(proposal, on)
    if not voters.get(actor.pk, False):
        raise ActionPermissionError("Chỉ người đứng đầu cơ quan được phê duyệt bằng văn bản.")
    if not written_decision.strip():
        raise ActionError("required", "Cần nội dung văn bản phê duyệt.", field="written_decision")
    proposal.status = InnovationProposal.Status.APPROVED
    proposal.head_written_approval = written_decision.strip()
    proposal.approved_on = on
    proposal.save(update_fields=["status", "head_written_approval", "approved_on"])
    audit.record(
        "innovation", proposal.pk, "innovation_head_approved", actor, {"text": written_decision}
    )
    return proposal


@transaction.atomic
def do_link_innovation_tasks(
    proposal: InnovationProposal,
    *,
    actor: Person,
    tasks: Sequence[Task] = (),
    task_refs: Sequence[str] = (),
) -> InnovationProposal:
    """Link the tasks that implement an approved proposal (they become protected: see
    protected_task_ids), plus references to work outside the system."""
    from congvu.tasks.actions import can_see_task

    proposal = InnovationProposal.objects.select_for_update().get(pk=proposal.pk)
    if proposal.status != InnovationProposal.Status.APPROVED:
        raise ActionError("wrong_step", "Chỉ gắn nhiệm vụ cho đề xuất đã được thông qua.")
    access = access_for(actor)
    if actor.pk != proposal.proposer_id and not access.can_act_on_unit(proposal.agency_id):
        raise ActionPermissionError()
    for task in tasks:
        if not can_see_task(task, access):
            raise ActionError(
                "out_of_scope", f"Nhiệm vụ #{task.pk} không thuộc phạm vi của bạn.", field="tasks"
            )
    refs = sorted({*proposal.task_refs, *(r.strip() for r in task_refs if r.strip())})
    proposal.task_refs = refs
    proposal.save(update_fields=["task_refs"])
    proposal.tasks.add(*tasks)
    audit.record(
        "innovation",
        proposal.pk,
        "innovation_tasks",
        actor,
        {"tasks": sorted(t.pk for t in tasks), "task_refs": refs},
    )
    return proposal


def protected_task_ids(day: date | None = None) -> set[int]:
    """Tasks implementing an approved ND 73 proposal that has not been evaluated as "not
    protected": detection must not turn them into avoidance or stalling findings."""
    del day  # protection follows the proposal's state, not the calendar
    qs = InnovationProposal.objects.filter(
        status__in=[
            InnovationProposal.Status.APPROVED,
            InnovationProposal.Status.REPORTED,
            InnovationProposal.Status.EVALUATED,
        ]
    ).exclude(outcome=InnovationProposal.Outcome.NOT_PROTECTED)
    return set(
        InnovationProposal.tasks.through.objects.filter(innovationproposal__in=qs).values_list(
            "task_id", flat=True
        )
    )


@transaction.atomic
def excuse_issues_for_task(
    task: Task, *, cause: str, source: str, actor: Person | None = None
) -> list[ProductIssue]:
    """Hook for the tasks app: a reviewed legal obstacle or a confirmed dependency on `task`
    confirms the objective cause of the open DELAYS on products linked to it. A pause explains
    lateness, not a failed quality review: those need their own confirmed cause (ND 335
    Art. 14 excuses only what the objective cause explains)."""
    issues = ProductIssue.objects.filter(
        product__task=task,
        kind__in=EXPLAINED_BY_PAUSE,
        objective_cause_confirmed_at__isnull=True,
    )
    return [do_confirm_objective_cause(i, actor=actor, cause=cause, source=source) for i in issues]


@transaction.atomic
def do_finish_innovation(
    proposal: InnovationProposal, *, actor: Person, finished_on: date
) -> InnovationProposal:
    from congvu.workdays.calendar import add_working_days

    proposal = InnovationProposal.objects.select_for_update().get(pk=proposal.pk)
    if proposal.status != InnovationProposal.Status.APPROVED or proposal.finished_on:
        raise ActionError("wrong_step", "Đề xuất chưa được thông qua hoặc đã kết thúc.")
    if actor.pk != proposal.proposer_id:
        raise ActionPermissionError("Người thực hiện đề xuất ghi nhận ngày kết thúc.")
    proposal.finished_on = finished_on
    proposal.report_due_on = add_working_days(finished_on, 5)
    proposal.save(update_fields=["finished_on", "report_due_on"])
    audit.record(
        "innovation",
        proposal.pk,
        "innovation_finished",
        actor,
        {
            "finished_on": finished_on.isoformat(),
            "report_due_on": proposal.report_due_on.isoformat(),
        },
    )
    return proposal


@transaction.atomic
def do_report_innovation(
    proposal: InnovationProposal, *, actor: Person, report: str, on: date | None = None
) -> InnovationProposal:
    """Art. 18: a truthful written report within 5 working days of finishing; the evaluation
    is then due within 7 working days. A late report is accepted and logged as late."""
    from congvu.workdays.calendar import add_working_days

    proposal = InnovationProposal.objects.select_for_update().get(pk=proposal.pk)
    on = on or _today()
    if proposal.finished_on is None or proposal.status != InnovationProposal.Status.APPROVED:
        raise ActionError("wrong_step", "Cần ghi nhận ngày kết thúc trước khi báo cáo.")
    if actor.pk != proposal.proposer_id:
        raise ActionPermissionError("Người thực hiện đề xuất lập báo cáo kết quả.")
    if not report.strip():
        raise ActionError("required", "Cần nội dung báo cáo.", field="report")
    proposal.report = report.strip()
    proposal.reported_on = on
    proposal.evaluation_due_on = add_working_days(on, 7)
    proposal.status = InnovationProposal.Status.REPORTED
    proposal.save(update_fields=["report", "reported_on", "evaluation_due_on", "status"])
    late = proposal.report_due_on is not None and on > proposal.report_due_on
    audit.record(
        "innovation",
        proposal.pk,
        "innovation_reported",
        actor,
        {
            "on": on.isoformat(),
            "late": late,
            "evaluation_due_on": proposal.evaluation_due_on.isoformat(),
        },
    )
    return proposal


@transaction.atomic
def do_evaluate_innovation(
    proposal: InnovationProposal,
    *,
    actor: Person,
    outcome: str,
    note: str,
    on: date | None = None,
) -> InnovationProposal:
    """Art. 11, 18: the collective (without a proposer-deputy) evaluates; the head records the
    protection outcome."""
    proposal = InnovationProposal.objects.select_for_update().get(pk=proposal.pk)
    on = on or _today()
    if proposal.status != InnovationProposal.Status.REPORTED:
        raise ActionError("wrong_step", "Chỉ đánh giá sau khi có báo cáo kết quả.")
    voters = innovation_voters(proposal, on)
    if not voters.get(actor.pk, False):
        raise ActionPermissionError("Người đứng đầu cơ quan kết luận đánh giá.")
    if outcome not in InnovationProposal.Outcome.values:
        raise ActionError("invalid_outcome", "Kết quả bảo vệ không hợp lệ.", field="outcome")
    if not note.strip():
        raise ActionError("required", "Cần nội dung đánh giá.", field="note")
    proposal.outcome = outcome
    proposal.outcome_note = note.strip()
    proposal.evaluated_on = on
    proposal.status = InnovationProposal.Status.EVALUATED
    proposal.save(update_fields=["outcome", "outcome_note", "evaluated_on", "status"])
    late = proposal.evaluation_due_on is not None and on > proposal.evaluation_due_on
    audit.record(
        "innovation",
        proposal.pk,
        "innovation_evaluated",
        actor,
        {"outcome": outcome, "late": late},
    )
    return proposal


def overdue_innovations(day: date | None = None) -> list[tuple[InnovationProposal, str]]:
    """Proposals whose ND 73 step is past its working-day deadline, with the step's name."""
    from django.db.models import Q

    day = day or _today()
    out: list[tuple[InnovationProposal, str]] = []
    qs = InnovationProposal.objects.filter(
        Q(status=InnovationProposal.Status.REGISTERED, vote_due_on__lt=day)
        | Q(status=InnovationProposal.Status.APPROVED, report_due_on__lt=day)
        | Q(status=InnovationProposal.Status.REPORTED, evaluation_due_on__lt=day)
    ).select_related("proposer", "agency")
    for p in qs:
        step = {
            InnovationProposal.Status.REGISTERED: "biểu quyết (07 ngày làm việc)",
            InnovationProposal.Status.APPROVED: "báo cáo kết quả (05 ngày làm việc)",
            InnovationProposal.Status.REPORTED: "đánh giá kết quả (07 ngày làm việc)",
        }[InnovationProposal.Status(p.status)]
        out.append((p, step))
    return out
