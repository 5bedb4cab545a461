"""The task list counts the same rows it pages, whichever way it counts them."""

from __future__ import annotations

import pytest

from congvu.org.permissions import access_for
from congvu.tasks import actions as A
from congvu.web import taskquery
from congvu.web.taskquery import visible_tasks
from congvu.web.tests.tasks_helpers import assign


def _history(org):  # type: ignore[no-untyped-def]
    for i in range(4):
        t = assign(org, unit="a1", lead="alice", by="gd_a", title=f"Việc {i}")
        if i % 2:
            A.do_accept(t, org.alice)
    assign(org, unit="so_b", lead="gd_b", title="Việc của Sở Xây dựng")
    assign(org, unit="so_a", lead="gd_a", coordinators=("so_b",), title="Phối hợp với Sở B")


@pytest.mark.parametrize("union_max_units", [50, 0], ids=["union-of-indexes", "scan-of-or"])
@pytest.mark.parametrize("who", ["alice", "gd_a", "gd_b", "lanh_dao"])
def test_the_list_count_equals_the_visible_rows_under_every_filter(
    signed_in, org, monkeypatch, who, union_max_units
):
    _history(org)
    monkeypatch.setattr(taskquery, "UNION_COUNT_MAX_UNITS", union_max_units)
    client = signed_in(who)
    visible = visible_tasks(access_for(getattr(org, who)))
    for query, expected in (
        ("", visible),
        ("?trang_thai=in_progress", visible.filter(status="in_progress")),
        (f"?nguoi={org.alice.pk}", visible.filter(lead_person=org.alice)),
        (f"?don_vi={org.so_a.pk}", None),
    ):
        response = client.get("/viec/" + query)
        assert response.status_code == 200
        page = response.context["page_obj"]
        if expected is not None:
            assert page.paginator.count == expected.count()
        assert page.paginator.count >= len(page.object_list)
