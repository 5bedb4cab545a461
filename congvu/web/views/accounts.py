"""Tài khoản người dùng: administrators list the accounts of the people in their scope, and
on one person's page create the account, lock or unlock it, reset its password, grant and
revoke roles. Each form calls one action (congvu.org.accounts, congvu.org.actions), which
writes the audit event with the actor; a refusal shows beside its field and nothing is
written. The person sets a password through the link an administrator hands over
(`set_password`, no sign-in needed)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.models import User
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods

from congvu.audit import log as audit
from congvu.lib.choices import shown_choices
from congvu.lib.http import login_required, run_posted
from congvu.lib.text import fold
from congvu.org import accounts
from congvu.org import actions as org_actions
from congvu.org.http import get_access, get_person
from congvu.org.models import Membership, Person, RoleGrant, Unit, today
from congvu.org.permissions import Access, Role
from congvu.org.tree import tree_as_of
from congvu.web.forms import DATE_WIDGET
from congvu.web.paging import paginate

# What each "access" event says, in words (the history on the account page).
EVENT_LABELS = {
    "role_granted": gettext_lazy("Đã cấp quyền"),
    "role_revoked": gettext_lazy("Đã thu hồi quyền"),
    "account_created": gettext_lazy("Đã tạo tài khoản"),
    "account_locked": gettext_lazy("Đã khóa tài khoản"),
    "account_unlocked": gettext_lazy("Đã mở khóa tài khoản"),
    "password_reset": gettext_lazy("Đã đặt lại mật khẩu"),
    "password_set": gettext_lazy("Người dùng đã tự đặt mật khẩu"),
}

STATES = [
    ("", gettext_lazy("Tất cả")),
    ("hoat-dong", gettext_lazy("Đang hoạt động")),
    ("khoa", gettext_lazy("Đã khóa")),
    ("chua-co", gettext_lazy("Chưa có tài khoản")),
]


class AccountFilterForm(forms.Form):
    q = forms.CharField(
        label=gettext_lazy("Họ tên, tên đăng nhập hoặc đơn vị"), max_length=200, required=False
    )
    trang_thai = forms.ChoiceField(label=gettext_lazy("Trạng thái"), choices=STATES, required=False)
    don_vi = forms.IntegerField(required=False, widget=forms.HiddenInput)


PASSWORD_WIDGET = forms.PasswordInput(attrs={"autocomplete": "new-password"})
HOW = [
    ("link", gettext_lazy("Tạo đường dẫn để người dùng tự đặt mật khẩu")),
    ("password", gettext_lazy("Đặt mật khẩu ban đầu")),
]


class PasswordChoiceForm(forms.Form):
    """An initial password typed twice, or a link for the person to set his own."""

    how = forms.ChoiceField(
        label=gettext_lazy("Mật khẩu"), choices=HOW, initial="link", widget=forms.RadioSelect
    )
    password = forms.CharField(
        label=gettext_lazy("Mật khẩu mới"), required=False, strip=False, widget=PASSWORD_WIDGET
    )
    password2 = forms.CharField(
        label=gettext_lazy("Nhập lại mật khẩu"), required=False, strip=False, widget=PASSWORD_WIDGET
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("how") == "password":
            if not data.get("password"):
                self.add_error("password", _("Nhập mật khẩu mới."))
            elif data.get("password") != data.get("password2"):
                self.add_error("password2", _("Hai lần nhập mật khẩu không khớp."))
        return data

    def chosen_password(self) -> str | None:
        if self.cleaned_data["how"] == "password":
            return str(self.cleaned_data["password"])
        return None


class CreateAccountForm(PasswordChoiceForm):
    username = forms.CharField(
        label=gettext_lazy("Tên đăng nhập"),
        max_length=150,
        error_messages={"required": gettext_lazy("Nhập tên đăng nhập.")},
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    field_order = ["username", "how", "password", "password2"]


class ResetPasswordForm(PasswordChoiceForm):
    pass


class LockForm(forms.Form):
    pass


class GrantForm(forms.Form):
    role = forms.ChoiceField(
        label=gettext_lazy("Vai trò"),
        choices=[("", gettext_lazy("— Chọn vai trò —")), *shown_choices(RoleGrant.Role.choices)],
        error_messages={"required": gettext_lazy("Chọn vai trò cần cấp.")},
    )
    scope = forms.ModelChoiceField(
        label=gettext_lazy("Phạm vi (đơn vị và các đơn vị trực thuộc)"),
        queryset=Unit.objects.none(),
        empty_label=gettext_lazy("— Chọn đơn vị —"),
        error_messages={
            "required": gettext_lazy("Chọn đơn vị là phạm vi của quyền."),
            "invalid_choice": gettext_lazy("Đơn vị này nằm ngoài phạm vi quản trị của anh/chị."),
        },
    )
    valid_from = forms.DateField(
        label=gettext_lazy("Từ ngày"),
        widget=DATE_WIDGET,
        error_messages={"required": gettext_lazy("Nhập ngày bắt đầu (dd/mm/yyyy).")},
    )
    decision_ref = forms.CharField(label=gettext_lazy("Quyết định"), max_length=120, required=False)


class RevokeForm(forms.Form):
    grant = forms.ModelChoiceField(
        queryset=RoleGrant.objects.none(),
        widget=forms.HiddenInput,
        error_messages={
            "required": gettext_lazy("Chọn quyền cần thu hồi."),
            "invalid_choice": gettext_lazy("Quyền này không còn hiệu lực."),
        },
    )
    decision_ref = forms.CharField(label=gettext_lazy("Quyết định"), max_length=120, required=False)


FORMS: dict[str, type[forms.Form]] = {
    "create": CreateAccountForm,
    "reset": ResetPasswordForm,
    "lock": LockForm,
    "unlock": LockForm,
    "grant": GrantForm,
    "revoke": RevokeForm,
}


def _units_in_scope(access: Access) -> QuerySet[Unit]:
    units = Unit.objects.current().order_by("code")
    return units if access.is_superuser else units.filter(pk__in=access.admin_unit_ids)


def account_forms(
    person: Person, access: Access, data: Any = None, which: str = ""
) -> dict[str, forms.Form]:
    """The forms of the account page; `which` is bound to `data`, the others blank."""
    out: dict[str, forms.Form] = {}
    for key, cls in FORMS.items():
        bound = data if key == which else None
        form = cls(bound, initial={"valid_from": today(), "how": "link"}, prefix=key)
        if isinstance(form, GrantForm):
            form.fields["scope"].queryset = _units_in_scope(access)  # type: ignore[attr-defined]
        if isinstance(form, RevokeForm):
            form.fields["grant"].queryset = _revocable(person)  # type: ignore[attr-defined]
        out[key] = form
    return out


def _revocable(person: Person) -> QuerySet[RoleGrant]:
    """The grants still to come or in force: not revoked, not ended before today."""
    return RoleGrant.objects.filter(person=person, revoked_on__isnull=True).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=today())
    )


def may_manage_accounts(access: Access) -> bool:
    return access.may(Role.ADMIN)


def _people_in_scope(access: Access) -> QuerySet[Person]:
    """The people whose accounts this administrator manages (accounts.manages, as a query)."""
    people = Person.objects.all()
    if access.is_superuser:
        return people
    posts = Membership.objects.current().filter(person=OuterRef("pk"))
    in_scope = Q(Exists(posts.filter(unit_id__in=access.admin_unit_ids)))
    if set(tree_as_of(today()).roots()) & access.admin_unit_ids:
        in_scope |= ~Q(Exists(posts))
    return people.filter(in_scope)


@login_required
@require_GET
def account_list(request: HttpRequest) -> HttpResponse:
    access = get_access(request)
    if not may_manage_accounts(access):
        raise PermissionDenied
    form = AccountFilterForm(request.GET)
    people = _people_in_scope(access).select_related("user")
    unit: Unit | None = None
    if form.is_valid():
        q, state, unit_id = (
            form.cleaned_data["q"].strip(),
            form.cleaned_data["trang_thai"],
            form.cleaned_data["don_vi"],
        )
        if q:
            units = Membership.objects.current().filter(unit__search_text__contains=fold(q))
            people = people.filter(
                Q(search_text__contains=fold(q))
                | Q(user__username__icontains=q)
                | Q(pk__in=units.values("person_id"))
            )
        if state == "hoat-dong":
            people = people.filter(user__isnull=False, user__is_active=True)
        elif state == "khoa":
            people = people.filter(user__isnull=False, user__is_active=False)
        elif state == "chua-co":
            people = people.filter(user__isnull=True)
        if unit_id:
            unit = Unit.objects.filter(pk=unit_id).first()
            tree = tree_as_of(today())
            scope = tree.scope(unit_id) if unit_id in tree else frozenset({unit_id})
            people = people.filter(
                pk__in=Membership.objects.current().filter(unit_id__in=scope).values("person_id")
            )
    page = paginate(request, people.order_by("full_name", "code"))
    posts = {
        m.person_id: m
        for m in Membership.objects.current()
        .filter(person_id__in=[p.pk for p in page], is_primary=True)
        .select_related("unit")
    }
    return render(
        request,
        "web/accounts/list.html",
        {
            "form": form,
            "page_obj": page,
            "rows": [(p, posts.get(p.pk)) for p in page],
            "unit": unit,
            "nav_active": "accounts",
        },
    )


def _get_person_for_admin(request: HttpRequest, person_id: int) -> Person:
    person: Person = get_object_or_404(Person.objects.select_related("user"), pk=person_id)
    if not accounts.manages(get_access(request), person):
        raise PermissionDenied
    return person


def _run(
    key: str, form: forms.Form, person: Person, actor: Person | None, request: HttpRequest
) -> str:
    """Call the action for form `key`; return the message that confirms it."""
    data = form.cleaned_data
    by_user = request.user.get_username()
    if key == "create":
        assert isinstance(form, CreateAccountForm)
        password = form.chosen_password()
        user = accounts.create_account(
            person, username=data["username"], password=password, actor=actor, by_user=by_user
        )
        done = _("Đã tạo tài khoản %(username)s cho %(name)s.") % {
            "username": user.username,
            "name": person.full_name,
        }
        return done if password else f"{done} {_link_message(request, user)}"
    if key == "reset":
        assert isinstance(form, ResetPasswordForm)
        password = form.chosen_password()
        user = accounts.reset_password(person, password=password, actor=actor, by_user=by_user)
        done = _("Đã đặt lại mật khẩu của tài khoản %(username)s.") % {"username": user.username}
        return done if password else f"{done} {_link_message(request, user)}"
    if key in ("lock", "unlock"):
        user = accounts.set_account_active(person, key == "unlock", actor=actor, by_user=by_user)
        if key == "lock":
            return _("Đã khóa tài khoản %(username)s.") % {"username": user.username}
        return _("Đã mở khóa tài khoản %(username)s.") % {"username": user.username}
    if key == "grant":
        grant = org_actions.grant_role(
            person,
            data["role"],
            data["scope"],
            valid_from=data["valid_from"],
            decision_ref=data["decision_ref"],
            actor=actor,
            by_user=by_user,
        )
        return _("Đã cấp quyền %(role)s (%(scope)s) cho %(name)s.") % {
            "role": grant.get_role_display(),
            "scope": grant.scope.name,
            "name": person.full_name,
        }
    grant = org_actions.revoke_role(
        data["grant"], decision_ref=data["decision_ref"], actor=actor, by_user=by_user
    )
    return _("Đã thu hồi quyền %(role)s (%(scope)s) của %(name)s.") % {
        "role": grant.get_role_display(),
        "scope": grant.scope.name,
        "name": person.full_name,
    }


def _link_message(request: HttpRequest, user: User) -> str:
    link = request.build_absolute_uri(set_password_path(user))
    return _(
        "Gửi đường dẫn sau cho người dùng để tự đặt mật khẩu (dùng được một lần, trong %(days)s ngày): %(link)s"
    ) % {"link": link, "days": _link_days()}


def _link_days() -> int:
    from django.conf import settings

    return int(settings.PASSWORD_RESET_TIMEOUT) // 86400


def set_password_path(user: User) -> str:
    return reverse(
        "web:set_password",
        args=[
            urlsafe_base64_encode(force_bytes(user.pk)),
            default_token_generator.make_token(user),
        ],
    )


@sensitive_post_parameters(
    "create-password", "create-password2", "reset-password", "reset-password2"
)
@login_required
@require_http_methods(["GET", "POST"])
def account_detail(request: HttpRequest, person_id: int) -> HttpResponse:
    access = get_access(request)
    if not may_manage_accounts(access):
        raise PermissionDenied
    person = _get_person_for_admin(request, person_id)
    if request.method == "POST":
        key = request.POST.get("form", "")
        if key not in FORMS:
            return _render(request, person, access, {}, status=400)
        if key in ("reset", "lock", "unlock") and not accounts.may_take_over(access, person):
            raise PermissionDenied
        bound = account_forms(person, access, request.POST, key)
        form = bound[key]
        if (
            form.is_valid()
            and key == "grant"
            and not accounts.may_grant_in(access, form.cleaned_data["scope"])
        ):
            form.add_error("scope", _("Đơn vị này nằm ngoài phạm vi quản trị của anh/chị."))
        actor = get_person(request)
        taken = run_posted(
            request,
            form,
            lambda _data: _run(key, form, person, actor, request),
            done=lambda message: message,
            then=reverse("web:account", args=[person.pk]),
        )
        if taken is not None:
            return taken
        return _render(request, person, access, bound, status=400)
    return _render(request, person, access, account_forms(person, access))


def _render(
    request: HttpRequest,
    person: Person,
    access: Access,
    bound: dict[str, forms.Form],
    *,
    status: int = 200,
) -> HttpResponse:
    day = today()
    grants = list(
        RoleGrant.objects.filter(person=person).select_related("scope").order_by("-valid_from")
    )
    current = set(RoleGrant.objects.current().filter(person=person).values_list("pk", flat=True))
    revocable = set(_revocable(person).values_list("pk", flat=True))
    history = audit.history("access", person.pk)
    forms_ = bound or account_forms(person, access)
    # A form the page does not show now (the account was created or removed meanwhile, a
    # second click): its refusal goes above the page rather than nowhere.
    shown = {"grant", "revoke", *(("lock", "unlock", "reset") if person.user else ("create",))}
    refused = [
        e for k, f in forms_.items() if k not in shown for es in f.errors.values() for e in es
    ]
    return render(
        request,
        "web/accounts/detail.html",
        {
            "person": person,
            "account": person.user,
            "post": person.primary_membership(day),
            "forms": forms_,
            "refused": refused,
            "grants": [(g, g.pk in current, g.pk in revocable) for g in grants],
            "history": [(ev, EVENT_LABELS.get(ev.kind, ev.kind_label)) for ev in history[::-1]],
            "nav_active": "accounts",
        },
        status=status,
    )


class SetPasswordForm(forms.Form):
    password = forms.CharField(
        label=gettext_lazy("Mật khẩu mới"),
        strip=False,
        widget=PASSWORD_WIDGET,
        error_messages={"required": gettext_lazy("Nhập mật khẩu mới.")},
    )
    password2 = forms.CharField(
        label=gettext_lazy("Nhập lại mật khẩu"),
        strip=False,
        widget=PASSWORD_WIDGET,
        error_messages={"required": gettext_lazy("Nhập lại mật khẩu.")},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password") and data.get("password") != data.get("password2"):
            self.add_error("password2", _("Hai lần nhập mật khẩu không khớp."))
        return data


def _user_from_link(uidb64: str, token: str) -> User | None:
    try:
        user = User.objects.filter(pk=int(force_str(urlsafe_base64_decode(uidb64)))).first()
    except (ValueError, TypeError, OverflowError):
        return None
    if user is None or not user.is_active or not default_token_generator.check_token(user, token):
        return None
    return user


@never_cache
@sensitive_post_parameters("password", "password2")
@require_http_methods(["GET", "POST"])
def set_password(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """The link an administrator handed over: the person chooses his password (once; the link
    stops working when the password changes or after PASSWORD_RESET_TIMEOUT)."""
    user = _user_from_link(uidb64, token)
    if user is None:
        return render(request, "web/accounts/set_password.html", {"invalid": True}, status=400)
    form = SetPasswordForm(request.POST if request.method == "POST" else None)
    taken = run_posted(
        request,
        form,
        lambda data: accounts.set_password(user, data["password"]),
        done=_("Đã đặt mật khẩu. Mời đăng nhập bằng mật khẩu mới."),
        then=reverse("web:sign_in"),
    )
    if taken is not None:
        return taken
    status = 400 if form.is_bound else 200
    return render(
        request,
        "web/accounts/set_password.html",
        {"form": form, "username": user.username},
        status=status,
    )
