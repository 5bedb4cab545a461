from __future__ import annotations

import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.forms import AuthenticationForm
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from congvu.lib.http import safe_next
from congvu.web import sso

logger = logging.getLogger(__name__)


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = AuthenticationForm(request, data=request.POST)
        if form.is_valid():
            # login() keeps the session's data when the session had no user (an expired one),
            # so a form kept by congvu.lib.http.login_required survives signing in.
            login(request, form.get_user())
            return HttpResponseRedirect(safe_next(request))
    else:
        form = AuthenticationForm(request)
    form.fields["username"].widget.attrs.update(autocomplete="username", autofocus=True)
    form.fields["password"].widget.attrs.update(autocomplete="current-password")
    return render(
        request,
        "web/sign_in.html",
        {"form": form, "next": safe_next(request), "sso": sso.configured()},
    )


def _sso_redirect_uri(request: HttpRequest) -> str:
    return settings.OIDC_REDIRECT_URI or request.build_absolute_uri(reverse("web:sso_callback"))


@never_cache
@require_GET
def sso_start(request: HttpRequest) -> HttpResponse:
    """To the province's identity provider; the page to return to is kept in the session."""
    if not sso.configured():
        raise Http404
    request.session["sso_next"] = safe_next(request)
    try:
        response: HttpResponse = sso.start(request, _sso_redirect_uri(request))
    except sso.SSOError as exc:
        messages.error(request, exc.message)
        return HttpResponseRedirect(settings.LOGIN_URL)
    return response


@never_cache
@require_GET
def sso_callback(request: HttpRequest) -> HttpResponse:
    if not sso.configured():
        raise Http404
    try:
        user = sso.finish(request)
    except sso.SSOError as exc:
        logger.warning("OIDC sign-in refused: %s", exc.message)
        messages.error(request, exc.message)
        return HttpResponseRedirect(settings.LOGIN_URL)
    target = request.session.pop("sso_next", settings.LOGIN_REDIRECT_URL)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    return HttpResponseRedirect(target)


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    return HttpResponseRedirect(settings.LOGIN_URL)


def locked_out(
    request: HttpRequest, original_response: object = None, credentials: object = None
) -> HttpResponse:
    """django-axes' answer to a locked-out sign-in (settings.AXES_LOCKOUT_CALLABLE): in
    Vietnamese, with how long to wait, as a page or, for the API and scripts, as JSON."""
    minutes = max(1, round(float(settings.AXES_COOLOFF_TIME) * 60))
    message = (
        f"Đăng nhập tạm bị khóa cho tài khoản này từ địa chỉ của bạn sau "
        f"{settings.AXES_FAILURE_LIMIT} lần nhập sai mật khẩu. Vui lòng thử lại sau {minutes} "
        "phút, hoặc liên hệ quản trị hệ thống nếu bạn quên mật khẩu."
    )
    wants_json = request.path.startswith("/api/") or "application/json" in request.headers.get(
        "Accept", ""
    )
    if wants_json:
        response: HttpResponse = JsonResponse(
            {"code": "locked_out", "message": message, "field": None}, status=429
        )
    else:
        response = render(request, "web/locked_out.html", {"message": message}, status=429)
    response["Retry-After"] = str(minutes * 60)
    return response
