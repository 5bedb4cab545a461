"""The demo province's task history: the test province's people, recorded through the actions.

The behaviour model is the test province's (`congvu_analytics.sim`, docs/detection.md "The test
province"), not a second one: this module reads the demo organisation from the database into the
generator's organisation model, lets the generator draw every unit's and person's traits
(pace, workload, propensities, look-alike groups), plant the offenders and the bad-head
divisions, and simulate each task's life. Each simulated event is then performed by the matching
`do_*` action at its simulated time, so the log is sealed and verifies like a real one, and the
detection run reads it as it would read a province's.

The generator's cascade (leader -> division head -> specialist) happens inside one case; the app
records a hand-down as a sub-task, so each hand-down below the first becomes a child task, and a
parent is submitted, approved and closed once its child is done.

Only some divisions get tasks (`active_people` people: every department of `DEPARTMENTS` in
turn takes one more division until that many are reached): the engine judges a person per
quarter from at least a handful of cases, so the work goes where it can be judged rather than
thin over the whole province, yet reaches every department as a province's would.
"""

# ruff: noqa: PLR0912, PLR0915
# PLR0912/PLR0915: one case is replayed event by event, one branch per simulated activity, in
# the order the generator defines them (congvu_analytics/sim/_tasks.py ACTS); splitting it would
# scatter one table across helpers.
from __future__ import annotations

import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import IO, Any

from django.db import transaction

from congvu.demo.province import NAMED_LOGINS
from congvu.lib.errors import ActionError
from congvu.org.models import Membership, Person, Unit
from congvu.tasks import actions as a
from congvu.tasks.models import Priority, Task, TaskEvent
from congvu.tasks.state import VN_TZ
from congvu.workdays.calendar import get_calendar
from congvu_analytics.sim import SIZES
from congvu_analytics.sim._org import BEHAVIOURS, OrgModel, draw_traits, plant
from congvu_analytics.sim._org import Person as SimPerson
from congvu_analytics.sim._org import Unit as SimUnit
from congvu_analytics.sim._tasks import (
    ACCEPT,
    APPROVE,
    ASSIGN,
    CANCEL,
    COMPLETE,
    COORD_ANS,
    COORD_REQ,
    DECLINE,
    DEEMED,
    EXT_NO,
    EXT_OK,
    EXT_REQ,
    OP_GIVEN,
    OP_REQ,
    PAUSE,
    POSITIONS,
    PROGRESS,
    R_CONFIRM,
    R_LEGAL,
    REASONS,
    REASSIGN,
    REMIND,
    RESUME,
    RETURN,
    REVIEW,
    REWORK,
    SUBMIT,
    TRANSFER,
    Columns,
    expected_leads,
    simulate,
)

# The departments that carry the demo's work, in the order they are taken. Sở Tài chính and
# Sở Xây dựng come first: the README's logins are there.
DEPARTMENTS = ("STC", "SXD", "SNN", "SNV", "STP", "SCT", "SKHCN", "VP", "SYT", "SGDDT")
# Remits a province easily confuses (the generator's CONFUSED_DEPARTMENTS, in the demo's codes).
CONFUSED = (("SXD", "SNN"), ("STC", "SCT"), ("SNV", "STP"), ("SKHCN", "SCT"))
# The README's cast: a specialist who stalls (subject of a finding), and a colleague in a
# division whose tasks often meet legal obstacles (a look-alike who must not be flagged).
OFFENDER = "chuyenvien.stc"
LOOKALIKE = "chuyenvien2.stc"

REGULATIONS = (
    "Nghị định 118/2025/NĐ-CP, Điều 9 khoản 2",
    "Luật Đầu tư công 2024, Điều 52",
    "Luật Đất đai 2024, Điều 127",
)
SUBJECTS = (
    "Rà soát, đơn giản hóa thủ tục hành chính lĩnh vực {u}",
    "Báo cáo tình hình thực hiện nhiệm vụ quý của {u}",
    "Tham mưu kế hoạch chuyển đổi số năm 2026 của {u}",
    "Giải quyết kiến nghị của cử tri liên quan đến {u}",
    "Kiểm tra, đôn đốc tiến độ giải ngân vốn đầu tư công tại {u}",
    "Xây dựng dự thảo quy định phân cấp quản lý thuộc {u}",
    "Tổng hợp số liệu phục vụ họp giao ban của {u}",
    "Xử lý văn bản đề nghị của doanh nghiệp gửi {u}",
    "Thẩm định hồ sơ đề nghị của {u}",
    "Góp ý dự thảo nghị quyết của HĐND tỉnh liên quan đến {u}",
)
# Expected led tasks a quarter to be planted as an offender: the engine needs a handful of
# cases per subject and period (congvu_analytics.detect.params min_cases).
MIN_TASKS_PER_QUARTER = 6.0
# Working days of slack each level above the specialist keeps over the deadline it hands down:
# a legal obstacle can hold the specialist's part for 45 working days, and a head who had to ask
# for more time whenever that happens would look like a staller for it.
SLACK_DAYS = 40
DIRECTIVES = ("UBND", "UBND-KT", "UBND-NCKSTTHC", "VP-TH", "KH-UBND")


@dataclass
class History:
    """What was generated, for the command's summary and the tests."""

    tasks: int = 0
    events: int = 0
    cases: int = 0
    refused: Counter[str] = field(default_factory=Counter)
    offenders: dict[str, list[tuple[str, float]]] = field(default_factory=dict)  # b -> code, sev
    bad_heads: list[str] = field(default_factory=list)  # division codes
    lookalikes: dict[str, list[str]] = field(default_factory=dict)  # group -> person codes
    innovators: dict[str, list[int]] = field(default_factory=dict)  # person code -> task ids
    start: date | None = None
    end: date | None = None


@dataclass
class _Map:
    model: OrgModel
    people: list[Person]
    units: list[Unit]
    index: dict[int, int]  # Person.pk -> model index


def _org_model(day: date, active_people: int) -> _Map:
    """The demo organisation on `day` as the generator's model: UBND tỉnh, the chosen
    departments and their divisions (any unit below a department with a head and staff)."""
    rows = (
        Membership.objects.active_on(day)
        .filter(is_primary=True, person__is_active=True)
        .select_related("person", "unit")
        .order_by("unit__code", "role", "person__code")
    )
    by_unit: dict[int, list[Membership]] = defaultdict(list)
    for m in rows:
        by_unit[m.unit_id].append(m)
    active = {u.pk: u for u in Unit.objects.active_on(day)}
    root = next(u for u in active.values() if u.parent_id is None)
    children: dict[int, list[Unit]] = defaultdict(list)
    for u in sorted(active.values(), key=lambda u: u.code):
        if u.parent_id is not None:
            children[u.parent_id].append(u)
    units: list[SimUnit] = []
    db_units: list[Unit] = []
    persons: list[SimPerson] = []
    db_people: list[Person] = []

    def add_unit(u: Unit, type_: str, level: int, parent: int | None) -> int:
        units.append(SimUnit(u.code, u.name, type_, units[parent].code if parent else None, level))
        db_units.append(u)
        if parent is not None:
            units[parent].divisions.append(len(units) - 1)
        return len(units) - 1

    def staff(ui: int, positions: tuple[str, str, str]) -> None:
        su = units[ui]
        for m in by_unit[db_units[ui].pk]:
            pi = len(persons)
            role = {"head": 0, "deputy": 1}.get(m.role, 2)
            persons.append(SimPerson(m.person.code, m.person.full_name, ui, positions[role], day))
            db_people.append(m.person)
            su.members.append(pi)
            if role == 0:
                su.head = pi
                su.leaders.insert(0, pi)
            elif role == 1:
                su.leaders.append(pi)

    ubnd = add_unit(root, "ubnd_tinh", 3, None)
    staff(ubnd, ("chu_tich", "pho_chu_tich", "chuyen_vien"))
    plan = _spread(children, by_unit, root, active_people - len(persons))
    tops: list[int] = []
    divisions: list[int] = []
    for dept, chosen in plan:
        top = add_unit(dept, "so", 2, ubnd)
        staff(top, ("giam_doc", "pho_giam_doc", "chuyen_vien"))
        for child in chosen:
            d = add_unit(child, "phong", 1, top)
            staff(d, ("truong_phong", "pho_truong_phong", "chuyen_vien"))
            divisions.append(d)
        tops.append(top)
    leaders = list(units[ubnd].leaders)
    model = OrgModel(units, persons, tops, divisions, leaders)
    return _Map(model, db_people, db_units, {p.pk: i for i, p in enumerate(db_people)})


def _named_units() -> set[int]:
    """The units of the README's logins."""
    return set(
        Membership.objects.filter(
            person__user__username__in=[code for code, _ in NAMED_LOGINS], is_primary=True
        ).values_list("unit_id", flat=True)
    )


def _spread(
    children: dict[int, list[Unit]],
    by_unit: dict[int, list[Membership]],
    root: Unit,
    room: int,
) -> list[tuple[Unit, list[Unit]]]:
    """Which departments and divisions carry the work: every department of `DEPARTMENTS` in
    turn takes one more division, round after round, until `room` people are reached, so the
    work is spread over the province as it is in life rather than piled on one department.
    The divisions of the README's logins are taken in the first round, so those accounts
    have tasks to open."""
    by_code = {u.code: u for u in children[root.pk]}
    named = _named_units()
    queues: list[tuple[Unit, list[Unit]]] = []
    for code in DEPARTMENTS:
        dept = by_code.get(code)
        if dept is None or not any(m.role == "head" for m in by_unit[dept.pk]):
            continue
        usable = [
            c
            for c in children[dept.pk]
            if len(by_unit[c.pk]) >= 3 and any(m.role == "head" for m in by_unit[c.pk])
        ]
        if usable:
            # Named divisions first, the rest in code order.
            queues.append((dept, sorted(usable, key=lambda c: (c.pk not in named, c.code))))
    chosen: dict[int, list[Unit]] = {}
    people = 0
    for dept, queue in queues:  # first round: one division each, and every named one
        if people >= room:
            break
        first = [c for c in queue if c.pk in named] or queue[:1]
        chosen[dept.pk] = first
        people += len(by_unit[dept.pk]) + sum(len(by_unit[c.pk]) for c in first)
    while people < room:
        grew = False
        for dept, queue in queues:
            taken = chosen.get(dept.pk)
            rest = [c for c in queue if taken is not None and c not in taken]
            if taken is None or people >= room or not rest:
                continue
            taken.append(rest[0])
            people += len(by_unit[rest[0].pk])
            grew = True
        if not grew:
            break
    return [(dept, chosen[dept.pk]) for dept, _ in queues if dept.pk in chosen]


def _working_days(start: date, end: date) -> list[date]:
    cal = get_calendar()
    out = []
    day = start
    while day <= end:
        if cal.is_working_day(day):
            out.append(day)
        day += timedelta(days=1)
    return out


def _cast(
    m: _Map,
    model: OrgModel,
    *,
    offender: Person | None,
    lookalike: Person | None,
    tasks: int,
    span: int,
) -> None:
    """The README's two people: a blatant staller with enough tasks to be judged, and a
    normal colleague in a division whose tasks often meet legal obstacles."""
    people = model.people
    # The README's other accounts are ordinary officials: the head who decides the
    # offender's finding must not be a planted offender himself.
    for pk in Person.objects.filter(
        user__username__in=[code for code, _ in NAMED_LOGINS]
    ).values_list("pk", flat=True):
        if pk in m.index and (offender is None or pk != offender.pk):
            people[m.index[pk]].severity.clear()
    if lookalike is not None and lookalike.pk in m.index:
        p = people[m.index[lookalike.pk]]
        p.severity.clear()
        div = model.units[p.unit]
        div.legal_prone = True
        for member in div.members:
            people[member].groups.add("legal_obstacle")
    if offender is not None and offender.pk in m.index:
        i = m.index[offender.pk]
        p = people[i]
        p.severity = {"stalling": 0.95}
        p.groups -= {"new_staff", "heavy_workload", "innovation"}
        p.new_from, p.innovator = -1, False
        # Busy enough to be judged every quarter, not so busy that the engine compares them
        # with the heavy-workload staff (whose slowness it excuses).
        # His weight inside the division, then (once he already holds most of its specialists'
        # share) the division's own workload, which also raises its department's share.
        div = model.units[p.unit]
        for _ in range(40):
            if expected_leads(model, tasks, span)[i] >= MIN_TASKS_PER_QUARTER * 4 * span / 62:
                break
            staff = [people[j].weight for j in div.members if j != div.head]
            if p.weight < 0.5 * sum(staff):
                p.weight *= 1.3
            else:
                div.workload *= 1.3


def _person(code: str) -> Person | None:
    return Person.objects.filter(user__username=code).first()


@dataclass
class _Open:
    task: Task
    lead: int  # model index of its lead
    assigner: int
    percent: int = 0


class _Replay:
    """Performs one simulated case through the actions."""

    def __init__(self, m: _Map, days: list[date], rng: random.Random, history: History) -> None:
        self.m, self.days, self.rng, self.history = m, days, rng, history
        self.serial = 0

    def when(self, t: float) -> datetime:
        day = self.days[min(int(t), len(self.days) - 1)]
        minutes = int((t - int(t)) * 9 * 60)
        return datetime.combine(day, time(8, 0), tzinfo=VN_TZ) + timedelta(minutes=minutes)

    def due(self, d: int) -> date:
        return self.days[min(d, len(self.days) - 1)] if d >= 0 else self.days[-1]

    def source(self, day: date) -> dict[str, Any]:
        self.serial += 1
        if self.rng.random() < 0.15:
            return {"ad_hoc": True}
        code = self.rng.choice(DIRECTIVES)
        return {
            "source_number": f"{self.serial}/{code}",
            "source_date": day - timedelta(days=self.rng.randint(0, 5)),
            "source_issuer": "Ủy ban nhân dân tỉnh",
            "source_excerpt": "V/v triển khai nhiệm vụ theo chỉ đạo của UBND tỉnh",
        }

    def case(self, rows: list[tuple[Any, ...]]) -> list[tuple[str, int]]:
        """Perform one case; returns (lead's code, task id) of its deepest task."""
        m = self.m
        deepest: list[tuple[str, int]] = []
        P, U = m.people, m.units
        stack: list[_Open] = []
        refs: dict[int, int] = {}  # simulated seq -> the app's event seq
        ext_due: dict[int, int] = {}  # extension request seq -> granted deadline
        for _seq, act, _t, _actor, *_rest, ref, _pos, _rev, _within in rows:
            if act == EXT_OK and ref >= 0:
                ext_due[ref] = _rest[3]
        # Each hand-down is a level; the deepest task carries the simulated deadline and each
        # level above it some slack (a head gives the specialist an earlier internal deadline).
        levels = sum(1 for r in rows if r[1] == ASSIGN)
        last: datetime | None = None
        for seq, act, t, actor, unit, tactor, tunit, reason, due, ref, pos, _rev, _w in rows:
            at = self.when(t)
            if last is not None and at <= last:
                at = last + timedelta(minutes=1)
            text = REASONS[reason][2] if reason >= 0 else ""
            top = stack[-1] if stack else None
            try:
                if act == ASSIGN:
                    opened, at = self.assign(
                        stack, actor=actor, lead=tactor, unit=tunit, due=due, levels=levels, at=at
                    )
                    stack.append(opened)
                    deepest[:] = [(P[tactor].code, opened.task.pk)]
                    levels -= 1
                    continue
                if top is None:
                    continue
                task = top.task
                if act == ACCEPT:
                    a.do_accept(task, P[actor], at=at)
                elif act == DECLINE:
                    a.do_decline(
                        task,
                        P[actor],
                        reason=text,
                        proposed_unit=self.elsewhere(unit, tunit),
                        at=at,
                    )
                elif act == REASSIGN:
                    a.do_reassign_lead(
                        task, P[actor], to_unit=U[tunit], to_person=P[tactor], reason=text, at=at
                    )
                    top.lead = tactor
                elif act == TRANSFER:
                    a.do_transfer(
                        task,
                        P[actor],
                        to_unit=U[tunit],
                        to_person=P[tactor],
                        reason_code=REASONS[reason][0] or "other",
                        reason=text,
                        at=at,
                    )
                    top.lead = tactor
                elif act == RETURN:
                    a.do_return(task, P[actor], reason=text, at=at)
                elif act == PROGRESS:
                    top.percent = min(95, top.percent + self.rng.randint(10, 30))
                    a.do_report_progress(
                        task,
                        P[actor],
                        percent=top.percent,
                        text=f"Đã thực hiện khoảng {top.percent}%",
                        at=at,
                    )
                elif act == COORD_REQ:
                    ev = a.do_request_coordination(
                        task,
                        P[actor],
                        unit=U[tunit],
                        request_text="Đề nghị cho ý kiến bằng văn bản",
                        due=self.due(due),
                        at=at,
                    )
                    refs[seq] = ev.seq
                elif act == COORD_ANS and ref in refs:
                    a.do_answer_coordination(
                        task,
                        P[actor],
                        request_seq=refs[ref],
                        position=POSITIONS[pos] if pos >= 0 else "none",
                        text="Ý kiến của đơn vị phối hợp",
                        at=at,
                    )
                elif act == DEEMED and ref in refs:
                    a.do_record_deemed_agreement(task, request_seq=refs[ref], at=at)
                elif act == EXT_REQ:
                    current = Task.objects.get(pk=task.pk).deadline
                    wanted = self.due(ext_due.get(seq, -1)) if seq in ext_due else None
                    if wanted is None or wanted <= current:
                        wanted = get_calendar().add_working_days(max(current, at.date()), 10)
                    at = self.make_room(stack, len(stack) - 1, wanted, at)
                    ev = a.do_request_extension(
                        task, P[actor], new_deadline=wanted, reason=text, at=at
                    )
                    refs[seq] = ev.seq
                elif act == EXT_OK:
                    a.do_grant_extension(task, P[actor], at=at)
                elif act == EXT_NO:
                    a.do_refuse_extension(
                        task, P[actor], reason="Không có căn cứ để gia hạn", at=at
                    )
                elif act == PAUSE:
                    code = REASONS[reason][0] or "other"
                    ev = a.do_pause(
                        task,
                        P[actor],
                        reason_code=code,
                        reason=text,
                        regulation=self.rng.choice(REGULATIONS) if reason == R_LEGAL else "",
                        waiting_on_unit=self.elsewhere(unit, -1) if code == "dependency" else None,
                        at=at,
                    )
                    refs[seq] = ev.seq
                elif act == REVIEW:
                    confirmed = reason == R_CONFIRM
                    a.do_review_pause(
                        task,
                        P[actor],
                        comment=text,
                        acknowledged=confirmed,
                        at=at,
                    )
                elif act == RESUME:
                    a.do_resume(task, P[actor], text="Tiếp tục thực hiện", at=at)
                elif act == OP_REQ:
                    ev = a.do_request_opinion(
                        task, P[actor], superior=P[tactor], question=text or "Xin ý kiến", at=at
                    )
                    refs[seq] = ev.seq
                elif act == OP_GIVEN and ref in refs:
                    a.do_give_opinion(
                        task,
                        P[actor],
                        request_seq=refs[ref],
                        opinion=text,
                        within_authority=bool(_w),
                        at=at,
                    )
                elif act == SUBMIT:
                    target = next((o for o in reversed(stack) if o.lead == actor), top)
                    a.do_submit(target.task, P[actor], result="Báo cáo kết quả thực hiện", at=at)
                elif act == REWORK:
                    a.do_request_rework(
                        task, P[actor], reason="Chưa đủ số liệu, đề nghị bổ sung", at=at
                    )
                elif act == APPROVE:
                    target = next((o for o in reversed(stack) if o.assigner == actor), top)
                    a.do_approve(target.task, P[actor], at=at)
                    a.do_complete(target.task, P[actor], at=at + timedelta(minutes=1))
                    stack.remove(target)
                    at += timedelta(minutes=1)
                elif act == COMPLETE:
                    at = self.close(stack, at)
                elif act == CANCEL:
                    for o in reversed(stack):
                        a.do_cancel(o.task, P[o.assigner], reason=text, at=at)
                        at += timedelta(minutes=1)
                    stack.clear()
                elif act == REMIND:
                    a.do_remind(task, P[top.assigner], text="Đề nghị khẩn trương hoàn thành", at=at)
            except ActionError as exc:
                # The workflow refused a step (rare: a person not yet or no longer in post);
                # the rest of the case goes on as far as the workflow allows.
                self.history.refused[exc.code] += 1
            finally:
                last = at
        return deepest

    def assign(
        self,
        stack: list[_Open],
        *,
        actor: int,
        lead: int,
        unit: int,
        due: int,
        levels: int,
        at: datetime,
    ) -> tuple[_Open, datetime]:
        """A new case, or a hand-down as a sub-task of the level above; returns it and the
        time of its assignment."""
        P, U = self.m.people, self.m.units
        cal = get_calendar()
        deadline = cal.add_working_days(self.due(due), SLACK_DAYS * max(0, levels - 1))
        deadline = max(deadline, cal.add_working_days(at.date(), 2))
        parent = stack[-1].task if stack else None
        if parent is not None:
            at = self.make_room(stack, len(stack) - 1, deadline, at, own=True)
        kw = {"parent": parent, "ad_hoc": True} if parent else self.source(at.date())
        task = a.do_assign(
            assigner=P[actor],
            title=self.rng.choice(SUBJECTS).format(u=U[unit].name)[:500],
            lead_unit=U[unit],
            lead_person=P[lead],
            deadline=deadline,
            priority=self.rng.choice(list(Priority.values)),
            at=at,
            **kw,
        )
        self.history.tasks += 1
        return _Open(task, lead, actor), at

    def make_room(
        self, stack: list[_Open], i: int, wanted: date, at: datetime, *, own: bool = False
    ) -> datetime:
        """A sub-task cannot outlast its parent: before level i's deadline moves to `wanted`
        (or, with `own`, before a sub-task due `wanted` is given), the level above asks for
        and gets the time it needs. Returns the time after those events."""
        P = self.m.people
        j = i if own else i - 1
        if j < 0:
            return at
        o = stack[j]
        current = Task.objects.get(pk=o.task.pk).deadline
        if current >= wanted:
            return at
        at = self.make_room(stack, j, wanted, at)
        a.do_request_extension(
            o.task,
            P[o.lead],
            new_deadline=wanted,
            reason="Điều chỉnh thời hạn theo tiến độ của bộ phận thực hiện",
            at=at,
        )
        a.do_grant_extension(o.task, P[o.assigner], at=at + timedelta(minutes=1))
        return at + timedelta(minutes=2)

    def elsewhere(self, unit: int, proposed: int) -> Unit:
        """The unit a decline proposes: the simulated one, else a sibling of the declining
        unit (a decline must name a competent unit other than itself)."""
        m = self.m
        if proposed >= 0 and proposed != unit:
            return m.units[proposed]
        parent = m.model.units[unit].parent
        siblings = [
            i for i, u in enumerate(m.model.units) if u.parent == parent and i != unit and parent
        ]
        return m.units[self.rng.choice(siblings)] if siblings else m.units[0]

    def close(self, stack: list[_Open], at: datetime) -> datetime:
        """The case is done: each open level is submitted, approved and closed, bottom up."""
        P = self.m.people
        for o in reversed(stack):
            a.do_submit(o.task, P[o.lead], result="Tổng hợp kết quả thực hiện", at=at)
            at += timedelta(minutes=self.rng.randint(30, 240))
            a.do_approve(o.task, P[o.assigner], at=at)
            at += timedelta(minutes=1)
            a.do_complete(o.task, P[o.assigner], at=at)
            at += timedelta(minutes=1)
        stack.clear()
        return at


def _rows(cols: Columns) -> dict[int, list[tuple[Any, ...]]]:
    """Each case's events in time order (the generator writes a case's episodes as it plays
    them, not in time order: a coordination round's answers come back later)."""
    by_case: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    for i in range(len(cols.case)):
        by_case[cols.case[i]].append(
            (
                cols.seq[i],
                cols.act[i],
                cols.t[i],
                cols.actor[i],
                cols.unit[i],
                cols.tactor[i],
                cols.tunit[i],
                cols.reason[i],
                cols.due[i],
                cols.ref[i],
                cols.pos[i],
                cols.rev[i],
                cols.within[i],
            )
        )
    for rows in by_case.values():
        rows.sort(key=lambda r: (r[2], r[0]))
    return by_case


def generate_history(
    *,
    seed: int,
    start: date,
    end: date,
    tasks: int,
    active_people: int,
    bad_heads: int = 3,
    offender_share: float = 0.1,
    stdout: IO[str] | None = None,
) -> History:
    """Simulate `tasks` tasks over the working days [start, end] on the chosen departments and
    record them through the actions. Deterministic for a seed and an organisation."""
    if end < start:
        raise ValueError("end must not be before start")
    history = History(start=start, end=end)
    days = _working_days(start, end)
    span = len(days)
    m = _org_model(start, active_people)
    model = m.model
    if not model.tops:
        return history
    rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not secrets
    config = SIZES["small"]
    codes = {u.code: i for i, u in enumerate(model.units)}
    draw_traits(
        rng,
        model,
        confused=[(codes[x], codes[y]) for x, y in CONFUSED if x in codes and y in codes],
        span_days=span,
        new_staff_share=config.new_staff_share,
        heavy_share=config.heavy_share,
        innovator_share=config.innovator_share,
        legal_share=config.legal_share,
        coord_share=config.coord_share,
    )
    offender, lookalike = _person(OFFENDER), _person(LOOKALIKE)
    _cast(m, model, offender=None, lookalike=lookalike, tasks=tasks, span=span)
    # An offender must be judgeable per quarter, the period the app's detection runs over.
    quarters = max(1.0, span / 62)
    # The README's divisions are not drawn as bad-head divisions: their head is the one who
    # decides the offender's finding in the README's due process, and a division that is slow
    # as a whole would explain away the offender's own stalling.
    named = _named_units()
    expected = expected_leads(model, tasks, span)
    divisions = model.divisions
    model.divisions = [d for d in divisions if m.units[d].pk not in named]
    plant(
        rng,
        model,
        expected,
        bad_heads=bad_heads,
        offender_share=offender_share,
        min_tasks=MIN_TASKS_PER_QUARTER * quarters,
    )
    model.divisions = divisions
    _cast(m, model, offender=offender, lookalike=lookalike, tasks=tasks, span=span)
    misrouted: set[int] = set()
    shown = {b: [0] * len(model.people) for b in BEHAVIOURS}
    cols, info = simulate(rng, model, tasks, span, misrouted, shown)
    for i in misrouted:
        model.people[i].groups.add("misrouted")
    replay = _Replay(m, days, random.Random(seed + 1), history)  # noqa: S311 - demo data
    before = TaskEvent.objects.count()
    cases = _rows(cols)
    order = sorted(cases)
    for lo in range(0, len(order), 50):
        # One transaction per batch of cases: each action's own atomic block becomes a
        # savepoint, and the database syncs once per batch rather than once per event.
        with transaction.atomic():
            for ci in order[lo : lo + 50]:
                lead_tasks = replay.case(cases[ci])
                if info.protected[ci] and lead_tasks:
                    code = lead_tasks[0][0]
                    history.innovators.setdefault(code, []).append(lead_tasks[0][1])
        history.cases += len(order[lo : lo + 50])
        if stdout and lo and lo % 500 == 0:
            stdout.write(f"  {lo}/{len(order)} nhiệm vụ…\n")
    history.events = TaskEvent.objects.count() - before
    _truth(history, m)
    return history


def _truth(history: History, m: _Map) -> None:
    model = m.model
    for b in BEHAVIOURS:
        history.offenders[b] = sorted(
            ((p.code, round(p.severity[b], 2)) for p in model.people if b in p.severity),
            key=lambda x: -x[1],
        )
    history.bad_heads = sorted(u.code for u in model.units if u.bad_head)
    groups: dict[str, list[str]] = defaultdict(list)
    for p in model.people:
        if not p.severity:
            for g in sorted(p.groups):
                groups[g].append(p.code)
    history.lookalikes = dict(groups)


BEHAVIOUR_LABELS = {
    "avoidance": "né tránh",
    "buck_passing": "đùn đẩy",
    "stalling": "làm việc cầm chừng",
    "fear": "sợ trách nhiệm",
}
GROUP_LABELS = {
    "legal_obstacle": "vướng mắc pháp lý được xác nhận",
    "coordination_wait": "chờ đơn vị phối hợp",
    "heavy_workload": "khối lượng việc gấp 3-5 lần",
    "new_staff": "mới về nhận công tác",
    "innovation": "nhiệm vụ đổi mới sáng tạo được bảo vệ",
    "misrouted": "nhận nhầm việc, chuyển đúng thẩm quyền",
    "bad_head_member": "làm việc dưới trưởng phòng chậm trễ",
}


def summary(history: History) -> str:
    """What the demo planted, in Vietnamese: what the detection should find and spare."""
    lines = [
        f"Lịch sử giao việc {history.start:%d/%m/%Y}–{history.end:%d/%m/%Y}: "
        f"{history.cases} việc ({history.tasks} nhiệm vụ kể cả nhiệm vụ con), "
        f"{history.events} sự kiện.",
        "Người có hành vi cần phát hiện (mức độ 0-1):",
    ]
    for b, people in history.offenders.items():
        shown = ", ".join(f"{code} ({sev:.2f})" for code, sev in people) or "không có"
        lines.append(f"  {BEHAVIOUR_LABELS[b]}: {shown}")
    lines.append(f"Phòng có trưởng phòng chậm trễ: {', '.join(history.bad_heads) or 'không có'}")
    lines.append("Trường hợp hợp lệ trông giống (không được phát hiện), số người:")
    for group, label in GROUP_LABELS.items():
        lines.append(f"  {label}: {len(history.lookalikes.get(group, []))}")
    if history.refused:
        refused = ", ".join(f"{code} {n}" for code, n in history.refused.most_common())
        lines.append(f"Bước bị quy trình từ chối (bỏ qua): {refused}")
    return "\n".join(lines) + "\n"
