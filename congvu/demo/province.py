"""A realistic fictional province, deterministic from a seed, for demos, tests and benchmarks.

"Tỉnh Bình Minh" starts on 1/1/2024 with the three-tier structure of that time (province,
districts, communes) and the departments as they were; then the 2025 reorganisation happens
through the same org actions a real administrator would use:
- 1/3/2025: departments merge (Kế hoạch và Đầu tư → Tài chính, Tài nguyên và Môi trường +
  Nông nghiệp → Nông nghiệp và Môi trường, Giao thông vận tải → Xây dựng, Lao động → Nội vụ,
  Thông tin và Truyền thông → Khoa học và Công nghệ);
- 1/7/2025: the district tier is abolished and communes are merged into larger communes and
  wards directly under the province.
So the demo's history is readable at any date, and every page has real data on first run.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.db import transaction

from congvu.org import actions
from congvu.org.models import (
    Membership,
    Person,
    RoleGrant,
    Unit,
    UnitType,
    person_search_text,
)
from congvu.org.unit_types import UNIT_TYPES

START = date(2024, 1, 1)
DEPT_MERGER = date(2025, 3, 1)
TWO_TIER = date(2025, 7, 1)
DEMO_PASSWORD = "congvu2026"  # noqa: S105 - the published demo password, printed by make run


# (code, name, divisions, public service units). Divisions are generic where the real ones
# vary by province.
DEPARTMENTS: list[tuple[str, str, list[str], list[str]]] = [
    (
        "VP",
        "Văn phòng Ủy ban nhân dân tỉnh",
        [
            "Phòng Tổng hợp",
            "Phòng Kinh tế",
            "Phòng Khoa giáo - Văn xã",
            "Phòng Nội chính",
            "Phòng Hành chính - Tổ chức",
        ],
        ["Trung tâm Phục vụ hành chính công tỉnh"],
    ),
    (
        "TTR",
        "Thanh tra tỉnh",
        [
            "Phòng Thanh tra kinh tế - xã hội",
            "Phòng Tiếp công dân và Xử lý đơn thư",
            "Phòng Phòng, chống tham nhũng",
        ],
        [],
    ),
    (
        "SNV",
        "Sở Nội vụ",
        [
            "Văn phòng Sở",
            "Phòng Tổ chức, biên chế",
            "Phòng Công chức, viên chức",
            "Phòng Cải cách hành chính",
        ],
        ["Trung tâm Lưu trữ lịch sử"],
    ),
    (
        "STC",
        "Sở Tài chính",
        [
            "Văn phòng Sở",
            "Phòng Quản lý ngân sách",
            "Phòng Tài chính doanh nghiệp",
            "Phòng Quản lý giá và Công sản",
        ],
        [],
    ),
    (
        "STP",
        "Sở Tư pháp",
        ["Văn phòng Sở", "Phòng Xây dựng và Kiểm tra văn bản", "Phòng Hành chính tư pháp"],
        ["Trung tâm Trợ giúp pháp lý nhà nước"],
    ),
    (
        "SXD",
        "Sở Xây dựng",
        [
            "Văn phòng Sở",
            "Phòng Quy hoạch - Kiến trúc",
            "Phòng Quản lý xây dựng",
            "Phòng Phát triển đô thị",
        ],
        ["Trung tâm Kiểm định chất lượng xây dựng"],
    ),
    (
        "SNN",
        "Sở Nông nghiệp và Phát triển nông thôn",
        ["Văn phòng Sở", "Phòng Kế hoạch - Tài chính", "Phòng Trồng trọt", "Phòng Thủy lợi"],
        ["Trung tâm Khuyến nông"],
    ),
    (
        "SCT",
        "Sở Công Thương",
        ["Văn phòng Sở", "Phòng Quản lý thương mại", "Phòng Quản lý công nghiệp"],
        [],
    ),
    (
        "SKHCN",
        "Sở Khoa học và Công nghệ",
        ["Văn phòng Sở", "Phòng Quản lý khoa học", "Phòng Quản lý công nghệ"],
        ["Trung tâm Ứng dụng tiến bộ khoa học"],
    ),
    (
        "SGDDT",
        "Sở Giáo dục và Đào tạo",
        ["Văn phòng Sở", "Phòng Giáo dục phổ thông", "Phòng Tổ chức cán bộ"],
        [],
    ),
    (
        "SYT",
        "Sở Y tế",
        ["Văn phòng Sở", "Phòng Nghiệp vụ Y", "Phòng Nghiệp vụ Dược"],
        ["Trung tâm Kiểm soát bệnh tật"],
    ),
    (
        "SVHTTDL",
        "Sở Văn hóa, Thể thao và Du lịch",
        ["Văn phòng Sở", "Phòng Quản lý văn hóa", "Phòng Quản lý du lịch"],
        ["Bảo tàng tỉnh"],
    ),
    ("SDTTG", "Sở Dân tộc và Tôn giáo", ["Văn phòng Sở", "Phòng Chính sách dân tộc"], []),
    # Departments that the 2025 reorganisation merges into others:
    (
        "SKHDT",
        "Sở Kế hoạch và Đầu tư",
        ["Văn phòng Sở", "Phòng Đăng ký kinh doanh", "Phòng Đầu tư"],
        [],
    ),
    (
        "STNMT",
        "Sở Tài nguyên và Môi trường",
        ["Văn phòng Sở", "Phòng Quản lý đất đai", "Phòng Môi trường"],
        ["Văn phòng Đăng ký đất đai"],
    ),
    (
        "SGTVT",
        "Sở Giao thông vận tải",
        ["Văn phòng Sở", "Phòng Quản lý vận tải", "Phòng Quản lý kết cấu hạ tầng giao thông"],
        [],
    ),
    (
        "SLDTBXH",
        "Sở Lao động - Thương binh và Xã hội",
        ["Văn phòng Sở", "Phòng Lao động - Việc làm", "Phòng Bảo trợ xã hội"],
        [],
    ),
    ("STTTT", "Sở Thông tin và Truyền thông", ["Văn phòng Sở", "Phòng Bưu chính, Viễn thông"], []),
]
DEPT_MERGES = [
    ("SKHDT", "STC", None),
    ("STNMT", "SNN", "Sở Nông nghiệp và Môi trường"),
    ("SGTVT", "SXD", None),
    ("SLDTBXH", "SNV", None),
    ("STTTT", "SKHCN", None),
]
DISTRICTS = [
    "Bình Sơn",
    "Hòa Vang",
    "Tuy Phong",
    "Đức Linh",
    "Hàm Tân",
    "Phú Quý",
    "Tánh Linh",
    "Hàm Thuận",
]
PLACE_WORDS = [
    "An",
    "Bình",
    "Hòa",
    "Phú",
    "Tân",
    "Thạnh",
    "Long",
    "Hưng",
    "Phước",
    "Thuận",
    "Mỹ",
    "Đông",
    "Tây",
    "Hải",
    "Sơn",
    "Lâm",
    "Quang",
    "Thành",
    "Vĩnh",
    "Xuân",
    "Hiệp",
    "Lợi",
    "Lộc",
    "Trung",
    "Khánh",
    "Nghĩa",
    "Hậu",
    "Điền",
    "Phong",
    "Thịnh",
    "Minh",
    "Đức",
    "Gia",
    "Hồng",
    "Lạc",
]
COMMUNE_DIVISIONS_XA = ["Văn phòng HĐND và UBND", "Phòng Kinh tế", "Phòng Văn hóa - Xã hội"]
COMMUNE_DIVISIONS_PHUONG = [
    "Văn phòng HĐND và UBND",
    "Phòng Kinh tế, Hạ tầng và Đô thị",
    "Phòng Văn hóa - Xã hội",
]
DISTRICT_DIVISIONS = [
    "Văn phòng HĐND và UBND huyện",
    "Phòng Nội vụ",
    "Phòng Tài chính - Kế hoạch",
    "Phòng Tài nguyên và Môi trường",
]

SURNAMES = (
    ["Nguyễn"] * 38
    + ["Trần"] * 11
    + ["Lê"] * 9
    + ["Phạm"] * 7
    + ["Huỳnh", "Hoàng"] * 3
    + ["Phan", "Vũ", "Võ"] * 2
    + ["Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Đinh", "Trương", "Mai", "Lương", "Tô"]
)
MIDDLE_M = [
    "Văn",
    "Hữu",
    "Đức",
    "Minh",
    "Quốc",
    "Thanh",
    "Công",
    "Xuân",
    "Ngọc",
    "Anh",
    "Trọng",
    "Tấn",
]
MIDDLE_F = [
    "Thị",
    "Thị",
    "Thị",
    "Ngọc",
    "Thu",
    "Thanh",
    "Minh",
    "Bảo",
    "Kim",
    "Mỹ",
    "Phương",
    "Hồng",
]
GIVEN_M = [
    "An",
    "Bình",
    "Cường",
    "Dũng",
    "Hải",
    "Hùng",
    "Khang",
    "Long",
    "Nam",
    "Phong",
    "Quân",
    "Sơn",
    "Tâm",
    "Thắng",
    "Trung",
    "Tuấn",
    "Việt",
    "Vinh",
    "Hiếu",
    "Đạt",
    "Phúc",
    "Lộc",
    "Tài",
    "Toàn",
]
GIVEN_F = [
    "Anh",
    "Chi",
    "Dung",
    "Giang",
    "Hà",
    "Hạnh",
    "Hoa",
    "Hương",
    "Lan",
    "Linh",
    "Mai",
    "Ngân",
    "Nhung",
    "Oanh",
    "Phương",
    "Quyên",
    "Thảo",
    "Thủy",
    "Trang",
    "Uyên",
    "Vân",
    "Yến",
    "Hằng",
    "Nga",
]
RANKS_CC = ["Chuyên viên"] * 6 + ["Chuyên viên chính"] * 3 + ["Cán sự"] + ["Thanh tra viên"]
RANKS_VC = ["Viên chức hạng III", "Viên chức hạng II", "Viên chức hạng IV"]
JOB_POSITIONS = [
    "Chuyên viên tổng hợp",
    "Chuyên viên quản lý ngân sách",
    "Chuyên viên pháp chế",
    "Chuyên viên kế hoạch",
    "Chuyên viên quản lý đất đai",
    "Chuyên viên quản lý xây dựng",
    "Chuyên viên văn thư",
    "Chuyên viên cải cách hành chính",
    "Chuyên viên tổ chức cán bộ",
    "Chuyên viên quản lý văn hóa",
    "Chuyên viên một cửa",
]


NAMED_LOGINS = [
    ("chutich", "Lãnh đạo tỉnh (Chủ tịch UBND tỉnh)"),
    ("phochutich", "Lãnh đạo tỉnh (Phó Chủ tịch UBND tỉnh)"),
    ("giamdoc.stc", "Người đứng đầu (Giám đốc Sở Tài chính)"),
    ("phogiamdoc.stc", "Cấp phó (Phó Giám đốc Sở Tài chính)"),
    (
        "truongphong.stc",
        "Trưởng phòng Quản lý ngân sách, Sở Tài chính (xem xét, quyết định phát hiện của phòng)",
    ),
    (
        "chuyenvien.stc",
        "Chuyên viên Phòng Quản lý ngân sách, Sở Tài chính (có phát hiện cần giải trình)",
    ),
    (
        "chuyenvien2.stc",
        "Chuyên viên Phòng Quản lý giá và Công sản, Sở Tài chính (vướng mắc pháp lý, "
        "không bị phát hiện)",
    ),
    ("giamdoc.sxd", "Người đứng đầu (Giám đốc Sở Xây dựng)"),
    ("chuyenvien.sxd", "Chuyên viên Phòng Quy hoạch - Kiến trúc, Sở Xây dựng"),
    ("chutich.xa", "Chủ tịch UBND xã"),
    ("noivu", "Sở Nội vụ (đánh giá, khen thưởng, kỷ luật)"),
    ("thanhtra", "Thanh tra tỉnh (chỉ xem)"),
    ("quantri", "Quản trị hệ thống"),
]
ROLE_OF = dict(NAMED_LOGINS)


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    who: str


@dataclass
class DemoProvince:
    root: Unit
    logins: list[DemoLogin] = field(default_factory=list)
    people: int = 0
    units: int = 0


class _Names:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def person(self) -> str:
        female = self.rng.random() < 0.48
        middle = self.rng.choice(MIDDLE_F if female else MIDDLE_M)
        given = self.rng.choice(GIVEN_F if female else GIVEN_M)
        return f"{self.rng.choice(SURNAMES)} {middle} {given}"


def _slug(text: str) -> str:
    from congvu.lib.text import fold

    return "".join(w[0] for w in fold(text).split() if w).upper()


class _Builder:
    def __init__(self, seed: int, people: int, progress: Callable[[str], None]) -> None:
        self.rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not security
        self.names = _Names(self.rng)
        self.target = people
        self.progress = progress
        self.types = {}
        for code, name, level, adm in UNIT_TYPES:
            self.types[code], _ = UnitType.objects.get_or_create(
                code=code, defaults={"name": name, "level": level, "is_administrative": adm}
            )
        self.person_rows: list[
            tuple[Person, Unit, str, str, str]
        ] = []  # person, unit, role, title, job
        self.counter = 0
        self.leaf_units: list[tuple[Unit, float]] = []  # unit, staffing weight
        self.province = DemoProvince(root=None)  # type: ignore[arg-type]

    def unit(
        self, code: str, name: str, type_code: str, parent: Unit | None, short: str = ""
    ) -> Unit:
        unit = actions.create_unit(
            code=code,
            name=name,
            unit_type=self.types[type_code],
            parent=parent,
            valid_from=START,
            short_name=short,
        )
        self.province.units += 1
        return unit

    def new_person(
        self, category: str = Person.Category.CONG_CHUC, name: str | None = None
    ) -> Person:
        self.counter += 1
        full_name = name or self.names.person()
        rank = self.rng.choice(RANKS_VC if category == Person.Category.VIEN_CHUC else RANKS_CC)
        code = f"CB{self.counter:06d}"
        return Person(
            code=code,
            full_name=full_name,
            category=category,
            rank=rank,
            email=f"{code.lower()}@binhminh.gov.vn",
            search_text=person_search_text(code, full_name, f"{code.lower()}@binhminh.gov.vn"),
        )

    def staff(
        self, unit: Unit, role: str, title: str, category: str = Person.Category.CONG_CHUC
    ) -> Person:
        person = self.new_person(category)
        job = "" if role != Membership.Role.MEMBER else self.rng.choice(JOB_POSITIONS)
        self.person_rows.append((person, unit, role, title, job))
        return person

    def build_structure(self) -> None:
        root = self.unit("UBND", "Ủy ban nhân dân tỉnh Bình Minh", "ubnd_tinh", None, "UBND tỉnh")
        self.province.root = root
        self.staff(root, Membership.Role.HEAD, "Chủ tịch UBND tỉnh", Person.Category.CAN_BO)
        for _ in range(3):
            self.staff(
                root, Membership.Role.DEPUTY, "Phó Chủ tịch UBND tỉnh", Person.Category.CAN_BO
            )
        self.depts: dict[str, Unit] = {}
        for code, name, divisions, services in DEPARTMENTS:
            dept = self.unit(code, name, "so", root, _slug(name))
            self.depts[code] = dept
            head_title = (
                "Chánh Văn phòng"
                if code == "VP"
                else "Chánh Thanh tra tỉnh"
                if code == "TTR"
                else "Giám đốc Sở"
            )
            self.staff(dept, Membership.Role.HEAD, head_title)
            deputy_title = {"VP": "Phó Chánh Văn phòng", "TTR": "Phó Chánh Thanh tra tỉnh"}.get(
                code, "Phó Giám đốc Sở"
            )
            for _ in range(self.rng.randint(1, 3)):
                self.staff(dept, Membership.Role.DEPUTY, deputy_title)
            for i, div in enumerate(divisions, start=1):
                d = self.unit(f"{code}-P{i:02d}", div, "phong", dept)
                title = "Chánh Văn phòng" if div.startswith("Văn phòng") else "Trưởng phòng"
                self.staff(d, Membership.Role.HEAD, title)
                self.staff(d, Membership.Role.DEPUTY, "Phó " + title.lower())
                self.leaf_units.append((d, 1.0))
            for i, svc in enumerate(services, start=1):
                s = self.unit(f"{code}-TT{i:02d}", svc, "dvsn", dept)
                self.staff(s, Membership.Role.HEAD, "Giám đốc", Person.Category.VIEN_CHUC)
                self.leaf_units.append((s, 1.6))
        # Districts and their communes, as before 1/7/2025.
        n_districts = min(len(DISTRICTS), max(2, self.target // 2500))
        communes_per_district = max(9, min(14, self.target // (n_districts * 120)))
        words = list(PLACE_WORDS)
        self.rng.shuffle(words)
        used: set[str] = set()
        self.old_communes: list[list[Unit]] = []
        for di in range(n_districts):
            dname = DISTRICTS[di]
            district = self.unit(
                f"H{di + 1:02d}", f"Ủy ban nhân dân huyện {dname}", "ubnd_huyen", root
            )
            self.staff(
                district, Membership.Role.HEAD, "Chủ tịch UBND huyện", Person.Category.CAN_BO
            )
            self.staff(
                district, Membership.Role.DEPUTY, "Phó Chủ tịch UBND huyện", Person.Category.CAN_BO
            )
            for i, div in enumerate(DISTRICT_DIVISIONS, start=1):
                d = self.unit(f"H{di + 1:02d}-P{i:02d}", div, "phong", district)
                self.staff(d, Membership.Role.HEAD, "Trưởng phòng")
                self.leaf_units.append((d, 0.8))
            communes = []
            for ci in range(communes_per_district):
                while True:
                    cname = f"{self.rng.choice(words)} {self.rng.choice(words)}"
                    if cname not in used and cname.split(maxsplit=1)[0] != cname.split()[1]:
                        used.add(cname)
                        break
                c = self.unit(
                    f"H{di + 1:02d}-X{ci + 1:02d}",
                    f"Ủy ban nhân dân xã {cname}",
                    "ubnd_xa",
                    district,
                )
                self.staff(c, Membership.Role.HEAD, "Chủ tịch UBND xã", Person.Category.CAN_BO)
                self.staff(
                    c, Membership.Role.DEPUTY, "Phó Chủ tịch UBND xã", Person.Category.CAN_BO
                )
                self.leaf_units.append((c, 0.5))
                communes.append(c)
            self.old_communes.append(communes)

    def fill_staff(self) -> None:
        remaining = self.target - len(self.person_rows)
        if remaining <= 0:
            return
        total = sum(w for _, w in self.leaf_units)
        for unit, weight in self.leaf_units:
            n = int(remaining * weight / total)
            for _ in range(n):
                cat = (
                    Person.Category.VIEN_CHUC
                    if unit.unit_type.code == "dvsn"
                    else Person.Category.CONG_CHUC
                )
                self.staff(
                    unit,
                    Membership.Role.MEMBER,
                    "Chuyên viên" if cat != Person.Category.VIEN_CHUC else "Viên chức",
                    cat,
                )
        i = 0
        while len(self.person_rows) < self.target:
            unit = self.leaf_units[i % len(self.leaf_units)][0]
            self.staff(unit, Membership.Role.MEMBER, "Chuyên viên")
            i += 1

    def save_people(self) -> None:
        people = [p for p, *_ in self.person_rows]
        Person.objects.bulk_create(people, batch_size=2000)
        saved = {p.code: p for p in Person.objects.filter(code__in=[p.code for p in people])}
        memberships = [
            Membership(
                person=saved[p.code],
                unit=unit,
                role=role,
                position_title=title,
                job_position=job,
                valid_from=START,
                is_primary=True,
            )
            for p, unit, role, title, job in self.person_rows
        ]
        Membership.objects.bulk_create(memberships, batch_size=2000)
        self.saved = saved
        self.province.people = len(saved)

    def reorganise(self) -> None:
        self.progress("Sáp nhập các sở từ 01/03/2025…")
        for old, into, new_name in DEPT_MERGES:
            actions.merge_units(
                [self.depts[old]],
                self.depts[into],
                DEPT_MERGER,
                decision_ref="Nghị quyết của HĐND tỉnh về sắp xếp cơ quan chuyên môn",
            )
            if new_name:
                actions.rename_unit(self.depts[into], new_name, DEPT_MERGER)
        self.progress("Bỏ cấp huyện, sắp xếp xã, phường từ 01/07/2025…")
        root = self.province.root
        words = list(PLACE_WORDS)
        n_new = 0
        for di, communes in enumerate(self.old_communes):
            district = Unit.objects.get(code=f"H{di + 1:02d}")
            groups = [communes[i : i + 3] for i in range(0, len(communes), 3)]
            new_units = []
            for gi, group in enumerate(groups):
                n_new += 1
                ward = gi == 0 and di % 2 == 0
                type_code = "ubnd_phuong" if ward else "ubnd_xa"
                name = group[0].name.replace("Ủy ban nhân dân xã ", "")
                if len(group) > 1:
                    name = f"{name.split()[0]} {self.rng.choice(words)}"
                label = "phường" if ward else "xã"
                new = actions.create_unit(
                    code=f"X{n_new:03d}",
                    name=f"Ủy ban nhân dân {label} {name}",
                    unit_type=self.types[type_code],
                    parent=root,
                    valid_from=TWO_TIER,
                )
                self.province.units += 1
                divisions = COMMUNE_DIVISIONS_PHUONG if ward else COMMUNE_DIVISIONS_XA
                for i, div in enumerate(divisions, start=1):
                    actions.create_unit(
                        code=f"X{n_new:03d}-P{i:02d}",
                        name=div,
                        unit_type=self.types["phong"],
                        parent=new,
                        valid_from=TWO_TIER,
                    )
                    self.province.units += 1
                actions.create_unit(
                    code=f"X{n_new:03d}-TT",
                    name="Trung tâm Phục vụ hành chính công",
                    unit_type=self.types["dvsn"],
                    parent=new,
                    valid_from=TWO_TIER,
                )
                self.province.units += 1
                actions.merge_units(
                    group,
                    new,
                    TWO_TIER,
                    decision_ref="Nghị quyết của UBTVQH về sắp xếp ĐVHC cấp xã",
                )
                new_units.append(new)
            # The district's divisions and staff go to the first new commune of the district.
            office = Unit.objects.get(code=f"{new_units[0].code}-P01")
            for division in list(Unit.objects.filter(parent=district, valid_to__isnull=True)):
                actions.merge_units([division], office, TWO_TIER)
            actions.merge_units(
                [district], new_units[0], TWO_TIER, decision_ref="Kết thúc hoạt động cấp huyện"
            )

    def accounts(self) -> None:
        """Named demo logins; everybody else gets an account too (same demo password)."""
        password = make_password(DEMO_PASSWORD)
        root = self.province.root

        def current(code: str, role: str) -> Person:
            qs = Membership.objects.current().filter(unit__code=code, role=role)
            return qs.select_related("person").order_by("person__code")[0].person

        def member_of(code: str) -> Person:
            return current(code, Membership.Role.MEMBER)

        named = [
            ("chutich", current("UBND", Membership.Role.HEAD), RoleGrant.Role.LEADER),
            ("phochutich", current("UBND", Membership.Role.DEPUTY), RoleGrant.Role.LEADER),
            ("giamdoc.stc", current("STC", Membership.Role.HEAD), None),
            ("phogiamdoc.stc", current("STC", Membership.Role.DEPUTY), None),
            ("truongphong.stc", current("STC-P02", Membership.Role.HEAD), None),
            ("chuyenvien.stc", member_of("STC-P02"), None),
            ("chuyenvien2.stc", member_of("STC-P04"), None),
            ("giamdoc.sxd", current("SXD", Membership.Role.HEAD), None),
            ("chuyenvien.sxd", member_of("SXD-P02"), None),
            ("noivu", member_of("SNV-P03"), RoleGrant.Role.HR),
            ("thanhtra", member_of("TTR-P01"), RoleGrant.Role.INSPECTOR),
            ("quantri", member_of("VP-P05"), RoleGrant.Role.ADMIN),
        ]
        xa = (
            Unit.objects.filter(unit_type__code="ubnd_xa", valid_to__isnull=True)
            .order_by("code")
            .first()
        )
        if xa is not None:
            named.append(("chutich.xa", current(xa.code, Membership.Role.HEAD), None))
        for username, person, grant in named:
            who = ROLE_OF[username]
            user = User.objects.create(
                username=username,
                password=password,
                email=person.email,
                first_name=person.full_name,
                is_staff=username == "quantri",
                is_superuser=username == "quantri",
            )
            person.user = user
            person.save(update_fields=["user"])
            if grant:
                actions.grant_role(person, grant, root, valid_from=START)
            self.province.logins.append(DemoLogin(username, who, person.full_name))
        others = list(Person.objects.filter(user__isnull=True).order_by("code"))
        users = [
            User(username=p.code.lower(), password=password, email=p.email, first_name=p.full_name)
            for p in others
        ]
        User.objects.bulk_create(users, batch_size=2000)
        by_name = {
            u.username: u.pk for u in User.objects.filter(username__in=[u.username for u in users])
        }
        for p in others:
            p.user_id = by_name[p.code.lower()]
        Person.objects.bulk_update(others, ["user"], batch_size=2000)


def build_demo_province(
    *, seed: int = 2026, people: int = 1500, progress: Callable[[str], None] = lambda s: None
) -> DemoProvince:
    if people < 300:
        raise ValueError("Tỉnh mẫu cần ít nhất 300 cán bộ (--people).")
    with transaction.atomic():
        b = _Builder(seed, people, progress)
        progress("Tạo cơ cấu tổ chức (1/1/2024)…")
        b.build_structure()
        b.fill_staff()
        progress(f"Tạo {len(b.person_rows)} cán bộ, công chức, viên chức…")
        b.save_people()
        b.reorganise()
        progress("Tạo tài khoản…")
        b.accounts()
    return b.province
