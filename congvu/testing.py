"""A small named organisation for tests (healthchecks' alice/bob/charlie pattern).

UBND tỉnh (root)               leader: lanh_dao (grant), inspector: thanh_tra (grant),
├── Sở Tài chính (so_a)        head: gd_a, deputy: pgd_a            HR: noi_vu (grant)
│   ├── Phòng Ngân sách (a1)   head: tp_a1, specialist: alice
│   └── Phòng Đầu tư (a2)      specialist: bob
├── Sở Xây dựng (so_b)         head: gd_b
│   └── Phòng Quy hoạch (b1)   specialist: charlie
└── UBND xã Hòa Bình (xa)      head: ct_xa
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.contrib.auth.models import User

from congvu.org import actions
from congvu.org.models import Membership, Person, RoleGrant, Unit, UnitType

ORG_START = date(2024, 1, 1)
# Skip reasons of tests that need a Debian package; conftest.py sums them up at the end.
MISSING_PACKAGE = "missing system package:"
PASSWORD = "matkhau-thu-nghiem-2026"  # noqa: S105 - test fixture password


@dataclass
class TestOrg:
    types: dict[str, UnitType] = field(default_factory=dict)
    units: dict[str, Unit] = field(default_factory=dict)
    people: dict[str, Person] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Person | Unit:
        if name in self.people:
            return self.people[name]
        if name in self.units:
            return self.units[name]
        raise AttributeError(name)


def make_unit_types() -> dict[str, UnitType]:
    specs = [
        ("ubnd_tinh", "Ủy ban nhân dân tỉnh", 1, True),
        ("so", "Sở và tương đương", 2, True),
        ("ubnd_xa", "Ủy ban nhân dân xã, phường", 2, True),
        ("phong", "Phòng, ban chuyên môn", 3, True),
        ("dvsn", "Đơn vị sự nghiệp công lập", 3, False),
    ]
    out = {}
    for code, name, level, adm in specs:
        out[code], _ = UnitType.objects.get_or_create(
            code=code, defaults={"name": name, "level": level, "is_administrative": adm}
        )
    return out


def make_person(
    org: TestOrg,
    key: str,
    full_name: str,
    unit: Unit | None,
    *,
    role: str = Membership.Role.MEMBER,
    title: str = "Chuyên viên",
    category: str = Person.Category.CONG_CHUC,
) -> Person:
    user = User.objects.create_user(username=key, password=PASSWORD)
    person = Person(
        code=key.upper(), full_name=full_name, category=category, user=user, rank="Chuyên viên"
    )
    person.save()
    if unit is not None:
        actions.add_membership(person, unit, role=role, position_title=title, valid_from=ORG_START)
    org.people[key] = person
    return person


def make_org() -> TestOrg:
    org = TestOrg(types=make_unit_types())
    t = org.types

    def unit(code: str, name: str, kind: str, parent: Unit | None) -> Unit:
        return actions.create_unit(
            code=code, name=name, unit_type=t[kind], parent=parent, valid_from=ORG_START
        )

    root = unit("UBND", "Ủy ban nhân dân tỉnh Bình Minh", "ubnd_tinh", None)
    so_a = unit("STC", "Sở Tài chính", "so", root)
    a1 = unit("STC-NS", "Phòng Ngân sách", "phong", so_a)
    a2 = unit("STC-DT", "Phòng Đầu tư", "phong", so_a)
    so_b = unit("SXD", "Sở Xây dựng", "so", root)
    b1 = unit("SXD-QH", "Phòng Quy hoạch", "phong", so_b)
    xa = unit("XA-HB", "Ủy ban nhân dân xã Hòa Bình", "ubnd_xa", root)
    org.units.update(root=root, so_a=so_a, a1=a1, a2=a2, so_b=so_b, b1=b1, xa=xa)

    H, D = Membership.Role.HEAD, Membership.Role.DEPUTY
    make_person(
        org,
        "lanh_dao",
        "Nguyễn Văn Lãnh",
        root,
        role=D,
        title="Phó Chủ tịch UBND tỉnh",
        category=Person.Category.CAN_BO,
    )
    make_person(org, "gd_a", "Trần Thị Giang", so_a, role=H, title="Giám đốc Sở")
    make_person(org, "pgd_a", "Lê Văn Phú", so_a, role=D, title="Phó Giám đốc Sở")
    make_person(org, "tp_a1", "Phạm Minh Tâm", a1, role=H, title="Trưởng phòng")
    make_person(org, "alice", "Hoàng Thị An", a1)
    make_person(org, "bob", "Vũ Văn Bình", a2)
    make_person(org, "gd_b", "Đặng Quốc Bảo", so_b, role=H, title="Giám đốc Sở")
    make_person(org, "charlie", "Bùi Thị Chi", b1)
    make_person(
        org,
        "ct_xa",
        "Đỗ Văn Xuân",
        xa,
        role=H,
        title="Chủ tịch UBND xã",
        category=Person.Category.CAN_BO,
    )
    make_person(org, "noi_vu", "Hồ Thị Nga", None)
    make_person(org, "thanh_tra", "Ngô Văn Thanh", None)
    make_person(org, "quan_tri", "Dương Văn Quang", None)
    actions.grant_role(org.people["lanh_dao"], RoleGrant.Role.LEADER, root, valid_from=ORG_START)
    actions.grant_role(org.people["noi_vu"], RoleGrant.Role.HR, root, valid_from=ORG_START)
    actions.grant_role(
        org.people["thanh_tra"], RoleGrant.Role.INSPECTOR, so_a, valid_from=ORG_START
    )
    actions.grant_role(org.people["quan_tri"], RoleGrant.Role.ADMIN, root, valid_from=ORG_START)
    return org
