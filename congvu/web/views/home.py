"""The inbox ("Việc của tôi"), search and notifications."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from congvu.lib.text import fold
from congvu.org.models import Membership, Unit
from congvu.web import features
from congvu.web.forms import SearchForm
from congvu.web.http import get_access, get_person, login_required
from congvu.web.paging import paginate


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    person = get_person(request)
    context: dict[str, object] = {"nav_active": "inbox", "person": person}
    if person is not None:
        context["my_units"] = list(
            Membership.objects.current().filter(person=person).select_related("unit")
        )
    if features.tasks_enabled() and person is not None:
        from congvu.web.inbox import build_inbox

        context["inbox"] = build_inbox(person, get_access(request))
    return render(request, "web/inbox.html", context)


@login_required
@require_GET
def search(request: HttpRequest) -> HttpResponse:
    """Accent-insensitive search over what this person may see ("ne tranh" finds "né tránh")."""
    form = SearchForm(request.GET)
    access = get_access(request)
    query = fold(form.cleaned_data["q"]) if form.is_valid() else ""
    kind = request.GET.get("loai", "task" if features.tasks_enabled() else "unit")
    results = None
    if query:
        if kind == "unit":
            units = Unit.objects.filter(search_text__contains=query).select_related("unit_type")
            if not access.sees_everything:
                units = units.filter(pk__in=access.read_unit_ids | access.admin_unit_ids)
            results = paginate(request, units.order_by("name"))
        elif kind == "person":
            people = Membership.objects.current().filter(person__search_text__contains=query)
            if not access.sees_everything:
                people = people.filter(unit_id__in=access.read_unit_ids | access.admin_unit_ids)
            results = paginate(
                request, people.select_related("person", "unit").order_by("person__full_name")
            )
        elif features.tasks_enabled():
            from congvu.web.taskquery import search_tasks

            results = paginate(request, search_tasks(access, query))
    kinds = [("unit", _("Đơn vị")), ("person", _("Cán bộ"))]
    if features.tasks_enabled():
        kinds.insert(0, ("task", _("Nhiệm vụ, văn bản")))
    # htmx (search as you type): only the results are re-rendered.
    template = "web/_search_results.html" if getattr(request, "htmx", False) else "web/search.html"
    return render(
        request,
        template,
        {
            "form": form,
            "kind": kind,
            "page_obj": results,
            "kinds": kinds,
            "nav_active": "search",
            "q": query,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def notifications(request: HttpRequest) -> HttpResponse:
    person = get_person(request)
    items = None
    overdue: list[object] = []
    if person is not None and features.tasks_enabled():
        from congvu.org.models import today
        from congvu.tasks.models import Task
        from congvu.web.notifications import mark_read, notifications_for
        from congvu.web.taskquery import with_names

        if request.method == "POST":
            mark_read(person)
            return HttpResponseRedirect(reverse("web:notifications"))
        items = paginate(request, notifications_for(person))
        overdue = list(
            with_names(Task.objects.overdue(today()).filter(lead_person=person)).order_by(
                "deadline"
            )[:20]
        )
    return render(
        request, "web/notifications.html", {"page_obj": items, "overdue": overdue, "nav_active": ""}
    )


@require_GET
def notification_badge(request: HttpRequest) -> HttpResponse:
    """htmx, polled by the bell in the header: the unread count.

    Not behind login_required on purpose: once the session has expired a poll must not take
    the person away from a half-filled form; it answers 204 (htmx leaves the page alone) and
    the next real action asks them to sign in, keeping what they typed.
    """
    if not request.user.is_authenticated:
        return HttpResponse(status=204)
    return render(request, "web/partials/bell.html", {})
