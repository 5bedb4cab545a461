"""Who is asking: the signed-in official and their permission set, computed once per request.

Every page reads them this way (web, evaluation, legal, privacy, staffing), so they live below
all of those apps, beside the permission rules they call."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _

from congvu.org.models import Person, person_for_user
from congvu.org.permissions import Access, access_for_user


def get_person(request: HttpRequest) -> Person | None:
    cached: Person | str | None = getattr(request, "_congvu_person", "unset")
    if cached == "unset":
        cached = person_for_user(request.user)  # type: ignore[arg-type]
        request._congvu_person = cached  # type: ignore[attr-defined]
    return cached  # type: ignore[return-value]


def require_person(request: HttpRequest) -> Person:
    """The signed-in official, for pages that only make sense for one (a bare account, such
    as a technical administrator's, is refused)."""
    person = get_person(request)
    if person is None:
        raise PermissionDenied(_("Tài khoản chưa gắn với cán bộ nào."))
    return person


def get_access(request: HttpRequest) -> Access:
    """The permission set of the signed-in user, computed once per request."""
    cached: Access | None = getattr(request, "_congvu_access", None)
    if cached is None:
        cached = access_for_user(request.user)
        request._congvu_access = cached  # type: ignore[attr-defined]
    return cached
