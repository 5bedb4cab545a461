"""Building tasks for web tests through the real workflow actions."""

from __future__ import annotations

from datetime import date

from congvu.tasks import actions as A
from congvu.tasks.models import Task


def assign(
    org,
    *,
    by: str = "lanh_dao",
    unit: str = "so_a",
    lead: str = "gd_a",
    title: str = "Rà soát thủ tục hành chính",
    days: int = 10,
    coordinators: tuple[str, ...] = (),
    source: str = "1713/UBND-NCKSTTHC",
    parent: Task | None = None,
    coord_due: date | None = None,
) -> Task:  # type: ignore[no-untyped-def]
    from congvu.org.models import today

    specs = [
        A.CoordinationSpec(
            unit=org.units[c],
            request_text="Đề nghị cho ý kiến về dự thảo",
            due=coord_due or today(),
        )
        for c in coordinators
    ]
    return A.do_assign(
        assigner=org.people[by],
        title=title,
        lead_unit=org.units[unit],
        lead_person=org.people[lead],
        working_days=days,
        source_number=source,
        coordinations=specs,
        parent=parent,
    )
