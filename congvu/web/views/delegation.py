"""Ủy quyền: an official hands his workflow steps to a colleague while on leave or on a
mission, sees the delegations he gave and received, and ends one early. Every change goes
through congvu.org.actions (delegate, revoke_delegation), which writes the audit event."""

from __future__ import annotations

from datetime import date

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from congvu.lib.errors import ActionError
from congvu.lib.http import login_required
from congvu.org import actions as org_actions
from congvu.org.http import get_access, get_person
from congvu.org.models import Delegation, Person, today
from congvu.web.forms import attach_error, offer, required_date


class DelegationForm(forms.Form):
    to = forms.ModelChoiceField(
        label=gettext_lazy("Người được ủy quyền"),
        queryset=Person.objects.none(),
        empty_label=gettext_lazy("— Chọn cán bộ —"),
        error_messages={"required": gettext_lazy("Chọn người được ủy quyền.")},
    )
    valid_from = required_date(
        gettext_lazy("Từ ngày"),
        gettext_lazy("Nhập ngày bắt đầu ủy quyền (dd/mm/yyyy)."),
    )
    valid_to = required_date(
        gettext_lazy("Đến ngày"),
        gettext_lazy("Nhập ngày kết thúc ủy quyền (dd/mm/yyyy)."),
    )
    reason = forms.CharField(
        label=gettext_lazy("Lý do"),
        max_length=255,
        help_text=gettext_lazy("Ví dụ: Nghỉ phép năm; Đi công tác nước ngoài"),
        error_messages={"required": gettext_lazy("Nêu lý do ủy quyền.")},
    )


def _delegator(request: HttpRequest) -> Person:
    """The signed-in official who may delegate; everyone else is refused."""
    person = get_person(request)
    if person is None or not get_access(request).may_delegate():
        raise PermissionDenied
    return person


def delegation_state(d: Delegation, day: date) -> str:
    if d.revoked_at is not None:
        return str(_("Đã thu hồi"))
    if d.valid_to < day:
        return str(_("Đã hết hạn"))
    if d.valid_from > day:
        return str(_("Sắp hiệu lực"))
    return str(_("Đang hiệu lực"))


@login_required
@require_http_methods(["GET", "POST"])
def delegations(request: HttpRequest) -> HttpResponse:
    me = _delegator(request)
    candidates = org_actions.delegation_candidates(me)
    form = DelegationForm(
        request.POST or None,
        initial={"valid_from": today()},
    )
    offer(form, "to", Person.objects.filter(pk__in=[p.pk for p in candidates]))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            delegation = org_actions.delegate(
                me,
                data["to"],
                valid_from=data["valid_from"],
                valid_to=data["valid_to"],
                reason=data["reason"],
                by=me,
            )
        except ActionError as exc:
            attach_error(form, exc)
        else:
            messages.success(
                request,
                _("Đã ủy quyền cho %(name)s từ %(a)s đến %(b)s.")
                % {
                    "name": delegation.delegate.full_name,
                    "a": delegation.valid_from.strftime("%d/%m/%Y"),
                    "b": delegation.valid_to.strftime("%d/%m/%Y"),
                },
            )
            return HttpResponseRedirect(reverse("web:delegations"))
    day = today()
    given = list(
        Delegation.objects.filter(principal=me)
        .select_related("delegate", "created_by")
        .order_by("-valid_from", "-pk")[:50]
    )
    received = list(
        Delegation.objects.filter(delegate=me, valid_to__gte=day, revoked_at__isnull=True)
        .select_related("principal")
        .order_by("valid_from")
    )
    return render(
        request,
        "web/org/delegations.html",
        {
            "form": form,
            "given": [
                (d, delegation_state(d, day), d.revoked_at is None and d.valid_to >= day)
                for d in given
            ],
            "received": [(d, delegation_state(d, day)) for d in received],
            "has_candidates": bool(candidates),
            "nav_active": "delegations",
        },
        status=400 if form.is_bound else 200,
    )


@login_required
@require_POST
def delegation_revoke(request: HttpRequest, delegation_id: int) -> HttpResponse:
    me = _delegator(request)
    delegation = (
        Delegation.objects.filter(pk=delegation_id, principal=me).select_related("delegate").first()
    )
    if delegation is None:
        raise Http404
    try:
        org_actions.revoke_delegation(delegation, by=me, at=timezone.now())
    except ActionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Đã kết thúc ủy quyền cho %(name)s.") % {"name": delegation.delegate.full_name},
        )
    return HttpResponseRedirect(reverse("web:delegations"))
