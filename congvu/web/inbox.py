"""'Việc của tôi': everything that waits on this person, overdue first.

The list is built from the waiting states below, one function each: what a task (or a
coordination request, an opinion request, a finding) is waiting for, and from whom. Each
state names the workflow steps (congvu.tasks.steps) that end it; a test walks WAITS, puts a
task in each state through the real actions and checks that the person who must act finds it
here and is offered those steps, and that every step of STEPS ends some state (or is in
ANYTIME). A new step or state therefore cannot be left out of the list unnoticed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from congvu.org.models import Person, RoleGrant, today
from congvu.org.permissions import Access
from congvu.tasks.events import TaskEventType as E
from congvu.tasks.models import CLOSED, Coordination, Status, Task, TaskEvent
from congvu.web import features
from congvu.web.taskquery import with_countdowns, with_names

LIMIT = 20  # per section; the full lists are on the paginated task list

# Steps a person may take at any time on a task they direct; no task waits for them.
ANYTIME = frozenset({"remind", "cancel"})

TODO, DECIDE = "todo", "decide"


@dataclass(frozen=True)
class Wait:
    key: str
    title: str | Promise
    group: str  # TODO: "Chờ tôi xử lý"; DECIDE: "Chờ tôi quyết định"
    steps: tuple[str, ...]  # the steps that end the wait
    find: Callable[[Person, Access], QuerySet[Any] | list[Any]]
    row: str = "task"  # how the page shows an item: task, coordination, opinion, finding
    all_url: str = ""  # the task list filtered to the full set, when it is longer than LIMIT


def _mine(person: Person) -> QuerySet[Task]:
    return with_names(Task.objects.filter(lead_person=person))


def _assigned_by(person: Person, access: Access) -> QuerySet[Task]:
    """Tasks this person assigned, or that a unit they lead (and belong to) assigned."""
    return with_names(
        Task.objects.filter(
            Q(assigner=person)
            | Q(assigner_unit_id__in=access.act_unit_ids & access.member_unit_ids)
        )
    )


def _last_of(*types: E) -> Subquery:
    """The type of the task's latest event among `types` (pending = the request came last)."""
    return Subquery(
        TaskEvent.objects.filter(task=OuterRef("pk"), type__in=types)
        .order_by("-seq")
        .values("type")[:1]
    )


def to_accept(person: Person, access: Access) -> QuerySet[Task]:
    return _mine(person).filter(status=Status.ASSIGNED).order_by("deadline", "pk")


def in_progress(person: Person, access: Access) -> QuerySet[Task]:
    # Ordered by deadline, so overdue work (the earliest deadlines) comes first.
    return (
        _mine(person)
        .filter(status__in=(Status.IN_PROGRESS, Status.PAUSED))
        .order_by("deadline", "pk")
    )


def coordination(person: Person, access: Access) -> QuerySet[Coordination]:
    return (
        Coordination.objects.waiting()
        .filter(unit_id__in=access.member_unit_ids)
        .select_related("task", "unit")
        .order_by("due", "pk")
    )


def opinions(person: Person, access: Access) -> list[TaskEvent]:
    asked = list(
        TaskEvent.objects.filter(type=E.OPINION_REQUESTED, target_person=person)
        .exclude(task__status__in=CLOSED)
        .select_related("task", "actor")
        .order_by("at")
    )
    if asked:
        given = {
            (task_id, (payload or {}).get("request_seq"))
            for task_id, payload in TaskEvent.objects.filter(
                type=E.OPINION_GIVEN, task_id__in={e.task_id for e in asked}
            ).values_list("task_id", "payload")
        }
        asked = [e for e in asked if (e.task_id, e.seq) not in given]
    return asked


def submitted(person: Person, access: Access) -> QuerySet[Task]:
    return _assigned_by(person, access).filter(status=Status.SUBMITTED).order_by("deadline", "pk")


def sent_back(person: Person, access: Access) -> QuerySet[Task]:
    return (
        _assigned_by(person, access)
        .filter(status__in=(Status.DECLINED, Status.RETURNED))
        .order_by("deadline", "pk")
    )


def extensions(person: Person, access: Access) -> QuerySet[Task]:
    return (
        _assigned_by(person, access)
        .exclude(status__in=CLOSED)
        .annotate(_ext=_last_of(E.EXTENSION_REQUESTED, E.EXTENSION_GRANTED, E.EXTENSION_REFUSED))
        .filter(_ext=E.EXTENSION_REQUESTED)
        .order_by("deadline", "pk")
    )


def pauses(person: Person, access: Access) -> QuerySet[Task]:
    return (
        _assigned_by(person, access)
        .filter(status=Status.PAUSED)
        .exclude(lead_person=person)  # nobody reviews their own pause
        .annotate(_pause=_last_of(E.PAUSED, E.PAUSE_REVIEWED, E.RESUMED))
        .filter(_pause=E.PAUSED)
        .order_by("deadline", "pk")
    )


def approved(person: Person, access: Access) -> QuerySet[Task]:
    return _assigned_by(person, access).filter(status=Status.APPROVED).order_by("deadline", "pk")


def _reviews() -> QuerySet[Any]:
    from congvu.detection.models import FindingReview

    return FindingReview.objects.select_related("finding", "explainer", "reviewer_unit").order_by(
        "explanation_due", "pk"
    )


def findings_to_explain(person: Person, access: Access) -> QuerySet[Any] | list[Any]:
    if not features.detection_enabled():
        return []
    from congvu.detection.models import FindingReview

    return _reviews().filter(explainer=person, status=FindingReview.Status.OPEN)


def findings_to_decide(person: Person, access: Access) -> QuerySet[Any] | list[Any]:
    if not features.detection_enabled():
        return []
    from congvu.detection.models import FindingReview

    S = FindingReview.Status
    return (
        _reviews()
        .filter(reviewer_unit_id__in=access.act_unit_ids, status__in=(S.OPEN, S.EXPLAINED))
        .exclude(explainer=person)
    )


def appeals_to_decide(person: Person, access: Access) -> QuerySet[Any] | list[Any]:
    if not features.detection_enabled():
        return []
    from congvu.detection.models import FindingReview

    # At the top of the tree the level above is outside the system: Sở Nội vụ records it.
    where = Q(appeal_unit_id__in=access.act_unit_ids)
    if access.has_role(RoleGrant.Role.HR):
        where |= Q(appeal_unit__isnull=True)
    return (
        _reviews()
        .filter(where, status=FindingReview.Status.APPEALED)
        .exclude(explainer=person)
        .exclude(decided_by=person)
    )


WAITS: tuple[Wait, ...] = (
    Wait(
        "to_accept",
        _("Nhiệm vụ chờ tiếp nhận"),
        TODO,
        ("accept", "decline", "transfer", "return"),
        to_accept,
        all_url="?trang_thai=assigned&nguoi={me}",
    ),
    Wait(
        "in_progress",
        _("Đang thực hiện (quá hạn lên đầu)"),
        TODO,
        (
            "progress",
            "submit",
            "resume",
            "pause",
            "request_extension",
            "request_opinion",
            "request_coordination",
        ),
        in_progress,
        all_url="?trang_thai=in_progress&nguoi={me}",
    ),
    Wait(
        "coordination",
        _("Đề nghị phối hợp cần trả lời"),
        TODO,
        ("answer_coordination",),
        coordination,
        row="coordination",
    ),
    Wait(
        "to_explain",
        _("Phát hiện cần tôi giải trình"),
        TODO,
        (),
        findings_to_explain,
        row="finding",
    ),
    Wait("opinions", _("Xin ý kiến của tôi"), DECIDE, ("give_opinion",), opinions, row="opinion"),
    Wait("submitted", _("Kết quả trình chờ phê duyệt"), DECIDE, ("approve", "rework"), submitted),
    Wait(
        "extensions",
        _("Đề nghị gia hạn chờ quyết định"),
        DECIDE,
        ("grant_extension", "refuse_extension"),
        extensions,
    ),
    Wait("pauses", _("Tạm dừng chờ xác nhận lý do"), DECIDE, ("review_pause",), pauses),
    Wait(
        "sent_back",
        _("Bị từ chối, trả lại: chờ giao lại"),
        DECIDE,
        ("reassign",),
        sent_back,
    ),
    Wait("approved", _("Đã phê duyệt, chờ kết thúc"), DECIDE, ("complete",), approved),
    Wait(
        "to_review", _("Phát hiện chờ tôi xem xét"), DECIDE, (), findings_to_decide, row="finding"
    ),
    Wait(
        "appeals", _("Khiếu nại chờ tôi giải quyết"), DECIDE, (), appeals_to_decide, row="finding"
    ),
)
BY_KEY = {w.key: w for w in WAITS}


@dataclass
class Section:
    wait: Wait
    items: Sequence[Any]
    count: int
    person_id: int

    @property
    def all_url(self) -> str:
        return self.wait.all_url.format(me=self.person_id)


@dataclass
class Inbox:
    todo: list[Section] = field(default_factory=list)
    decide: list[Section] = field(default_factory=list)

    def __bool__(self) -> bool:
        return True

    @property
    def counts(self) -> dict[str, int]:
        return {s.wait.key: s.count for s in (*self.todo, *self.decide)}

    @property
    def groups(self) -> list[tuple[list[Section], str | Promise, str]]:
        return [
            (self.todo, _("Chờ tôi xử lý"), "h-todo"),
            (self.decide, _("Chờ tôi quyết định"), "h-decide"),
        ]

    def section(self, key: str) -> Section:
        return next(s for s in (*self.todo, *self.decide) if s.wait.key == key)

    @property
    def todo_count(self) -> int:
        return sum(s.count for s in self.todo)

    @property
    def decide_count(self) -> int:
        return sum(s.count for s in self.decide)


def _section(wait: Wait, person: Person, access: Access) -> Section:
    found = wait.find(person, access)
    if isinstance(found, list):
        items: list[Any] = found[:LIMIT]
        count = len(found)
    else:
        # One query for a short list; the count only when the list is longer than shown.
        items = list(found[: LIMIT + 1])
        count = len(items) if len(items) <= LIMIT else found.count()
        items = items[:LIMIT]
    if wait.row == "coordination":
        day = today()
        for c in items:
            c.overdue = c.due < day
    return Section(wait, items, count, person.pk)


def build_inbox(person: Person, access: Access) -> Inbox:
    box = Inbox()
    for wait in WAITS:
        section = _section(wait, person, access)
        if wait.row == "finding" and not section.count:
            continue  # the findings sections show only when there is something
        (box.todo if wait.group == TODO else box.decide).append(section)
    # Countdowns for every task shown, with one look-up of the calendar.
    with_countdowns(t for s in (*box.todo, *box.decide) if s.wait.row == "task" for t in s.items)
    return box
