"""The province dashboard from the pre-aggregated per-unit figures equals the live fold."""

from __future__ import annotations

from congvu.jobs.registry import REGISTRY
from congvu.org.models import today
from congvu.tasks import actions as A
from congvu.web import summary
from congvu.web.models import UnitSummary
from congvu.web.tests.tasks_helpers import assign, sent_back


def _history(org):  # type: ignore[no-untyped-def]
    sent_back(org)
    for i in range(6):
        t = assign(org, unit="a1", lead="alice", by="gd_a", title=f"Việc {i}")
        A.do_accept(t, org.alice)
        if i % 2:
            A.do_submit(t, org.alice, result="Xong")
            A.do_approve(t, org.gd_a)
            A.do_complete(t, org.gd_a)
    assign(org, unit="xa", lead="ct_xa", title="Việc của xã")


def _figures(response):  # type: ignore[no-untyped-def]
    c = response.context
    rows = [(r.pk, r.name, r.stats) for r in c["rows"]]
    return rows, c["total"], list(c["trend"]), c["edges"], c["edges_total"]


def test_the_summarised_province_dashboard_shows_the_same_figures(signed_in, org):
    _history(org)
    client = signed_in("lanh_dao")
    live = client.get("/toan-tinh/")
    assert live.context["summary_at"] is None
    result = summary.refresh(today())
    assert result["tasks"] == 8 and UnitSummary.objects.filter(day=today()).exists()
    summarised = client.get("/toan-tinh/")
    assert summarised.context["summary_at"] is not None
    assert _figures(summarised) == _figures(live)
    assert "Số liệu tổng hợp lúc" in summarised.content.decode()


def test_a_narrower_scope_still_folds_live(signed_in, org):
    _history(org)
    summary.refresh(today())
    response = signed_in("thanh_tra").get("/toan-tinh/")  # inspector of Sở Tài chính only
    assert response.status_code == 200 and response.context["summary_at"] is None


def test_the_job_is_registered_hourly():
    assert REGISTRY["dashboard_summaries"].every.total_seconds() == 3600


def _unit_figures(response):  # type: ignore[no-untyped-def]
    c = response.context
    # The "by person" table shows counts and the on-time rate (no status breakdown).
    people = [
        (r.pk, r.name, r.stats.open, r.stats.overdue, r.stats.completed, r.stats.on_time_rate)
        for r in c["per_person"]
    ]
    return c["stats"], people, c["people_total"]


def test_a_large_unit_dashboard_sums_the_hourly_figures_and_says_when(signed_in, org, settings):
    _history(org)
    client = signed_in("gd_a")
    url = f"/don-vi/{org.so_a.pk}/"
    live = client.get(url)
    assert live.context["summary_at"] is None
    summary.refresh(today())
    settings.DASHBOARD_LIVE_TASKS = 3  # Sở Tài chính leads 7 tasks: "large" here
    summarised = client.get(url)
    assert summarised.context["summary_at"] is not None
    assert "Số liệu tổng hợp lúc" in summarised.content.decode()
    assert _unit_figures(summarised) == _unit_figures(live)
    # A unit under the threshold keeps folding live, so its head sees a new task at once.
    settings.DASHBOARD_LIVE_TASKS = 5000
    assign(org, unit="a1", lead="alice", by="gd_a", title="Việc mới")
    fresh = client.get(url)
    assert fresh.context["summary_at"] is None
    assert fresh.context["stats"].total == summarised.context["stats"].total + 1


def _network(response):  # type: ignore[no-untyped-def]
    c = response.context
    return c["edges"], c["handovers_total"], c["returns_total"]


def test_the_hourly_hand_over_rows_answer_any_period_as_the_live_fold(signed_in, org, settings):
    from datetime import timedelta

    from django.utils import timezone

    from congvu.web.tests.test_dashboards_and_inspection import _transfer_on

    _history(org)  # today: Tài chính → Xây dựng and returned
    long_ago = timezone.now() - timedelta(days=200)
    _transfer_on(org, long_ago, "Chuyển từ lâu")
    task = assign(org, by="gd_a", unit="a1", lead="tp_a1", title="Giữa hai phòng")
    A.do_transfer(
        task, org.tp_a1, to_unit=org.a2, to_person=org.bob, reason_code="competence", reason="x"
    )
    A.do_return(task, org.bob, reason="Thuộc Phòng Ngân sách")
    old = timezone.localdate(long_ago)
    periods = ["", f"?tu={old:%Y-%m-%d}&den={old:%Y-%m-%d}", "?tu=2001-01-01&den=2001-01-31"]
    client = signed_in("lanh_dao")
    live = [_network(client.get(f"/toan-tinh/{p}")) for p in periods]
    unit = signed_in("gd_a")
    live_unit = [_network(unit.get(f"/don-vi/{org.so_a.pk}/{p}")) for p in periods]
    summary.refresh(today())
    settings.DASHBOARD_LIVE_TASKS = 3  # the unit dashboard reads the hourly rows too
    client = signed_in("lanh_dao")
    summarised = [client.get(f"/toan-tinh/{p}") for p in periods]
    assert all(r.context["summary_at"] is not None for r in summarised)
    assert [_network(r) for r in summarised] == live
    assert live[0][1:] == (2, 1) and live[1][1:] == (1, 0) and live[2][1:] == (0, 0)
    unit = signed_in("gd_a")
    summarised_unit = [unit.get(f"/don-vi/{org.so_a.pk}/{p}") for p in periods]
    assert all(r.context["summary_at"] is not None for r in summarised_unit)
    assert [_network(r) for r in summarised_unit] == live_unit
    assert live_unit[0][1:] == (2, 1)


def test_the_idle_list_shows_open_work_without_events_for_ten_working_days(signed_in, org):
    from datetime import timedelta

    from django.utils import timezone

    old = assign(org, unit="a1", lead="alice", by="gd_a", title="Việc bị bỏ quên")
    old_at = timezone.now() - timedelta(days=30)
    # The cached time of the last event is what the list reads (as the actions write it).
    type(old).objects.filter(pk=old.pk).update(last_event_at=old_at)
    recent = assign(org, unit="a1", lead="alice", by="gd_a", title="Việc vừa giao")
    response = signed_in("gd_a").get(f"/don-vi/{org.so_a.pk}/")
    idle = [t.pk for t in response.context["idle"]]
    assert old.pk in idle and recent.pk not in idle
