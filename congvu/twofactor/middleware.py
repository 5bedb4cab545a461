from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django_otp import user_has_device

from congvu.twofactor.policy import requires_second_factor

# Paths a signed-in user may reach before giving the code. Not /api/: a password-only session
# must not reach the API either (issue #12, break 1); bearer tokens are checked by ninja.
_OPEN_PREFIXES = ("/static/", "/i18n/", "/dang-xuat/", "/xac-thuc/")

SECOND_FACTOR_REQUIRED = {
    "code": "second_factor_required",
    "message": "Cần nhập mã xác thực hai bước (trang /xac-thuc/) trước khi dùng phiên đăng nhập này.",
}


def second_factor_missing(request: HttpRequest) -> bool:
    """True when this signed-in session still owes a one-time code. The one rule used by the
    middleware (pages) and by the API's session authentication."""
    user = request.user
    return bool(
        user.is_authenticated
        and not getattr(user, "is_verified", lambda: False)()  # set by OTPMiddleware
        and not _known_exempt(request)
        and requires_second_factor(user)
    )


class SecondFactorMiddleware:
    """After django_otp's OTPMiddleware: a user who must give a code and has not, in this
    session, is sent to give it (or to set it up) before any page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if not request.path.startswith(_OPEN_PREFIXES) and second_factor_missing(request):
            if request.path.startswith("/api/"):
                return JsonResponse(SECOND_FACTOR_REQUIRED, status=403)
            name = (
                "twofactor_verify" if user_has_device(user, confirmed=True) else "twofactor_setup"
            )
            target = f"{reverse(name)}?{urlencode({'next': request.get_full_path()})}"
            if request.headers.get("HX-Request"):
                response = HttpResponse(status=204)
                response["HX-Redirect"] = target
                return response
            if request.path.startswith("/quan-tri/") or request.method == "GET":
                return HttpResponseRedirect(target)
            return JsonResponse(
                {"code": "second_factor_required", "message": "Cần nhập mã xác thực hai bước."},
                status=403,
            )
        return self.get_response(request)


EXEMPT_KEY = "congvu_2fa_exempt"


def exempt_value(user_pk: object) -> str:
    from django.conf import settings

    return f"{user_pk}:{int(settings.REQUIRE_2FA)}"


def _known_exempt(request: HttpRequest) -> bool:
    """Decided at sign-in (see apps.py): this session needs no code, so ordinary page views do
    not look up authenticator devices every time. Enrolling clears it."""
    return bool(request.session.get(EXEMPT_KEY) == exempt_value(request.user.pk))
