"""A realistic, deterministic history of tasks on whatever organisation is in the database.

Everything goes through the `do_*` actions with explicit past times, so the generated log is
sealed and verifies like a real one. Besides ordinary work (on time, early, late, cascaded to
specialists, coordinated, reminded, declined and reassigned, cancelled) it plants the
behaviours the detectors look for, each next to its legitimate look-alike:

    pattern                                        look-alike
    ping-pong of custody between two sibling units  a misrouted transfer accepted by the receiver
    a unit that never answers coordination          waiting on a coordination answer (a pause
      requests (recorded "deemed to agree")           with reason `dependency` naming the unit)
    a specialist who idles and keeps asking for     a reviewed legal-obstacle pause followed by
      extensions, then delivers late                  one extension
    a deputy who asks the head's opinion on         a specialist asking a real question outside
      matters within their own authority              their authority

The planted actors are listed in the returned summary (and written to `stdout`) so that a
demo can show what the detectors should find.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import IO, Any

from django.utils import timezone

from congvu.lib.errors import ActionError
from congvu.org.models import Membership, Person, Unit
from congvu.org.tree import tree_as_of
from congvu.tasks import actions as a
from congvu.tasks.models import Priority, Task, TaskEvent
from congvu.tasks.state import VN_TZ
from congvu.workdays.calendar import add_working_days, get_calendar

DIRECTIVES = [
    ("UBND", "Ủy ban nhân dân tỉnh"),
    ("UBND-KT", "Ủy ban nhân dân tỉnh"),
    ("UBND-NCKSTTHC", "Ủy ban nhân dân tỉnh"),
    ("VP-TH", "Văn phòng UBND tỉnh"),
    ("KH-UBND", "Ủy ban nhân dân tỉnh"),
]
SUBJECTS = [
    "Rà soát, đơn giản hóa thủ tục hành chính lĩnh vực {u}",
    "Báo cáo tình hình thực hiện nhiệm vụ quý của {u}",
    "Tham mưu kế hoạch chuyển đổi số năm của {u}",
    "Giải quyết kiến nghị của cử tri liên quan đến {u}",
    "Kiểm tra, đôn đốc tiến độ giải ngân vốn đầu tư công tại {u}",
    "Xây dựng dự thảo quy định phân cấp quản lý thuộc {u}",
    "Tổng hợp số liệu phục vụ họp giao ban của {u}",
    "Xử lý văn bản đề nghị của doanh nghiệp gửi {u}",
]
REGULATIONS = [
    "Nghị định 118/2025/NĐ-CP, Điều 9 khoản 2",
    "Luật Đầu tư công 2024, Điều 52",
    "Thông tư 03/2025/TT-VPCP, Điều 4",
]


TASKS_PER_MONTH = 30
# One draw inside each pattern's probability band of Generator.story_for.
# (draw, stories a month): the planted patterns and their look-alikes recur often enough that a
# quarter gives the detectors the evidence they require (at least 10 cases and 3 hits per
# subject, congvu_analytics.detect.params), whatever the size of the province.
FORCED = (
    (0.03, 2),  # ping-pong between the two planted units
    (0.08, 2),  # misrouted transfer, then accepted (look-alike)
    (0.13, 4),  # the unit that ignores coordination requests
    (0.18, 2),  # waiting on a coordination answer (look-alike)
    (0.24, 2),  # the idle specialist's extensions
    (0.29, 2),  # reviewed legal-obstacle pause (look-alike)
    (0.34, 2),  # the deputy's opinions on matters within their authority
    (0.385, 2),  # a specialist's real question to the head (look-alike)
    (0.42, 1),  # cascaded to a specialist
)


class _Stop(Exception):
    """The scenario ran past the end of the period (the task simply stays open)."""


@dataclass
class Staff:
    unit: Unit
    head: Person | None = None
    deputies: list[Person] = field(default_factory=list)
    members: list[Person] = field(default_factory=list)

    @property
    def chief(self) -> Person | None:
        """Who directs the unit's work: the head, else a deputy (a province led by a vice-chair)."""
        return self.head or (self.deputies[0] if self.deputies else None)

    @property
    def anyone(self) -> list[Person]:
        return [p for p in (self.head, *self.deputies, *self.members) if p is not None]


@dataclass
class Org:
    staff: dict[int, Staff]
    parent: dict[int, int | None]
    children: dict[int, list[int]]

    def directed_pairs(self) -> list[tuple[Staff, Staff]]:
        """(directing unit with a head, child unit with someone to lead)."""
        out = []
        for uid in sorted(self.staff):
            s = self.staff[uid]
            if s.chief is None:
                continue
            for cid in sorted(self.children.get(uid, [])):
                c = self.staff.get(cid)
                if c is not None and c.anyone:
                    out.append((s, c))
        return out


def load_org(day: date) -> Org:
    tree = tree_as_of(day)
    staff: dict[int, Staff] = {}
    units = {u.pk: u for u in Unit.objects.active_on(day)}
    rows = (
        Membership.objects.active_on(day)
        .filter(person__is_active=True)
        .select_related("person")
        .order_by("unit_id", "role", "person__code")
    )
    for m in rows:
        if m.unit_id not in units:
            continue
        s = staff.setdefault(m.unit_id, Staff(units[m.unit_id]))
        if m.role == Membership.Role.HEAD:
            s.head = m.person
        elif m.role == Membership.Role.DEPUTY:
            s.deputies.append(m.person)
        else:
            s.members.append(m.person)
    children: dict[int, list[int]] = defaultdict(list)
    for uid, pid in tree.parent.items():
        if pid is not None:
            children[pid].append(uid)
    return Org(staff, dict(tree.parent), children)


@dataclass
class Cast:
    """The actors of the planted behaviours (codes, for the demo and the detector tests)."""

    ping_pong: tuple[str, str] | None = None
    silent_unit: str | None = None
    idle_specialist: str | None = None
    fearful_deputy: str | None = None

    def lines(self) -> list[str]:
        return [
            f"  đùn đẩy qua lại giữa hai đơn vị: {self.ping_pong}",
            f"  đơn vị không trả lời phối hợp: {self.silent_unit}",
            f"  chuyên viên chây ì, xin gia hạn nhiều lần: {self.idle_specialist}",
            f"  cấp phó xin ý kiến việc thuộc thẩm quyền: {self.fearful_deputy}",
        ]


class Clock:
    """Event times of one scenario: working hours, working days, never past `end`."""

    def __init__(self, rng: random.Random, start: datetime, end: datetime) -> None:
        self.rng, self.t, self.end = rng, start, end

    def later(self, lo: int = 0, hi: int = 2) -> datetime:
        days = self.rng.randint(lo, hi)
        if days == 0:
            t = self.t + timedelta(minutes=self.rng.randint(10, 150))
        else:
            day = add_working_days(self.t.astimezone(VN_TZ).date(), days)
            t = _at(day, self.rng)
            t = max(t, self.t + timedelta(minutes=1))
        if t > self.end:
            raise _Stop()
        self.t = t
        return t

    def on(self, day: date) -> datetime:
        t = max(_at(day, self.rng), self.t + timedelta(minutes=1))
        if t > self.end:
            raise _Stop()
        self.t = t
        return t

    @property
    def day(self) -> date:
        return self.t.astimezone(VN_TZ).date()


def _at(day: date, rng: random.Random) -> datetime:
    minutes = rng.randint(7 * 60 + 30, 16 * 60 + 30)
    return datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=VN_TZ)


class Generator:
    def __init__(
        self, seed: int, start: date, end: date, people_scale: float, stdout: IO[str] | None
    ) -> None:
        self.rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not secrets
        self.start, self.end = start, end
        self.scale = people_scale
        self.out = stdout
        now = timezone.now()
        self.end_at = min(datetime.combine(end, time(23, 59), tzinfo=VN_TZ), now)
        self.cast = Cast()
        self.refused = 0
        self.refusals: dict[str, int] = defaultdict(int)
        self.serial = 0

    # --- small helpers ---------------------------------------------------------------------
    def pick(self, seq: list[Any]) -> Any:
        return seq[self.rng.randrange(len(seq))]

    def source(self, day: date) -> dict[str, Any]:
        self.serial += 1
        if self.rng.random() < 0.15:
            return {"ad_hoc": True}
        code, issuer = self.pick(DIRECTIVES)
        return {
            "source_number": f"{self.serial}/{code}",
            "source_date": day - timedelta(days=self.rng.randint(0, 5)),
            "source_issuer": issuer,
            "source_excerpt": "V/v triển khai nhiệm vụ theo chỉ đạo của UBND tỉnh",
        }

    def title(self, unit: Unit) -> str:
        return str(self.pick(SUBJECTS)).format(u=unit.name)

    def lead_of(self, staff: Staff) -> Person:
        return (
            staff.head
            if staff.head is not None and self.rng.random() < 0.5
            else self.pick(staff.anyone)
        )

    def assign(
        self, clock: Clock, assigner: Person, unit: Staff, lead: Person, wd: int, **kw: Any
    ) -> Task:
        return a.do_assign(
            assigner=assigner,
            title=self.title(unit.unit),
            lead_unit=unit.unit,
            lead_person=lead,
            working_days=wd,
            priority=self.pick(list(Priority.values)),
            at=clock.t,
            **{**self.source(clock.day), **kw},
        )

    def run(self, scenario: Callable[[Clock], None], begin: datetime) -> None:
        clock = Clock(self.rng, begin, self.end_at)
        try:
            scenario(clock)
        except _Stop:
            pass
        except ActionError as exc:
            # The organisation changed under the scenario (a unit merged, a person moved):
            # the rest of this task's story cannot happen; keep what was recorded.
            self.refused += 1
            self.refusals[exc.code] += 1

    # --- the stories -----------------------------------------------------------------------
    def normal(
        self,
        boss: Person,
        unit: Staff,
        org: Org,
        *,
        late: bool,
        early: bool,
        cascade: bool = False,
        lead: Person | None = None,
    ) -> Callable[[Clock], None]:
        def story(c: Clock) -> None:
            nonlocal lead
            lead = lead or (unit.head if cascade and unit.head else self.lead_of(unit))
            wd = self.rng.randint(8, 25)
            coord = None
            others = [s for s in org.staff.values() if s.unit.pk != unit.unit.pk and s.anyone]
            if others and self.rng.random() < 0.3:
                coord = self.pick(others)
            specs = (
                [
                    a.CoordinationSpec(
                        coord.unit,
                        "Đề nghị phối hợp cung cấp thông tin, ý kiến",
                        add_working_days(c.day, 5),
                    )
                ]
                if coord
                else []
            )
            task = self.assign(c, boss, unit, lead, wd, coordinations=specs)
            if self.rng.random() < 0.05:
                others2 = [s for s in org.staff.values() if s.unit.pk != unit.unit.pk and s.anyone]
                if others2:
                    a.do_decline(
                        task,
                        lead,
                        reason="Nội dung không thuộc chức năng, nhiệm vụ",
                        proposed_unit=self.pick(others2).unit,
                        at=c.later(0, 1),
                    )
                    return
            a.do_accept(task, lead, at=c.later(0, 1))
            if coord is not None:
                answerer = coord.head or coord.anyone[0]
                ans_at = c.later(1, 4)
                a.do_answer_coordination(
                    task,
                    answerer,
                    request_seq=2,
                    position=self.pick(["agree", "agree", "disagree", "none"]),
                    text="Ý kiến của đơn vị phối hợp",
                    at=ans_at,
                )
            child_done = True
            if lead == unit.head and unit.members and (cascade or self.rng.random() < 0.6):
                child_done = self.cascade(c, task, unit)
            if self.rng.random() < 0.08:
                a.do_cancel(task, boss, reason="Văn bản chỉ đạo đã được thay thế", at=c.later(1, 3))
                return
            for pct in sorted(self.rng.sample(range(20, 95, 10), self.rng.randint(1, 3))):
                a.do_report_progress(
                    task, lead, percent=pct, text=f"Đã thực hiện khoảng {pct}%", at=c.later(1, 4)
                )
            if not child_done:
                return
            deadline = Task.objects.get(pk=task.pk).deadline
            if late:
                if c.day <= deadline:
                    c.on(add_working_days(deadline, 1))
                    a.do_remind(
                        task, boss, text="Đề nghị khẩn trương hoàn thành, đã quá hạn", at=c.t
                    )
                c.later(1, 6)
            elif not early and c.day < deadline and self.rng.random() < 0.7:
                c.on(deadline - timedelta(days=self.rng.randint(0, 1)))
            a.do_submit(task, lead, result="Báo cáo kết quả thực hiện nhiệm vụ", at=c.later(0, 0))
            if self.rng.random() < 0.12:
                a.do_request_rework(
                    task, boss, reason="Chưa đủ số liệu, đề nghị bổ sung", at=c.later(0, 2)
                )
                a.do_submit(task, lead, result="Đã bổ sung", at=c.later(1, 3))
            a.do_approve(task, boss, at=c.later(0, 2))
            a.do_complete(task, boss, at=c.later(0, 0))

        return story

    def cascade(self, c: Clock, parent: Task, unit: Staff) -> bool:
        head = unit.head
        assert head is not None
        spec = self.pick(unit.members)
        parent_deadline = Task.objects.get(pk=parent.pk).deadline
        days_left = get_calendar().working_days_between(c.day, parent_deadline)
        if days_left < 3:
            return True
        child = a.do_assign(
            assigner=head,
            title=f"Thực hiện một phần: {parent.title}"[:500],
            lead_unit=unit.unit,
            lead_person=spec,
            working_days=max(1, days_left - 2),
            parent=parent,
            ad_hoc=True,
            at=c.later(0, 1),
        )
        a.do_accept(child, spec, at=c.later(0, 1))
        a.do_report_progress(child, spec, percent=50, text="Đang thực hiện", at=c.later(1, 3))
        a.do_submit(child, spec, result="Kết quả phần việc", at=c.later(1, 4))
        a.do_approve(child, head, at=c.later(0, 1))
        a.do_complete(child, head, at=c.later(0, 0))
        return True

    def ping_pong(self, boss: Person, x: Staff, y: Staff) -> Callable[[Clock], None]:
        def story(c: Clock) -> None:
            assert x.head is not None and y.head is not None
            task = self.assign(c, boss, x, x.head, self.rng.randint(10, 20))
            holders = [(x, x.head), (y, y.head)]
            for i in range(self.rng.randint(3, 5)):
                src, dst = holders[i % 2], holders[(i + 1) % 2]
                a.do_transfer(
                    task,
                    src[1],
                    to_unit=dst[0].unit,
                    to_person=dst[1],
                    reason_code=self.pick(["competence", "competence", "other"]),
                    reason="Nội dung thuộc lĩnh vực của đơn vị bạn",
                    at=c.later(1, 3),
                )
            last = holders[(i + 1) % 2][1]
            a.do_accept(task, last, at=c.later(1, 2))
            a.do_remind(task, boss, text="Đề nghị thống nhất xử lý dứt điểm", at=c.later(1, 2))
            a.do_submit(task, last, result="Báo cáo", at=c.later(3, 8))
            a.do_approve(task, boss, at=c.later(0, 1))
            a.do_complete(task, boss, at=c.later(0, 0))

        return story

    def misrouted(self, boss: Person, x: Staff, y: Staff) -> Callable[[Clock], None]:
        def story(c: Clock) -> None:
            lead_x, lead_y = self.lead_of(x), self.lead_of(y)
            task = self.assign(c, boss, x, lead_x, self.rng.randint(10, 20))
            a.do_transfer(
                task,
                lead_x,
                to_unit=y.unit,
                to_person=lead_y,
                reason_code="misrouted",
                reason="Văn bản giao nhầm, thuộc thẩm quyền của đơn vị bạn",
                at=c.later(0, 1),
            )
            a.do_accept(task, lead_y, at=c.later(0, 1))
            a.do_report_progress(task, lead_y, percent=60, text="Đang xử lý", at=c.later(2, 5))
            a.do_submit(task, lead_y, result="Đã xử lý", at=c.later(1, 4))
            a.do_approve(task, boss, at=c.later(0, 1))
            a.do_complete(task, boss, at=c.later(0, 0))

        return story

    def silent(self, boss: Person, unit: Staff, silent: Staff) -> Callable[[Clock], None]:
        def story(c: Clock) -> None:
            lead = self.lead_of(unit)
            task = self.assign(c, boss, unit, lead, self.rng.randint(12, 20))
            a.do_accept(task, lead, at=c.later(0, 1))
            due = add_working_days(c.day, 5)
            req = a.do_request_coordination(
                task,
                lead,
                unit=silent.unit,
                request_text="Đề nghị cho ý kiến bằng văn bản",
                due=due,
                at=c.later(0, 0),
            )
            a.do_remind(task, None, text="Hệ thống nhắc đơn vị phối hợp", at=c.on(due))
            a.do_record_deemed_agreement(
                task, request_seq=req.seq, at=c.on(add_working_days(due, 1))
            )
            a.do_submit(
                task, lead, result="Hoàn thành (coi như đơn vị phối hợp đồng ý)", at=c.later(1, 4)
            )
            a.do_approve(task, boss, at=c.later(0, 1))
            a.do_complete(task, boss, at=c.later(0, 0))

        return story

    def waiting_on_coordination(
        self, boss: Person, unit: Staff, other: Staff
    ) -> Callable[[Clock], None]:
        def story(c: Clock) -> None:
            lead = self.lead_of(unit)
            answerer = other.head or other.anyone[0]
            task = self.assign(c, boss, unit, lead, self.rng.randint(12, 20))
            a.do_accept(task, lead, at=c.later(0, 1))
            req = a.do_request_coordination(
                task,
                lead,
                unit=other.unit,
                request_text="Đề nghị cung cấp hồ sơ gốc",
                due=add_working_days(c.day, 7),
                at=c.later(0, 0),
            )
            a.do_pause(
                task,
                lead,
                reason_code="dependency",
                reason="Chờ hồ sơ của đơn vị phối hợp",
                waiting_on_unit=other.unit,
                at=c.later(0, 1),
            )
            a.do_answer_coordination(
                task,
                answerer,
                request_seq=req.seq,
                position="agree",
                text="Gửi kèm hồ sơ",
                at=c.later(3, 6),
            )
            a.do_resume(task, lead, text="Đã nhận hồ sơ", at=c.later(0, 1))
            a.do_submit(task, lead, result="Hoàn thành", at=c.later(2, 5))
            a.do_approve(task, boss, at=c.later(0, 1))
            a.do_complete(task, boss, at=c.later(0, 0))

        return story

    def idle(self, head: Person, unit: Staff, spec: Person) -> Callable[[Clock], None]:
        def story(c: Clock) -> None:
            task = self.assign(c, head, unit, spec, self.rng.randint(5, 10))
            a.do_accept(task, spec, at=c.later(1, 3))
            for i in range(self.rng.randint(2, 4)):
                deadline = Task.objects.get(pk=task.pk).deadline
                c.on(add_working_days(deadline, -1))
                a.do_request_extension(
                    task,
                    spec,
                    new_deadline=add_working_days(deadline, 7),
                    reason=self.pick(
                        ["Chưa bố trí được thời gian", "Đang bận việc khác", "Cần thêm thời gian"]
                    ),
                    at=c.t,
                )
                a.do_grant_extension(task, head, at=c.later(0, 1))
                if i == 1:
                    a.do_remind(task, head, text="Đề nghị báo cáo tiến độ", at=c.later(1, 2))
            deadline = Task.objects.get(pk=task.pk).deadline
            c.on(add_working_days(deadline, self.rng.randint(2, 6)))
            a.do_submit(task, spec, result="Báo cáo", at=c.t)
            a.do_approve(task, head, at=c.later(0, 1))
            a.do_complete(task, head, at=c.later(0, 0))

        return story

    def legal_pause(self, boss: Person, unit: Staff) -> Callable[[Clock], None]:
        def story(c: Clock) -> None:
            lead = self.lead_of(unit)
            task = self.assign(c, boss, unit, lead, self.rng.randint(10, 20))
            a.do_accept(task, lead, at=c.later(0, 1))
            a.do_report_progress(
                task, lead, percent=30, text="Phát sinh vướng mắc", at=c.later(2, 4)
            )
            a.do_pause(
                task,
                lead,
                reason_code="legal_obstacle",
                reason="Quy định chồng chéo, cần hướng dẫn của bộ",
                regulation=self.pick(REGULATIONS),
                at=c.later(0, 1),
            )
            a.do_review_pause(
                task, boss, comment="Xác nhận vướng mắc, đã xin ý kiến bộ", at=c.later(0, 2)
            )
            a.do_resume(task, lead, text="Đã có hướng dẫn", at=c.later(5, 10))
            deadline = Task.objects.get(pk=task.pk).deadline
            a.do_request_extension(
                task,
                lead,
                new_deadline=add_working_days(max(deadline, c.day), 10),
                reason="Thời gian tạm dừng do vướng mắc pháp lý",
                at=c.later(0, 1),
            )
            a.do_grant_extension(task, boss, at=c.later(0, 1))
            a.do_submit(task, lead, result="Hoàn thành", at=c.later(3, 7))
            a.do_approve(task, boss, at=c.later(0, 1))
            a.do_complete(task, boss, at=c.later(0, 0))

        return story

    def opinions(
        self, head: Person, unit: Staff, asker: Person, *, within: bool
    ) -> Callable[[Clock], None]:
        def story(c: Clock) -> None:
            task = self.assign(c, head, unit, asker, self.rng.randint(8, 15))
            a.do_accept(task, asker, at=c.later(0, 1))
            for _ in range(self.rng.randint(2, 3) if within else 1):
                q = (
                    "Xin ý kiến về việc ký văn bản trả lời"
                    if within
                    else "Xin ý kiến về nội dung vượt thẩm quyền của phòng"
                )
                ev = a.do_request_opinion(task, asker, superior=head, question=q, at=c.later(0, 2))
                a.do_give_opinion(
                    task,
                    head,
                    request_seq=ev.seq,
                    within_authority=within,
                    opinion="Việc này thuộc thẩm quyền của đồng chí, đề nghị chủ động giải quyết"
                    if within
                    else "Đồng ý phương án, trình UBND tỉnh",
                    at=c.later(1, 3),
                )
            a.do_submit(task, asker, result="Hoàn thành", at=c.later(1, 5))
            a.do_approve(task, head, at=c.later(0, 1))
            a.do_complete(task, head, at=c.later(0, 0))

        return story

    # --- the plan --------------------------------------------------------------------------
    def generate(self) -> int:
        before = TaskEvent.objects.count()
        cal = get_calendar()
        months: list[date] = []
        d = self.start.replace(day=1)
        while d <= self.end:
            months.append(d)
            d = (d + timedelta(days=32)).replace(day=1)
        # people_scale 1.0 is the 1,500-person demo province: about 30 ordinary tasks a month
        # (plus one of each planted pattern); seed_demo passes people / 1500.
        per_month = max(2, round(TASKS_PER_MONTH * self.scale))
        planned = 0
        for month in months:
            first = max(month, self.start)
            last = min((month + timedelta(days=32)).replace(day=1) - timedelta(days=1), self.end)
            days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
            days = [x for x in days if cal.is_working_day(x)]
            if not days:
                continue
            org = load_org(days[0])
            pairs = org.directed_pairs()
            if not pairs:
                continue
            self.choose_cast(org, pairs)
            # The planted patterns and look-alikes, ordinary work of the planted actors (their
            # baseline), then a random mix.
            stories = [
                (self.pick(days), self.story_for(org, pairs, r))
                for r, times in FORCED
                for _ in range(times)
            ]
            stories += [(self.pick(days), story) for story in self.baseline(org)]
            for _ in range(per_month):
                stories.append((self.pick(days), self.story_for(org, pairs)))
            stories.sort(key=lambda s: s[0])
            for day, story in stories:
                if story is not None:
                    self.run(story, _at(day, self.rng))
                    planned += 1
            if self.out:
                self.out.write(f"  {month:%m/%Y}: {len(stories)} nhiệm vụ\n")
        made = TaskEvent.objects.count() - before
        if self.out:
            self.out.write(
                f"Lịch sử giao việc: {planned} nhiệm vụ, {made} sự kiện "
                f"({self.refused} kịch bản dừng giữa chừng: {dict(self.refusals)}).\n"
            )
            self.out.write(
                "Hành vi được cài sẵn để phát hiện:\n" + "\n".join(self.cast.lines()) + "\n"
            )
        return made

    def baseline(self, org: Org) -> list[Callable[[Clock], None]]:
        """Ordinary, well-done tasks of the planted actors: a rate needs a denominator."""
        by_code = {s.unit.code: s for s in org.staff.values()}
        people = {p.code: (s, p) for s in org.staff.values() for p in s.anyone}
        out = []
        for code in self.cast.ping_pong or ():
            unit = by_code.get(code)
            parent = org.parent.get(unit.unit.pk) if unit else None
            chief = org.staff.get(parent) if parent else None
            if unit and chief and chief.chief:
                out.append(self.normal(chief.chief, unit, org, late=False, early=False))
        for who in (self.cast.idle_specialist, self.cast.fearful_deputy):
            if who is not None and who in people:
                staff, person = people[who]
                if staff.head is not None:
                    out += [
                        self.normal(staff.head, staff, org, late=False, early=False, lead=person)
                        for _ in range(2)
                    ]
        return out

    def choose_cast(self, org: Org, pairs: list[tuple[Staff, Staff]]) -> None:
        """Pick (once, then keep while they still exist) the actors of the planted patterns."""
        by_code = {s.unit.code: s for s in org.staff.values()}
        if self.cast.ping_pong is None or not all(c in by_code for c in self.cast.ping_pong):
            siblings = defaultdict(list)
            for boss, child in pairs:
                if child.head is not None:
                    siblings[boss.unit.pk].append(child)
            options = [v for v in siblings.values() if len(v) >= 2]
            if options:
                x, y = self.pick(options)[:2]
                self.cast.ping_pong = (x.unit.code, y.unit.code)
        if self.cast.silent_unit is None or self.cast.silent_unit not in by_code:
            taken = set(self.cast.ping_pong or ())
            options2 = sorted(c for c, s in by_code.items() if s.head and c not in taken)
            if options2:
                self.cast.silent_unit = self.pick(options2)
        people = {p.code: (s, p) for s in org.staff.values() for p in s.anyone}
        if self.cast.idle_specialist not in people:
            options3 = [(s, p) for s in org.staff.values() if s.head for p in s.members]
            if options3:
                self.cast.idle_specialist = self.pick(options3)[1].code
        if self.cast.fearful_deputy not in people:
            options4 = [(s, p) for s in org.staff.values() if s.head for p in s.deputies]
            if options4:
                self.cast.fearful_deputy = self.pick(options4)[1].code

    def story_for(  # noqa: PLR0911, PLR0912 - one band of the draw per pattern
        self, org: Org, pairs: list[tuple[Staff, Staff]], r: float | None = None
    ) -> Callable[[Clock], None] | None:
        by_code = {s.unit.code: s for s in org.staff.values()}
        people = {p.code: (s, p) for s in org.staff.values() for p in s.anyone}
        boss_unit, unit = self.pick(pairs)
        boss = boss_unit.chief
        assert boss is not None
        r = self.rng.random() if r is None else r
        cast = self.cast
        if r < 0.06 and cast.ping_pong:
            x, y = (by_code.get(c) for c in cast.ping_pong)
            if x and y and x.head and y.head:
                parent = org.parent.get(x.unit.pk)
                chief = org.staff.get(parent) if parent else None
                if chief and chief.chief:
                    return self.ping_pong(chief.chief, x, y)
        if r < 0.10:
            siblings = [c for b, c in pairs if b is boss_unit and c is not unit]
            if siblings:
                return self.misrouted(boss, unit, self.pick(siblings))
        if r < 0.16 and cast.silent_unit in by_code and by_code[cast.silent_unit] is not unit:
            return self.silent(boss, unit, by_code[cast.silent_unit])
        if r < 0.21:
            others = [
                s
                for s in org.staff.values()
                if s.unit.pk != unit.unit.pk and s.anyone and s.unit.code != cast.silent_unit
            ]
            if others:
                return self.waiting_on_coordination(boss, unit, self.pick(others))
        if r < 0.27 and cast.idle_specialist in people:
            s, p = people[cast.idle_specialist]
            if s.head is not None:
                return self.idle(s.head, s, p)
        if r < 0.31:
            return self.legal_pause(boss, unit)
        if r < 0.37 and cast.fearful_deputy in people:
            s, p = people[cast.fearful_deputy]
            if s.head is not None:
                return self.opinions(s.head, s, p, within=True)
        if r < 0.40 and unit.head is not None and unit.members:
            return self.opinions(unit.head, unit, self.pick(unit.members), within=False)
        late = self.rng.random() < 0.15
        early = not late and self.rng.random() < 0.3
        if r < 0.45:  # cascaded down to a specialist
            heads = [c for _, c in pairs if c.head is not None and c.members]
            if heads:
                unit = self.pick(heads)
                parent = org.parent.get(unit.unit.pk)
                chief = org.staff.get(parent) if parent else None
                if chief is not None and chief.chief is not None:
                    return self.normal(
                        chief.chief, unit, org, late=False, early=False, cascade=True
                    )
        return self.normal(boss, unit, org, late=late, early=early)


def generate_task_history(
    *, seed: int, start: date, end: date, people_scale: float = 1.0, stdout: IO[str] | None = None
) -> int:
    """Generate tasks on the organisation in the database through the actions; returns the
    number of events written. `people_scale` 1.0 means about 30 ordinary tasks a month (the
    1,500-person demo province), plus one of each planted pattern and look-alike a month. Deterministic for a given seed and organisation (event times
    are explicit; only the database ids differ between runs)."""
    if end < start:
        raise ValueError("end must not be before start")
    return Generator(seed, start, end, people_scale, stdout).generate()
