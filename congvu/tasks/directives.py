"""Directives (văn bản chỉ đạo): registered once, given to many units in one step.

A provincial directive usually names several departments at once, each to carry out its part
and report: `do_assign_directive` gives it to every unit in one transaction, one task per
unit with its own lead, all pointing at the directive. The clerk (văn thư) of a leader's unit
registers directives and may record the assignment for that leader (do_assign's
`recorded_by`); the leader remains the assigner.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from congvu.lib.errors import ActionError, ActionPermissionError, refuse_all
from congvu.org.models import Membership, Person, RoleGrant, Unit
from congvu.org.permissions import access_for
from congvu.tasks.models import Directive, Task


def is_clerk_of(person: Person, unit_id: int, day: date) -> bool:
    return (
        RoleGrant.objects.active_on(day)
        .filter(person=person, role=RoleGrant.Role.CLERK, scope_id=unit_id)
        .exists()
    )


def clerk_scope(person_id: int, day: date) -> set[int]:
    """The units a clerk may pick as lead units for the leaders she records for: those the
    leaders of the units whose register she keeps direct (each unit with everything under it)."""
    from congvu.org.tree import tree_as_of

    kept = list(
        RoleGrant.objects.active_on(day)
        .filter(person_id=person_id, role=RoleGrant.Role.CLERK)
        .values_list("scope_id", flat=True)
    )
    if not kept:
        return set()
    tree = tree_as_of(day)
    return {u for unit_id in kept if unit_id in tree for u in tree.scope(unit_id)}


def check_clerk_for(clerk: Person, leader: Person, day: date) -> None:
    """The clerk keeps the register of a unit this leader leads (head or deputy)."""
    led = Membership.objects.active_on(day).leaders().filter(person=leader).values("unit_id")
    ok = (
        RoleGrant.objects.active_on(day)
        .filter(person=clerk, role=RoleGrant.Role.CLERK, scope_id__in=led)
        .exists()
    )
    if not ok:
        raise ActionPermissionError(
            f"{clerk.full_name} không phải văn thư của đơn vị do {leader.full_name} lãnh đạo."
        )


def can_register(person: Person, unit: Unit, day: date | None = None) -> bool:
    """A leader of the unit, or its clerk."""
    day = day or timezone.localdate()
    access = access_for(person, day)
    return (unit.pk in access.member_unit_ids and access.can_act_on_unit(unit)) or is_clerk_of(
        person, unit.pk, day
    )


@transaction.atomic
def do_register_directive(
    actor: Person,
    *,
    unit: Unit,
    number: str,
    issued_on: date | None,
    issuer: str,
    subject: str,
    file: UploadedFile | None = None,
    at: datetime | None = None,
) -> Directive:
    at = at or timezone.now()
    day = timezone.localtime(at).date()
    if not can_register(actor, unit, day):
        raise ActionPermissionError(
            f"Chỉ lãnh đạo hoặc văn thư của {unit.name} mới được vào sổ văn bản."
        )
    number, issuer, subject = number.strip(), issuer.strip(), subject.strip()
    problems = []
    if not number:
        problems.append(ActionError("required", "Nhập số, ký hiệu văn bản.", field="number"))
    if issued_on is None:
        problems.append(ActionError("required", "Nhập ngày văn bản.", field="issued_on"))
    elif issued_on > day:
        problems.append(
            ActionError("future_date", "Ngày văn bản không được sau hôm nay.", field="issued_on")
        )
    if not issuer:
        problems.append(ActionError("required", "Nhập cơ quan ban hành.", field="issuer"))
    if not subject:
        problems.append(ActionError("required", "Nhập trích yếu văn bản.", field="subject"))
    refuse_all(problems)
    assert issued_on is not None
    existing = Directive.objects.filter(unit=unit, number=number, issued_on=issued_on).first()
    if existing is not None:
        raise ActionError(
            "already_registered",
            f"Văn bản {number} ngày {issued_on:%d/%m/%Y} đã vào sổ của {unit.name}.",
            field="number",
        )
    directive = Directive(
        number=number,
        issued_on=issued_on,
        issuer=issuer,
        subject=subject,
        unit=unit,
        registered_by=actor,
        registered_at=at,
        search_text=Task.fold_search_text(number, issuer, subject),
    )
    if file is not None:
        digest = hashlib.sha256()
        for chunk in file.chunks():
            digest.update(chunk)
        directive.sha256 = digest.hexdigest()
        directive.file.save(file.name or "van-ban", file, save=False)
    directive.save()
    return directive


@dataclass(frozen=True)
class UnitPart:
    """One unit's share of a directive: its lead person and, optionally, its own title."""

    unit: Unit
    person: Person
    title: str = ""


@transaction.atomic
def do_assign_directive(
    assigner: Person,
    directive: Directive,
    parts: Sequence[UnitPart],
    *,
    title: str,
    deadline: date | None = None,
    working_days: int | None = None,
    expected_result: str = "",
    priority: int = 2,
    recorded_by: Person | None = None,
    at: datetime | None = None,
) -> list[Task]:
    """One task per unit, each with its own lead, all linked to `directive`; all or none.
    Every unit's problems are reported together, each prefixed with the unit's name."""
    from congvu.tasks.actions import do_assign

    if not parts:
        raise ActionError("required", "Chọn ít nhất một đơn vị chủ trì.", field="units")
    units = [p.unit.pk for p in parts]
    if len(set(units)) != len(units):
        raise ActionError("duplicate_unit", "Mỗi đơn vị chỉ nhận một nhiệm vụ.", field="units")
    tasks: list[Task] = []
    problems: list[ActionError] = []
    for part in parts:
        try:
            # Each unit in its own savepoint, so that one unit's refusal does not hide another's.
            with transaction.atomic():
                tasks.append(
                    do_assign(
                        assigner=assigner,
                        title=part.title or title,
                        lead_unit=part.unit,
                        lead_person=part.person,
                        deadline=deadline,
                        working_days=working_days,
                        expected_result=expected_result,
                        priority=priority,
                        directive=directive,
                        recorded_by=recorded_by,
                        at=at,
                    )
                )
        except ActionPermissionError:
            raise
        except ActionError as exc:
            for err in getattr(exc, "errors", None) or [exc]:
                problems.append(
                    ActionError(err.code, f"{part.unit.name}: {err.message}", field=err.field)
                )
    # Nothing is kept: the outer transaction rolls back the units that went through.
    refuse_all(problems)
    return tasks
