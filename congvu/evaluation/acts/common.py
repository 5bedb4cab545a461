"""What every evaluation action shares: the audit kinds, the status alias, locking and who may act."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.utils import timezone

from congvu.audit import log as audit
from congvu.evaluation import authority
from congvu.evaluation.defaults import DISCIPLINE_FORMS
from congvu.evaluation.models import Evaluation
from congvu.lib.errors import ActionError, ActionPermissionError
from congvu.org.models import Membership, Person, RoleGrant

S = Evaluation.Status


def _today() -> date:
    return timezone.localdate()


def _log(evaluation: Evaluation, kind: str, actor: Person | None, payload: dict[str, Any]) -> None:
    """A sealed event on the evaluation's own chain, which its history page reads."""
    audit.record("evaluation", evaluation.pk, kind, actor, payload, evaluation=evaluation)


def check_discipline_form(form: str) -> None:
    """A disciplinary form is one the law lists (DISCIPLINE_FORMS), for records and proposals."""
    if form not in DISCIPLINE_FORMS:
        raise ActionError(
            "invalid_form",
            "Hình thức kỷ luật phải là một trong: " + ", ".join(DISCIPLINE_FORMS.values()) + ".",
            field="form",
        )


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
