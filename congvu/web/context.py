"""Template context for every page: the province, the signed-in person and a role-based menu."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from congvu.org.http import get_access, get_person
from congvu.org.permissions import Access, Role


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str
    url: str


def nav_items(access: Access) -> list[NavItem]:
    """The menu: everyone has an inbox, the tree and the calendar; the rest follows roles."""
    from django.apps import apps

    from congvu.web import features

    items = [NavItem("inbox", str(_("Việc của tôi")), reverse("web:inbox"))]
    directs = bool(access.act_unit_ids)
    if features.tasks_enabled():
        if directs:
            items.append(NavItem("assign", str(_("Giao việc")), reverse("web:task_new")))
        if access.has_role(Role.HEAD) or access.has_role(Role.DEPUTY):
            items.append(
                NavItem("unit_dashboard", str(_("Đơn vị")), reverse("web:unit_dashboard_home"))
            )
        if access.may(Role.LEADER) or access.may(Role.HR):
            items.append(
                NavItem("province", str(_("Toàn tỉnh")), reverse("web:province_dashboard"))
            )
        if access.may(Role.INSPECTOR):
            items.append(NavItem("inspect", str(_("Thanh tra")), reverse("web:inspect")))
        items += _legal_items(access)
    if apps.is_installed("congvu.evaluation") and access.person_id is not None:
        items.append(NavItem("evaluation", str(_("Đánh giá")), reverse("evaluation:home")))
    items += _privacy_items(access)
    if apps.is_installed("congvu.staffing"):
        from congvu.staffing.permissions import sees_staffing

        if sees_staffing(access):
            items.append(NavItem("staffing", str(_("Tinh giản")), reverse("staffing:home")))
    if access.may_delegate():
        items.append(NavItem("delegations", str(_("Ủy quyền")), reverse("web:delegations")))
    elif access.has_role(Role.ADMIN) or access.has_role(Role.HR):
        # They delegate nothing of their own; they record it for an official who is away.
        items.append(
            NavItem("delegations", str(_("Ủy quyền")), reverse("web:delegations_on_behalf"))
        )
    if features.tasks_enabled() and (access.may(Role.ADMIN) or access.may(Role.HR)):
        items.append(NavItem("exchange", str(_("Liên thông")), reverse("web:agency_codes")))
    if access.may(Role.ADMIN):
        items.append(NavItem("accounts", str(_("Tài khoản")), reverse("web:accounts")))
    items.append(NavItem("indicators", str(_("Chỉ tiêu")), reverse("web:indicators")))
    items.append(NavItem("org", str(_("Tổ chức")), reverse("web:unit_tree")))
    items.append(NavItem("calendar", str(_("Lịch làm việc")), reverse("web:calendar")))
    items.append(NavItem("search", str(_("Tìm kiếm")), reverse("web:search")))
    return items


def _legal_items(access: Access) -> list[NavItem]:
    """The legal department's queue (one query), the report for leaders (congvu.legal)."""
    from django.apps import apps

    if not apps.is_installed("congvu.legal") or access.person_id is None:
        return []
    from congvu.legal.actions import is_legal_staff
    from congvu.org.models import Person

    if is_legal_staff(Person(pk=access.person_id), access):
        return [NavItem("legal", str(_("Vướng mắc pháp lý")), reverse("legal:queue"))]
    if access.may(Role.LEADER):
        return [NavItem("legal", str(_("Vướng mắc pháp lý")), reverse("legal:report"))]
    return []


def _privacy_items(access: Access) -> list[NavItem]:
    """Everyone's own data page; the officers' queue (congvu.privacy.permissions)."""
    from django.apps import apps

    if not apps.is_installed("congvu.privacy"):
        return []
    from congvu.privacy.permissions import is_privacy_officer

    if is_privacy_officer(access):
        return [NavItem("privacy", str(_("Dữ liệu cá nhân")), reverse("privacy:requests"))]
    if access.person_id is None:
        return []
    return [NavItem("privacy", str(_("Dữ liệu của tôi")), reverse("privacy:my_data"))]


def web(request: HttpRequest) -> dict[str, object]:
    if not request.user.is_authenticated:
        return {"province_name": settings.PROVINCE_NAME}
    return {
        "province_name": settings.PROVINCE_NAME,
        "me": SimpleLazyObject(lambda: get_person(request)),
        "nav": SimpleLazyObject(lambda: nav_items(get_access(request))),
        "unread_count": SimpleLazyObject(lambda: _unread(request)),
    }


def _unread(request: HttpRequest) -> int:
    from congvu.web import features

    person = get_person(request)
    if person is None or not features.tasks_enabled():
        return 0
    from congvu.web.notifications import unread_count

    return unread_count(person, get_access(request).member_unit_ids)
