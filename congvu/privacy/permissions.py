"""Who works the privacy pages — one definition, on top of congvu.org's Access.

- Everyone signed in: files their own requests and sees who viewed their data.
- The privacy officers are HR (Sở Nội vụ, the personnel office that holds the files) in
  scope and superusers: they answer requests about people of their scope.
- HR, provincial leaders, inspectors and superusers read the register and the
  impact-assessment dossier (they decide on, or check, the processing).
"""

from __future__ import annotations

from congvu.org.models import Person
from congvu.org.permissions import Access, Role


def is_privacy_officer(access: Access) -> bool:
    return access.is_superuser or access.has_role(Role.HR)


def handles_requests_of(access: Access, person: Person) -> bool:
    if access.is_superuser:
        return True
    if not access.has_role(Role.HR):
        return False
    membership = person.primary_membership()
    return membership is not None and access.can_see_unit(membership.unit_id)


def reads_register(access: Access) -> bool:
    return access.is_superuser or any(
        access.has_role(r) for r in (Role.HR, Role.LEADER, Role.INSPECTOR)
    )
