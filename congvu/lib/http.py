"""Request facts read the same way everywhere: the client's address (sign-in lockout, the
sign-in audit and the API limits) and where to go after signing in (password, SSO, 2FA)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def client_ip(request: HttpRequest) -> str | None:
    """REMOTE_ADDR; behind the documented nginx (BEHIND_PROXY=True) the last X-Forwarded-For
    entry, which nginx appends itself ($proxy_add_x_forwarded_for). The entries before it are
    written by the client and never trusted."""
    if settings.BEHIND_PROXY:
        forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR", ""))
        last = forwarded.rsplit(",", maxsplit=1)[-1].strip()
        if last:
            return last
    peer: str | None = request.META.get("REMOTE_ADDR") or None
    return peer


def safe_next(request: HttpRequest) -> str:
    """The posted or queried `next`, only if it stays on this site; else the home page."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, {request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return settings.LOGIN_REDIRECT_URL
