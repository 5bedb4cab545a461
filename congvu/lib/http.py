"""The client's address, the same way for sign-in lockout, the sign-in audit and the API limits."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


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
