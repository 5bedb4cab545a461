"""The only code that writes the organisation tables (STYLE.md §7.1).

Every function runs in one transaction and either completes or changes nothing. Dates are
effective dates: a change "from 1/7/2025" closes the current rows on 30/6/2025 and opens new
ones, so the tree as it was before stays readable.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from congvu.audit import log as audit
from congvu.lib.errors import ActionError, ActionPermissionError, refuse_all
from congvu.org.models import (
    Delegation,
    Membership,
    Person,
    RoleGrant,
    Unit,
    UnitSuccession,
    UnitType,
    UnitVersion,
    today,
)
from congvu.org.permissions import access_for
from congvu.org.tree import tree_as_of

# Every change to the organisation names its actor (None: an import or a system job) and
# leaves a sealed event in the audit log: a unit's chain, a person's, and access (role grants).
audit.register(
    "unit",
    "Đơn vị",
    ("unit_created", "unit_moved", "unit_renamed", "unit_dissolved", "unit_merged"),
)
audit.register(
    "person",
    "Hồ sơ cán bộ",
    (
        "person_created",
        "membership_added",
        "membership_ended",
        # On the principal's chain: who delegated to whom, and when it was ended early.
        "delegation_given",
        "delegation_revoked",
    ),
)
audit.register("access", "Quyền truy cập", ("role_granted", "role_revoked"))


def _open_version(unit: Unit) -> UnitVersion:
    version = unit.versions.filter(valid_to__isnull=True).first()
    if version is None:
        raise ActionError("unit_dissolved", f"Đơn vị {unit.code} đã giải thể, không thể thay đổi.")
    return version


def _end_unit(unit: Unit, version: UnitVersion, last_day: date, *, reason: str = "") -> None:
    """Close `unit` and its open `version` on `last_day`: a dissolution or a merger."""
    version.valid_to = last_day
    version.change_reason = version.change_reason or reason
    version.save(update_fields=["valid_to", "change_reason"])
    unit.valid_to = last_day
    unit.save(update_fields=["valid_to", "search_text"])


def _check_parent(unit: Unit | None, parent: Unit | None, effective: date) -> None:
    if parent is None:
        return
    if not parent.is_active_on(effective):
        raise ActionError(
            "parent_inactive",
            f"Đơn vị cấp trên {parent.code} không còn hiệu lực vào ngày {effective:%d/%m/%Y}.",
            field="parent",
        )
    if unit is None:
        return
    if parent.pk == unit.pk:
        raise ActionError("cycle", "Một đơn vị không thể là cấp trên của chính nó.", field="parent")
    tree = tree_as_of(effective)
    if unit.pk in tree and parent.pk in tree.subtree(unit.pk):
        raise ActionError(
            "cycle",
            f"Không thể đặt {parent.code} làm cấp trên của {unit.code}: {parent.code} đang là đơn vị "
            f"cấp dưới của {unit.code} (tạo vòng lặp).",
            field="parent",
        )


@transaction.atomic
def create_unit(
    *,
    code: str,
    name: str,
    unit_type: UnitType,
    parent: Unit | None,
    valid_from: date,
    short_name: str = "",
    decision_ref: str = "",
    actor: Person | None = None,
) -> Unit:
    code = code.strip()
    if not code or not name.strip():
        raise ActionError("required", "Mã và tên đơn vị là bắt buộc.", field="code")
    if Unit.objects.filter(code=code).exists():
        raise ActionError("duplicate_code", f"Mã đơn vị {code} đã tồn tại.", field="code")
    _check_parent(None, parent, valid_from)
    unit = Unit(
        code=code,
        name=name.strip(),
        short_name=short_name,
        unit_type=unit_type,
        parent=parent,
        valid_from=valid_from,
    )
    unit.save()
    UnitVersion.objects.create(
        unit=unit,
        name=unit.name,
        unit_type=unit_type,
        parent=parent,
        valid_from=valid_from,
        change_reason="Thành lập",
        decision_ref=decision_ref,
    )
    audit.record(
        "unit",
        unit.pk,
        "unit_created",
        actor,
        {
            "code": code,
            "name": unit.name,
            "parent": parent.pk if parent else None,
            "valid_from": valid_from,
            "decision_ref": decision_ref,
        },
    )
    return unit


def _new_version(
    unit: Unit,
    effective: date,
    *,
    name: str,
    unit_type: UnitType,
    parent: Unit | None,
    reason: str,
    decision_ref: str,
) -> UnitVersion:
    current = _open_version(unit)
    if effective <= current.valid_from:
        raise ActionError(
            "effective_date",
            f"Ngày hiệu lực phải sau {current.valid_from:%d/%m/%Y} (ngày bắt đầu của phiên bản hiện tại).",
            field="effective",
        )
    current.valid_to = effective - timedelta(days=1)
    current.save(update_fields=["valid_to"])
    version = UnitVersion.objects.create(
        unit=unit,
        name=name,
        unit_type=unit_type,
        parent=parent,
        valid_from=effective,
        change_reason=reason,
        decision_ref=decision_ref,
    )
    unit.name, unit.unit_type, unit.parent = name, unit_type, parent
    unit.save(update_fields=["name", "unit_type", "parent", "search_text"])
    return version


@transaction.atomic
def move_unit(
    unit: Unit,
    new_parent: Unit | None,
    effective: date,
    *,
    reason: str,
    decision_ref: str = "",
    actor: Person | None = None,
) -> UnitVersion:
    """Re-parent `unit` from `effective`; before that date it stays under its old parent."""
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    _check_parent(unit, new_parent, effective)
    audit.record(
        "unit",
        unit.pk,
        "unit_moved",
        actor,
        {
            "parent": new_parent.pk if new_parent else None,
            "effective": effective,
            "reason": reason,
            "decision_ref": decision_ref,
        },
    )
    return _new_version(
        unit,
        effective,
        name=unit.name,
        unit_type=unit.unit_type,
        parent=new_parent,
        reason=reason or "Điều chuyển đơn vị cấp trên",
        decision_ref=decision_ref,
    )


@transaction.atomic
def rename_unit(
    unit: Unit,
    new_name: str,
    effective: date,
    *,
    unit_type: UnitType | None = None,
    decision_ref: str = "",
    actor: Person | None = None,
) -> UnitVersion:
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    audit.record(
        "unit",
        unit.pk,
        "unit_renamed",
        actor,
        {"name": new_name.strip(), "effective": effective, "decision_ref": decision_ref},
    )
    return _new_version(
        unit,
        effective,
        name=new_name.strip(),
        unit_type=unit_type or unit.unit_type,
        parent=unit.parent,
        reason="Đổi tên / tổ chức lại",
        decision_ref=decision_ref,
    )


@transaction.atomic
def dissolve_unit(
    unit: Unit, effective: date, *, decision_ref: str = "", actor: Person | None = None
) -> None:
    """End `unit` on the day before `effective`. It must have no current children or members."""
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    last_day = effective - timedelta(days=1)
    tree = tree_as_of(effective)
    if tree.children.get(unit.pk):
        raise ActionError(
            "has_children",
            f"Đơn vị {unit.code} còn đơn vị cấp dưới; hãy chuyển hoặc giải thể chúng trước.",
        )
    if Membership.objects.active_on(effective).filter(unit=unit).exists():
        raise ActionError(
            "has_members", f"Đơn vị {unit.code} còn cán bộ đang công tác; hãy điều chuyển trước."
        )
    version = _open_version(unit)
    if last_day < version.valid_from:
        raise ActionError("effective_date", "Ngày giải thể phải sau ngày bắt đầu hiệu lực.")
    _end_unit(unit, version, last_day, reason="Giải thể")
    audit.record(
        "unit",
        unit.pk,
        "unit_dissolved",
        actor,
        {"effective": effective, "decision_ref": decision_ref},
    )


@transaction.atomic
def merge_units(
    merged: Sequence[Unit],
    into: Unit,
    effective: date,
    *,
    decision_ref: str = "",
    kind: str = UnitSuccession.Kind.MERGE,
    actor: Person | None = None,
) -> None:
    """Merge `merged` into `into` from `effective` (sáp nhập / hợp nhất).

    Children of the merged units move under `into`; their current members move to `into` with
    the same role (a second head becomes a deputy, as happens in practice until a new head is
    appointed); the merged units end on the day before; succession rows keep their history
    reachable from `into`.
    """
    if not merged:
        raise ActionError("required", "Cần chọn ít nhất một đơn vị để sáp nhập.")
    if any(u.pk == into.pk for u in merged):
        raise ActionError("cycle", "Không thể sáp nhập một đơn vị vào chính nó.")
    if not into.is_active_on(effective):
        raise ActionError("unit_dissolved", f"Đơn vị tiếp nhận {into.code} không còn hiệu lực.")
    last_day = effective - timedelta(days=1)
    tree = tree_as_of(effective)
    into_ancestors = set(tree.ancestors(into.pk))
    for unit in merged:
        if unit.pk in into_ancestors:
            raise ActionError(
                "cycle",
                f"{unit.code} là cấp trên của {into.code}, không thể sáp nhập vào cấp dưới.",
            )
    has_head = Membership.objects.active_on(effective).heads().filter(unit=into).exists()
    for old in merged:
        unit = Unit.objects.select_for_update().get(pk=old.pk)
        for child_id in list(tree.children.get(unit.pk, ())):
            child = Unit.objects.get(pk=child_id)
            move_unit(
                child,
                into,
                effective,
                reason=f"Chuyển về {into.name} do sáp nhập",
                decision_ref=decision_ref,
                actor=actor,
            )
        for m in Membership.objects.active_on(effective).filter(unit=unit).select_related("person"):
            role, title = m.role, m.position_title
            if role == Membership.Role.HEAD and has_head:
                role = Membership.Role.DEPUTY
                title = f"Phó {title}" if title and not title.startswith("Phó") else title
            m.valid_to = last_day
            m.save(update_fields=["valid_to"])
            Membership.objects.create(
                person=m.person,
                unit=into,
                role=role,
                position_title=title,
                job_position=m.job_position,
                is_primary=m.is_primary,
                valid_from=effective,
                decision_ref=decision_ref,
            )
            has_head = has_head or role == Membership.Role.HEAD
        _end_unit(unit, _open_version(unit), last_day)
        UnitSuccession.objects.create(
            predecessor=unit,
            successor=into,
            kind=kind,
            effective_date=effective,
            decision_ref=decision_ref,
        )
        audit.record(
            "unit",
            unit.pk,
            "unit_merged",
            actor,
            {"into": into.pk, "kind": kind, "effective": effective, "decision_ref": decision_ref},
        )


@transaction.atomic
def add_membership(
    person: Person,
    unit: Unit,
    *,
    role: str = Membership.Role.MEMBER,
    position_title: str = "",
    job_position: str = "",
    valid_from: date | None = None,
    valid_to: date | None = None,
    is_primary: bool = True,
    decision_ref: str = "",
    actor: Person | None = None,
) -> Membership:
    valid_from = valid_from or today()
    if valid_to is not None and valid_to < valid_from:
        raise ActionError("date_range", "Ngày kết thúc phải sau ngày bắt đầu.", field="valid_to")
    if not unit.is_active_on(valid_from):
        raise ActionError(
            "unit_dissolved",
            f"Đơn vị {unit.code} không còn hiệu lực vào ngày {valid_from:%d/%m/%Y}.",
        )
    Person.objects.select_for_update().get(pk=person.pk)
    if (
        is_primary
        and Membership.objects.filter(person=person, is_primary=True)
        .overlapping(valid_from, valid_to)
        .exists()
    ):
        raise ActionError(
            "two_primary_units",
            f"{person.full_name} đang công tác chính thức ở một đơn vị khác trong cùng thời gian; "
            "hãy kết thúc công tác cũ trước hoặc ghi nhận là kiêm nhiệm.",
            field="unit",
        )
    if role == Membership.Role.HEAD:
        Unit.objects.select_for_update().get(pk=unit.pk)
        other = (
            Membership.objects.filter(unit=unit, role=Membership.Role.HEAD)
            .overlapping(valid_from, valid_to)
            .select_related("person")
            .first()
        )
        if other is not None:
            raise ActionError(
                "two_heads",
                f"{unit.name} đã có người đứng đầu ({other.person.full_name}) trong thời gian này.",
                field="role",
            )
    membership = Membership.objects.create(
        person=person,
        unit=unit,
        role=role,
        position_title=position_title,
        job_position=job_position,
        is_primary=is_primary,
        valid_from=valid_from,
        valid_to=valid_to,
        decision_ref=decision_ref,
    )
    audit.record(
        "person",
        person.pk,
        "membership_added",
        actor,
        {
            "membership": membership.pk,
            "unit": unit.pk,
            "role": role,
            "valid_from": valid_from,
            "valid_to": valid_to,
            "decision_ref": decision_ref,
        },
    )
    return membership


@transaction.atomic
def end_membership(
    membership: Membership, last_day: date, *, actor: Person | None = None
) -> Membership:
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.valid_to is not None and membership.valid_to < last_day:
        raise ActionError("already_ended", "Quá trình công tác này đã kết thúc.")
    if last_day < membership.valid_from:
        raise ActionError("date_range", "Ngày kết thúc phải sau ngày bắt đầu.")
    membership.valid_to = last_day
    membership.save(update_fields=["valid_to"])
    audit.record(
        "person",
        membership.person_id,
        "membership_ended",
        actor,
        {"membership": membership.pk, "last_day": last_day},
    )
    return membership


@transaction.atomic
def transfer_person(
    person: Person,
    to_unit: Unit,
    effective: date,
    *,
    role: str = Membership.Role.MEMBER,
    position_title: str = "",
    job_position: str = "",
    decision_ref: str = "",
    actor: Person | None = None,
) -> Membership:
    """Điều động: end the current primary membership and start one in `to_unit`."""
    current = person.primary_membership(effective)
    if current is not None:
        end_membership(current, effective - timedelta(days=1), actor=actor)
    return add_membership(
        person,
        to_unit,
        role=role,
        position_title=position_title,
        job_position=job_position or (current.job_position if current else ""),
        valid_from=effective,
        decision_ref=decision_ref,
        actor=actor,
    )


@transaction.atomic
def create_person(
    *,
    code: str,
    full_name: str,
    category: str,
    unit: Unit | None = None,
    role: str = Membership.Role.MEMBER,
    position_title: str = "",
    valid_from: date | None = None,
    actor: Person | None = None,
) -> Person:
    """A new official's record and, with `unit`, his first post there — both or neither."""
    code, full_name = code.strip(), " ".join(full_name.split())
    problems = []
    if not code:
        problems.append(ActionError("required", "Nhập mã cán bộ.", field="code"))
    elif Person.objects.filter(code=code).exists():
        problems.append(
            ActionError("duplicate_code", f"Mã cán bộ {code} đã được dùng.", field="code")
        )
    if not full_name:
        problems.append(ActionError("required", "Nhập họ và tên.", field="full_name"))
    if category not in Person.Category.values:
        problems.append(ActionError("unknown_category", "Chọn phân loại cán bộ.", field="category"))
    refuse_all(problems)
    person = Person(code=code, full_name=full_name, category=category)
    person.save()
    audit.record(
        "person",
        person.pk,
        "person_created",
        actor,
        {"code": code, "full_name": full_name, "category": category},
    )
    if unit is not None:
        add_membership(
            person,
            unit,
            role=role,
            position_title=position_title.strip(),
            valid_from=valid_from,
            actor=actor,
        )
    return person


def _by_user(actor: Person | None, by_user: str) -> dict[str, str]:
    """The acting account's username, kept in a grant's event when no person acted."""
    return {"by_user": by_user} if actor is None and by_user else {}


@transaction.atomic
def grant_role(
    person: Person,
    role: str,
    scope: Unit,
    *,
    valid_from: date | None = None,
    decision_ref: str = "",
    actor: Person | None = None,
    by_user: str = "",
) -> RoleGrant:
    """`by_user`: the username of an acting account with no person (a superuser), kept in the
    event when there is no `actor`."""
    if role not in RoleGrant.Role.values:
        raise ActionError("unknown_role", f"Vai trò không hợp lệ: {role}", field="role")
    valid_from = valid_from or today()
    Person.objects.select_for_update().get(pk=person.pk)
    same = RoleGrant.objects.filter(person=person, role=role, scope=scope, revoked_on__isnull=True)
    if same.overlapping(valid_from, None).exists():
        raise ActionError(
            "duplicate_grant",
            f"{person.full_name} đã có quyền này với phạm vi {scope.name}.",
            field="role",
        )
    grant = RoleGrant.objects.create(
        person=person,
        role=role,
        scope=scope,
        valid_from=valid_from,
        decision_ref=decision_ref,
    )
    audit.record(
        "access",
        person.pk,
        "role_granted",
        actor,
        {
            "grant": grant.pk,
            "role": role,
            "scope": scope.pk,
            "valid_from": grant.valid_from,
            "decision_ref": decision_ref,
            **_by_user(actor, by_user),
        },
    )
    return grant


@transaction.atomic
def revoke_role(
    grant: RoleGrant,
    *,
    effective: date | None = None,
    decision_ref: str = "",
    actor: Person | None = None,
    by_user: str = "",
) -> RoleGrant:
    """End a role grant from `effective` (default today: at once). The row stays, ended on the
    day before; a grant that had not begun by then ends on its first day and `revoked_on` keeps
    it from ever counting (RoleGrantQuerySet.active_on)."""
    grant = RoleGrant.objects.select_for_update().select_related("scope").get(pk=grant.pk)
    effective = effective or today()
    if grant.revoked_on is not None or (grant.valid_to is not None and grant.valid_to < effective):
        raise ActionError("already_ended", "Quyền này đã kết thúc hoặc đã bị thu hồi.")
    if actor is not None and actor.pk == grant.person_id and grant.role == RoleGrant.Role.ADMIN:
        raise ActionError(
            "own_admin",
            "Không thể tự thu hồi quyền quản trị của chính mình; hãy nhờ một quản trị viên khác.",
        )
    grant.valid_to = max(grant.valid_from, effective - timedelta(days=1))
    grant.revoked_on = effective
    grant.save(update_fields=["valid_to", "revoked_on"])
    audit.record(
        "access",
        grant.person_id,
        "role_revoked",
        actor,
        {
            "grant": grant.pk,
            "role": grant.role,
            "scope": grant.scope_id,
            "effective": effective,
            "decision_ref": decision_ref,
            **_by_user(actor, by_user),
        },
    )
    return grant


# --- delegation (ủy quyền) -------------------------------------------------------------------


def _check_may_delegate_for(by: Person, principal: Person, what: str) -> None:
    """Only the official himself, or an administrator or Sở Nội vụ over one of his units, may
    `what` (give or revoke) his delegations."""
    if by.pk != principal.pk and not manages_delegations_of(by, principal):
        raise ActionPermissionError(
            "Chỉ người ủy quyền, quản trị hoặc Sở Nội vụ phụ trách đơn vị của người đó mới được "
            f"{what}."
        )


@transaction.atomic
def delegate(
    principal: Person,
    to: Person,
    *,
    valid_from: date,
    valid_to: date,
    reason: str,
    by: Person,
    at: datetime | None = None,
) -> Delegation:
    """The official hands his workflow steps to `to` for [valid_from, valid_to] (leave, a
    mission). Kept for ever (revoked, never deleted): the events taken under it name it.

    An administrator or Sở Nội vụ whose scope covers the official may record it on his behalf
    (he is away and asked by phone): the audit event then names them as the actor, the
    delegation's `created_by` too, and the delegate must still be one the official could
    have chosen himself."""
    _check_may_delegate_for(by, principal, "lập ủy quyền")
    Person.objects.select_for_update().get(pk=principal.pk)
    problems = []
    if to.pk == principal.pk:
        problems.append(ActionError("self", "Không thể ủy quyền cho chính mình.", field="to"))
    elif not to.is_active:
        problems.append(ActionError("inactive", f"{to.full_name} không còn công tác.", field="to"))
    elif to.pk not in {p.pk for p in delegation_candidates(principal)}:
        problems.append(
            ActionError(
                "not_a_colleague",
                f"{to.full_name} không phải cán bộ của đơn vị do người ủy quyền phụ trách.",
                field="to",
            )
        )
    if valid_to < valid_from:
        problems.append(
            ActionError("range", "Ngày kết thúc phải sau ngày bắt đầu.", field="valid_to")
        )
    if not reason.strip():
        problems.append(ActionError("required", "Nêu lý do ủy quyền.", field="reason"))
    overlapping = (
        Delegation.objects.filter(principal=principal, revoked_at__isnull=True)
        .overlapping(valid_from, valid_to)
        .exists()
    )
    if overlapping:
        problems.append(
            ActionError(
                "overlap", "Đã có ủy quyền khác trong khoảng thời gian này.", field="valid_from"
            )
        )
    refuse_all(problems)
    delegation = Delegation.objects.create(
        principal=principal,
        delegate=to,
        valid_from=valid_from,
        valid_to=valid_to,
        reason=reason.strip(),
        created_by=by,
        created_at=at or timezone.now(),
    )
    audit.record(
        "person",
        principal.pk,
        "delegation_given",
        by,
        {
            "delegation": delegation.pk,
            "delegate": to.pk,
            "valid_from": valid_from,
            "valid_to": valid_to,
            "reason": delegation.reason,
        },
    )
    return delegation


@transaction.atomic
def revoke_delegation(delegation: Delegation, *, by: Person, at: datetime | None = None) -> None:
    """End a delegation now (back from leave early). The row stays: events taken under it
    still name it."""
    if by.pk != delegation.principal_id:  # the principal himself: no need to load his row
        _check_may_delegate_for(by, delegation.principal, "thu hồi")
    delegation = Delegation.objects.select_for_update().get(pk=delegation.pk)
    now = at or timezone.now()
    if delegation.revoked_at is not None:
        raise ActionError("already_revoked", "Ủy quyền này đã được thu hồi.")
    if delegation.valid_to < timezone.localtime(now).date():
        raise ActionError("already_ended", "Ủy quyền này đã hết thời hạn.")
    delegation.revoked_at = now
    delegation.save(update_fields=["revoked_at"])
    audit.record(
        "person",
        delegation.principal_id,
        "delegation_revoked",
        by,
        {"delegation": delegation.pk, "delegate": delegation.delegate_id},
    )


def delegation_candidates(principal: Person, day: date | None = None) -> list[Person]:
    """Whom an official may delegate to: the other people of the units he heads or deputises
    and the heads and deputies of the units directly under them (a director on leave hands
    over to his deputy, a provincial leader to a department's director)."""
    day = day or today()
    led = Membership.objects.active_on(day).leaders().unit_ids_of(principal)
    if not led:
        return []
    tree = tree_as_of(day)
    below = [c for u in led if u in tree for c in tree.children.get(u, ())]
    people = (
        Person.objects.active()
        .filter(
            Q(memberships__in=Membership.objects.active_on(day).filter(unit_id__in=led))
            | Q(
                memberships__in=Membership.objects.active_on(day)
                .leaders()
                .filter(unit_id__in=below)
            )
        )
        .exclude(pk=principal.pk)
        .distinct()
        .order_by("full_name")
    )
    return list(people)


def manages_delegations_of(by: Person, principal: Person, day: date | None = None) -> bool:
    """An administrator or Sở Nội vụ whose grant covers one of the principal's current units:
    they manage that part of the organisation (permissions.Access.admin_unit_ids)."""
    day = day or today()
    scope = access_for(by, day).admin_unit_ids
    units = Membership.objects.active_on(day).filter(person=principal).values_list("unit_id")
    return any(unit_id in scope for (unit_id,) in units)
