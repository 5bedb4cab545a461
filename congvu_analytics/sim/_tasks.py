"""The life of each task, written as columnar integer arrays (one row per event).

Time is in working days from the log's first day (the integer part is the working day, the
fraction the time within office hours); people and units are indices into the org model. The
package's ``generate`` turns the arrays into the canonical frame. Parameters and the reasons for
them are in the docstring of :mod:`congvu_analytics.sim`.
"""

# ruff: noqa: PLR0912, PLR0915, B023, PLR0917
# B023: the closures (emit, progress_to, extend) are called only within the iteration of the
# case they belong to, so binding the loop variables late is exactly what is meant.
# PLR0917: emit's positional arguments follow the event's columns, as in the log.
# PLR0912/PLR0915: the case script reads top to bottom like the life of a task; splitting
# it would scatter the story across helpers that share a dozen local variables.
from __future__ import annotations

import random
from array import array
from dataclasses import dataclass, field
from itertools import accumulate

from congvu_analytics.sim._org import OrgModel

# Event codes: (canonical activity, Vietnamese label as the app and the export show it).
ACTS: tuple[tuple[str, str], ...] = (
    ("assign", "Giao việc"),  # 0
    ("accept", "Tiếp nhận"),  # 1
    ("decline", "Từ chối"),  # 2
    ("transfer", "Chuyển xử lý"),  # 3
    ("return", "Trả lại"),  # 4
    ("reassign", "Giao lại"),  # 5
    ("progress", "Báo cáo tiến độ"),  # 6
    ("coord_request", "Đề nghị phối hợp"),  # 7
    ("coord_answer", "Trả lời phối hợp"),  # 8
    ("deemed_agree", "Coi như đồng ý"),  # 9
    ("extension_request", "Xin gia hạn"),  # 10
    ("extension_granted", "Đồng ý gia hạn"),  # 11
    ("extension_refused", "Không đồng ý gia hạn"),  # 12
    ("pause", "Tạm dừng"),  # 13
    ("resume", "Tiếp tục"),  # 14
    ("opinion_request", "Xin ý kiến"),  # 15
    ("opinion_given", "Cho ý kiến"),  # 16
    ("submit", "Trình duyệt"),  # 17
    ("approve", "Phê duyệt"),  # 18
    ("rework", "Yêu cầu làm lại"),  # 19
    ("complete", "Hoàn thành"),  # 20
    ("cancel", "Hủy"),  # 21
    ("reminder", "Đôn đốc"),  # 22
    ("other", "Xác nhận lý do tạm dừng"),  # 23: the superior reviews a pause's reason
)
(ASSIGN, ACCEPT, DECLINE, TRANSFER, RETURN, REASSIGN, PROGRESS, COORD_REQ, COORD_ANS, DEEMED,
 EXT_REQ, EXT_OK, EXT_NO, PAUSE, RESUME, OP_REQ, OP_GIVEN, SUBMIT, APPROVE, REWORK, COMPLETE,
 CANCEL, REMIND, REVIEW) = range(len(ACTS))  # fmt: skip

# Reason codes: (canonical reason_code or None, the source's own code in the export, the text
# the person writes, kept as ``reason_text`` in the app's log).
REASONS: tuple[tuple[str | None, str, str], ...] = (
    ("misrouted", "sai_tham_quyen", "Không thuộc thẩm quyền, đề nghị chuyển đơn vị có thẩm quyền"),
    ("competence", "khong_thuoc_chuc_nang", "Không thuộc chức năng, nhiệm vụ"),
    ("workload", "qua_tai", "Đang xử lý nhiều nhiệm vụ cùng lúc"),
    ("legal_obstacle", "vuong_mac_phap_ly", "Vướng mắc quy định pháp luật, chờ hướng dẫn"),
    ("dependency", "cho_phoi_hop", "Chờ ý kiến đơn vị liên quan"),
    ("external", "cho_ho_so_bo_sung", "Chờ tổ chức, cá nhân bổ sung hồ sơ"),
    ("other", "khac", "Lý do khác"),
    ("escalate", "de_nghi_cap_tren_quyet_dinh", "Đề nghị lãnh đạo xem xét, quyết định"),
    ("other", "xin_huong_dan", "Xin hướng dẫn nghiệp vụ"),
    (None, "xac_nhan_vuong_mac", "Xác nhận vướng mắc, đồng ý tạm dừng"),
    (None, "khong_xac_nhan", "Không chấp nhận lý do tạm dừng"),
    (None, "thuoc_tham_quyen", "Việc thuộc thẩm quyền, đề nghị chủ động giải quyết"),
    (None, "ngoai_tham_quyen", "Cho ý kiến chỉ đạo"),
    ("other", "thu_nghiem_khong_dat", "Thử nghiệm không đạt kết quả"),
    ("other", "khong_con_can_thiet", "Nhiệm vụ không còn cần thiết"),
    # Only in a province with a reorganisation (``SimConfig.reorganized``; sim/``congvu_analytics.sim._reorg``).
    ("reorganization", "sap_xep_to_chuc", "Chuyển do sắp xếp tổ chức bộ máy"),
)
(R_MISROUTED, R_COMPETENCE, R_WORKLOAD, R_LEGAL, R_DEPENDENCY, R_EXTERNAL, R_OTHER, R_PUSH_UP,
 R_GUIDANCE, R_CONFIRM, R_REJECT, R_WITHIN, R_OUTSIDE, R_INNOV_FAIL, R_NOT_NEEDED,
 R_REORG) = range(
    len(REASONS))  # fmt: skip
POSITIONS = ("agree", "disagree", "none")
# How many units one coordination round asks (a draft asks several sở and communes at once).
COORD_FANOUT = (1, 1, 1, 2, 2, 3, 4, 5)

EPS = 0.004  # ≈ 2 minutes of office time: keeps events of one case in a strict order


@dataclass
class Columns:
    """One row per event, as compact typed arrays (16M events fit in well under 1 GB)."""

    case: array[int] = field(default_factory=lambda: array("i"))
    seq: array[int] = field(default_factory=lambda: array("h"))
    act: array[int] = field(default_factory=lambda: array("b"))
    t: array[float] = field(default_factory=lambda: array("d"))
    actor: array[int] = field(default_factory=lambda: array("i"))
    unit: array[int] = field(default_factory=lambda: array("i"))
    tactor: array[int] = field(default_factory=lambda: array("i"))
    tunit: array[int] = field(default_factory=lambda: array("i"))
    reason: array[int] = field(default_factory=lambda: array("b"))
    due: array[int] = field(default_factory=lambda: array("i"))
    ref: array[int] = field(default_factory=lambda: array("h"))
    pos: array[int] = field(default_factory=lambda: array("b"))
    rev: array[int] = field(default_factory=lambda: array("b"))
    within: array[int] = field(default_factory=lambda: array("b"))


@dataclass
class CaseInfo:
    protected: array[int] = field(default_factory=lambda: array("b"))


class _Picker:
    """Weighted choice by bisection over cumulative weights (fast for repeated draws)."""

    __slots__ = ("cum", "items", "total")

    def __init__(self, items: list[int], weights: list[float]) -> None:
        self.items = items
        self.cum = list(accumulate(weights))
        self.total = self.cum[-1] if self.cum else 0.0

    def pick(self, rng: random.Random) -> int:
        from bisect import bisect_right

        return self.items[
            min(bisect_right(self.cum, rng.random() * self.total), len(self.items) - 1)
        ]


HEAD_LEADS = 0.12  # share of tasks the division head handles personally


def pickers(org: OrgModel) -> tuple[_Picker, dict[int, _Picker], dict[int, _Picker]]:
    """Who gets a task: a sở/xã by its size and workload, a division likewise, a specialist
    by personal workload weight."""
    units, people = org.units, org.people
    top_picker = _Picker(
        org.tops,
        [
            units[u].workload * (len(units[u].members) + 1)
            + sum(units[d].workload * len(units[d].members) for d in units[u].divisions)
            for u in org.tops
        ],
    )
    div_pickers = {
        u: _Picker(
            units[u].divisions,
            [units[d].workload * len(units[d].members) for d in units[u].divisions],
        )
        for u in org.tops
    }
    staff_pickers = {
        d: _Picker(
            [m for m in units[d].members if m != units[d].head],
            [people[m].weight for m in units[d].members if m != units[d].head],
        )
        for d in org.divisions
    }
    return top_picker, div_pickers, staff_pickers


def expected_leads(org: OrgModel, tasks: int, span: int) -> list[float]:
    """Expected number of tasks each person leads over the log (division heads: also every
    task of the division passes through them, counted in full)."""
    top_picker, div_pickers, staff_pickers = pickers(org)
    out = [0.0] * len(org.people)

    def share(picker: _Picker, i: int) -> float:
        before = picker.cum[i - 1] if i else 0.0
        return (picker.cum[i] - before) / picker.total if picker.total else 0.0

    for ti, top in enumerate(top_picker.items):
        p_top = share(top_picker, ti)
        dp = div_pickers[top]
        for di, div in enumerate(dp.items):
            p_div = p_top * share(dp, di) * tasks
            out[org.units[div].head] += p_div
            sp = staff_pickers[div]
            for mi, m in enumerate(sp.items):
                active = 1.0
                if org.people[m].new_from >= 0:
                    active = (span - org.people[m].new_from) / span
                out[m] += p_div * (1 - HEAD_LEADS) * share(sp, mi) * active
    return out


BEHAVIOUR_KEYS = ("avoidance", "buck_passing", "stalling", "fear")


def simulate(
    rng: random.Random,
    org: OrgModel,
    tasks: int,
    span: int,
    misrouted_people: set[int],
    shown: dict[str, list[int]],
) -> tuple[Columns, CaseInfo]:
    """Simulate ``tasks`` tasks assigned uniformly over the first ``span - 5`` working days;
    events after ``span`` are cut (cases still open at the end of the log)."""
    units, people = org.units, org.people
    cols = Columns()
    info = CaseInfo()
    a_case, a_seq, a_act, a_t = cols.case.append, cols.seq.append, cols.act.append, cols.t.append
    a_actor, a_unit, a_tactor = cols.actor.append, cols.unit.append, cols.tactor.append
    a_tunit, a_reason, a_due = cols.tunit.append, cols.reason.append, cols.due.append
    a_ref, a_pos, a_rev, a_within = (
        cols.ref.append,
        cols.pos.append,
        cols.rev.append,
        cols.within.append,
    )
    rnd, uni, expo, choice = rng.random, rng.uniform, rng.expovariate, rng.choice

    top_picker, div_pickers, staff_pickers = pickers(org)
    all_divs = org.divisions
    # Per person, the offender severity per behaviour (0 for normal people) and the base
    # propensity multiplier; read in the hot loop, so as plain lists.
    sev = {
        b: [p.severity.get(b, 0.0) for p in people]
        for b in ("avoidance", "buck_passing", "stalling", "fear")
    }
    base = {
        b: [p.base[b] for p in people] for b in ("avoidance", "buck_passing", "stalling", "fear")
    }
    s_av, s_bp, s_st, s_fe = sev["avoidance"], sev["buck_passing"], sev["stalling"], sev["fear"]
    b_av, b_bp, b_st, b_fe = base["avoidance"], base["buck_passing"], base["stalling"], base["fear"]
    pace = [p.pace for p in people]
    new_from = [p.new_from for p in people]
    innovator = [p.innovator for p in people]
    unit_of = [p.unit for p in people]
    # How often each person showed each behaviour (offenders and base rates alike): the
    # ceiling of what any method could see in this log.
    shown_av, shown_bp, shown_st, shown_fe = (shown[b] for b in BEHAVIOUR_KEYS)

    for ci in range(tasks):
        seq = 0

        def emit(act: int, t: float, actor: int, unit: int, tactor: int = -1, tunit: int = -1,
                 reason: int = -1, due: int = -1, ref: int = -1, pos: int = -1, rev: int = -1,
                 within: int = -1) -> int:  # fmt: skip
            nonlocal seq
            if t >= span:
                return -1  # after the end of the log
            a_case(ci), a_seq(seq), a_act(act), a_t(t), a_actor(actor), a_unit(unit)
            a_tactor(tactor), a_tunit(tunit), a_reason(reason), a_due(due), a_ref(ref)
            a_pos(pos), a_rev(rev), a_within(within)
            seq += 1
            return seq - 1

        t = uni(0, span - 5)
        top = top_picker.pick(rng)
        div = div_pickers[top].pick(rng)
        lead = staff_pickers[div].pick(rng)
        # New staff only get tasks from their first day; pick again (else the head takes it).
        tries = 0
        while new_from[lead] > t and tries < 3:
            lead = staff_pickers[div].pick(rng)
            tries += 1
        if new_from[lead] > t:
            lead = units[div].head
        if rnd() < HEAD_LEADS:
            lead = units[div].head  # the division head does it personally
        protected = innovator[lead] and rnd() < 0.5
        info.protected.append(1 if protected else 0)
        U, D = units[top], units[div]
        length = choice((5, 10, 10, 15, 15, 20, 30))
        due = int(t) + length
        from_ubnd = rnd() < 0.35
        boss = U.leaders[0] if rnd() < 0.4 else choice(U.leaders)  # who directs it in the unit
        hd = D.head
        bad_head = D.bad_head

        # --- assignment down the cascade -------------------------------------------------
        if from_ubnd:
            leader = choice(org.leaders)
            if U.confused_with >= 0 and rnd() < 0.12:
                W = units[U.confused_with]
                emit(ASSIGN, t, leader, 0, W.leaders[0], U.confused_with, due=due)
                t += uni(0.3, 3) * pace[W.leaders[0]]
                emit(DECLINE, t, W.leaders[0], U.confused_with, tunit=top, reason=R_MISROUTED)
                misrouted_people.add(W.leaders[0])
                t += uni(0.2, 2)
                emit(REASSIGN, t, leader, 0, boss, top, due=due)
            else:
                emit(ASSIGN, t, leader, 0, boss, top, due=due)
            # The sở/xã leader: avoidance and buck-passing show up here too.
            if rnd() < 0.02 * b_av[boss] + 0.25 * s_av[boss]:
                shown_av[boss] += 1
                t += uni(0.5, 3)
                emit(DECLINE, t, boss, top, tunit=choice(org.tops), reason=R_OTHER)
                t += uni(0.5, 3)
                emit(REASSIGN, t, leader, 0, boss, top, due=due)
            slow = rnd() < 0.03 * b_av[boss] + 0.4 * s_av[boss]
            shown_av[boss] += slow
            t += uni(3, 8) if slow else expo(3.0)
            emit(ACCEPT, t, boss, top)
            if rnd() < 0.01 * b_bp[boss] + 0.25 * s_bp[boss]:
                shown_bp[boss] += 1
                other = choice(org.tops)
                if other != top:
                    t += uni(0.5, 3)
                    emit(
                        TRANSFER, t, boss, top, units[other].leaders[0], other, reason=R_COMPETENCE
                    )
                    t += uni(1, 5)
                    emit(RETURN, t, units[other].leaders[0], other, boss, top, reason=R_COMPETENCE)
                    t += uni(0.2, 1)
                    emit(ACCEPT, t, boss, top)
            t += uni(0.1, 1) * pace[boss] + (uni(2, 6) * s_st[boss] if rnd() < s_st[boss] else 0)
        # Division level: misrouted to a sibling division, which hands it on.
        if D.confused_with >= 0 and rnd() < 0.12:
            W = units[D.confused_with]
            emit(ASSIGN, t, boss, top, W.head, D.confused_with, due=due)
            t += uni(0.5, 3)
            emit(ACCEPT, t, W.head, D.confused_with)
            t += uni(0.3, 3)
            emit(TRANSFER, t, W.head, D.confused_with, hd, div, reason=R_MISROUTED, due=due)
            misrouted_people.add(W.head)
        else:
            emit(ASSIGN, t, boss, top, hd, div, due=due)
        slow = rnd() < 0.03 * b_av[hd] + 0.4 * s_av[hd]
        shown_av[hd] += slow
        t += uni(3, 8) if slow else expo(2.0) * pace[hd]
        emit(ACCEPT, t, hd, div)
        if lead != hd:
            # The division head cascades to the specialist; a bad or stalling head sits on it.
            wait = expo(2.0) * pace[hd] * D.pace
            if rnd() < 0.05 * b_st[hd] + 0.6 * s_st[hd]:
                shown_st[hd] += 1
                wait += uni(3, 12)
            t += wait
            emit(ASSIGN, t, hd, div, lead, div, due=due)
        sup = hd if lead != hd else boss  # the lead's superior: approves, answers opinions
        sup_unit = div if lead != hd else top
        # --- the lead receives it ------------------------------------------------------------
        p = lead
        av, bp, st, fe = s_av[p], s_bp[p], s_st[p], s_fe[p]
        if lead != hd:
            if rnd() < 0.01 * b_av[p] + 0.1 * av:
                shown_av[p] += 1
                t += uni(0.5, 4)
                emit(DECLINE, t, p, div, reason=choice((R_OTHER, R_WORKLOAD, R_COMPETENCE)))
                t += uni(0.2, 2)
                # The head insists (reassigns to the same person) or gives it to someone else.
                if rnd() < 0.5:
                    emit(REASSIGN, t, hd, div, p, div, due=due)
                else:
                    p = staff_pickers[div].pick(rng)
                    if new_from[p] > t:
                        p = hd
                    emit(REASSIGN, t, hd, div, p, div, due=due)
                    av, bp, st, fe = s_av[p], s_bp[p], s_st[p], s_fe[p]
                    lead = p
            slow = rnd() < 0.03 * b_av[p] + 0.25 * av
            shown_av[p] += slow
            t += uni(3, 8) if slow else expo(2.0) * pace[p]
            emit(ACCEPT, t, p, div)
        # Buck-passing: sideways to another division, which sends it back (ping-pong).
        if rnd() < 0.012 * b_bp[p] + 0.3 * bp:
            shown_bp[p] += 1
            d2 = choice(all_divs)
            if d2 != div:
                t += uni(0.5, 3)
                emit(TRANSFER, t, p, div, units[d2].head, d2, reason=R_COMPETENCE)
                t += uni(1, 5)
                emit(RETURN, t, units[d2].head, d2, p, div, reason=R_COMPETENCE)
                t += uni(0.2, 1.5)
                emit(ACCEPT, t, p, div)
        # Buck-passing: back to the superior "not my job"; fear: "please decide it yourself".
        if lead != hd and rnd() < 0.01 * b_bp[p] + 0.25 * bp:
            shown_bp[p] += 1
            t += uni(0.5, 3)
            emit(RETURN, t, p, div, hd, div, reason=choice((R_COMPETENCE, R_OTHER)))
            t += uni(0.5, 3) * pace[hd] * D.pace
            emit(REASSIGN, t, hd, div, p, div, due=due)
            t += uni(0.1, 1)
            emit(ACCEPT, t, p, div)
        if rnd() < 0.01 * b_fe[p] + 0.2 * fe:
            shown_fe[p] += 1
            t += uni(0.5, 3)
            emit(RETURN, t, p, div, sup, sup_unit, reason=R_PUSH_UP)
            t += uni(0.5, 3) * pace[sup]
            emit(REASSIGN, t, sup, sup_unit, p, div, due=due)
            t += uni(0.1, 1)
            emit(ACCEPT, t, p, div)

        # --- the work ----------------------------------------------------------------------
        work = length * uni(0.1, 0.45) * pace[p] * D.pace
        if protected:
            work *= uni(1.3, 2.0)
        newcomer = new_from[p] >= 0
        legal = rnd() < (0.4 if D.legal_prone else 0.02)
        n_coord = 0
        if rnd() < (0.7 if D.coord_heavy else 0.3):
            n_coord = 1 + (rnd() < 0.3)
        n_opinion = 0
        if rnd() < 0.04 * b_fe[p] + 0.5 * fe:
            shown_fe[p] += 1
            n_opinion += 1 + (rnd() < 0.3 * fe)
        guidance = newcomer and rnd() < 0.35
        idle_spells = 0
        if rnd() < 0.04 * b_st[p] + 0.45 * st:
            shown_st[p] += 1
            idle_spells = 1 + (rnd() < 0.4 * st)
        fake_pause = rnd() < 0.01 * b_st[p] + 0.2 * st
        plain_pause = rnd() < 0.03 * b_st[p] + 0.1 * st
        shown_st[p] += fake_pause or plain_pause
        report_p = max(0.15, 0.8 - 0.6 * st) if not newcomer else 0.6
        # Episodes happen at random points of the work, in this order of fractions.
        episodes: list[tuple[float, int]] = [(rnd(), 0) for _ in range(n_coord)]
        episodes += [(rnd(), 1) for _ in range(n_opinion)]
        if guidance:
            episodes.append((rnd() * 0.5, 2))
        if legal:
            episodes.append((uni(0.1, 0.6), 3))
        if fake_pause:
            episodes.append((rnd(), 4))
        if plain_pause:
            episodes.append((rnd(), 5))
        episodes += [(rnd(), 6) for _ in range(idle_spells)]
        episodes.sort()
        done = 0.0
        extensions = 0
        n_ext_wanted = 0
        if rnd() < 0.02 * b_st[p] + 0.4 * st:
            shown_st[p] += 1
            n_ext_wanted = 1 + (rnd() < 0.5 + 0.3 * st) + (rnd() < 0.3 * st)

        def progress_to(frac: float) -> None:
            """Work up to ``frac`` of the job, with progress reports along the way."""
            nonlocal t, done
            while done < frac:
                step = min(frac - done, max(0.1, expo(1 / 0.22)))
                t += step * work
                done += step
                if done < 0.999 and rnd() < report_p:
                    emit(PROGRESS, t, p, div)

        def extend(reason: int) -> None:
            nonlocal t, due, extensions
            t += EPS
            req = emit(EXT_REQ, t, p, div, sup, sup_unit, reason=reason)
            t += uni(0.3, 2) * (uni(2, 4) if bad_head else 1)
            extensions += 1
            if rnd() < 0.85:
                due = max(due, int(t) + choice((5, 10, 15)))
                emit(EXT_OK, t, sup, sup_unit, p, div, due=due, ref=req)
            else:
                emit(EXT_NO, t, sup, sup_unit, p, div, ref=req)

        for frac, kind in episodes:
            progress_to(frac)
            if kind == 0:  # asks one or several units for their opinion, waits for all
                t += EPS
                sent = t
                cdue = int(t) + choice((5, 5, 7, 10))
                back = t
                # min(): an organisation with fewer divisions than the fan-out asks them all.
                for c in rng.sample(all_divs, min(choice(COORD_FANOUT), len(all_divs))):
                    if c == div:
                        continue
                    C = units[c]
                    # The unit's focal person answers, or a specialist the unit designates.
                    f = C.focal if rnd() < 0.6 else staff_pickers[c].pick(rng)
                    if new_from[f] > sent:
                        f = C.focal  # not yet in post
                    req = emit(COORD_REQ, sent, p, div, f, c, due=cdue)
                    fail = rnd() < 0.05 * b_av[f] + 0.7 * s_av[f]
                    if fail:
                        shown_av[f] += 1
                        r = rnd()
                        if r < 0.4:  # silence: deemed agreed (Công điện 280/CĐ-TTg)
                            at = cdue + 1.05
                            emit(DEEMED, at, -1, -1, f, c, ref=req)
                        elif r < 0.7:  # late
                            at = cdue + uni(1, 10)
                            emit(COORD_ANS, at, f, c, p, div, ref=req, pos=0)
                        else:  # answered without a position
                            at = sent + uni(1, 5)
                            emit(COORD_ANS, at, f, c, p, div, ref=req, pos=2)
                    else:
                        delay = expo(1 / (6.0 if C.slow_coord else 2.0))
                        at = min(sent + delay, cdue + (uni(0, 6) if C.slow_coord else 0.9))
                        emit(COORD_ANS, at, f, c, p, div, ref=req, pos=0 if rnd() < 0.85 else 1)
                    back = max(back, at)
                t = back + uni(0.1, 1)
            elif kind in (1, 2):  # opinion request (fear: within authority; guidance)
                t += EPS
                if kind == 1:
                    within = 1 if rnd() < (0.8 if fe > 0 else 0.35) else 0
                    reason = R_OTHER
                else:
                    within, reason = (1 if rnd() < 0.6 else 0), R_GUIDANCE
                answer_at = t + uni(0.3, 2.5) * (uni(2, 4) if bad_head else 1)
                # The app learns within_authority from the superior's answer: none yet, no flag.
                known = within if answer_at < span else -1
                req = emit(OP_REQ, t, p, div, sup, sup_unit, reason=reason, within=known)
                t = answer_at
                emit(OP_GIVEN, t, sup, sup_unit, p, div, reason=R_WITHIN if within else R_OUTSIDE,
                     ref=req, within=within)  # fmt: skip
                t += uni(0.1, 1)
            elif kind == 3:  # a real legal obstacle: acknowledged, long wait, extension(s)
                t += EPS
                review_at = t + uni(0.3, 3)
                # Reviewed only once the superior has confirmed it (the review is in the log).
                pause = emit(PAUSE, t, p, div, reason=R_LEGAL, rev=1 if review_at < span else 0)
                ack = boss if rnd() < 0.5 else sup
                emit(REVIEW, review_at, ack, unit_of[ack], p, div, reason=R_CONFIRM, ref=pause)
                t += uni(10, 45)
                emit(RESUME, t, p, div)
                extend(R_LEGAL)
                if rnd() < 0.5:
                    progress_to(min(1.0, done + 0.2))
                    extend(R_LEGAL)
            elif kind == 4:  # a claimed obstacle the superior does not accept
                t += EPS
                pause = emit(PAUSE, t, p, div, reason=choice((R_LEGAL, R_DEPENDENCY)), rev=0)
                emit(REVIEW, t + uni(0.5, 3), sup, sup_unit, p, div, reason=R_REJECT, ref=pause)
                t += uni(5, 20)
                emit(RESUME, t, p, div)
            elif kind == 5:  # a plain pause (waiting on documents, an event), not reviewed
                t += EPS
                emit(PAUSE, t, p, div, reason=choice((R_EXTERNAL, R_DEPENDENCY, R_OTHER)), rev=0)
                t += uni(3, 15)
                emit(RESUME, t, p, div)
            else:  # idle: nothing happens for weeks
                t += uni(8, 30) * (0.5 + st)
            if n_ext_wanted > extensions and t > due - 3:
                extend(choice((R_OTHER, R_WORKLOAD)))
        # Extensions when the deadline is near and the job is not done.
        remaining = (1 - done) * work
        heavy = "heavy_workload" in people[p].groups
        while (
            extensions < 4
            and t + remaining > due
            and (
                extensions < n_ext_wanted
                or (extensions == 0 and rnd() < (0.8 if protected else 0.5))
            )
        ):
            progress_to(min(1.0, done + 0.3 * (1 - done)))
            remaining = (1 - done) * work
            extend(R_WORKLOAD if heavy else choice((R_OTHER, R_WORKLOAD)))
        progress_to(1.0)

        # --- approval loop -------------------------------------------------------------------
        rework_p = 0.12 + (0.25 if protected else 0) + (0.15 if newcomer else 0)
        for _round in range(4):
            t += EPS
            emit(SUBMIT, t, p, div, sup, sup_unit)
            approve_wait = expo(2.0) * pace[sup]
            if bad_head and sup == hd:
                shown_st[hd] += 1
                approve_wait += uni(1, 6)
            t += approve_wait
            if rnd() < rework_p:
                emit(REWORK, t, sup, sup_unit, p, div)
                t += work * uni(0.1, 0.35)
                rework_p *= 0.5
                continue
            emit(APPROVE, t, sup, sup_unit, p, div)
            break
        if from_ubnd and sup == hd:
            t += uni(0.1, 1)
            emit(SUBMIT, t, hd, div, boss, top)
            t += expo(2.0) * pace[boss]
            emit(APPROVE, t, boss, top, hd, div)
        t += EPS
        if protected and rnd() < 0.15:
            emit(CANCEL, t, boss, top, reason=R_INNOV_FAIL)
        elif rnd() < 0.01:
            emit(CANCEL, t, boss, top, reason=R_NOT_NEEDED)
        else:
            emit(COMPLETE, t, p, div)
        # Reminders from the assigner while the task is overdue (and sometimes before).
        end = min(t, span)
        r = due + 1 + uni(0, 2)
        while r < end:
            emit(REMIND, r, boss, top, p, div)
            r += uni(4, 10)
    return cols, info
