from __future__ import annotations

from datetime import datetime

from congvu.tasks import actions as A
from congvu.tasks.models import Task


def paused_task(
    org,  # type: ignore[no-untyped-def]
    regulation: str = "Nghị định 15/2021/NĐ-CP, Điều 12",
    *,
    title: str = "Cấp phép xây dựng trạm y tế",
    reason: str = "Điều 12 mâu thuẫn với Luật Xây dựng về thẩm quyền cấp phép",
    at: datetime | None = None,
) -> Task:
    """gd_a assigns to alice, who accepts and pauses citing a regulation (not yet reviewed)."""
    task = A.do_assign(
        assigner=org.gd_a,
        title=title,
        lead_unit=org.a1,
        lead_person=org.alice,
        working_days=10,
        source_number="1713/UBND-NCKSTTHC",
        at=at,
    )
    A.do_accept(task, org.alice, at=at)
    A.do_pause(
        task, org.alice, reason_code="legal_obstacle", reason=reason, regulation=regulation, at=at
    )
    task.refresh_from_db()
    return task
