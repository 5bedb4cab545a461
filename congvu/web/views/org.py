"""Organisation pages: the unit tree as of a date, a unit, a person, and the pickers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from congvu.lib.http import login_required
from congvu.lib.text import fold
from congvu.org import accounts
from congvu.org.http import get_access, get_person
from congvu.org.models import (
    Membership,
    Person,
    RoleGrant,
    Unit,
    UnitSuccession,
    UnitVersion,
    in_effect,
    today,
)
from congvu.org.permissions import Access, Role
from congvu.org.tree import OrgTree, tree_as_of
from congvu.web import features
from congvu.web.forms import AsOfForm
from congvu.web.paging import paginate


def _unit_visible(access: Access, unit_id: int) -> bool:
    return access.can_see_unit(unit_id) or access.can_admin_unit(unit_id)


def _get_unit_for_user(request: HttpRequest, unit_id: int) -> Unit:
    unit: Unit = get_object_or_404(Unit.objects.select_related("unit_type"), pk=unit_id)
    if not _unit_visible(get_access(request), unit.pk):
        raise PermissionDenied
    return unit


def _get_person_for_user(request: HttpRequest, person_id: int) -> Person:
    person = get_object_or_404(Person, pk=person_id)
    me = get_person(request)
    if me is not None and me.pk == person.pk:
        return person
    access = get_access(request)
    if access.sees_everything or accounts.manages(access, person):
        return person
    unit_ids = Membership.objects.current().filter(person=person).values_list("unit_id", flat=True)
    if not any(_unit_visible(access, u) for u in unit_ids):
        raise PermissionDenied
    return person


@dataclass
class Node:
    unit_id: int
    code: str
    name: str
    type_name: str
    visible: bool
    children: list[Node] = field(default_factory=list)


def _visible_units(access: Access, tree: OrgTree) -> set[int]:
    if access.sees_everything:
        return set(tree.parent)
    return {u for u in tree.parent if _unit_visible(access, u)}


def build_tree(access: Access, day: date) -> list[Node]:
    """The units valid on `day` that this person may see, with their ancestors as context."""
    tree = tree_as_of(day)
    visible = _visible_units(access, tree)
    shown = set(visible)
    for unit_id in visible:
        shown.update(tree.ancestors(unit_id))
    rows = (
        UnitVersion.objects.active_on(day)
        .filter(unit_id__in=shown)
        .values_list("unit_id", "unit__code", "name", "unit_type__name", "parent_id")
        .order_by("unit__code")
    )
    nodes: dict[int, Node] = {}
    parents: dict[int, int | None] = {}
    for unit_id, code, name, type_name, parent_id in rows:
        nodes[unit_id] = Node(unit_id, code, name, type_name, unit_id in visible)
        parents[unit_id] = parent_id
    roots: list[Node] = []
    for unit_id, node in nodes.items():
        up = parents[unit_id]
        if up is not None and up in nodes:
            nodes[up].children.append(node)
        else:
            roots.append(node)
    return roots


@login_required
@require_GET
def unit_tree(request: HttpRequest) -> HttpResponse:
    form = AsOfForm(request.GET)
    day = form.day(today())
    roots = build_tree(get_access(request), day)
    return render(
        request,
        "web/org/tree.html",
        {"form": form, "day": day, "roots": roots, "nav_active": "org", "is_today": day == today()},
    )


@login_required
@require_GET
def unit_detail(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = _get_unit_for_user(request, unit_id)
    return render_unit_page(request, unit)


def render_unit_page(
    request: HttpRequest,
    unit: Unit,
    *,
    admin: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The unit page; for whoever manages the unit's organisation, with its forms (`admin`:
    the forms as posted, when one was refused)."""
    access = get_access(request)
    form = AsOfForm(request.GET)
    day = form.day(today())
    tree = tree_as_of(day)
    versions = list(
        UnitVersion.objects.filter(unit=unit)
        .select_related("unit_type", "parent")
        .order_by("-valid_from")
    )
    version = next((v for v in versions if in_effect(v, day)), None)
    ancestor_ids = tree.ancestors(unit.pk)[::-1] if unit.pk in tree else []
    child_ids = tree.children.get(unit.pk, []) if unit.pk in tree else []
    names = dict(
        UnitVersion.objects.active_on(day)
        .filter(unit_id__in=[*ancestor_ids, *child_ids])
        .values_list("unit_id", "name")
    )
    ancestors = [(u, names.get(u, "?"), _unit_visible(access, u)) for u in ancestor_ids]
    children = sorted(
        ((u, names.get(u, "?"), _unit_visible(access, u)) for u in child_ids), key=lambda c: c[1]
    )
    memberships = (
        Membership.objects.active_on(day)
        .filter(unit=unit)
        .select_related("person")
        .order_by("role", "person__full_name")
    )
    leaders = list(memberships.filter(role__in=(Membership.Role.HEAD, Membership.Role.DEPUTY)))
    members = paginate(request, memberships.filter(role=Membership.Role.MEMBER))
    successions = list(
        UnitSuccession.objects.filter(Q(predecessor=unit) | Q(successor=unit))
        .select_related("predecessor", "successor")
        .order_by("effective_date")
    )
    manages_accounts = access.may(Role.ADMIN) and access.can_admin_unit(unit)
    if admin is None and access.can_admin_unit(unit) and unit.valid_to is None:
        from congvu.web.views.org_admin import admin_forms

        admin = admin_forms(unit)
    return render(
        request,
        "web/org/unit.html",
        {
            "unit": unit,
            "version": version,
            "versions": versions,
            "day": day,
            "form": form,
            "ancestors": ancestors,
            "children": children,
            "leaders": leaders,
            "page_obj": members,
            "successions": successions,
            "admin": admin,
            "manages_accounts": manages_accounts,
            "nav_active": "org",
            "is_today": day == today(),
        },
        status=status,
    )


@login_required
@require_GET
def person_detail(request: HttpRequest, person_id: int) -> HttpResponse:
    person = _get_person_for_user(request, person_id)
    access = get_access(request)
    memberships = list(
        Membership.objects.filter(person=person).select_related("unit").order_by("-valid_from")
    )
    grants = list(
        RoleGrant.objects.filter(person=person).select_related("scope").order_by("-valid_from")
    )
    day = today()
    tasks: list[Any] = []
    if features.tasks_enabled():
        from congvu.web.taskquery import visible_tasks, with_countdowns, with_names

        # Only the open tasks this viewer may read (a person page is not a way around scope).
        led = (
            visible_tasks(access)
            .filter(lead_person=person)
            .exclude(status__in=("completed", "cancelled"))
        )
        tasks = with_countdowns(with_names(led).order_by("deadline", "pk")[:10], day)
    return render(
        request,
        "web/org/person.html",
        {
            "person": person,
            "tasks": tasks,
            "memberships": [
                (m, _unit_visible(access, m.unit_id), in_effect(m, day)) for m in memberships
            ],
            "grants": grants,
            "manages_account": accounts.manages(access, person),
            "nav_active": "org",
        },
    )


def visible_units_qs(access: Access, day: date | None = None) -> Q:
    """A filter on Unit for the units this person may see (all of them for a superuser)."""
    if access.sees_everything:
        return Q()
    return Q(pk__in=access.read_unit_ids | access.admin_unit_ids)


@login_required
@require_GET
def pick_unit(request: HttpRequest) -> HttpResponse:
    """htmx: current units matching ?q= (accent-insensitive), for the pickers.

    Unit names are not confidential (the tree shows every ancestor), and proposing the
    competent unit or asking another department to coordinate must reach any unit, so the
    default is every current unit; ?pham_vi=act keeps the units this person directs (the lead
    unit of a new task; for a clerk, the units her leaders direct). The workflow actions decide
    what is allowed either way.
    """
    access = get_access(request)
    query = fold(request.GET.get("q", ""))
    units: list[Unit] = []
    if query and (access.person_id is not None or access.sees_everything):
        found = Unit.objects.current().filter(search_text__contains=query)
        if request.GET.get("pham_vi") == "act" and not access.sees_everything:
            # A clerk (văn thư) directs nothing but picks for the leaders she records for.
            from congvu.tasks.directives import clerk_scope

            allowed = set(access.act_unit_ids)
            if access.person_id is not None:
                allowed |= clerk_scope(access.person_id, today())
            found = found.filter(pk__in=allowed)
        units = list(found.select_related("unit_type").order_by("name")[:15])
    return render(request, "web/partials/pick_units.html", {"units": units, "q": query})


@login_required
@require_GET
def pick_tree(request: HttpRequest) -> HttpResponse:
    """htmx: one level of the current unit tree for the pickers (?cha=<unit>; none = the roots).

    Browsing complements the search box for people who know where a unit sits, not its name.
    """
    access = get_access(request)
    if access.person_id is None and not access.sees_everything:
        return render(request, "web/partials/pick_tree.html", {"units": []})
    day = today()
    tree = tree_as_of(day)
    parent = request.GET.get("cha", "")
    ids = tree.children.get(int(parent), []) if parent.isdigit() else tree.roots()
    rows = list(
        UnitVersion.objects.active_on(day)
        .filter(unit_id__in=ids)
        .values_list("unit_id", "name", "unit_type__name")
        .order_by("name")
    )
    if request.GET.get("pham_vi") == "act" and not access.sees_everything:
        # Keep the path to the units one directs visible, but only those are choosable.
        allowed = access.act_unit_ids
    else:
        allowed = None
    units = [
        {
            "pk": unit_id,
            "name": name,
            "type": type_name,
            "has_children": bool(tree.children.get(unit_id)),
            "choosable": allowed is None or unit_id in allowed,
        }
        for unit_id, name, type_name in rows
    ]
    return render(
        request,
        "web/partials/pick_tree.html",
        {"units": units, "scope": request.GET.get("pham_vi", "")},
    )


@login_required
@require_GET
def pick_person(request: HttpRequest) -> HttpResponse:
    """htmx: people of the unit chosen in the same form (optionally matching ?q=).

    Like a staff directory, who holds which post in a unit is not confidential, and a
    transfer must reach the competent unit's head; without a unit, ?q= searches only the
    units this person may see.
    """
    access = get_access(request)
    query = fold(request.GET.get("q", ""))
    # The unit comes from the form's own unit picker (lead_unit, to_unit, ...) via hx-include.
    unit_id = next(
        (str(v) for k, v in request.GET.items() if k.endswith("unit") and str(v).isdigit()), ""
    )
    memberships = Membership.objects.current().select_related("person", "unit")
    if access.person_id is None and not access.sees_everything:
        memberships = memberships.none()
    elif request.GET.get("pham_vi") == "cap_tren":
        # A superior to ask for an opinion: the leaders of one's own units and of every unit
        # above them (the division head, the department's director, the province's leaders).
        tree = tree_as_of(today())
        above = {a for u in access.member_unit_ids for a in (u, *tree.ancestors(u))}
        memberships = memberships.leaders().filter(unit_id__in=above)
        if access.person_id is not None:
            memberships = memberships.exclude(person_id=access.person_id)
    elif unit_id:
        memberships = memberships.filter(unit_id=int(unit_id))
    elif query:
        if not access.sees_everything:
            memberships = memberships.filter(unit_id__in=access.read_unit_ids | access.act_unit_ids)
    else:
        memberships = memberships.none()
    if query:
        memberships = memberships.filter(person__search_text__contains=query)
    rows = list(memberships.order_by("role", "person__full_name")[:20])
    return render(request, "web/partials/pick_people.html", {"memberships": rows, "q": query})
