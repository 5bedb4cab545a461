"""What `manage.py seed_demo` adds for the evaluation, innovation and legal-obstacle pages.

Runs after the task history (whose acknowledged legal-obstacle pauses already entered the
legal registry through do_review_pause). Adds, through the real actions: the legal
department's work on the first obstacles, an innovation proposal (registered,
voted, linked to a task) per innovator of the task history (docs/detection.md), and the evaluation demo (congvu.evaluation.demo) for one division.
A few seconds; skips a part whose people are missing.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps

from congvu.evaluation import actions
from congvu.evaluation.demo import generate_evaluations
from congvu.evaluation.models import Evaluation, InnovationProposal
from congvu.lib.errors import ActionError
from congvu.org.models import Membership, Person, Unit


@dataclass
class WebDemo:
    obstacles_handled: int = 0
    innovations: int = 0
    evaluations: int = 0


def _leaders(unit: Unit) -> tuple[Person | None, Person | None]:
    rows = Membership.objects.current().leaders().filter(unit=unit).select_related("person")
    head = next((m.person for m in rows if m.role == Membership.Role.HEAD), None)
    deputy = next((m.person for m in rows if m.role == Membership.Role.DEPUTY), None)
    return head, deputy


def _legal(result: WebDemo) -> None:
    if not apps.is_installed("congvu.legal"):
        return
    from congvu.legal import actions as L
    from congvu.legal.models import LegalObstacle

    L.sync_from_log()
    codes = L.legal_unit_codes()
    staff = (
        Membership.objects.current()
        .filter(unit__code__in=codes)
        .select_related("person")
        .order_by("role", "id")
        .first()
    )
    if staff is None:
        return
    S = LegalObstacle.Status
    steps = [
        (S.UNDER_REVIEW, ""),
        (S.GUIDANCE_ISSUED, "Đã có Công văn hướng dẫn áp dụng thống nhất của Sở Tư pháp."),
        (S.AMENDMENT_PROPOSED, "Kiến nghị Bộ sửa đổi điều khoản chồng chéo."),
    ]
    for obstacle, (status, note) in zip(
        LegalObstacle.objects.order_by("acknowledged_at", "id")[: len(steps)], steps, strict=False
    ):
        L.do_set_status(obstacle, staff.person, status=status, note=note)
        result.obstacles_handled += 1


def _innovation(result: WebDemo, innovators: dict[str, list[int]]) -> None:
    """One approved ND 73 proposal per innovator of the task history, linked to the tasks it
    covers (so detection treats them as protected), else one of Sở Tư pháp."""
    if InnovationProposal.objects.exists():
        return
    wanted = innovators or {"": []}
    for code, task_ids in sorted(wanted.items()):
        proposer = Person.objects.filter(code=code).first() if code else None
        if proposer is not None:
            m = Membership.objects.current().filter(person=proposer, is_primary=True).first()
            agency = m.unit.parent if m is not None else None
        else:
            agency = Unit.objects.filter(code="STP").first()
        if agency is None:
            continue
        head, deputy = _leaders(agency)
        proposer = proposer or deputy
        if head is None or proposer is None:
            continue
        _propose(result, agency, head, proposer, task_ids)


def _propose(
    result: WebDemo, agency: Unit, head: Person, proposer: Person, task_ids: list[int]
) -> None:
    try:
        p = actions.do_register_innovation(
            proposer=proposer,
            title=f"Thí điểm giải quyết hồ sơ hoàn toàn trực tuyến tại {agency.name}",
            necessity="Người dân phải đến trụ sở nhiều lần; hồ sơ giấy kéo dài thời gian.",
            content="Số hóa hồ sơ, ký số kết quả, trả kết quả qua bưu chính và điện tử.",
            scope=f"{agency.name}; các thủ tục có số lượng hồ sơ lớn.",
            timeline="6 tháng.",
            resources="Kinh phí chi thường xuyên; hạ tầng của Trung tâm phục vụ hành chính công.",
            expected_effect="Rút ngắn thời gian giải quyết từ 10 xuống 5 ngày làm việc.",
        )
        actions.do_cast_innovation_vote(p, voter=head, in_favour=True)
        p = actions.do_close_innovation_vote(p, actor=head)
        if p.status == InnovationProposal.Status.REJECTED:
            # Not enough deputies in favour: the head approves in writing (Art. 8.2).
            p = actions.do_head_approve_innovation(
                p,
                actor=head,
                written_decision="Giám đốc Sở phê duyệt thí điểm và chịu trách nhiệm.",
            )
        from congvu.tasks.models import Task

        tasks = list(Task.objects.filter(pk__in=task_ids))
        if not tasks:
            latest = Task.objects.filter(lead_unit__parent=agency).order_by("-assigned_at")
            tasks = list(latest[:1])
        if tasks:
            actions.do_link_innovation_tasks(p, actor=head, tasks=tasks)
    except ActionError:
        return
    result.innovations += 1


def _evaluations(result: WebDemo) -> None:
    if Evaluation.objects.exists():
        return
    # The job positions' product catalogue (with coefficients and job groups), so that the
    # product form of the evaluation pages offers it; `manage.py evaluation_province` uses it too.
    from congvu.evaluation.province import ensure_catalogue
    from congvu.org.models import today

    ensure_catalogue(today())
    unit = (
        Unit.objects.filter(parent__code="STP", valid_to__isnull=True)
        .exclude(name__startswith="Trung tâm")
        .order_by("code")
        .first()
    )
    if unit is None:
        return
    try:
        r = generate_evaluations(unit, months=2)
    except ActionError:
        return
    result.evaluations = r.months + r.years


def seed_web_demo(innovators: dict[str, list[int]] | None = None) -> WebDemo:
    result = WebDemo()
    _legal(result)
    _innovation(result, innovators or {})
    _evaluations(result)
    return result
