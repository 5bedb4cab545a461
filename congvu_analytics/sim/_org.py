"""The simulated province's organisation and its people's hidden traits.

Builds the two-tier province (UBND tỉnh; sở/ban with divisions; communes and wards with their
divisions), its people, and for every person the traits the task simulation reads: pace,
per-behaviour propensities, offender severities and look-alike memberships. The module docstring
of :mod:`congvu_analytics.sim` documents the modelling choices and the parameters.
"""

# ruff: noqa: PLR0912, PLR0915
# PLR0912/PLR0915: building the province reads top to bottom, tier by tier.
from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import date, timedelta

BEHAVIOURS = ("avoidance", "buck_passing", "stalling", "fear")

# Post-2025 provincial departments (after the mergers of Resolution 18-NQ/TW): code, name and
# the names of their first divisions; further divisions are "Phòng Nghiệp vụ N".
DEPARTMENTS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("VPUB", "Văn phòng UBND tỉnh", ("Phòng Tổng hợp", "Phòng Kinh tế", "Phòng Khoa giáo - Văn xã")),
    ("SNV", "Sở Nội vụ", ("Phòng Tổ chức, biên chế", "Phòng Công chức, viên chức", "Phòng Lao động - Việc làm")),
    ("STC", "Sở Tài chính", ("Phòng Quản lý ngân sách", "Phòng Quản lý đầu tư", "Phòng Đăng ký kinh doanh")),
    ("SXD", "Sở Xây dựng", ("Phòng Quản lý xây dựng", "Phòng Quy hoạch - Kiến trúc", "Phòng Quản lý giao thông")),
    ("SNNMT", "Sở Nông nghiệp và Môi trường", ("Phòng Quản lý đất đai", "Phòng Môi trường", "Phòng Trồng trọt")),
    ("SKHCN", "Sở Khoa học và Công nghệ", ("Phòng Chuyển đổi số", "Phòng Quản lý khoa học", "Phòng Bưu chính - Viễn thông")),
    ("SCT", "Sở Công Thương", ("Phòng Quản lý công nghiệp", "Phòng Quản lý thương mại", "Phòng Năng lượng")),
    ("SYT", "Sở Y tế", ("Phòng Nghiệp vụ y", "Phòng Nghiệp vụ dược", "Phòng Bảo trợ xã hội")),
    ("SGDDT", "Sở Giáo dục và Đào tạo", ("Phòng Giáo dục phổ thông", "Phòng Tổ chức cán bộ", "Phòng Kế hoạch - Tài chính")),
    ("SVHTTDL", "Sở Văn hóa, Thể thao và Du lịch", ("Phòng Quản lý văn hóa", "Phòng Quản lý du lịch", "Phòng Quản lý thể thao")),
    ("STP", "Sở Tư pháp", ("Phòng Xây dựng và kiểm tra văn bản", "Phòng Hành chính tư pháp", "Phòng Bổ trợ tư pháp")),
    ("TTT", "Thanh tra tỉnh", ("Phòng Thanh tra 1", "Phòng Tiếp công dân", "Phòng Phòng, chống tham nhũng")),
    ("SDTTG", "Sở Dân tộc và Tôn giáo", ("Phòng Chính sách dân tộc", "Phòng Tôn giáo")),
    ("BQLKKT", "Ban Quản lý các khu kinh tế", ("Phòng Quản lý đầu tư", "Phòng Quản lý quy hoạch - xây dựng")),
)  # fmt: skip
# Departments whose remits are easily confused: a task meant for one goes to the other.
CONFUSED_DEPARTMENTS = (("SXD", "SNNMT"), ("STC", "SCT"), ("SNV", "STP"), ("SKHCN", "SCT"))
COMMUNE_DIVISIONS = (
    ("VP", "Văn phòng HĐND và UBND"),
    ("KT", "Phòng Kinh tế"),
    ("VHXH", "Phòng Văn hóa - Xã hội"),
    ("HCC", "Trung tâm Phục vụ hành chính công"),
)
_PLACE = ("An", "Bình", "Phú", "Tân", "Hòa", "Long", "Thạnh", "Mỹ", "Phước", "Đông", "Tây",
          "Nam", "Bắc", "Thuận", "Lợi", "Hưng", "Thịnh", "Hiệp", "Lộc", "Sơn", "Hà", "Quang",
          "Trung", "Vĩnh", "Xuân", "Yên", "Đức", "Kim", "Ninh", "Cát")  # fmt: skip
_FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi",
           "Đỗ", "Hồ", "Ngô", "Dương", "Lý")  # fmt: skip
_FAMILY_W = (38, 11, 9.5, 7, 5.1, 5.1, 4.5, 3.9, 3.9, 2.1, 2, 1.4, 1.3, 1.3, 1, 0.5)
_MIDDLE = ("Văn", "Thị", "Hữu", "Đức", "Minh", "Thanh", "Ngọc", "Quang", "Thu", "Hoàng", "Xuân",
           "Anh", "Kim", "Bảo")  # fmt: skip
_GIVEN = ("An", "Bình", "Cường", "Dũng", "Hà", "Hải", "Hạnh", "Hùng", "Hương", "Lan", "Linh",
          "Long", "Mai", "Nam", "Nga", "Phong", "Phương", "Quân", "Sơn", "Tâm", "Thảo", "Trang",
          "Tuấn", "Việt", "Yến", "Khánh", "Huy", "Thắng", "Hiếu", "Ngân", "Trâm", "Đạt")  # fmt: skip

# Unit tiers, HIGHER = FURTHER UP (as the event schema's ``level``).
TIER = {"ubnd_tinh": 3, "so": 2, "xa": 2, "phuong": 2, "phong": 1}


@dataclass
class Unit:
    code: str
    name: str
    type: str
    parent: str | None
    level: int
    head: int = -1  # person index
    leaders: list[int] = field(default_factory=list)  # head first, then deputies
    members: list[int] = field(default_factory=list)  # everyone in the unit
    divisions: list[int] = field(default_factory=list)  # unit indices (sở/xã: their phòng)
    workload: float = 1.0  # relative share of the province's tasks
    pace: float = 1.0  # multiplier of its members' working time (bad-head divisions > 1)
    bad_head: bool = False
    legal_prone: bool = False  # its tasks often meet legal obstacles (land, construction, ...)
    coord_heavy: bool = False  # its tasks often need other units' opinions
    slow_coord: bool = False  # answers coordination requests slowly (overloaded, legitimately)
    confused_with: int = -1  # a unit (same tier) that gets this unit's tasks by mistake
    focal: int = -1  # the coordination focal person (đầu mối phối hợp)
    kind: str = "normal"  # ground-truth kind: normal, bad_head, ...


@dataclass
class Person:
    code: str
    name: str
    unit: int
    position: str
    start: date
    pace: float = 1.0
    weight: float = 1.0  # relative share of the unit's tasks
    base: dict[str, float] = field(default_factory=dict)  # per-behaviour base propensity
    severity: dict[str, float] = field(default_factory=dict)  # offenders only
    groups: set[str] = field(default_factory=set)  # look-alike memberships
    new_from: int = -1  # working-day index of the first day (new staff), else -1
    innovator: bool = False


@dataclass
class OrgModel:
    units: list[Unit]
    people: list[Person]
    tops: list[int]  # sở/ban and communes (units UBND tỉnh assigns to)
    divisions: list[int]
    leaders: list[int]  # UBND tỉnh leaders


def _name(rng: random.Random) -> str:
    family = rng.choices(_FAMILY, _FAMILY_W)[0]
    return f"{family} {rng.choice(_MIDDLE)} {rng.choice(_GIVEN)}"


def _size(rng: random.Random, mean: float, low: int) -> int:
    """A lognormal headcount with the given mean (spread 0.4), at least ``low``."""
    return max(low, round(mean * math.exp(rng.gauss(0, 0.4) - 0.08)))


# Shares of mild (0.25-0.5), moderate (0.5-0.8) and blatant (0.8-1.0) offenders.
SEVERITY_MIX = (0.40, 0.35, 0.25)


def _severity(rng: random.Random, mix: tuple[float, float, float] = SEVERITY_MIX) -> float:
    """An offender's severity: mild, moderate or blatant in the shares ``mix``."""
    r = rng.random()
    if r < mix[0]:
        return rng.uniform(0.25, 0.5)
    if r < mix[0] + mix[1]:
        return rng.uniform(0.5, 0.8)
    return rng.uniform(0.8, 1.0)


def build_org(
    rng: random.Random,
    people: int,
    *,
    span_days: int,
    new_staff_share: float,
    heavy_share: float,
    innovator_share: float,
    legal_share: float,
    coord_share: float,
    start: date,
) -> OrgModel:
    """The province, sized to roughly ``people`` people (40% in sở/ban, 60% in communes)."""
    units: list[Unit] = []
    persons: list[Person] = []

    def add_unit(code: str, name: str, type_: str, parent: int | None) -> int:
        units.append(
            Unit(code, name, type_, units[parent].code if parent is not None else None, TIER[type_])
        )
        if parent is not None:
            units[parent].divisions.append(len(units) - 1)
        return len(units) - 1

    def add_person(unit: int, position: str) -> int:
        idx = len(persons)
        years = rng.uniform(1, 25)
        persons.append(
            Person(
                f"CB{idx + 1:06d}",
                _name(rng),
                unit,
                position,
                start - timedelta(days=int(years * 365)),
            )
        )
        units[unit].members.append(idx)
        return idx

    def staff_division(d: int, mean: float) -> None:
        head = add_person(d, "truong_phong")
        units[d].head = head
        units[d].leaders.append(head)
        for _ in range(1 if mean < 7 else 2):
            units[d].leaders.append(add_person(d, "pho_truong_phong"))
        for _ in range(_size(rng, mean, 3) - len(units[d].leaders)):
            add_person(d, "chuyen_vien")

    ubnd = add_unit("UBND", "Ủy ban nhân dân tỉnh", "ubnd_tinh", None)
    units[ubnd].head = add_person(ubnd, "chu_tich")
    units[ubnd].leaders = [units[ubnd].head] + [add_person(ubnd, "pho_chu_tich") for _ in range(4)]
    leaders = list(units[ubnd].leaders)

    dept_people = 0.4 * people
    div_mean = 10.0
    divisions_total = max(len(DEPARTMENTS) * 2, round(dept_people / div_mean))
    tops: list[int] = []
    code_to_unit: dict[str, int] = {}
    dept_weights = [rng.uniform(0.6, 1.6) for _ in DEPARTMENTS]
    total_w = sum(dept_weights)
    for (code, name, named), w in zip(DEPARTMENTS, dept_weights, strict=True):
        u = add_unit(code, name, "so", ubnd)
        code_to_unit[code] = u
        tops.append(u)
        units[u].head = add_person(u, "giam_doc")
        units[u].leaders = [units[u].head] + [
            add_person(u, "pho_giam_doc") for _ in range(rng.randint(2, 3))
        ]
        n_div = max(2, round(divisions_total * w / total_w))
        for j in range(n_div):
            dname = named[j] if j < len(named) else f"Phòng Nghiệp vụ {j + 1 - len(named)}"
            d = add_unit(f"{code}.P{j + 1:02d}", f"{dname} - {name}", "phong", u)
            staff_division(d, div_mean)

    commune_people = people - len(persons) - 0.0
    per_commune = 3 + len(COMMUNE_DIVISIONS) * 6
    n_communes = max(4, round(commune_people / per_commune))
    names: set[str] = set()
    for i in range(n_communes):
        ward = rng.random() < 0.2
        while True:
            place = f"{rng.choice(_PLACE)} {rng.choice(_PLACE)}"
            if place not in names or len(names) > 800:
                break
        names.add(place)
        type_ = "phuong" if ward else "xa"
        label = "Phường" if ward else "Xã"
        u = add_unit(
            f"{'P' if ward else 'X'}{i + 1:04d}", f"UBND {label.lower()} {place}", type_, ubnd
        )
        tops.append(u)
        units[u].head = add_person(u, "chu_tich_xa")
        units[u].leaders = [units[u].head] + [add_person(u, "pho_chu_tich_xa") for _ in range(2)]
        for dcode, plain_name in COMMUNE_DIVISIONS:
            dname = "Phòng Kinh tế, Hạ tầng và Đô thị" if ward and dcode == "KT" else plain_name
            d = add_unit(f"{units[u].code}.{dcode}", f"{dname} - {label} {place}", "phong", u)
            staff_division(d, 6.0)

    divisions = [i for i, u in enumerate(units) if u.type == "phong"]
    model = OrgModel(units, persons, tops, divisions, leaders)
    draw_traits(
        rng,
        model,
        confused=[(code_to_unit[a], code_to_unit[b]) for a, b in CONFUSED_DEPARTMENTS],
        span_days=span_days,
        new_staff_share=new_staff_share,
        heavy_share=heavy_share,
        innovator_share=innovator_share,
        legal_share=legal_share,
        coord_share=coord_share,
    )
    return model


def draw_traits(
    rng: random.Random,
    model: OrgModel,
    *,
    confused: list[tuple[int, int]],
    span_days: int,
    new_staff_share: float,
    heavy_share: float,
    innovator_share: float,
    legal_share: float,
    coord_share: float,
) -> None:
    """Units' workload, pace and kind (legal-prone, coordination-heavy, confused siblings) and
    people's pace, weight, propensities and look-alike groups, on an organisation of any shape:
    ``build_org``'s own, or one read from a database (the web app's demo province).
    ``confused`` pairs sở/ban (unit indices) whose remits are easily confused."""
    units, persons = model.units, model.people
    tops, divisions = model.tops, model.divisions
    # Workload differs by unit (lognormal, spread 0.5), pace by unit culture (spread 0.12).
    for i in tops + divisions:
        units[i].workload = math.exp(rng.gauss(0, 0.5))
        units[i].pace = math.exp(rng.gauss(0, 0.12))
    for d in divisions:
        du = units[d]
        du.legal_prone = rng.random() < legal_share
        du.coord_heavy = rng.random() < coord_share
        du.slow_coord = rng.random() < 0.08
        staff = [p for p in du.members if p != du.head]
        du.focal = rng.choice([p for p in du.leaders if p != du.head] or staff or [du.head])
    # Easily confused departments, and sibling divisions within a department.
    for a, b in confused:
        units[a].confused_with = b
        units[b].confused_with = a
    for t in tops:
        divs = units[t].divisions
        if units[t].type == "so" and len(divs) >= 2:
            for d in divs:
                if rng.random() < 0.3:
                    units[d].confused_with = rng.choice([x for x in divs if x != d])

    # People: pace, weight, base propensities (every behaviour at a low, personal base rate).
    for p in persons:
        p.pace = math.exp(rng.gauss(0, 0.25))
        p.weight = math.exp(rng.gauss(0, 0.35))
        p.base = {b: math.exp(rng.gauss(0, 0.6)) for b in BEHAVIOURS}

    workers = [
        i
        for i, p in enumerate(persons)
        if p.position in ("truong_phong", "pho_truong_phong", "chuyen_vien")
    ]
    specialists = [i for i in workers if persons[i].position == "chuyen_vien"]
    for i in rng.sample(specialists, round(heavy_share * len(specialists))):
        persons[i].groups.add("heavy_workload")
        persons[i].weight *= rng.uniform(3.0, 5.0)
        persons[i].pace *= 1.15  # queueing: more tasks at once, each a little slower
    for i in rng.sample(specialists, round(new_staff_share * len(specialists))):
        p = persons[i]
        if "heavy_workload" in p.groups:
            continue
        p.groups.add("new_staff")
        p.new_from = rng.randint(span_days // 5, span_days * 4 // 5)
        p.pace *= rng.uniform(1.3, 1.8)
        p.weight *= 0.5
    for i in rng.sample(specialists, round(innovator_share * len(specialists))):
        persons[i].groups.add("innovation")
        persons[i].innovator = True
    for d in divisions:
        du = units[d]
        for m in du.members:
            if du.legal_prone:
                persons[m].groups.add("legal_obstacle")
            if du.coord_heavy:
                persons[m].groups.add("coordination_wait")


def plant(
    rng: random.Random,
    org: OrgModel,
    expected: list[float],
    *,
    bad_heads: int,
    offender_share: float,
    min_tasks: float,
    severity_mix: tuple[float, float, float] = SEVERITY_MIX,
) -> None:
    """Plant the bad-head divisions and the offenders.

    Offenders are drawn only among division staff expected to lead at least ``min_tasks``
    tasks over the log: a behaviour nobody could see in a year's record is not ground truth
    any method could be held to. ``offender_share`` of that pool per behaviour, independently.
    """
    units, persons = org.units, org.people
    # Bad-head divisions: the head stalls (slow to cascade and approve), everyone is slower.
    bad = rng.sample(org.divisions, min(bad_heads, len(org.divisions)))
    for d in bad:
        du = units[d]
        du.bad_head = True
        du.kind = "bad_head"
        du.pace *= rng.uniform(1.15, 1.5)
        persons[du.head].severity["stalling"] = rng.uniform(0.4, 0.9)
        persons[du.head].groups.add("bad_head")
        for m in du.members:
            if m != du.head:
                persons[m].groups.add("bad_head_member")
    pool = [
        i
        for i, p in enumerate(persons)
        if p.position in ("truong_phong", "pho_truong_phong", "chuyen_vien")
        and expected[i] >= min_tasks
    ]
    for b in BEHAVIOURS:
        candidates = [i for i in pool if b not in persons[i].severity]
        for i in rng.sample(candidates, min(len(candidates), round(offender_share * len(pool)))):
            persons[i].severity[b] = _severity(rng, severity_mix)
