"""Who must use a one-time code (TOTP) after their password.

The province turns it on with CONGVU_REQUIRE_2FA=True; it then applies to provincial leaders,
HR (Sở Nội vụ), inspectors and administrators — the roles that read evaluations, audit trails
and everyone's work. Anyone may enrol voluntarily; once enrolled, the code is always asked.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django_otp import user_has_device

from congvu.org.permissions import Role, access_for_user

REQUIRED_ROLES = frozenset({Role.LEADER, Role.HR, Role.INSPECTOR, Role.ADMIN})


def requires_second_factor(user: AbstractBaseUser | AnonymousUser) -> bool:
    if not user.is_authenticated:
        return False
    if user_has_device(user, confirmed=True):
        return True
    if not settings.REQUIRE_2FA:
        return False
    if getattr(user, "is_superuser", False):
        return True
    return bool(access_for_user(user).roles & REQUIRED_ROLES)
