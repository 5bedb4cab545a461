"""Organisation import from a spreadsheet, all or nothing.

The workbook has a sheet of units ("don_vi") and optionally a sheet of people ("can_bo"); a
CSV file holds one of them (recognised by its columns). Every row is checked first and every
problem reported with its sheet, row and column; nothing is written unless all rows are valid,
and then everything is written in one transaction through the org actions.

Units:  ma_don_vi*, ten_don_vi*, loai_don_vi*, ma_don_vi_cap_tren, ten_viet_tat,
        hieu_luc_tu (dd/mm/yyyy), ma_nguoi_dung_dau
People: ma_can_bo*, ho_ten*, phan_loai*, ma_don_vi*, vai_tro, chuc_vu, vi_tri_viec_lam,
        ngach, kiem_nhiem, email, dien_thoai, ten_dang_nhap
(* required). Headers may be written with accents: "Mã đơn vị" is ma_don_vi.
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from congvu.lib.sheets import Row, SheetError, parse_date, read_workbook
from congvu.lib.text import fold
from congvu.org import actions
from congvu.org.models import Membership, Person, Unit, UnitType, today

UNIT_SHEETS = ("don_vi", "units", "co_cau_to_chuc")
PEOPLE_SHEETS = ("can_bo", "people", "nhan_su", "can_bo_cong_chuc_vien_chuc")

CATEGORY_WORDS = {
    "can_bo": Person.Category.CAN_BO,
    "cong_chuc": Person.Category.CONG_CHUC,
    "vien_chuc": Person.Category.VIEN_CHUC,
    "hop_dong": Person.Category.HOP_DONG,
    "nguoi_lao_dong": Person.Category.HOP_DONG,
    "nguoi_lao_dong_hop_dong": Person.Category.HOP_DONG,
}
ROLE_WORDS = {
    "": Membership.Role.MEMBER,
    "head": Membership.Role.HEAD,
    "nguoi_dung_dau": Membership.Role.HEAD,
    "truong": Membership.Role.HEAD,
    "deputy": Membership.Role.DEPUTY,
    "cap_pho": Membership.Role.DEPUTY,
    "pho": Membership.Role.DEPUTY,
    "member": Membership.Role.MEMBER,
    "chuyen_vien": Membership.Role.MEMBER,
    "nhan_vien": Membership.Role.MEMBER,
    "thanh_vien": Membership.Role.MEMBER,
}


def _word(text: str) -> str:
    return "_".join(fold(text).split())


@dataclass(frozen=True)
class RowError:
    sheet: str
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"{self.sheet}, dòng {self.row}" if self.row else self.sheet
        col = f", cột {self.column}" if self.column else ""
        return f"{where}{col}: {self.message}"


@dataclass
class ImportReport:
    errors: list[RowError] = field(default_factory=list)
    units_created: int = 0
    units_unchanged: int = 0
    people_created: int = 0
    memberships_created: int = 0
    accounts_created: dict[str, str] = field(default_factory=dict)
    dry_run: bool = True

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class _UnitRow:
    row: Row
    code: str
    name: str
    unit_type: UnitType
    parent_code: str
    short_name: str
    valid_from: date
    head_code: str


@dataclass
class _PersonRow:
    row: Row
    code: str
    full_name: str
    category: str
    unit_code: str
    role: str
    title: str
    job_position: str
    rank: str
    concurrent: bool
    email: str
    phone: str
    username: str


def _pick(
    sheets: dict[str, list[Row]], names: tuple[str, ...], marker: str
) -> tuple[str, list[Row]] | None:
    for key, rows in sheets.items():
        if key in names:
            return key, rows
    # A single CSV (or an unnamed sheet): recognise it by its key column.
    for key, rows in sheets.items():
        if rows and marker in rows[0].values:
            return key, rows
    return None


def import_org(
    path: Path,
    *,
    dry_run: bool = True,
    effective: date | None = None,
    create_accounts: bool = False,
) -> ImportReport:
    report = ImportReport(dry_run=dry_run)
    try:
        sheets = read_workbook(path)
    except SheetError as exc:
        report.errors.append(RowError(path.name, 0, "", str(exc)))
        return report
    units_sheet = _pick(sheets, UNIT_SHEETS, "ma_don_vi_cap_tren") or _pick(
        sheets, UNIT_SHEETS, "ten_don_vi"
    )
    people_sheet = _pick(sheets, PEOPLE_SHEETS, "ma_can_bo")
    if units_sheet is None and people_sheet is None:
        report.errors.append(
            RowError(
                path.name,
                0,
                "",
                "Không thấy trang 'don_vi' (đơn vị) hoặc 'can_bo' (cán bộ) với các cột bắt buộc.",
            )
        )
        return report
    effective = effective or today()
    units = _check_units(units_sheet, report, effective) if units_sheet else []
    people = _check_people(people_sheet, units, report) if people_sheet else []
    if units_sheet:
        _check_heads(units_sheet[0], units, people, report)
    if report.errors or dry_run:
        report.errors.sort(key=lambda e: (e.sheet, e.row))
        if not report.errors:
            _count_plan(units, people, report)
        return report
    _write(units, people, report, effective, create_accounts)
    return report


def _check_units(
    sheet: tuple[str, list[Row]], report: ImportReport, effective: date
) -> list[_UnitRow]:
    name, rows = sheet
    types = {_word(t.code): t for t in UnitType.objects.all()}
    types.update({_word(t.name): t for t in UnitType.objects.all()})
    existing = {u.code: u for u in Unit.objects.all().only("code", "name", "parent_id", "valid_to")}
    out: list[_UnitRow] = []
    first_row: dict[str, int] = {}
    for row in rows:
        err = len(report.errors)

        def bad(column: str, message: str, row: Row = row) -> None:
            report.errors.append(RowError(name, row.number, column, message))

        code, title = row.get("ma_don_vi"), row.get("ten_don_vi")
        if not code:
            bad("ma_don_vi", "thiếu mã đơn vị")
        elif code in first_row:
            bad("ma_don_vi", f"mã đơn vị {code} bị trùng với dòng {first_row[code]}")
        elif code in existing and existing[code].name != title:
            bad(
                "ma_don_vi",
                f"mã đơn vị {code} đã có trong hệ thống với tên khác ({existing[code].name})",
            )
        if not title:
            bad("ten_don_vi", "thiếu tên đơn vị")
        unit_type = types.get(_word(row.get("loai_don_vi")))
        if unit_type is None:
            bad("loai_don_vi", f"loại đơn vị không tồn tại: {row.get('loai_don_vi')!r}")
        valid_from = effective
        if row.get("hieu_luc_tu"):
            try:
                valid_from = parse_date(row.get("hieu_luc_tu"))
            except ValueError as exc:
                bad("hieu_luc_tu", str(exc))
        if code:
            first_row.setdefault(code, row.number)
        if len(report.errors) == err and unit_type is not None:
            out.append(
                _UnitRow(
                    row,
                    code,
                    title,
                    unit_type,
                    row.get("ma_don_vi_cap_tren"),
                    row.get("ten_viet_tat"),
                    valid_from,
                    row.get("ma_nguoi_dung_dau"),
                )
            )
    in_file = {u.code: u for u in out}
    for u in out:
        if u.parent_code and u.parent_code not in in_file and u.parent_code not in existing:
            report.errors.append(
                RowError(
                    name,
                    u.row.number,
                    "ma_don_vi_cap_tren",
                    f"đơn vị cấp trên không tồn tại: {u.parent_code}",
                )
            )
        elif u.parent_code in existing and existing[u.parent_code].valid_to is not None:
            report.errors.append(
                RowError(
                    name,
                    u.row.number,
                    "ma_don_vi_cap_tren",
                    f"đơn vị cấp trên {u.parent_code} đã giải thể",
                )
            )
    # Cycles among the file's own rows: follow parents until leaving the file or looping.
    reported: set[str] = set()
    for u in out:
        seen: list[str] = []
        cur: str | None = u.code
        while cur in in_file and cur not in seen:
            seen.append(cur)
            cur = in_file[cur].parent_code or None
        if cur in seen and cur not in reported:
            loop = seen[seen.index(cur) :]
            reported.update(loop)
            report.errors.append(
                RowError(
                    name,
                    in_file[cur].row.number,
                    "ma_don_vi_cap_tren",
                    "vòng lặp cấp trên: " + " → ".join([*loop, cur]),
                )
            )
    return out


def _check_people(
    sheet: tuple[str, list[Row]], units: list[_UnitRow], report: ImportReport
) -> list[_PersonRow]:
    name, rows = sheet
    known_units = {u.code for u in units} | set(
        Unit.objects.filter(valid_to__isnull=True).values_list("code", flat=True)
    )
    existing_people = set(Person.objects.values_list("code", flat=True))
    existing_users = set(User.objects.values_list("username", flat=True))
    out: list[_PersonRow] = []
    for row in rows:
        err = len(report.errors)

        def bad(column: str, message: str, row: Row = row) -> None:
            report.errors.append(RowError(name, row.number, column, message))

        code, full_name, unit_code = row.get("ma_can_bo"), row.get("ho_ten"), row.get("ma_don_vi")
        if not code:
            bad("ma_can_bo", "thiếu mã cán bộ")
        elif code in existing_people:
            bad("ma_can_bo", f"mã cán bộ {code} đã có trong hệ thống")
        if not full_name:
            bad("ho_ten", "thiếu họ và tên")
        category = CATEGORY_WORDS.get(_word(row.get("phan_loai")))
        if category is None:
            bad(
                "phan_loai",
                f"phân loại không hợp lệ: {row.get('phan_loai')!r} (cán bộ / công chức / viên chức / hợp đồng)",
            )
        if not unit_code:
            bad("ma_don_vi", "thiếu mã đơn vị")
        elif unit_code not in known_units:
            bad("ma_don_vi", f"đơn vị không tồn tại: {unit_code}")
        role = ROLE_WORDS.get(_word(row.get("vai_tro")))
        if role is None:
            bad(
                "vai_tro",
                f"vai trò không hợp lệ: {row.get('vai_tro')!r} (người đứng đầu / cấp phó / chuyên viên)",
            )
        email = row.get("email")
        if email:
            try:
                validate_email(email)
            except ValidationError:
                bad("email", f"địa chỉ thư không hợp lệ: {email}")
        username = row.get("ten_dang_nhap")
        if username and username in existing_users:
            bad("ten_dang_nhap", f"tên đăng nhập {username} đã được dùng")
        if len(report.errors) == err and category is not None and role is not None:
            out.append(
                _PersonRow(
                    row,
                    code,
                    full_name,
                    category,
                    unit_code,
                    role,
                    row.get("chuc_vu"),
                    row.get("vi_tri_viec_lam"),
                    row.get("ngach"),
                    _word(row.get("kiem_nhiem")) in ("x", "co", "1", "yes", "true"),
                    email,
                    row.get("dien_thoai"),
                    username,
                )
            )
    # Cross-row rules: one primary unit per person, one head per unit, unique usernames.
    primary: dict[str, list[_PersonRow]] = defaultdict(list)
    heads: dict[str, list[_PersonRow]] = defaultdict(list)
    usernames: dict[str, list[_PersonRow]] = defaultdict(list)
    for p in out:
        if not p.concurrent:
            primary[p.code].append(p)
        if p.role == Membership.Role.HEAD:
            heads[p.unit_code].append(p)
        if p.username:
            usernames[p.username].append(p)
    for code, rows_ in primary.items():
        if len(rows_) > 1:
            for p in rows_[1:]:
                report.errors.append(
                    RowError(
                        name,
                        p.row.number,
                        "ma_don_vi",
                        f"{p.full_name} ({code}) được ghi là công tác chính thức ở {len(rows_)} đơn vị cùng lúc; "
                        "các dòng kiêm nhiệm cần đánh dấu cột kiem_nhiem",
                    )
                )
    current_heads = set(Membership.objects.current().heads().values_list("unit__code", flat=True))
    for unit_code, rows_ in heads.items():
        if len(rows_) > 1 or unit_code in current_heads:
            for p in rows_[1:] if unit_code not in current_heads else rows_:
                report.errors.append(
                    RowError(
                        name,
                        p.row.number,
                        "vai_tro",
                        f"đơn vị {unit_code} có nhiều hơn một người đứng đầu",
                    )
                )
    for username, rows_ in usernames.items():
        for p in rows_[1:]:
            report.errors.append(
                RowError(name, p.row.number, "ten_dang_nhap", f"tên đăng nhập {username} bị trùng")
            )
    return out


def _check_heads(
    sheet: str, units: list[_UnitRow], people: list[_PersonRow], report: ImportReport
) -> None:
    """A head named on the units sheet must be a member of that unit on the people sheet."""
    members = {(p.code, p.unit_code) for p in people}
    members |= set(Membership.objects.current().values_list("person__code", "unit__code"))
    for u in units:
        if u.head_code and (u.head_code, u.code) not in members:
            report.errors.append(
                RowError(
                    sheet,
                    u.row.number,
                    "ma_nguoi_dung_dau",
                    f"người đứng đầu {u.head_code} không phải là cán bộ của đơn vị {u.code} trong trang cán bộ",
                )
            )


def _count_plan(units: list[_UnitRow], people: list[_PersonRow], report: ImportReport) -> None:
    existing = set(Unit.objects.values_list("code", flat=True))
    report.units_created = sum(1 for u in units if u.code not in existing)
    report.units_unchanged = len(units) - report.units_created
    report.people_created = len({p.code for p in people})
    report.memberships_created = len(people)


def _topological(units: list[_UnitRow]) -> list[_UnitRow]:
    by_code = {u.code: u for u in units}
    done: set[str] = set()
    order: list[_UnitRow] = []

    def visit(u: _UnitRow) -> None:
        if u.code in done:
            return
        parent = by_code.get(u.parent_code)
        if parent is not None:
            visit(parent)
        done.add(u.code)
        order.append(u)

    for u in units:
        visit(u)
    return order


@transaction.atomic
def _write(
    units: list[_UnitRow],
    people: list[_PersonRow],
    report: ImportReport,
    effective: date,
    create_accounts: bool,
) -> None:
    by_code = {u.code: u for u in Unit.objects.all()}
    for u in _topological(units):
        if u.code in by_code:
            report.units_unchanged += 1
            continue
        parent = by_code.get(u.parent_code) if u.parent_code else None
        by_code[u.code] = actions.create_unit(
            code=u.code,
            name=u.name,
            unit_type=u.unit_type,
            parent=parent,
            valid_from=u.valid_from,
            short_name=u.short_name,
        )
        report.units_created += 1
    heads_by_unit = {u.code: u.head_code for u in units if u.head_code}
    persons: dict[str, Person] = {}
    for p in sorted(people, key=lambda p: p.concurrent):
        person = persons.get(p.code)
        if person is None:
            person = Person(
                code=p.code,
                full_name=p.full_name,
                category=p.category,
                rank=p.rank,
                email=p.email,
                phone=p.phone,
            )
            if create_accounts or p.username:
                username = p.username or p.code.lower()
                password = secrets.token_urlsafe(9)
                person.user = User.objects.create_user(
                    username=username, password=password, email=p.email
                )
                report.accounts_created[username] = password
            person.save()
            persons[p.code] = person
            report.people_created += 1
        unit = by_code[p.unit_code]
        role = Membership.Role.HEAD if heads_by_unit.get(p.unit_code) == p.code else p.role
        actions.add_membership(
            person,
            unit,
            role=role,
            position_title=p.title,
            job_position=p.job_position,
            valid_from=max(effective, unit.valid_from),
            is_primary=not p.concurrent,
        )
        report.memberships_created += 1
