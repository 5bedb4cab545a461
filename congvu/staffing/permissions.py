"""Who sees the streamlining lists, weak-unit signals and snapshots — one definition over
congvu.org's Access: the people who may read evaluations of a unit (its heads and deputies,
provincial leaders, HR, inspectors in scope) see them for that unit; the menu shows the page
to leaders, HR, heads and superusers (those who propose or decide)."""

from __future__ import annotations

from congvu.org.permissions import Access, Role


def sees_staffing(access: Access) -> bool:
    return access.is_superuser or any(
        access.has_role(r) for r in (Role.LEADER, Role.HR, Role.HEAD, Role.INSPECTOR)
    )


def units_in_scope(access: Access) -> set[int] | None:
    """The units whose results the viewer may see; None = all (superuser)."""
    return None if access.is_superuser else set(access.evaluation_unit_ids)
