"""Organisation administration on the unit page (administrators and Sở Nội vụ in scope):
rename the unit, add a new person to it, place someone as head, deputy or member, end a
post. Each form calls one congvu.org.actions function, which writes the audit event with
the actor; a refusal shows beside its field and nothing is written."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from congvu.lib.choices import shown_choices
from congvu.lib.errors import ActionError
from congvu.lib.http import login_required, run_posted
from congvu.org import actions as org_actions
from congvu.org.http import get_access, get_person
from congvu.org.models import Membership, Person, Unit, today
from congvu.web.forms import offer, required_date


class RenameUnitForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Tên mới của đơn vị"),
        max_length=255,
        error_messages={"required": gettext_lazy("Nhập tên mới của đơn vị.")},
    )
    effective = required_date(
        gettext_lazy("Hiệu lực từ ngày"),
        gettext_lazy("Nhập ngày hiệu lực (dd/mm/yyyy)."),
    )
    decision_ref = forms.CharField(label=gettext_lazy("Quyết định"), max_length=120, required=False)


ROLE_CHOICES = shown_choices(Membership.Role.choices)


class _PostForm(forms.Form):
    """The post a person takes in the unit, whether new to the province or placed here."""

    role = forms.ChoiceField(label=gettext_lazy("Vai trò"), choices=ROLE_CHOICES)
    position_title = forms.CharField(label=gettext_lazy("Chức vụ"), max_length=120, required=False)


class NewPersonForm(_PostForm):
    code = forms.CharField(
        label=gettext_lazy("Mã cán bộ"),
        max_length=40,
        error_messages={"required": gettext_lazy("Nhập mã cán bộ.")},
    )
    full_name = forms.CharField(
        label=gettext_lazy("Họ và tên"),
        max_length=120,
        error_messages={"required": gettext_lazy("Nhập họ và tên.")},
    )
    category = forms.ChoiceField(
        label=gettext_lazy("Phân loại"),
        choices=shown_choices(Person.Category.choices),
        error_messages={"required": gettext_lazy("Chọn phân loại cán bộ.")},
    )
    valid_from = required_date(
        gettext_lazy("Từ ngày"),
        gettext_lazy("Nhập ngày bắt đầu công tác (dd/mm/yyyy)."),
    )


class PlaceForm(_PostForm):
    person_code = forms.CharField(
        label=gettext_lazy("Mã cán bộ"),
        max_length=40,
        error_messages={"required": gettext_lazy("Nhập mã cán bộ cần bố trí.")},
    )
    valid_from = required_date(
        gettext_lazy("Từ ngày"),
        gettext_lazy("Nhập ngày bắt đầu (dd/mm/yyyy)."),
    )
    concurrent = forms.BooleanField(
        label=gettext_lazy("Kiêm nhiệm (giữ công tác chính ở đơn vị hiện tại)"), required=False
    )

    def clean_person_code(self) -> Person:
        code = self.cleaned_data["person_code"].strip()
        person = Person.objects.filter(code=code, is_active=True).first()
        if person is None:
            raise forms.ValidationError(
                _("Không có cán bộ đang công tác mang mã %(code)s.") % {"code": code}
            )
        return person


class EndMembershipForm(forms.Form):
    membership = forms.ModelChoiceField(
        label=gettext_lazy("Cán bộ"),
        queryset=Membership.objects.none(),
        empty_label=gettext_lazy("— Chọn cán bộ —"),
        error_messages={"required": gettext_lazy("Chọn cán bộ thôi công tác tại đơn vị.")},
    )
    last_day = required_date(
        gettext_lazy("Ngày làm việc cuối cùng"),
        gettext_lazy("Nhập ngày làm việc cuối cùng (dd/mm/yyyy)."),
    )


FORMS: dict[str, type[forms.Form]] = {
    "rename": RenameUnitForm,
    "add_person": NewPersonForm,
    "place": PlaceForm,
    "end": EndMembershipForm,
}


def admin_forms(unit: Unit, data: Any = None, which: str = "") -> dict[str, forms.Form]:
    """The four forms of the unit page; `which` is bound to `data`, the others blank."""
    day = today()
    out: dict[str, forms.Form] = {}
    for key, cls in FORMS.items():
        bound = data if key == which else None
        initial: dict[str, Any] = {
            "effective": day,
            "valid_from": day,
            "last_day": day,
            "role": Membership.Role.MEMBER,
        }
        if key == "rename":
            initial["name"] = unit.name
        form = cls(bound, initial=initial, prefix=key)
        if isinstance(form, EndMembershipForm):
            picker = offer(
                form,
                "membership",
                Membership.objects.current()
                .filter(unit=unit)
                .select_related("person")
                .order_by("role", "person__full_name"),
            )
            picker.label_from_instance = _membership_label  # type: ignore[method-assign,assignment]
        out[key] = form
    return out


def _membership_label(m: Membership) -> str:
    return f"{m.person.full_name} ({m.person.code}) — {m.position_title or m.get_role_display()}"


def _run(key: str, data: dict[str, Any], unit: Unit, actor: Person | None) -> str:
    """Call the action for form `key`; return the message that confirms it. A refusal names
    its fields as the form calls them, so that it shows beside the right one."""
    try:
        return _act(key, data, unit, actor)
    except ActionError as exc:
        for err in getattr(exc, "errors", None) or [exc]:
            if err.field and err.field not in FORMS[key].base_fields:
                err.field = FIELD_ALIASES.get(err.field, err.field)
            elif err.field is None and err.code == "date_range":
                err.field = "last_day" if key == "end" else "valid_from"
        raise


def _act(key: str, data: dict[str, Any], unit: Unit, actor: Person | None) -> str:
    if key == "rename":
        org_actions.rename_unit(
            unit, data["name"], data["effective"], decision_ref=data["decision_ref"], actor=actor
        )
        return _("Đã đổi tên đơn vị thành %(name)s.") % {"name": data["name"].strip()}
    if key == "add_person":
        person = org_actions.create_person(
            code=data["code"],
            full_name=data["full_name"],
            category=data["category"],
            unit=unit,
            role=data["role"],
            position_title=data["position_title"],
            valid_from=data["valid_from"],
            actor=actor,
        )
        return _("Đã thêm %(name)s vào đơn vị.") % {"name": person.full_name}
    if key == "place":
        person = data["person_code"]
        if data["concurrent"]:
            org_actions.add_membership(
                person,
                unit,
                role=data["role"],
                position_title=data["position_title"],
                valid_from=data["valid_from"],
                is_primary=False,
                actor=actor,
            )
        else:
            org_actions.transfer_person(
                person,
                unit,
                data["valid_from"],
                role=data["role"],
                position_title=data["position_title"],
                actor=actor,
            )
        return _("Đã bố trí %(name)s tại đơn vị.") % {"name": person.full_name}
    membership = data["membership"]
    org_actions.end_membership(membership, data["last_day"], actor=actor)
    return _("Đã kết thúc công tác của %(name)s tại đơn vị.") % {
        "name": membership.person.full_name
    }


# Fields the actions name in their refusals, as the forms call them.
FIELD_ALIASES = {"valid_to": "valid_from", "unit": "person_code"}


@login_required
@require_POST
def unit_admin(request: HttpRequest, unit_id: int) -> HttpResponse:
    from congvu.web.views.org import _get_unit_for_user, render_unit_page

    unit = _get_unit_for_user(request, unit_id)
    if not get_access(request).can_admin_unit(unit):
        raise PermissionDenied
    key = request.POST.get("form", "")
    if key not in FORMS:  # the person may act here; the request names no form of the page
        return HttpResponseBadRequest(_("Không rõ biểu mẫu quản trị cần thực hiện."))
    bound = admin_forms(unit, request.POST, key)
    actor = get_person(request)
    taken = run_posted(
        request,
        bound[key],
        lambda data: _run(key, data, unit, actor),
        done=lambda message: message,
        then=reverse("web:unit", args=[unit.pk]),
    )
    if taken is not None:
        return taken
    return render_unit_page(request, unit, admin=bound, status=400)
