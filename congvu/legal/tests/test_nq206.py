"""NQ 206/2025/QH15: criterion, route, competent body, deadline, status, the province report,
and the old entries mapped onto the routes."""

from __future__ import annotations

import importlib
from datetime import date, datetime

import pytest
from django.apps import apps
from django.utils import timezone

from congvu.audit.log import history, verify
from congvu.legal import actions as L
from congvu.legal.models import LegalObstacle
from congvu.legal.report import nq206_report
from congvu.legal.tests.helpers import paused_task
from congvu.lib.errors import ActionError
from congvu.tasks import actions as A

S = LegalObstacle.Status
C = LegalObstacle.Criterion
R = LegalObstacle.Route


def _obstacle(org) -> LegalObstacle:  # type: ignore[no-untyped-def]
    A.do_review_pause(paused_task(org), org.gd_a, comment="Đúng là vướng mắc")
    return LegalObstacle.objects.get()


def _route(org, obstacle: LegalObstacle, **kw: object) -> LegalObstacle:  # type: ignore[no-untyped-def]
    args: dict[str, object] = {
        "criterion": C.CONFLICT,
        "route": R.SHORTENED,
        "competent_body": "Bộ Xây dựng",
        "deadline": date(2027, 1, 31),
    }
    return L.do_route(obstacle, org.charlie, **(args | kw))  # type: ignore[arg-type]


@pytest.mark.usefixtures("legal_dept")
def test_an_obstacle_moves_through_the_nq206_route_to_resolution(org) -> None:
    obstacle = _route(org, _obstacle(org), note="Điều 12 trái Luật Xây dựng")
    assert (obstacle.status, obstacle.rule) == (S.ROUTED, "obstacles_nq206_2025")
    assert (obstacle.criterion, obstacle.route, obstacle.competent_body) == (
        C.CONFLICT,
        R.SHORTENED,
        "Bộ Xây dựng",
    )
    with pytest.raises(ActionError):  # sending it on needs the reference of the submission
        L.do_set_status(obstacle, org.charlie, status=S.SUBMITTED)
    L.do_set_status(obstacle, org.charlie, status=S.SUBMITTED, note="Công văn 45/STP")
    with pytest.raises(ActionError):  # no way back
        L.do_set_status(obstacle, org.charlie, status=S.UNDER_REVIEW, note="x")
    done = L.do_set_status(obstacle, org.charlie, status=S.RESOLVED, note="Nghị định 99/2026")
    assert done.is_closed
    assert [e.kind for e in history("legal", obstacle.pk)] == [
        "received",
        "routed",
        "submitted",
        "resolved",
    ]
    assert history("legal", obstacle.pk)[1].payload["competent_body"] == "Bộ Xây dựng"
    assert verify() == []


@pytest.mark.usefixtures("legal_dept")
@pytest.mark.parametrize("route", [R.INTERPRET, R.SHORTENED, R.RESOLUTION])
def test_each_route_is_accepted_and_counted_in_the_report(org, route: str) -> None:
    _route(org, _obstacle(org), route=route, criterion=C.BURDEN)
    report = nq206_report(date(2026, 12, 1))
    assert report.counts == {(C.BURDEN, route): 1}
    assert report.report_to == "Bộ Tư pháp" and report.plan_due == date(2027, 2, 28)
    assert report.overdue == set()
    assert nq206_report(date(2027, 2, 1)).overdue == {LegalObstacle.objects.get().pk}


@pytest.mark.usefixtures("legal_dept")
def test_a_deadline_after_the_resolutions_plan_date_or_a_bad_route_is_refused(org) -> None:
    obstacle = _obstacle(org)
    with pytest.raises(ActionError, match="01/03/2027"):
        _route(org, obstacle, deadline=date(2027, 3, 1))
    with pytest.raises(ActionError):
        _route(org, obstacle, route="khac")
    with pytest.raises(ActionError):
        _route(org, obstacle, competent_body="  ")
    with pytest.raises(ActionError):  # the route is given through do_route only
        L.do_set_status(obstacle, org.charlie, status=S.ROUTED, note="x")
    assert LegalObstacle.objects.get().status == S.RECEIVED


@pytest.mark.usefixtures("legal_dept")
def test_an_obstacle_acknowledged_before_nq206_keeps_the_old_rules(org) -> None:
    obstacle = _obstacle(org)
    old = timezone.make_aware(datetime(2025, 3, 3, 9))
    LegalObstacle.objects.filter(pk=obstacle.pk).update(acknowledged_at=old)
    with pytest.raises(ActionError, match="Chưa có quy định"):
        _route(org, obstacle)
    # The conclusions of before still apply to it.
    L.do_set_status(obstacle, org.charlie, status=S.GUIDANCE_ISSUED, note="Công văn 3/STP")


@pytest.mark.usefixtures("legal_dept")
def test_old_entries_are_mapped_onto_the_routes(org) -> None:
    obstacle = _obstacle(org)
    L.do_set_status(obstacle, org.charlie, status=S.GUIDANCE_ISSUED, note="Công văn 12/STP")
    LegalObstacle.objects.update(rule="", route="")
    migration = importlib.import_module("congvu.legal.migrations.0003_map_old_obstacles_to_nq206")
    migration.forwards(apps, None)
    mapped = LegalObstacle.objects.get()
    assert (mapped.route, mapped.rule, mapped.status) == (
        R.INTERPRET,
        "obstacles_nq206_2025",
        S.GUIDANCE_ISSUED,
    )


@pytest.mark.usefixtures("legal_dept")
def test_the_legal_department_routes_from_its_queue_and_leaders_read_the_report(
    org, signed_in
) -> None:
    obstacle = _obstacle(org)
    c = signed_in("charlie")
    assert "NQ 206" in c.get("/phap-ly/vuong-mac/").content.decode()
    response = c.post(
        "/phap-ly/vuong-mac/phuong-an/",
        {
            "obstacle": obstacle.pk,
            "criterion": "unclear",
            "route": "interpret",
            "competent_body": "Bộ Tư pháp",
            "deadline": "2027-01-15",
        },
    )
    assert response.status_code == 302
    assert LegalObstacle.objects.get().route == R.INTERPRET
    page = signed_in("lanh_dao").get("/phap-ly/bao-cao-nq206/")
    assert page.status_code == 200 and "Bộ Tư pháp" in page.content.decode()
    assert signed_in("alice").get("/phap-ly/bao-cao-nq206/").status_code == 403
