"""Who may see and act on which unit's work — the one permission layer every feature uses.

Rules (DOMAIN.md "Who is who"):
- a specialist (member) sees the work of the units they belong to; acting on a task they
  hold is decided by the workflow, not here;
- a head or deputy sees and directs the work of their unit's subtree, including the units
  their unit took over in a merger;
- a provincial leader (grant) sees and directs the work of the grant's subtree;
- HR (Sở Nội vụ) and inspectors (grants) see their scope's subtree read-only;
- an administrator manages the organisation of their scope but does not read its work;
  HR (Sở Nội vụ, tổ chức cán bộ) manages the organisation of its scope too;
- a head, deputy or provincial leader may delegate (ủy quyền) his steps while away;
- a Django superuser is an administrator of everything.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from django.db import connection

from congvu.org.models import (
    ACTIVE_ON_SQL,
    GRANT_ACTIVE_ON_SQL,
    Membership,
    Person,
    RoleGrant,
    Unit,
    person_for_user,
    today,
)
from congvu.org.tree import OrgTree, tree_as_of

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser


class Role:
    LEADER = "leader"
    HEAD = "head"
    DEPUTY = "deputy"
    SPECIALIST = "specialist"
    HR = "hr"
    INSPECTOR = "inspector"
    ADMIN = "admin"

    LABELS = {
        LEADER: "Lãnh đạo tỉnh",
        HEAD: "Người đứng đầu",
        DEPUTY: "Cấp phó",
        SPECIALIST: "Chuyên viên",
        HR: "Sở Nội vụ",
        INSPECTOR: "Thanh tra",
        ADMIN: "Quản trị",
    }


@dataclass(frozen=True)
class Access:
    person_id: int | None
    roles: frozenset[str]
    member_unit_ids: frozenset[int]
    read_unit_ids: frozenset[int]
    act_unit_ids: frozenset[int]
    admin_unit_ids: frozenset[int]
    evaluation_unit_ids: frozenset[int]
    is_superuser: bool = False

    def can_see_unit(self, unit: Unit | int) -> bool:
        unit_id = unit if isinstance(unit, int) else unit.pk
        return self.is_superuser or unit_id in self.read_unit_ids

    def can_act_on_unit(self, unit: Unit | int) -> bool:
        """May direct the unit's work: assign, transfer, approve, remind (not read-only roles)."""
        unit_id = unit if isinstance(unit, int) else unit.pk
        return unit_id in self.act_unit_ids

    def can_admin_unit(self, unit: Unit | int) -> bool:
        unit_id = unit if isinstance(unit, int) else unit.pk
        return self.is_superuser or unit_id in self.admin_unit_ids

    def may_delegate(self) -> bool:
        """May hand his workflow steps to a colleague for a period (ủy quyền): the officials
        who direct work — heads, deputies, provincial leaders."""
        return self.person_id is not None and bool(
            self.roles & {Role.HEAD, Role.DEPUTY, Role.LEADER}
        )

    def can_see_evaluations_of(self, unit: Unit | int) -> bool:
        unit_id = unit if isinstance(unit, int) else unit.pk
        return unit_id in self.evaluation_unit_ids

    @property
    def is_read_only(self) -> bool:
        return not self.act_unit_ids

    def has_role(self, role: str) -> bool:
        """Holds `role` by membership or grant (the superuser only if granted it)."""
        return role in self.roles

    # The superuser, handled here once: it reads every unit and may do what any role may, but
    # directs no unit's work (can_act_on_unit) — a task step needs a person of the unit.
    @property
    def sees_everything(self) -> bool:
        return self.is_superuser

    def may(self, role: str) -> bool:
        """May do what `role` may: holds it, or is the superuser."""
        return self.is_superuser or role in self.roles

    def may_edit_rules(self) -> bool:
        """Evaluation rule sets and the product catalogue: administrators and HR."""
        return self.may(Role.ADMIN) or self.may(Role.HR)


NO_ACCESS = Access(
    None, frozenset(), frozenset(), frozenset(), frozenset(), frozenset(), frozenset()
)


def access_for(
    person: Person | None,
    day: date | None = None,
    *,
    superuser: bool = False,
    tree: OrgTree | None = None,
) -> Access:
    day = day or today()
    if person is None:
        if superuser:
            empty: frozenset[int] = frozenset()
            return Access(None, frozenset({Role.ADMIN}), empty, empty, empty, empty, empty, True)
        return NO_ACCESS
    if tree is None or tree.day != day:
        tree = tree_as_of(day)
    roles: set[str] = set()
    member: set[int] = set()
    read: set[int] = set()
    act: set[int] = set()
    admin: set[int] = set()
    evaluation: set[int] = set()
    # Memberships and role grants in one round trip, as plain SQL: access_for() runs on every
    # request and every workflow action, and compiling the ORM's UNION cost more than the
    # query itself (~1 ms of CPU per call; see bench/workflow_throughput.py).
    sql = (
        f"SELECT unit_id, role, 0 FROM {Membership._meta.db_table}"  # noqa: S608 - table names from model metadata
        f" WHERE person_id = %s AND {ACTIVE_ON_SQL}"
        f" UNION ALL SELECT scope_id, role, 1 FROM {RoleGrant._meta.db_table}"
        f" WHERE person_id = %s AND {GRANT_ACTIVE_ON_SQL}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [person.pk, day, day, person.pk, day, day, day])
        rows = cursor.fetchall()
    for unit_id, role, is_grant in rows:
        if is_grant:
            scope = tree.scope(unit_id)
            roles.add(role)
            if role == RoleGrant.Role.LEADER:
                read |= scope
                act |= scope
                evaluation |= scope
            elif role in (RoleGrant.Role.HR, RoleGrant.Role.INSPECTOR):
                read |= scope
                evaluation |= scope
                if role == RoleGrant.Role.HR:
                    admin |= scope
            elif role == RoleGrant.Role.CLERK:
                # The register of the unit: reads its work to follow it up, directs nothing.
                read |= scope
            elif role == RoleGrant.Role.ADMIN:
                admin |= scope
            continue
        member.add(unit_id)
        read.add(unit_id)
        if role in (Membership.Role.HEAD, Membership.Role.DEPUTY):
            roles.add(Role.HEAD if role == Membership.Role.HEAD else Role.DEPUTY)
            directed = tree.scope(unit_id)
            read |= directed
            act |= directed
            evaluation |= directed
        else:
            roles.add(Role.SPECIALIST)
    return Access(
        person.pk,
        frozenset(roles),
        frozenset(member),
        frozenset(read),
        frozenset(act),
        frozenset(admin),
        frozenset(evaluation),
        is_superuser=superuser,
    )


def access_for_user(
    user: AbstractBaseUser | AnonymousUser | None, day: date | None = None
) -> Access:
    if user is None or not user.is_authenticated:
        return NO_ACCESS
    person = person_for_user(user)  # type: ignore[arg-type]
    return access_for(person, day, superuser=bool(getattr(user, "is_superuser", False)))


def can_see_unit(person: Person, unit: Unit, day: date | None = None) -> bool:
    return access_for(person, day).can_see_unit(unit)


def can_act_on_unit(person: Person, unit: Unit, day: date | None = None) -> bool:
    return access_for(person, day).can_act_on_unit(unit)
