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


def to_construction(task: Task, org, reason: str = "Thuộc Sở Xây dựng", **kw) -> None:  # type: ignore[no-untyped-def]
    """Sở Tài chính's director passes the task to Sở Xây dựng's (not within his competence)."""
    A.do_transfer(
        task,
        org.gd_a,
        to_unit=org.so_b,
        to_person=org.gd_b,
        reason_code="competence",
        reason=reason,
        **kw,
    )


def sent_back(org, **assign_kw) -> Task:  # type: ignore[no-untyped-def]
    """A task Sở Tài chính accepted, passed to Sở Xây dựng, and had handed back."""
    task = assign(org, **assign_kw)
    A.do_accept(task, org.gd_a)
    to_construction(task, org)
    A.do_return(task, org.gd_b, reason="Sở Tài chính chủ trì")
    return task


def one_task_params():  # type: ignore[no-untyped-def]
    """Detection thresholds relaxed so that one task can make a finding (a web test's history
    is far below every sample threshold, the per-subject cap and the relevance floor)."""
    import dataclasses

    from congvu.detection.actions import default_params

    return dataclasses.replace(
        default_params(),
        min_cases=1,
        min_hits=1,
        z=0.0,
        min_ratio=0.0,
        min_excess=0.0,
        fdr=1.0,
        max_p=1.0,
        relevance_ratio=1.0,
    )
