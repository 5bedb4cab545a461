"""The ND 335 task-result inputs of a period on a person's page: products from the job
position's catalogue (or the tasks of the period), failed quality reviews and delays, and the
objective causes put forward, confirmed or rejected.

One POST endpoint, `step` says which action: add / import / issue / claim / confirm / reject.
The view only parses the form and calls congvu.evaluation.actions, which decides who may act;
bad input comes back as a message on the page and writes nothing.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from congvu.evaluation import actions as A
from congvu.evaluation.models import Evaluation, ProductIssue, ProductRecord
from congvu.evaluation.views import PeriodCtx, PeriodStep, run_period_step
from congvu.lib.errors import ActionError
from congvu.lib.http import login_required
from congvu.lib.steps import PostedStep, by_key
from congvu.org.models import today


def _bad(message: str, field: str) -> ActionError:
    return ActionError("invalid_input", message, field=field)


def _decimal(d: dict[str, Any], name: str, label: str, *, required: bool = True) -> Decimal:
    raw = d[name].strip().replace(",", ".")
    if not raw and not required:
        return Decimal(0)
    try:
        value = Decimal(raw)
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite() or value < 0 or value > Decimal(100000):
        raise _bad(_("%(label)s phải là một số không âm.") % {"label": label}, name)
    return value


def _product(d: dict[str, Any], e: Evaluation) -> ProductRecord:
    raw = d["product"]
    product = e.products.filter(pk=int(raw)).first() if raw.isdigit() else None
    if product is None:
        raise _bad(_("Không tìm thấy sản phẩm trong kỳ đánh giá này."), "product")
    return product


def _issue(d: dict[str, Any], e: Evaluation) -> ProductIssue:
    raw = d["issue"]
    issue = (
        ProductIssue.objects.filter(pk=int(raw), product__evaluation=e).first()
        if raw.isdigit()
        else None
    )
    if issue is None:
        raise _bad(_("Không tìm thấy lỗi sản phẩm trong kỳ đánh giá này."), "issue")
    return issue


def _add(c: PeriodCtx, d: dict[str, Any]) -> str:
    from congvu.tasks.models import Task

    e, me = c.evaluation, c.actor
    assigned = _decimal(d, "assigned", _("Số lượng giao"))
    completed = _decimal(d, "completed", _("Số lượng hoàn thành"), required=False)
    raw_item = d["catalog_item"]
    item = None
    if raw_item:
        catalogue = {str(i.pk): i for i in A.catalog_for(e.job_position, e.start, e.unit)}
        item = catalogue.get(raw_item)
        if item is None:
            raise _bad(
                _("Sản phẩm không có trong danh mục của vị trí việc làm này."), "catalog_item"
            )
    coefficient = None
    if item is None:
        if not d["name"].strip():
            raise _bad(_("Chọn sản phẩm trong danh mục hoặc ghi tên sản phẩm khác."), "name")
        coefficient = _decimal(d, "coefficient", _("Hệ số quy đổi"))
    raw_task = d["task"].strip().lstrip("#")
    task = None
    if raw_task:
        task = (
            Task.objects.filter(pk=int(raw_task), lead_person_id=e.person_id).first()
            if raw_task.isdigit()
            else None
        )
        if task is None:
            raise _bad(
                _("Nhiệm vụ #%(n)s không do người được đánh giá chủ trì.") % {"n": raw_task},
                "task",
            )
    A.do_add_product(
        e,
        actor=me,
        quantity_assigned=assigned,
        quantity_completed=completed,
        catalog_item=item,
        name=d["name"],
        coefficient=coefficient,
        task=task,
    )
    return _("Đã ghi nhận sản phẩm.")


def _import(c: PeriodCtx, d: dict[str, Any]) -> str:
    e, me = c.evaluation, c.actor
    created = A.do_import_task_products(e, actor=me)
    if not created:
        return _("Không có nhiệm vụ mới đến hạn trong kỳ.")
    return _("Đã lấy %(n)d nhiệm vụ đến hạn trong kỳ làm sản phẩm.") % {"n": len(created)}


def _issue_step(c: PeriodCtx, d: dict[str, Any]) -> str:
    e, me = c.evaluation, c.actor
    product = _product(d, c.evaluation)
    kind = d["kind"]
    if kind not in ProductIssue.Kind.values:
        raise _bad(_("Chọn loại: chưa đạt chất lượng hoặc chậm tiến độ."), "kind")
    try:
        occurred_on = date.fromisoformat(d["occurred_on"])
    except ValueError as exc:
        raise _bad(_("Ngày phát sinh không hợp lệ."), "occurred_on") from exc
    if occurred_on > today() or occurred_on < e.start:
        raise _bad(_("Ngày phát sinh phải từ ngày bắt đầu kỳ đánh giá đến hôm nay."), "occurred_on")
    A.do_record_product_issue(product, actor=me, kind=kind, occurred_on=occurred_on, note=d["note"])
    return _(
        "Đã ghi nhận lỗi của sản phẩm (trừ 25% điểm sản phẩm nếu không có nguyên nhân khách quan)."
    )


def _claim(c: PeriodCtx, d: dict[str, Any]) -> str:
    me = c.actor
    A.do_claim_objective_cause(
        _issue(d, c.evaluation),
        actor=me,
        cause=d["cause"],
        source=d["source"],
    )
    return _("Đã gửi nguyên nhân khách quan để cấp có thẩm quyền xem xét.")


def _confirm(c: PeriodCtx, d: dict[str, Any]) -> str:
    me = c.actor
    issue = _issue(d, c.evaluation)
    source = d["source"].strip() or issue.cause_claim_source or "manual"
    if source != "manual":
        task_id = issue.product.task_id
        from congvu.evaluation.services import cause_sources

        if source not in {s.code for s in cause_sources([task_id or 0]).get(task_id or 0, [])}:
            raise _bad(
                _(
                    "Căn cứ phải là vướng mắc pháp lý hoặc sự phụ thuộc đã được xác nhận "
                    "trên nhiệm vụ của sản phẩm."
                ),
                "source",
            )
    cause = d["cause"].strip() or issue.cause_claim
    A.do_confirm_objective_cause(issue, actor=me, cause=cause, source=source)
    return _("Đã xác nhận nguyên nhân khách quan: lỗi này không bị trừ điểm.")


def _reject(c: PeriodCtx, d: dict[str, Any]) -> str:
    me = c.actor
    A.do_reject_objective_cause(_issue(d, c.evaluation), actor=me, reason=d["reason"])
    return _("Đã không xác nhận nguyên nhân khách quan; lỗi vẫn bị trừ điểm.")


STEPS: dict[str, PeriodStep] = by_key(
    [
        PostedStep(
            "add", ("assigned", "completed", "catalog_item", "name", "coefficient", "task"), _add
        ),
        PostedStep("import", (), _import),
        PostedStep("issue", ("product", "kind", "occurred_on", "note"), _issue_step),
        PostedStep("claim", ("issue", "cause", "source"), _claim),
        PostedStep("confirm", ("issue", "cause", "source"), _confirm),
        PostedStep("reject", ("issue", "reason"), _reject),
    ]
)


@login_required
@require_POST
def person_products(request: HttpRequest, person_id: int) -> HttpResponse:
    return run_period_step(request, person_id, STEPS, "h-prod")
