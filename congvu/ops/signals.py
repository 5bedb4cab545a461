from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from congvu.lib.http import client_ip
from congvu.ops.models import SignInRecord


def _record(
    request: HttpRequest | None, kind: SignInRecord.Kind, username: str, **fields: Any
) -> None:
    ip, agent = None, ""
    if request is not None:
        # Behind nginx, the address nginx forwards (not nginx's own); see congvu/lib/http.py.
        ip, agent = client_ip(request), request.META.get("HTTP_USER_AGENT", "")[:300]
    SignInRecord.objects.create(
        kind=kind, username=username, ip_address=ip, user_agent=agent, **fields
    )


@receiver(user_logged_in, dispatch_uid="congvu-signin-success")
def _logged_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    _record(request, SignInRecord.Kind.SUCCESS, user.get_username(), user=user)


@receiver(user_login_failed, dispatch_uid="congvu-signin-failure")
def _login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    username = str(credentials.get("username", ""))[:150]
    _record(request, SignInRecord.Kind.FAILURE, username)


@receiver(user_logged_out, dispatch_uid="congvu-signout")
def _logged_out(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if user is None:
        return
    _record(request, SignInRecord.Kind.LOGOUT, user.get_username(), user=user)


def record_device_change(
    request: HttpRequest | None, user: Any, kind: SignInRecord.Kind, by: str = ""
) -> None:
    """An authenticator device added (by its owner) or reset (by an administrator): both change
    who can open the account, so both are in the sign-in record."""
    _record(request, kind, user.get_username(), user=user, by=by)
