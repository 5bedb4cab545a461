from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from congvu.tasks import actions
from congvu.tasks.models import Task
from congvu.tasks.state import VN_TZ

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=VN_TZ)  # a Monday


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


@pytest.fixture
def task(org) -> Task:  # type: ignore[no-untyped-def]
    """gd_a (head of Sở Tài chính) assigns alice (Phòng Ngân sách) a task due 31/3/2026."""
    return actions.do_assign(
        assigner=org.gd_a,
        title="Rà soát thủ tục hành chính lĩnh vực ngân sách",
        lead_unit=org.a1,
        lead_person=org.alice,
        deadline=date(2026, 3, 31),
        source_number="1713/UBND-NCKSTTHC",
        source_date=date(2026, 2, 20),
        source_issuer="UBND tỉnh",
        at=T0,
    )


@pytest.fixture
def busy(org, task):  # type: ignore[no-untyped-def]
    """Two tasks with a few events each."""
    actions.do_accept(task, org.alice, at=at(1))
    actions.do_report_progress(task, org.alice, percent=30, text="Đang làm", at=at(2))
    actions.do_report_progress(task, org.alice, percent=60, text="Hơn nửa", at=at(3))
    other = actions.do_assign(
        assigner=org.gd_b,
        title="Quy hoạch",
        lead_unit=org.b1,
        lead_person=org.charlie,
        deadline=date(2026, 4, 1),
        ad_hoc=True,
        at=at(0),
    )
    actions.do_accept(other, org.charlie, at=at(1))
    actions.do_submit(other, org.charlie, result="Xong", at=at(5))
    return task, other
