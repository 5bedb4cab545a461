"""Ủy quyền: an official hands his workflow steps to a colleague while on leave or on a
mission, sees the delegations he gave and received, and ends one early. An administrator or
Sở Nội vụ records one on behalf of an official of their scope who is away ("Ủy quyền thay").
Every change goes through congvu.org.actions (delegate, revoke_delegation), which writes the
audit event with the actor."""

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
from congvu.org.models import Delegation, Membership, Person, today
from congvu.org.permissions import Role
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


class OnBehalfForm(DelegationForm):
    """The same delegation, recorded for `principal` by an administrator or Sở Nội vụ."""

    principal = forms.ModelChoiceField(
        label=gettext_lazy("Người ủy quyền"),
        queryset=Person.objects.none(),
        widget=forms.HiddenInput,
        error_messages={
            "required": gettext_lazy("Chọn người ủy quyền."),
            "invalid_choice": gettext_lazy(
                "Người ủy quyền không thuộc phạm vi quản lý của anh/chị."
            ),
        },
    )


def _manager(request: HttpRequest) -> Person:
    """The signed-in administrator or Sở Nội vụ who records delegations for others."""
    person = get_person(request)
    access = get_access(request)
    if person is None or not (access.has_role(Role.ADMIN) or access.has_role(Role.HR)):
        raise PermissionDenied
    return person


def _principals(request: HttpRequest) -> list[Person]:
    """The officials who may delegate (heads and deputies today) of the units the signed-in
    administrator or Sở Nội vụ manages, by name."""
    scope = get_access(request).admin_unit_ids
    leads = Membership.objects.current().leaders().filter(unit_id__in=scope)
    return list(
        Person.objects.active()
        .filter(memberships__in=leads)
        .distinct()
        .order_by("full_name", "code")
    )


def _principal_label(p: Person) -> str:
    return f"{p.full_name} ({p.code})"


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
            "records_for_others": get_access(request).has_role(Role.ADMIN)
            or get_access(request).has_role(Role.HR),
            "nav_active": "delegations",
        },
        status=400 if form.is_bound else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def delegations_on_behalf(request: HttpRequest) -> HttpResponse:
    """Pick an official of one's scope (?nguoi=ID), then record his delegation for him."""
    me = _manager(request)
    principals = _principals(request)
    principal: Person | None = None
    wanted = request.POST.get("principal") or request.GET.get("nguoi")
    if wanted:
        principal = next((p for p in principals if str(p.pk) == wanted), None)
        if principal is None and request.method == "GET":
            raise Http404
    form: OnBehalfForm | None = None
    candidates = org_actions.delegation_candidates(principal) if principal else []
    if principal is not None or request.method == "POST":
        form = OnBehalfForm(
            request.POST or None,
            initial={"valid_from": today(), "principal": principal},
        )
        offer(form, "principal", Person.objects.filter(pk__in=[p.pk for p in principals]))
        offer(form, "to", Person.objects.filter(pk__in=[p.pk for p in candidates]))
    if request.method == "POST" and form is not None and form.is_valid():
        data = form.cleaned_data
        try:
            delegation = org_actions.delegate(
                data["principal"],
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
                _("Đã ghi ủy quyền của %(who)s cho %(name)s từ %(a)s đến %(b)s.")
                % {
                    "who": delegation.principal.full_name,
                    "name": delegation.delegate.full_name,
                    "a": delegation.valid_from.strftime("%d/%m/%Y"),
                    "b": delegation.valid_to.strftime("%d/%m/%Y"),
                },
            )
            url = reverse("web:delegations_on_behalf")
            return HttpResponseRedirect(f"{url}?nguoi={delegation.principal_id}")
    day = today()
    given = []
    if principal is not None:
        given = [
            (d, delegation_state(d, day), d.revoked_at is None and d.valid_to >= day)
            for d in Delegation.objects.filter(principal=principal)
            .select_related("delegate", "created_by")
            .order_by("-valid_from", "-pk")[:50]
        ]
    return render(
        request,
        "web/org/delegations_on_behalf.html",
        {
            "form": form,
            "principal": principal,
            "principals": [(p.pk, _principal_label(p)) for p in principals],
            "given": given,
            "has_candidates": bool(candidates),
            "nav_active": "delegations",
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def delegation_revoke(request: HttpRequest, delegation_id: int) -> HttpResponse:
    """The official ends his own delegation; an administrator or Sở Nội vụ one of his scope."""
    access = get_access(request)
    me = get_person(request)
    manager = access.has_role(Role.ADMIN) or access.has_role(Role.HR)
    if me is None or not (access.may_delegate() or manager):
        raise PermissionDenied
    delegation = (
        Delegation.objects.filter(pk=delegation_id).select_related("delegate", "principal").first()
    )
    if delegation is None:
        raise Http404
    on_behalf = delegation.principal_id != me.pk
    if on_behalf and not (manager and org_actions.manages_delegations_of(me, delegation.principal)):
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
    if on_behalf:
        url = reverse("web:delegations_on_behalf")
        return HttpResponseRedirect(f"{url}?nguoi={delegation.principal_id}")
    return HttpResponseRedirect(reverse("web:delegations"))
