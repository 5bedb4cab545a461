"""Who may read a person's evaluation, and the read log (the web views call these).

Visible to: the person; their heads up the tree (a head/deputy above the unit, the head of
the same unit for members and deputies, a deputy of the same unit for members); provincial
leaders, HR and inspectors in scope (Access.can_see_evaluations_of). Nobody else — colleagues
of the same unit do not see each other's results. A transferred person's earlier periods are
visible to whoever may see the person's current unit: the periods follow the person.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q

from congvu.evaluation.models import Evaluation, EvaluationQuerySet, EvaluationRead
from congvu.lib.errors import ActionPermissionError
from congvu.org.models import Membership, Person, RoleGrant
from congvu.org.permissions import Access, access_for
from congvu.org.tree import tree_as_of


def _scopes(viewer: Person | None, access: Access) -> tuple[set[int], set[int], set[int]]:
    """(units fully visible, units where the viewer is head, units where the viewer is deputy)."""
    units = set(access.evaluation_unit_ids)
    if viewer is None:
        return units, set(), set()
    roles = dict(
        Membership.objects.current()
        .filter(person=viewer, role__in=[Membership.Role.HEAD, Membership.Role.DEPUTY])
        .values_list("unit_id", "role")
    )
    tree = tree_as_of()
    full: set[int] = set()
    grants = RoleGrant.objects.current().filter(
        person=viewer,
        role__in=[RoleGrant.Role.LEADER, RoleGrant.Role.HR, RoleGrant.Role.INSPECTOR],
    )
    for scope_id in grants.values_list("scope_id", flat=True):
        full |= tree.scope(scope_id)
    for unit_id in units:
        if unit_id in full:
            continue
        # Visible in full when the viewer leads the unit's parent (or one of its predecessors).
        parent = tree.parent.get(unit_id)
        if parent is not None and parent in units and unit_id not in roles:
            full.add(unit_id)
        elif unit_id not in roles and unit_id not in tree:
            full.add(unit_id)  # a dissolved unit whose successor the viewer leads
    head_units = {u for u, r in roles.items() if r == Membership.Role.HEAD} - full
    deputy_units = {u for u, r in roles.items() if r == Membership.Role.DEPUTY} - full
    return full, head_units, deputy_units


def visible_evaluations(viewer: Person | None, access: Access | None = None) -> EvaluationQuerySet:
    """Every evaluation the viewer may read (a queryset the web lists filter further)."""
    if viewer is None and (access is None or not access.evaluation_unit_ids):
        return Evaluation.objects.none()
    access = access or access_for(viewer)
    full, head_units, deputy_units = _scopes(viewer, access)
    current = Membership.objects.current().filter(is_primary=True)
    q = Q(unit_id__in=full) | Q(person_id__in=current.filter(unit_id__in=full).values("person_id"))
    q |= Q(unit_id__in=head_units) & ~Q(role_in_unit="head")
    q |= Q(unit_id__in=deputy_units, role_in_unit="member")
    q |= Q(
        person_id__in=current.filter(unit_id__in=head_units)
        .exclude(role=Membership.Role.HEAD)
        .values("person_id")
    )
    q |= Q(
        person_id__in=current.filter(unit_id__in=deputy_units, role=Membership.Role.MEMBER).values(
            "person_id"
        )
    )
    if viewer is not None:
        q |= Q(person_id=viewer.pk)
    return Evaluation.objects.filter(q)


def can_view(viewer: Person | None, evaluation: Evaluation, access: Access | None = None) -> bool:
    if viewer is not None and viewer.pk == evaluation.person_id:
        return True
    return visible_evaluations(viewer, access).filter(pk=evaluation.pk).exists()


def record_read(
    viewer: Person | None,
    evaluations: Iterable[Evaluation],
    *,
    purpose: str = "view",
    user_id: int | None = None,
) -> int:
    """Log reads of evaluations (one row each). Returns how many were logged."""
    rows = [
        EvaluationRead(evaluation=e, reader=viewer, reader_user_id=user_id, purpose=purpose)
        for e in evaluations
    ]
    EvaluationRead.objects.bulk_create(rows)
    return len(rows)


def read_evaluation(
    viewer: Person | None,
    evaluation_id: int,
    *,
    access: Access | None = None,
    purpose: str = "view",
    user_id: int | None = None,
) -> Evaluation:
    """Fetch one evaluation for a viewer, refusing others and logging the read."""
    evaluation = (
        Evaluation.objects.select_related("person", "unit", "rule_set")
        .filter(pk=evaluation_id)
        .first()
    )
    if evaluation is None or not can_view(viewer, evaluation, access):
        raise ActionPermissionError("Bạn không có quyền xem kết quả đánh giá này.")
    record_read(viewer, [evaluation], purpose=purpose, user_id=user_id)
    return evaluation
