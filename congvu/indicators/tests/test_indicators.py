"""Goals → indicators → tasks: the computed state, the early warning to the responsible head,
and the pages."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from congvu.indicators import actions as A
from congvu.indicators.models import Goal, Indicator, IndicatorWarning, State
from congvu.org.models import today
from congvu.org.permissions import access_for
from congvu.tasks.models import Status, Task
from congvu.testing import PASSWORD
from congvu.web.tests.tasks_helpers import assign


@pytest.fixture
def as_person(org: Any, client: Client) -> Callable[[str], Client]:
    def sign_in(key: str) -> Client:
        client.logout()
        assert client.login(username=key, password=PASSWORD)
        return client

    return sign_in


def _indicator(org: Any, *, end: date | None = None, target: str = "100") -> Indicator:
    access = access_for(org.lanh_dao)
    goal = A.do_create_goal(
        code="MT1",
        title="Chuyển đổi số trong cơ quan nhà nước",
        owner_unit=org.root,
        start=today() - timedelta(days=60),
        end=today() + timedelta(days=300),
        actor=org.lanh_dao,
        access=access,
    )
    return A.do_create_indicator(
        goal=goal,
        code="CT1.1",
        name="Tỷ lệ hồ sơ giải quyết trực tuyến",
        target=Decimal(target),
        measure="%",
        start=today() - timedelta(days=60),
        end=end or today() + timedelta(days=90),
        responsible_unit=org.so_a,
        actor=org.lanh_dao,
        access=access,
    )


def _task(org: Any, ind: Indicator, **fields: Any) -> Task:
    t = assign(org, title="Số hóa hồ sơ thủ tục")
    A.do_link_task(ind, t, actor=org.lanh_dao, access=access_for(org.lanh_dao))
    if fields:
        Task.objects.filter(pk=t.pk).update(**fields)
        t.refresh_from_db()
    return t


def test_an_indicator_without_tasks_says_so(org):  # type: ignore[no-untyped-def]
    assert _indicator(org).assess(today()).state == State.NO_TASKS


def test_it_is_on_track_when_work_keeps_pace(org):  # type: ignore[no-untyped-def]
    ind = _indicator(org)
    _task(org, ind, progress=50, deadline=today() + timedelta(days=30))
    assert ind.assess(today()).state == State.ON_TRACK


def test_it_is_at_risk_when_progress_trails_the_time_used(org):  # type: ignore[no-untyped-def]
    ind = _indicator(org)
    _task(
        org,
        ind,
        progress=10,
        assigned_at=timezone.now() - timedelta(days=80),
        deadline=today() + timedelta(days=20),
    )
    a = ind.assess(today())
    assert a.state == State.AT_RISK
    assert "mới đạt 10%" in a.reasons[0]


def test_it_is_at_risk_close_to_the_end_with_work_open(org):  # type: ignore[no-untyped-def]
    ind = _indicator(org, end=today() + timedelta(days=5))
    _task(org, ind, progress=90, deadline=today() + timedelta(days=4))
    assert ind.assess(today()).state == State.AT_RISK


def test_it_is_late_when_a_task_is_overdue(org):  # type: ignore[no-untyped-def]
    ind = _indicator(org)
    t = _task(org, ind, deadline=today() - timedelta(days=10))
    a = ind.assess(today())
    assert a.state == State.LATE
    assert f"Nhiệm vụ #{t.pk} quá hạn" in a.reasons[0]


def test_it_is_late_after_its_end_with_the_target_unmet(org):  # type: ignore[no-untyped-def]
    ind = _indicator(org, end=today() - timedelta(days=1))
    _task(org, ind, status=Status.COMPLETED, deadline=today() - timedelta(days=3))
    Indicator.objects.filter(pk=ind.pk).update(actual=Decimal("70"))
    ind.refresh_from_db()
    assert ind.assess(today()).state == State.LATE


def test_it_is_done_when_every_task_is_completed_and_the_target_met(org):  # type: ignore[no-untyped-def]
    ind = _indicator(org)
    _task(org, ind, status=Status.COMPLETED, progress=100)
    Indicator.objects.filter(pk=ind.pk).update(actual=Decimal("100"))
    ind.refresh_from_db()
    assert ind.assess(today()).state == State.DONE


def test_the_head_of_the_responsible_unit_is_warned_once_before_the_date(  # type: ignore[no-untyped-def]
    org, as_person, settings
):
    settings.INDICATOR_WARNING_DAYS = 14
    ind = _indicator(org, end=today() + timedelta(days=7))
    _task(org, ind, progress=20, deadline=today() + timedelta(days=6))
    now = timezone.now()
    assert A.send_warnings(today(), now) == 1
    assert A.send_warnings(today(), now) == 0  # a re-run warns nobody twice
    [w] = IndicatorWarning.objects.all()
    assert w.person == org.gd_a
    assert w.state == State.AT_RISK
    assert "Cảnh báo sớm: chỉ tiêu CT1.1" in w.text
    page = as_person("gd_a").get("/thong-bao/").content.decode()
    assert "Cảnh báo sớm: chỉ tiêu CT1.1" in page
    assert (
        "Cảnh báo sớm: chỉ tiêu CT1.1" not in as_person("alice").get("/thong-bao/").content.decode()
    )


def test_no_warning_far_from_the_date_or_on_track(org, settings):  # type: ignore[no-untyped-def]
    settings.INDICATOR_WARNING_DAYS = 14
    far = _indicator(org, end=today() + timedelta(days=60))
    _task(
        org,
        far,
        progress=5,
        assigned_at=timezone.now() - timedelta(days=50),
        deadline=today() + timedelta(days=10),
    )
    assert A.send_warnings(today(), timezone.now()) == 0


def test_the_warning_is_emailed_when_mail_is_configured(org, settings, mailoutbox):  # type: ignore[no-untyped-def]
    settings.EMAIL_ENABLED = True
    from congvu.org.models import Person

    Person.objects.filter(pk=org.gd_a.pk).update(email="gd.a@binhminh.gov.vn")
    ind = _indicator(org, end=today() + timedelta(days=3))
    _task(org, ind, deadline=today() + timedelta(days=2))
    A.send_warnings(today(), timezone.now())
    assert A.email_warnings(timezone.now()) == 1
    assert A.email_warnings(timezone.now()) == 0
    assert mailoutbox[0].to == ["gd.a@binhminh.gov.vn"]
    assert "CT1.1" in mailoutbox[0].subject


def test_the_page_shows_goals_indicators_and_states(org, as_person):  # type: ignore[no-untyped-def]
    ind = _indicator(org)
    _task(org, ind, deadline=today() - timedelta(days=10))
    page = as_person("alice").get("/chi-tieu/").content.decode()
    assert "MT1 — Chuyển đổi số trong cơ quan nhà nước" in page
    assert "CT1.1 Tỷ lệ hồ sơ giải quyết trực tuyến" in page
    assert "Chậm tiến độ" in page
    assert "Thêm chỉ tiêu" not in page  # alice directs no unit
    detail = as_person("charlie").get(f"/chi-tieu/{ind.pk}/").content.decode()
    assert "quá hạn" in detail
    assert "(bạn không có quyền xem nội dung)" in detail


def test_a_leader_creates_a_goal_and_an_indicator(org, as_person):  # type: ignore[no-untyped-def]
    c = as_person("lanh_dao")
    r = c.post(
        "/chi-tieu/",
        {
            "form": "goal",
            "code": "MT9",
            "title": "Cải cách hành chính",
            "owner_unit": org.root.pk,
            "period_start": "2026-01-01",
            "period_end": "2026-12-31",
        },
    )
    assert r.status_code == 303
    goal = Goal.objects.get(code="MT9")
    r = c.post(
        "/chi-tieu/",
        {
            "form": "indicator",
            "goal": goal.pk,
            "code": "CT9.1",
            "name": "Chỉ số hài lòng",
            "target": "90",
            "measure": "%",
            "period_start": "2026-01-01",
            "period_end": "2026-12-31",
            "responsible_unit": org.so_a.pk,
        },
    )
    assert r.status_code == 303
    assert Indicator.objects.get(code="CT9.1").responsible_unit == org.so_a


def test_someone_who_directs_no_unit_cannot_create(org, as_person):  # type: ignore[no-untyped-def]
    r = as_person("alice").post(
        "/chi-tieu/",
        {
            "form": "goal",
            "code": "MT8",
            "title": "x",
            "owner_unit": org.so_a.pk,
            "period_start": "2026-01-01",
            "period_end": "2026-12-31",
        },
    )
    assert r.status_code == 403
    assert not Goal.objects.filter(code="MT8").exists()


def test_the_responsible_head_reports_result_and_difficulties(org, as_person):  # type: ignore[no-untyped-def]
    ind = _indicator(org)
    r = as_person("gd_a").post(
        f"/chi-tieu/{ind.pk}/thao-tac/",
        {"form": "report", "actual": "62.5", "difficulties": "Thiếu kinh phí số hóa"},
    )
    assert r.status_code == 303
    ind.refresh_from_db()
    assert ind.actual == Decimal("62.5")
    assert ind.difficulties == "Thiếu kinh phí số hóa"
    r = as_person("alice").post(
        f"/chi-tieu/{ind.pk}/thao-tac/", {"form": "report", "actual": "99", "difficulties": ""}
    )
    assert r.status_code == 403


def test_linking_a_task_through_the_page(org, as_person):  # type: ignore[no-untyped-def]
    ind = _indicator(org)
    t = assign(org, title="Rà soát dữ liệu")
    r = as_person("lanh_dao").post(f"/chi-tieu/{ind.pk}/thao-tac/", {"form": "link", "task": t.pk})
    assert r.status_code == 303
    assert list(ind.tasks.all()) == [t]
    r = as_person("lanh_dao").post(
        f"/chi-tieu/{ind.pk}/thao-tac/", {"form": "link", "task": 999999}
    )
    assert r.status_code == 400
