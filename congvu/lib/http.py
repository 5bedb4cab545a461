"""Request facts read the same way everywhere: the client's address (sign-in lockout, the
sign-in audit and the API limits), where to go after signing in (password, SSO, 2FA), the
sign-in guard that keeps a half-filled form across an expired session, and how a page's own
form, a refusal and a generated PDF are answered."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlencode, urlsplit

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.http.response import HttpResponseBase
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from congvu.lib.errors import ActionError

F = TypeVar("F", bound=forms.Form)
T = TypeVar("T")

# Session key of a form posted after the session had expired: {"path": ..., "data": {...}}.
PENDING_FORM_KEY = "congvu_pending_form"
_NEVER_KEPT = {"csrfmiddlewaretoken", "password"}


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


class AuthenticatedHttpRequest(HttpRequest):
    user: User


def login_required(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Like Django's, but a form posted after the session expired is not lost.

    The posted fields (never the CSRF token or a password) are kept in the new anonymous
    session; after signing in the person lands on the same page with the fields filled in
    (see `pending_form_data`). An htmx request gets an HX-Redirect instead of a 302 that htmx
    would follow silently into a fragment swap.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated:
            return view(request, *args, **kwargs)
        target = request.get_full_path()
        if getattr(request, "htmx", False) and request.htmx.current_url_abs_path:  # type: ignore[attr-defined]
            target = request.htmx.current_url_abs_path  # type: ignore[attr-defined]
        elif request.method == "POST":
            # A form often posts to an action URL (…/thao-tac/) from the page that shows it:
            # come back to that page, where the kept fields are put back into the form.
            target = _same_site_referer(request) or target
        if request.method == "POST":
            data = {k: v for k, v in request.POST.lists() if k not in _NEVER_KEPT}
            request.session[PENDING_FORM_KEY] = {"path": target, "data": data}
            messages.info(
                request,
                _(
                    "Phiên làm việc đã hết hạn. Vui lòng đăng nhập lại; nội dung bạn đã nhập được giữ nguyên."
                ),
            )
        url = f"{settings.LOGIN_URL}?{urlencode({'next': target})}"
        if getattr(request, "htmx", False):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = url
            return response
        return HttpResponseRedirect(url)

    return wrapper


def _same_site_referer(request: HttpRequest) -> str | None:
    referer = request.headers.get("Referer", "")
    if not referer or not url_has_allowed_host_and_scheme(referer, {request.get_host()}):
        return None
    parts = urlsplit(referer)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def pending_form_data(request: HttpRequest) -> QueryDict | None:
    """The fields kept from a form posted to this page before an expired session, once.

    Bind a form to it (`Form(data=...)`) to show the person what they typed.
    """
    pending = request.session.get(PENDING_FORM_KEY)
    if not pending or pending.get("path") != request.get_full_path():
        return None
    del request.session[PENDING_FORM_KEY]
    data = QueryDict(mutable=True)
    for key, values in pending["data"].items():
        data.setlist(key, values)
    return data


def show_refusal(request: HttpRequest, exc: ActionError) -> None:
    """An action refused on a page that redirects: a permission refusal is a 403 page, any
    other reason is shown as a message on the page the person lands on."""
    if exc.status == 403:
        raise PermissionDenied(exc.message) from exc
    messages.error(request, exc.message)


def attach_error(form: forms.Form, exc: ActionError, shown: tuple[str, ...] = ()) -> None:
    """Put the action's refusal beside its field (all of them, for several); a field the page
    does not show (a hidden input outside `shown`, the pickers that show their own errors)
    gets its message above the form."""
    for err in getattr(exc, "errors", None) or [exc]:
        if (
            err.field
            and err.field in form.fields
            and (
                err.field in shown
                or not isinstance(form.fields[err.field].widget, forms.HiddenInput)
            )
        ):
            form.add_error(err.field, err.message)
        else:
            form.add_error(None, err.message)


def run_posted(
    request: HttpRequest,
    form: forms.Form,
    run: Callable[[dict[str, Any]], T],
    *,
    done: str | Callable[[T], str],
    then: str | Callable[[T], str],
    shown: tuple[str, ...] = (),
) -> HttpResponse | None:
    """A form the view built and bound itself (its pickers limited, its initial values, its
    prefix), answered like `take_posted`'s: when valid, `run` the action on the cleaned data;
    success flashes `done` and redirects to `then` (either may be worked out from what `run`
    returned). A refusal goes beside its field (`attach_error`) and there is no response: the
    caller renders the page again with the form, as for an invalid one."""
    if not form.is_valid():
        return None
    try:
        result = run(form.cleaned_data)
    except ActionError as exc:
        attach_error(form, exc, shown)
        return None
    messages.success(request, done if isinstance(done, str) else done(result))
    return HttpResponseRedirect(then if isinstance(then, str) else then(result))


def take_posted(
    request: HttpRequest,
    form_class: type[F],
    run: Callable[[dict[str, Any]], object],
    *,
    done: str,
    then: str,
    missing: tuple[type[Exception], str] | None = None,
) -> tuple[F, HttpResponse | None]:
    """A page's own form, posted back to it: the form to show, and the response when the page
    is done. A GET shows the empty form. A valid POST runs the action on the cleaned data;
    success flashes `done` and redirects to `then` (POST-redirect-GET). A refusal (ActionError,
    or the `missing` object not found, with its message) becomes the form's error, and the
    caller renders the page again with the form (no response), as for an invalid form."""
    if request.method != "POST":
        return form_class(), None
    form = form_class(request.POST)
    if not form.is_valid():
        return form, None
    not_found: tuple[type[Exception], ...] = (missing[0],) if missing else ()
    try:
        run(form.cleaned_data)
    except ActionError as e:
        form.add_error(None, e.message)
    except not_found:
        assert missing is not None
        form.add_error(None, missing[1])
    else:
        messages.success(request, done)
        return form, HttpResponseRedirect(then)
    return form, None


def pdf_response(
    request: HttpRequest, make: Callable[[], bytes], filename: str, *, back: str
) -> HttpResponse:
    """A generated PDF, shown in the browser. If it cannot be made (the fonts are missing on
    this server) the person goes back to `back` with the reason."""
    try:
        pdf = make()
    except ActionError as exc:
        messages.error(request, exc.message)
        return HttpResponseRedirect(back)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response
