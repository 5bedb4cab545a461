"""Connected government pages: importing incoming documents (edXML packages, CSV/XLSX
sheets), the agency identifier codes of units, the webhook outbox, the report package."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Min, Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from congvu.exchange import codes, importer, outbox
from congvu.exchange.edxml import MAX_PACKAGE_BYTES
from congvu.exchange.models import AgencyCode, DeliveryAttempt, StagedUpload, Subscriber
from congvu.exchange.report import report_package
from congvu.lib.errors import ActionError
from congvu.lib.http import login_required
from congvu.org.http import get_access, get_person
from congvu.org.models import RoleGrant, Unit, today
from congvu.web.forms import DATE_WIDGET, offer, required_date
from congvu.web.views.directives import _registers
from congvu.web.views.tasks import _get_task_for_user

Role = RoleGrant.Role
STAGED_FOR = timedelta(hours=1)


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Gói tin edXML (.xml) hoặc bảng văn bản (.csv, .xlsx)"),
    )
    working_days = forms.IntegerField(
        label=gettext_lazy("Số ngày làm việc khi văn bản không ghi hạn xử lý"),
        min_value=1,
        max_value=365,
        initial=importer.DEFAULT_WORKING_DAYS,
    )


class ConfirmForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput)
    working_days = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=365)


def _plans(name: str, data: bytes) -> list[importer.Plan]:
    if name.lower().endswith((".csv", ".xlsx")):
        return importer.plan_sheet(data, name)
    return [importer.plan_edxml(data)]


@login_required
@require_http_methods(["GET", "POST"])
def import_documents(request: HttpRequest) -> HttpResponse:
    """Nhập gói tin văn bản: upload, preview, confirm (nothing is written before confirming)."""
    person = get_person(request)
    if person is None or not _registers(person):
        raise PermissionDenied
    form = UploadForm(request.POST or None, request.FILES or None)
    context: dict[str, object] = {"form": form, "nav_active": "assign"}
    if request.method == "POST" and "token" in request.POST:
        confirm = ConfirmForm(request.POST)
        staged = None
        if confirm.is_valid():
            staged = StagedUpload.objects.filter(
                token=confirm.cleaned_data["token"],
                person=person,
                created_at__gte=timezone.now() - STAGED_FOR,
            ).first()
        if staged is None:
            form = UploadForm()
            form.add_error(None, _("Phiên xem trước đã hết hạn; hãy tải tệp lên lại."))
            return render(
                request, "web/exchange/import.html", {**context, "form": form}, status=400
            )
        try:
            directives = importer.do_import(
                person,
                _plans(staged.name, bytes(staged.content)),
                working_days=confirm.cleaned_data["working_days"],
            )
        except ActionError as exc:
            staged.delete()
            form = UploadForm()
            for err in getattr(exc, "errors", None) or [exc]:
                form.add_error(None, err.message)
            return render(
                request, "web/exchange/import.html", {**context, "form": form}, status=400
            )
        staged.delete()
        n = len(importer.tasks_of(directives))
        messages.success(
            request,
            _("Đã nhập %(d)d văn bản, giao %(n)d nhiệm vụ.") % {"d": len(directives), "n": n},
        )
        return HttpResponseRedirect(reverse("web:directive", args=[directives[0].pk]))
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > MAX_PACKAGE_BYTES:
            form.add_error("file", _("Tệp lớn hơn giới hạn 20 MB."))
        else:
            data = upload.read()
            try:
                plans = _plans(upload.name or "", data)
            except ActionError as exc:
                for err in getattr(exc, "errors", None) or [exc]:
                    form.add_error("file", err.message)
            else:
                StagedUpload.objects.filter(created_at__lt=timezone.now() - STAGED_FOR).delete()
                staged = StagedUpload.objects.create(
                    token=secrets.token_hex(16),
                    person=person,
                    name=upload.name or "goi-tin.xml",
                    content=data,
                    created_at=timezone.now(),
                )
                confirm = ConfirmForm(
                    initial={
                        "token": staged.token,
                        "working_days": form.cleaned_data["working_days"],
                    }
                )
                return render(
                    request,
                    "web/exchange/preview.html",
                    {
                        "plans": plans,
                        "confirm": confirm,
                        "name": staged.name,
                        "nav_active": "assign",
                    },
                )
    return render(
        request,
        "web/exchange/import.html",
        context,
        status=400 if form.is_bound else 200,
    )


class CodeForm(forms.Form):
    unit = forms.ModelChoiceField(label=gettext_lazy("Đơn vị"), queryset=Unit.objects.none())
    code = forms.CharField(label=gettext_lazy("Mã định danh"), max_length=13)
    valid_from = forms.DateField(label=gettext_lazy("Hiệu lực từ"), widget=DATE_WIDGET)


def _may_set_codes(request: HttpRequest) -> bool:
    access = get_access(request)
    return access.may(Role.ADMIN) or access.may(Role.HR)


@login_required
@require_http_methods(["GET", "POST"])
def agency_codes(request: HttpRequest) -> HttpResponse:
    """The agency identifier codes of units (administrators and HR set them)."""
    if not _may_set_codes(request):
        raise PermissionDenied
    form = CodeForm(request.POST or None, initial={"valid_from": today()})
    offer(form, "unit", Unit.objects.current().order_by("code"))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            row = codes.set_code(
                data["unit"], data["code"], data["valid_from"], get_person(request)
            )
        except ActionError as exc:
            form.add_error("valid_from" if exc.field == "valid_from" else "code", exc.message)
        else:
            messages.success(
                request,
                _("%(unit)s: mã định danh %(code)s.") % {"unit": row.unit.name, "code": row.code},
            )
            return HttpResponseRedirect(reverse("web:agency_codes"))
    rows = AgencyCode.objects.select_related("unit").order_by("unit__code", "-valid_from")
    return render(
        request,
        "web/exchange/codes.html",
        {
            "form": form,
            "rows": rows,
            "is_admin": get_access(request).may(Role.ADMIN),
            "nav_active": "exchange",
        },
        status=400 if form.is_bound else 200,
    )


class SubscriberForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Tên hệ thống"), max_length=120)
    url = forms.URLField(
        label=gettext_lazy("Địa chỉ nhận (URL)"), max_length=500, assume_scheme="https"
    )
    kinds = forms.CharField(
        label=gettext_lazy("Mã loại sự kiện, cách nhau bởi dấu phẩy (để trống: mọi loại)"),
        required=False,
    )

    def clean_kinds(self) -> list[int]:
        raw = self.cleaned_data["kinds"]
        try:
            return [int(k) for k in raw.replace(";", ",").split(",") if k.strip()]
        except ValueError:
            raise forms.ValidationError(_("Mã loại sự kiện là số, ví dụ 101, 205.")) from None


def _posted_subscriber(request: HttpRequest) -> Subscriber | None:
    """The subscriber a row's button names; None for a missing or malformed one (the page
    simply shows the list again)."""
    raw = request.POST.get("subscriber", "")
    return Subscriber.objects.filter(pk=int(raw)).first() if raw.isdigit() else None


@login_required
@require_http_methods(["GET", "POST"])
def webhooks(request: HttpRequest) -> HttpResponse:
    """Subscribed systems, their pending messages and every delivery attempt (administrators)."""
    if not get_access(request).may(Role.ADMIN):
        raise PermissionDenied
    form = SubscriberForm(request.POST if request.POST.get("form") == "add" else None)
    if request.method == "POST" and request.POST.get("form") == "retry":
        sub = _posted_subscriber(request)
        if sub is not None:
            n = outbox.retry_now(sub)
            messages.success(request, _("%(n)d sự kiện sẽ được gửi lại ngay.") % {"n": n})
        return HttpResponseRedirect(reverse("web:webhooks"))
    created: tuple[Subscriber, str] | None = None
    if request.method == "POST" and form.is_valid():
        secret = secrets.token_urlsafe(32)
        sub = Subscriber.objects.create(
            name=form.cleaned_data["name"],
            url=form.cleaned_data["url"],
            kinds=form.cleaned_data["kinds"],
            secret=secret,
        )
        # Shown in this response only (never in a message cookie or the session).
        created = (sub, secret)
        form = SubscriberForm()
    if request.method == "POST" and request.POST.get("form") == "toggle":
        sub = _posted_subscriber(request)
        if sub is not None:
            sub.active = not sub.active
            sub.save(update_fields=["active"])
        return HttpResponseRedirect(reverse("web:webhooks"))
    pending = Q(messages__state="pending")
    subs = Subscriber.objects.annotate(
        pending=Count("messages", filter=pending),
        delivered=Count("messages", filter=Q(messages__state="delivered")),
        next_try=Min("messages__next_attempt_at", filter=pending),
    )
    attempts = DeliveryAttempt.objects.select_related("message", "message__subscriber")[:100]
    return render(
        request,
        "web/exchange/webhooks.html",
        {
            "subs": subs,
            "attempts": attempts,
            "form": form,
            "created": created,
            "nav_active": "exchange",
        },
        status=400 if form.is_bound else 200,
    )


@login_required
@require_GET
def task_report_package(request: HttpRequest, task_id: int) -> HttpResponse:
    """The edXML report package of a task whose result is accepted (whoever reads the task)."""
    task = _get_task_for_user(request, task_id)
    try:
        data = report_package(task)
    except ActionError as exc:
        messages.error(request, exc.message)
        return HttpResponseRedirect(reverse("web:task", args=[task.pk]))
    response = HttpResponse(data, content_type="application/xml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="bao-cao-{task.pk}.xml"'
    return response


class FeedForm(forms.Form):
    tu = required_date(
        gettext_lazy("Từ ngày"),
        gettext_lazy("Nhập ngày đầu kỳ báo cáo (dd/mm/yyyy)."),
    )
    den = required_date(
        gettext_lazy("Đến ngày"),
        gettext_lazy("Nhập ngày cuối kỳ báo cáo (dd/mm/yyyy)."),
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("tu") and data.get("den") and data["den"] < data["tu"]:
            self.add_error("den", _("Ngày cuối kỳ phải từ ngày đầu kỳ trở đi."))
        return data


@login_required
@require_GET
def unit_feed(request: HttpRequest, unit_id: int) -> HttpResponse:
    """The unit's tasks and indicators for a period as a checked, signed ZIP (congvu.web.feeds)
    for the province's direction system; the same readers as the unit's dashboard."""
    from congvu.web.feeds import build_feed, feed_zip
    from congvu.web.views.dashboards import _get_directed_unit

    unit = _get_directed_unit(request, unit_id)
    form = FeedForm(request.GET or None)
    if not request.GET or not form.is_valid():
        status = 400 if request.GET else 200
        return render(
            request, "web/exchange/feed.html", {"unit": unit, "form": form}, status=status
        )
    start, end = form.cleaned_data["tu"], form.cleaned_data["den"]
    feed = build_feed(unit, start, end, today())
    data = feed_zip(feed, timezone.now())
    response = HttpResponse(data, content_type="application/zip")
    name = f"congvu-{unit.code}-{start:%Y%m%d}-{end:%Y%m%d}.zip"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
