"""A quarter of history with one buck-passer (charlie bounces alice's tasks back) and peers."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from congvu.tasks import actions
from congvu.tasks.state import VN_TZ

T0 = datetime(2025, 7, 7, 8, 0, tzinfo=VN_TZ)  # Monday, Q3 2025


def assign(org, lead_unit, lead_person, i, hours):
    return actions.do_assign(
        assigner=org.lanh_dao,
        title=f"Nhiệm vụ số {i}",
        lead_unit=lead_unit,
        lead_person=lead_person,
        deadline=date(2025, 9, 30),
        ad_hoc=True,
        at=T0 + timedelta(hours=hours),
    )


def normal(org, unit, person, i, hours):
    task = assign(org, unit, person, i, hours)
    actions.do_accept(task, person, at=T0 + timedelta(hours=hours + 1))
    actions.do_submit(task, person, result="Xong", at=T0 + timedelta(hours=hours + 30))
    return task


def ping_pong(org, i, hours):
    """alice (Phòng Ngân sách) passes the task to charlie (Phòng Quy hoạch), who passes it
    back; it is his after all (alice sends it again and he takes it): charlie bounced it."""
    task = assign(org, org.a1, org.alice, i, hours)
    actions.do_transfer(
        task,
        org.alice,
        to_unit=org.b1,
        to_person=org.charlie,
        reason_code="competence",
        reason="Không thuộc lĩnh vực phòng",
        at=T0 + timedelta(hours=hours + 1),
    )
    actions.do_transfer(
        task,
        org.charlie,
        to_unit=org.a1,
        to_person=org.alice,
        reason_code="competence",
        reason="Trả lại đơn vị chủ trì",
        at=T0 + timedelta(hours=hours + 2),
    )
    actions.do_transfer(
        task,
        org.alice,
        to_unit=org.b1,
        to_person=org.charlie,
        reason_code="competence",
        reason="Đúng chức năng của phòng Quy hoạch",
        at=T0 + timedelta(hours=hours + 2.5),
    )
    actions.do_accept(task, org.charlie, at=T0 + timedelta(hours=hours + 2.8))
    return task


@pytest.fixture
def history(org):
    hours = 0
    for i in range(14):
        ping_pong(org, i, hours)
        hours += 3
    for person, unit in (
        (org.bob, org.a2),
        (org.charlie, org.b1),
        (org.tp_a1, org.a1),
        (org.alice, org.a1),
    ):
        for i in range(12):
            normal(org, unit, person, 100 + i, hours)
            hours += 3
    return org
