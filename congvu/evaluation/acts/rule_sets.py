"""Rule sets and the product catalogue: who may change them, and the sealed history of every change."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction

from congvu.audit import log as audit
from congvu.evaluation.models import (
    ProductCatalogItem,
    RuleParameterChange,
    RuleSet,
    Scheme,
)
from congvu.evaluation.rules import validate_param
from congvu.lib.errors import ActionError, ActionPermissionError
from congvu.org.models import Person, Unit
from congvu.org.permissions import access_for

if TYPE_CHECKING:
    from django.contrib.auth.models import User

from congvu.evaluation.acts.common import _today

# --- rule sets ------------------------------------------------------------------------------


def _require_reason(reason: str, refusal: str = "Cần nêu lý do.") -> None:
    if not reason.strip():
        raise ActionError("reason_required", refusal, field="reason")


def _history(
    rule_set: RuleSet,
    key: str,
    old: Any,
    new: Any,
    *,
    reason: str,
    actor: Person | None,
    user: User | None,
) -> RuleParameterChange:
    """The rule set's own history row: what changed, from what to what, who and why."""
    return RuleParameterChange.objects.create(
        rule_set=rule_set,
        key=key,
        old_value=old,
        new_value=new,
        reason=reason.strip(),
        changed_by=actor,
        changed_by_user=user,
    )


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
    _require_reason(reason, "Cần nêu lý do sửa tham số.")
    validate_param(key, value)
    rule_set = RuleSet.objects.select_for_update().get(pk=rule_set.pk)
    old = rule_set.params.get(key)
    if old == value:
        raise ActionError("unchanged", f"Tham số “{key}” đã có giá trị này.", field=key)
    rule_set.params = {**rule_set.params, key: value}
    rule_set.save(update_fields=["params"])
    change = _history(rule_set, key, old, value, reason=reason, actor=actor, user=user)
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
    _require_reason(reason)
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
    _history(
        rule_set,
        "(tạo mới)",
        None,
        {"categories": list(categories), "valid_from": valid_from.isoformat()},
        reason=reason,
        actor=actor,
        user=user,
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
    _require_reason(reason)
    rule_set = RuleSet.objects.select_for_update().get(pk=rule_set.pk)
    if valid_to is not None and valid_to < rule_set.valid_from:
        raise ActionError(
            "invalid_range", "Ngày hết hiệu lực trước ngày bắt đầu.", field="valid_to"
        )
    old = rule_set.valid_to.isoformat() if rule_set.valid_to else None
    rule_set.valid_to = valid_to
    rule_set.save(update_fields=["valid_to"])
    return _history(
        rule_set,
        "valid_to",
        old,
        valid_to.isoformat() if valid_to else None,
        reason=reason,
        actor=actor,
        user=user,
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

    qs = ProductCatalogItem.objects.active_on(day).filter(job_position=job_position)
    qs = qs.filter(Q(unit__isnull=True) | Q(unit=unit)) if unit else qs.filter(unit__isnull=True)
    return list(qs.order_by("unit_id", "code"))
