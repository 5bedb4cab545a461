"""Privacy pages: my data (who viewed it, my requests), the officers' request queue, the
register and the impact-assessment dossier. Who sees what: congvu.privacy.permissions."""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from congvu.lib.choices import shown_choices
from congvu.lib.http import login_required, take_posted
from congvu.org.http import get_access, get_person, require_person
from congvu.org.models import today
from congvu.privacy import actions
from congvu.privacy.access import KIND_LABELS
from congvu.privacy.models import AccessEntry, Policy, ProcessingActivity, SubjectRequest
from congvu.privacy.permissions import handles_requests_of, is_privacy_officer, reads_register


class RequestForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("Loại yêu cầu"), choices=shown_choices(SubjectRequest.Kind.choices)
    )
    text = forms.CharField(
        label=gettext_lazy("Nội dung yêu cầu"), widget=forms.Textarea(attrs={"rows": 3})
    )


class AnswerForm(forms.Form):
    request_id = forms.IntegerField(widget=forms.HiddenInput)
    answer = forms.CharField(
        label=gettext_lazy("Nội dung trả lời"), widget=forms.Textarea(attrs={"rows": 2})
    )
    refuse = forms.BooleanField(label=gettext_lazy("Từ chối (nêu lý do)"), required=False)


@login_required
@require_http_methods(["GET", "POST"])
def my_data(request: HttpRequest) -> HttpResponse:
    me = require_person(request)
    form, taken = take_posted(
        request,
        RequestForm,
        lambda d: actions.do_file_request(me, kind=d["kind"], text=d["text"]),
        done=_("Đã gửi yêu cầu."),
        then=reverse("privacy:my_data"),
    )
    if taken is not None:
        return taken
    views = AccessEntry.objects.filter(subject=me).select_related("viewer").order_by("-at")[:200]
    return render(
        request,
        "privacy/my_data.html",
        {
            "form": form,
            "views": views,
            "kind_labels": KIND_LABELS,
            "requests": me.data_requests.all(),
            "reads_register": reads_register(get_access(request)),
            "nav_active": "privacy",
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def requests_queue(request: HttpRequest) -> HttpResponse:
    access = get_access(request)
    if not is_privacy_officer(access):
        raise PermissionDenied(_("Trang này dành cho bộ phận tổ chức cán bộ."))
    officer = get_person(request)
    form, taken = take_posted(
        request,
        AnswerForm,
        lambda d: actions.do_answer_request(
            d["request_id"],
            officer,
            answer=d["answer"],
            refuse=d["refuse"],
            superuser=access.is_superuser,
        ),
        done=_("Đã trả lời yêu cầu."),
        then=reverse("privacy:requests"),
        missing=(SubjectRequest.DoesNotExist, _("Không tìm thấy yêu cầu này.")),
    )
    if taken is not None:
        return taken
    rows = [
        r
        for r in SubjectRequest.objects.select_related("person", "answered_by")
        if handles_requests_of(access, r.person)
    ]
    return render(
        request,
        "privacy/requests.html",
        {"rows": rows, "form": form, "day": today(), "nav_active": "privacy"},
        status=400 if form.errors else 200,
    )


def _require_register_reader(request: HttpRequest) -> None:
    if not reads_register(get_access(request)):
        raise PermissionDenied(_("Trang này dành cho lãnh đạo, Sở Nội vụ và thanh tra."))


def _register_context() -> dict[str, object]:
    day = today()
    return {
        "activities": ProcessingActivity.objects.prefetch_related("categories"),
        "policies": Policy.objects.all(),
        "day": day,
        "nav_active": "privacy",
    }


@login_required
@require_GET
def register(request: HttpRequest) -> HttpResponse:
    _require_register_reader(request)
    return render(request, "privacy/register.html", _register_context())


@login_required
@require_GET
def dossier(request: HttpRequest) -> HttpResponse:
    """The impact-assessment dossier (hồ sơ đánh giá tác động), generated from the register,
    laid out for printing (the browser's "print to PDF" gives the file to submit)."""
    _require_register_reader(request)
    return render(request, "privacy/dossier.html", _register_context())
