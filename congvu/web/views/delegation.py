"""Ủy quyền: an official hands his workflow steps to a colleague while on leave or on a
mission, sees the delegations he gave and received, and ends one early. An administrator or
Sở Nội vụ records one on behalf of an official of their scope who is away ("Ủy quyền thay").
Every change goes through congvu.org.actions (delegate, revoke_delegation), which writes the
audit event with the actor."""

from __future__ import annotations

from datetime import date
from typing import Any

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
from congvu.lib.http import login_required, run_posted
from congvu.org import actions as org_actions
from congvu.org.http import get_access, get_person
from congvu.org.models import Delegation, Membership, Person, today
from congvu.org.permissions import Access, Role
from congvu.web.forms import offer, picked, required_date


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

    principal = picked(
        Person.objects.none(),
        gettext_lazy("Người ủy quyền"),
        error_messages={
            "required": gettext_lazy("Chọn người ủy quyền."),
            "invalid_choice": gettext_lazy(
                "Người ủy quyền không thuộc phạm vi quản lý của anh/chị."
            ),
        },
    )


def _records_for_others(access: Access) -> bool:
    return access.has_role(Role.ADMIN) or access.has_role(Role.HR)


def _manager(request: HttpRequest) -> Person:
    """The signed-in administrator or Sở Nội vụ who records delegations for others."""
    person = get_person(request)
    if person is None or not _records_for_others(get_access(request)):
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


def _delegate(data: dict[str, Any], *, principal: Person, by: Person) -> Delegation:
    return org_actions.delegate(
        principal,
        data["to"],
        valid_from=data["valid_from"],
        valid_to=data["valid_to"],
        reason=data["reason"],
        by=by,
    )


def _named(d: Delegation) -> dict[str, str]:
    """Who and when, for the messages that confirm a delegation."""
    return {
        "who": d.principal.full_name,
        "name": d.delegate.full_name,
        "a": d.valid_from.strftime("%d/%m/%Y"),
        "b": d.valid_to.strftime("%d/%m/%Y"),
    }


def _given(principal: Person, day: date) -> list[tuple[Delegation, str, bool]]:
    """The principal's latest delegations, each with its state and whether it may still be
    ended (neither revoked nor expired)."""
    rows = (
        Delegation.objects.filter(principal=principal)
        .select_related("delegate", "created_by")
        .order_by("-valid_from", "-pk")[:50]
    )
    return [(d, delegation_state(d, day), d.revoked_at is None and d.valid_to >= day) for d in rows]


def _on_behalf_page(d: Delegation) -> str:
    """The page of the official whose delegation was recorded or ended for him."""
    return f"{reverse('web:delegations_on_behalf')}?nguoi={d.principal_id}"


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
    taken = run_posted(
        request,
        form,
        lambda data: _delegate(data, principal=me, by=me),
        done=lambda made: _("Đã ủy quyền cho %(name)s từ %(a)s đến %(b)s.") % _named(made),
        then=reverse("web:delegations"),
    )
    if taken is not None:
        return taken
    day = today()
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
            "given": _given(me, day),
            "received": [(d, delegation_state(d, day)) for d in received],
            "has_candidates": bool(candidates),
            "records_for_others": _records_for_others(get_access(request)),
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
        taken = run_posted(
            request,
            form,
            lambda data: _delegate(data, principal=data["principal"], by=me),
            done=lambda made: (
                _("Đã ghi ủy quyền của %(who)s cho %(name)s từ %(a)s đến %(b)s.") % _named(made)
            ),
            then=_on_behalf_page,
        )
        if taken is not None:
            return taken
    return render(
        request,
        "web/org/delegations_on_behalf.html",
        {
            "form": form,
            "principal": principal,
            "principals": [(p.pk, _principal_label(p)) for p in principals],
            "given": _given(principal, today()) if principal is not None else [],
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
    manager = _records_for_others(access)
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
        return HttpResponseRedirect(_on_behalf_page(delegation))
    return HttpResponseRedirect(reverse("web:delegations"))
