"""The ND 335 task-result inputs of a period: products, failed reviews and delays, objective causes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from congvu.evaluation import authority, services
from congvu.evaluation.models import (
    Evaluation,
    ProductCatalogItem,
    ProductIssue,
    ProductRecord,
)
from congvu.lib.errors import ActionError, ActionPermissionError
from congvu.org.models import Person

if TYPE_CHECKING:
    from congvu.tasks.models import Task
from congvu.evaluation.acts.common import S, _lock, _log, _require_open, _today, is_superior
from congvu.evaluation.acts.rule_sets import catalog_for
from congvu.evaluation.schemes import scheme_of

# --- products -------------------------------------------------------------------------------

# Products and their issues may change until the level is decided: the decision weighs them.
PRODUCTS_OPEN = (S.DRAFT, S.SELF_ASSESSED, S.COMMENTED, S.PROPOSED)


def _lock_for_products(evaluation: Evaluation) -> Evaluation:
    """Locked, still open, and of a period that has products (ND 335 months and quarters)."""
    evaluation = _lock(evaluation)
    _require_open(evaluation, PRODUCTS_OPEN)
    if not scheme_of(evaluation.rule_set).has_products(evaluation.kind):
        raise ActionError("not_applicable", "Sản phẩm chỉ ghi nhận cho kỳ tháng/quý theo NĐ 335.")
    return evaluation


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
    evaluation = _lock_for_products(evaluation)
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
    _log(
        evaluation,
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
    )
    return product


@transaction.atomic
def do_record_product_issue(
    product: ProductRecord, *, actor: Person, kind: str, occurred_on: date, note: str = ""
) -> ProductIssue:
    """A failed quality review or a delay (−25 % of that product's points until excused)."""
    evaluation = _lock(product.evaluation)
    _require_open(evaluation, PRODUCTS_OPEN)
    if not is_superior(actor, evaluation):
        raise ActionPermissionError("Chỉ người giao việc, người đứng đầu ghi nhận lỗi sản phẩm.")
    if kind not in ProductIssue.Kind.values:
        raise ActionError("invalid_kind", "Loại lỗi không hợp lệ.", field="kind")
    issue = ProductIssue.objects.create(
        product=product, kind=kind, occurred_on=occurred_on, note=note
    )
    _log(
        evaluation,
        "product_issue",
        actor,
        {"product": product.pk, "kind": kind, "on": occurred_on.isoformat(), "note": note},
    )
    return issue


def _lock_issue(issue: ProductIssue) -> tuple[ProductIssue, Evaluation]:
    """The issue and its evaluation, both locked: the issue first, then its evaluation."""
    issue = ProductIssue.objects.select_for_update().select_related("product").get(pk=issue.pk)
    return issue, _lock(issue.product.evaluation)


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
    issue, evaluation = _lock_issue(issue)
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
    _log(
        evaluation,
        "objective_cause_after_final" if evaluation.is_locked else "objective_cause_confirmed",
        actor,
        {"issue": issue.pk, "cause": issue.objective_cause, "source": source},
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
    issue, evaluation = _lock_issue(issue)
    _require_open(evaluation, PRODUCTS_OPEN)
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
    _log(
        evaluation,
        "objective_cause_claimed",
        actor,
        {"issue": issue.pk, "cause": issue.cause_claim, "source": issue.cause_claim_source},
    )
    return issue


@transaction.atomic
def do_reject_objective_cause(issue: ProductIssue, *, actor: Person, reason: str) -> ProductIssue:
    """The competent level does not accept the cause put forward: the deduction stays."""
    issue, evaluation = _lock_issue(issue)
    _require_open(evaluation, PRODUCTS_OPEN)
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
    _log(
        evaluation,
        "objective_cause_rejected",
        actor,
        {"issue": issue.pk, "reason": issue.cause_rejection},
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
    evaluation = _lock_for_products(evaluation)
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
        _log(evaluation, "products_added", actor, {"products": logged, "from_task_log": from_log})
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
