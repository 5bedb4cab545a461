from __future__ import annotations

import base64
import io
from urllib.parse import urlencode

import segno
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp import match_token, user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from congvu.lib.http import safe_next
from congvu.ops.models import SignInRecord
from congvu.ops.signals import record_device_change


def _qr_data_uri(url: str) -> str:
    buf = io.BytesIO()
    segno.make(url, error="m").save(buf, kind="svg", scale=5, border=2)
    return "data:image/svg+xml;base64," + base64.b64encode(buf.getvalue()).decode()


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def setup(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app: show the QR code, confirm with a first code.

    A user who already has a confirmed device must first give its code in this session: else a
    stolen password would enrol the thief's phone and unlock the account (issue #12, break 2).
    Lost the phone: an administrator resets (`manage.py reset_2fa USER`, logged)."""
    user = request.user
    if user_has_device(user, confirmed=True) and not getattr(user, "is_verified", lambda: False)():
        target = f"{reverse('twofactor_verify')}?{urlencode({'next': request.get_full_path()})}"
        return HttpResponseRedirect(target)
    request.session.pop("congvu_2fa_exempt", None)  # from now on this account may need a code
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Ứng dụng xác thực", confirmed=False)
    error = ""
    if request.method == "POST":
        token = request.POST.get("token", "").replace(" ", "")
        if device.verify_token(token):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            TOTPDevice.objects.filter(user=user, confirmed=False).delete()
            otp_login(request, device)
            record_device_change(request, user, SignInRecord.Kind.DEVICE_ADDED)
            return HttpResponseRedirect(safe_next(request))
        error = _("Mã không đúng hoặc đã hết hạn. Hãy nhập mã 6 số đang hiển thị trong ứng dụng.")
    secret = base64.b32encode(device.bin_key).decode()
    return render(
        request,
        "twofactor/setup.html",
        {
            "qr": _qr_data_uri(device.config_url),
            "secret": secret,
            "error": error,
            "next": safe_next(request),
        },
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    error = ""
    if request.method == "POST":
        device = match_token(request.user, request.POST.get("token", "").replace(" ", ""))
        if device is not None:
            otp_login(request, device)
            return HttpResponseRedirect(safe_next(request))
        error = _("Mã không đúng hoặc đã hết hạn.")
    return render(request, "twofactor/verify.html", {"error": error, "next": safe_next(request)})
