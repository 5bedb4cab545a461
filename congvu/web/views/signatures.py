"""Kiểm tra chữ ký số: upload a PDF, see who signed it, when, with which certificate, and
whether the file is intact and the certificate trusted (congvu/lib/signing.py)."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from congvu.lib import signing
from congvu.lib.errors import ActionError
from congvu.lib.http import login_required

MAX_PDF_BYTES = 30 * 1024 * 1024


class VerifyForm(forms.Form):
    file = forms.FileField(label=_("Tệp PDF đã ký"))

    def clean_file(self) -> bytes:
        f = self.cleaned_data["file"]
        if f.size > MAX_PDF_BYTES:
            raise forms.ValidationError(_("Tệp lớn hơn 30 MB."))
        data = bytes(f.read())
        if not data.startswith(b"%PDF"):
            raise forms.ValidationError(_("Tệp không phải PDF."))
        return data


@login_required
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    reports: list[signing.SignatureReport] | None = None
    if request.method == "POST":
        form = VerifyForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                reports = signing.verify_pdf(form.cleaned_data["file"])
            except ActionError as exc:
                form.add_error("file", exc.message)
    else:
        form = VerifyForm()
    status = 400 if form.errors else 200
    return render(
        request,
        "web/signatures/verify.html",
        {"form": form, "reports": reports, "nav_active": ""},
        status=status,
    )
