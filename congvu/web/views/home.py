"""The inbox ("Việc của tôi"), search and notifications."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from congvu.lib.http import login_required
from congvu.org.http import get_access, get_person
from congvu.org.models import Membership, Person, Unit
from congvu.web import features
from congvu.web.forms import SearchForm
from congvu.web.paging import paginate
from congvu.web.search import directives, ranked, terms


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


# How many results of each kind the "everything" view shows before "see all".
SEARCH_PREVIEW = 5


@login_required
@require_GET
def search(request: HttpRequest) -> HttpResponse:
    """Ranked search over what this person may see, any word order, accents ignored
    ("du toan 2027" finds "Rà soát dự toán chi thường xuyên năm 2027"; congvu.web.search)."""
    form = SearchForm(request.GET)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    kinds = _search_kinds()
    codes = [code for code, _label in kinds]
    kind = request.GET.get("loai") or codes[0]
    if kind not in codes:
        kind = codes[0]
    sections: list[dict[str, object]] = []
    page_obj = None
    if terms(query):
        if kind == "all":
            for code, label in kinds[1:]:
                rows = list(_search_kind(request, code, query)[: SEARCH_PREVIEW + 1])
                if rows:
                    sections.append(
                        {
                            "kind": code,
                            "label": label,
                            "rows": _decorated(code, rows[:SEARCH_PREVIEW]),
                            "more": len(rows) > SEARCH_PREVIEW,
                        }
                    )
        else:
            page_obj = paginate(request, _search_kind(request, kind, query))
            page_obj.object_list = _decorated(kind, list(page_obj.object_list))
    # htmx (search as you type): only the results are re-rendered.
    template = "web/_search_results.html" if getattr(request, "htmx", False) else "web/search.html"
    return render(
        request,
        template,
        {
            "form": form,
            "kind": kind,
            "page_obj": page_obj,
            "sections": sections,
            "kinds": kinds,
            "nav_active": "search",
            "q": query,
        },
    )


def _search_kinds() -> list[tuple[str, str]]:
    kinds = [("all", _("Tất cả"))]
    if features.tasks_enabled():
        kinds += [("task", _("Nhiệm vụ")), ("directive", _("Văn bản chỉ đạo"))]
    if features.detection_enabled():
        kinds.append(("finding", _("Phát hiện")))
    return [*kinds, ("person", _("Cán bộ")), ("unit", _("Đơn vị"))]


def _search_kind(request: HttpRequest, kind: str, query: str) -> Any:
    """The ranked results of one kind within the person's scope (a queryset or a list)."""
    access = get_access(request)
    if kind == "unit":
        units = Unit.objects.all()
        if not access.sees_everything:
            units = units.filter(pk__in=access.read_unit_ids | access.admin_unit_ids)
        return ranked(units, query).select_related("unit_type")
    if kind == "person":
        people = Person.objects.all()
        if not access.sees_everything:
            members = Membership.objects.current().filter(
                unit_id__in=access.read_unit_ids | access.admin_unit_ids
            )
            people = people.filter(pk__in=members.values("person_id"))
        return ranked(people, query)
    if kind == "finding":
        from congvu.detection.models import Finding

        findings = Finding.objects.visible_to(access)
        return ranked(findings, query).select_related("subject_person", "subject_unit")
    from congvu.web.taskquery import search_tasks, visible_tasks

    if kind == "directive":
        return directives(visible_tasks(access), query)
    return search_tasks(access, query)


def _decorated(kind: str, rows: list[Any]) -> list[Any]:
    """People are listed with their current unit and position (one query for the page)."""
    if kind == "person" and rows:
        by_person = {
            m.person_id: m
            for m in Membership.objects.current()
            .filter(person__in=rows)
            .select_related("unit")
            # The primary membership is read last, so it wins.
            .order_by("is_primary")
        }
        for p in rows:
            p.membership = by_person.get(p.pk)
    return rows


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
    warnings: list[object] = []
    if person is not None:
        from congvu.indicators.models import IndicatorWarning

        warnings = list(IndicatorWarning.objects.filter(person=person).order_by("-created_at")[:20])
    return render(
        request,
        "web/notifications.html",
        {"page_obj": items, "overdue": overdue, "indicator_warnings": warnings, "nav_active": ""},
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
