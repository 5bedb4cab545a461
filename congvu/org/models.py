"""The organisation: an effective-dated tree of units, people and their memberships.

Units are identities (a code); what can change over time — name, type, parent — lives in
UnitVersion rows with [valid_from, valid_to] ranges, so the tree can be read as of any date.
A merger ends the merged units and records UnitSuccession rows, so the history of a dissolved
unit stays readable and its work stays visible to the heads of its successor. Unit types are
rows, not code: the 2025 abolition of the district tier needed no migration, nor will the next.

Only congvu.org.actions writes these tables (STYLE.md §7.1), and congvu.org.accounts a
person's sign-in account (Person.user); the admin is read-mostly.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Protocol, Self, TypeVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_noop

from congvu.lib.choices import TranslatedChoices

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def today() -> date:
    return timezone.localdate()


_M = TypeVar("_M", bound=models.Model)


# The same condition as EffectiveQuerySet.active_on, for the few hot look-ups written in plain
# SQL (congvu.org.permissions, congvu.tasks.actions); parameters: the day, twice.
ACTIVE_ON_SQL = "valid_from <= %s AND (valid_to IS NULL OR valid_to >= %s)"


class Dated(Protocol):
    """An effective-dated row: a unit, a membership, a rule set, a policy."""

    @property
    def valid_from(self) -> date: ...
    @property
    def valid_to(self) -> date | None: ...


def in_effect(row: Dated, day: date) -> bool:
    """EffectiveQuerySet.active_on for one row already loaded (valid_to None = still valid)."""
    return row.valid_from <= day and (row.valid_to is None or row.valid_to >= day)


class EffectiveQuerySet(models.QuerySet[_M]):
    """Rows whose [valid_from, valid_to] range contains a date (valid_to null = still valid)."""

    def active_on(self, day: date | None = None) -> Self:
        day = day or today()
        return self.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day), valid_from__lte=day)

    def current(self) -> Self:
        return self.active_on(today())

    def overlapping(self, start: date, end: date | None) -> Self:
        """Rows whose range shares at least one day with [start, end] (end None = open)."""
        return self.filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=start), valid_from__lte=end or date.max
        )


def valid_range(name: str) -> models.CheckConstraint:
    """The database's own guard for an effective-dated row: it does not end before it starts."""
    return models.CheckConstraint(
        condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")), name=name
    )


class UnitType(models.Model):
    code = models.SlugField("mã loại", max_length=40, unique=True)
    name = models.CharField("tên loại đơn vị", max_length=120)
    # Smaller is higher in the hierarchy; used to compare "upward" moves and to group peers.
    level = models.PositiveSmallIntegerField("cấp", default=3)
    # The analytics schema's `level` counts the other way (higher = further up); a unit type's
    # tier there is TIER_TOP - level, so level 1 (the province) is the highest tier.
    TIER_TOP = 10

    is_administrative = models.BooleanField(
        "cơ quan hành chính", default=True, help_text="Bỏ chọn cho đơn vị sự nghiệp công lập."
    )

    class Meta:
        ordering = ["level", "name"]
        verbose_name = "loại đơn vị"
        verbose_name_plural = "loại đơn vị"

    def __str__(self) -> str:
        return self.name

    @property
    def tier(self) -> int:
        return self.TIER_TOP - self.level


class UnitQuerySet(EffectiveQuerySet["Unit"]):
    def search(self, text: str) -> Self:
        from congvu.lib.text import fold

        return self.filter(search_text__contains=fold(text))


class Unit(models.Model):
    """A unit's identity. `name`, `unit_type` and `parent` mirror its current UnitVersion."""

    code = models.CharField("mã đơn vị", max_length=40, unique=True)
    name = models.CharField("tên đơn vị", max_length=255)
    short_name = models.CharField("tên viết tắt", max_length=60, blank=True)
    unit_type = models.ForeignKey(UnitType, on_delete=models.PROTECT, verbose_name="loại đơn vị")
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name="đơn vị cấp trên",
    )
    valid_from = models.DateField("hiệu lực từ")
    valid_to = models.DateField("hiệu lực đến", null=True, blank=True)
    # Lower-cased, accent-free name and code for accent-insensitive search ("so noi vu").
    search_text = models.CharField(max_length=400, editable=False, default="")

    objects = UnitQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = "đơn vị"
        verbose_name_plural = "đơn vị"
        constraints = [
            valid_range("unit_valid_range"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: object, **kwargs: object) -> None:
        self.search_text = unit_search_text(self.code, self.name, self.short_name)
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def is_active_on(self, day: date) -> bool:
        return in_effect(self, day)

    @property
    def is_dissolved(self) -> bool:
        return self.valid_to is not None and self.valid_to < today()


class UnitVersion(models.Model):
    """The attributes of a unit during [valid_from, valid_to]; ranges of one unit never overlap."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="versions")
    name = models.CharField("tên đơn vị", max_length=255)
    unit_type = models.ForeignKey(UnitType, on_delete=models.PROTECT)
    parent = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="child_versions"
    )
    valid_from = models.DateField("hiệu lực từ")
    valid_to = models.DateField("hiệu lực đến", null=True, blank=True)
    change_reason = models.CharField("lý do thay đổi", max_length=255, blank=True)
    decision_ref = models.CharField("quyết định", max_length=120, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = EffectiveQuerySet["UnitVersion"].as_manager()

    class Meta:
        ordering = ["unit_id", "valid_from"]
        verbose_name = "lịch sử đơn vị"
        verbose_name_plural = "lịch sử đơn vị"
        constraints = [
            models.UniqueConstraint(fields=["unit", "valid_from"], name="unitversion_unique_start"),
            # At most one open-ended version per unit: the current one.
            models.UniqueConstraint(
                fields=["unit"], condition=Q(valid_to__isnull=True), name="unitversion_one_open"
            ),
            valid_range("unitversion_valid_range"),
        ]
        indexes = [
            # Used by org.tree.tree_as_of(): every version valid on a date.
            models.Index(fields=["valid_from", "valid_to"], name="unitversion_range_idx"),
        ]

    def __str__(self) -> str:
        end = f"{self.valid_to:%d/%m/%Y}" if self.valid_to else "nay"
        return f"{self.name} ({self.valid_from:%d/%m/%Y}–{end})"


class UnitSuccession(TranslatedChoices):
    """`predecessor`'s work and history pass to `successor` from `effective_date`."""

    class Kind(models.TextChoices):
        MERGE = "merge", gettext_noop("Hợp nhất / sáp nhập")
        SPLIT = "split", gettext_noop("Chia tách")
        RENAME = "rename", gettext_noop("Đổi tên, tổ chức lại")

    predecessor = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="successions")
    successor = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="predecessions")
    kind = models.CharField("hình thức", max_length=10, choices=Kind.choices)
    effective_date = models.DateField("ngày hiệu lực")
    decision_ref = models.CharField("quyết định", max_length=120, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "kế thừa đơn vị"
        verbose_name_plural = "kế thừa đơn vị"
        constraints = [
            models.UniqueConstraint(
                fields=["predecessor", "successor"], name="unitsuccession_unique_pair"
            ),
            models.CheckConstraint(
                condition=~Q(predecessor=models.F("successor")), name="unitsuccession_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.predecessor} → {self.successor} ({self.effective_date:%d/%m/%Y})"


class PersonQuerySet(models.QuerySet["Person"]):
    def active(self) -> Self:
        return self.filter(is_active=True)

    def search(self, text: str) -> Self:
        from congvu.lib.text import fold

        return self.filter(search_text__contains=fold(text))


class Person(TranslatedChoices):
    class Category(models.TextChoices):
        CAN_BO = "can_bo", gettext_noop("Cán bộ")
        CONG_CHUC = "cong_chuc", gettext_noop("Công chức")
        VIEN_CHUC = "vien_chuc", gettext_noop("Viên chức")
        HOP_DONG = "hop_dong", gettext_noop("Người lao động hợp đồng")

    code = models.CharField("mã cán bộ", max_length=40, unique=True)
    full_name = models.CharField("họ và tên", max_length=120)
    category = models.CharField("phân loại", max_length=12, choices=Category.choices)
    rank = models.CharField("ngạch, chức danh nghề nghiệp", max_length=120, blank=True)
    email = models.EmailField("thư điện tử", blank=True)
    phone = models.CharField("điện thoại", max_length=30, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
        verbose_name="tài khoản",
    )
    is_active = models.BooleanField("đang công tác", default=True)
    search_text = models.CharField(max_length=400, editable=False, default="")

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["full_name", "code"]
        verbose_name = "cán bộ, công chức, viên chức"
        verbose_name_plural = "cán bộ, công chức, viên chức"

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args: object, **kwargs: object) -> None:
        self.search_text = person_search_text(self.code, self.full_name, self.email)
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def primary_membership(self, day: date | None = None) -> Membership | None:
        return (
            self.memberships.active_on(day).filter(is_primary=True).select_related("unit").first()
        )


class MembershipQuerySet(EffectiveQuerySet["Membership"]):
    def heads(self) -> Self:
        return self.filter(role=Membership.Role.HEAD)

    def leaders(self) -> Self:
        """Heads and deputies: the people who direct a unit's work."""
        return self.filter(role__in=(Membership.Role.HEAD, Membership.Role.DEPUTY))

    def head_of(self, unit: Unit) -> Person | None:
        """The head of `unit` among these rows (a unit has at most one at a time)."""
        row = self.heads().filter(unit=unit).select_related("person").first()
        return row.person if row else None

    def unit_ids_of(self, person: Person | int) -> list[int]:
        """The units of `person`'s rows here: `.leaders().unit_ids_of(p)`, the units p directs."""
        return list(self.filter(person=person).values_list("unit_id", flat=True))


class Membership(TranslatedChoices):
    """A person working in a unit during [valid_from, valid_to].

    A person has at most one primary membership at a time; concurrent posts (kiêm nhiệm) are
    extra non-primary memberships. A unit has at most one head at a time. Both rules are
    enforced by partial unique indexes for the open-ended (current) rows and by the actions
    for closed historical ranges.
    """

    class Role(models.TextChoices):
        HEAD = "head", gettext_noop("Người đứng đầu")
        DEPUTY = "deputy", gettext_noop("Cấp phó")
        MEMBER = "member", gettext_noop("Chuyên viên / nhân viên")

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="memberships")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField("vai trò", max_length=10, choices=Role.choices, default=Role.MEMBER)
    position_title = models.CharField("chức vụ", max_length=120, blank=True)
    job_position = models.CharField("vị trí việc làm", max_length=160, blank=True)
    is_primary = models.BooleanField("đơn vị chính", default=True)
    valid_from = models.DateField("từ ngày")
    valid_to = models.DateField("đến ngày", null=True, blank=True)
    decision_ref = models.CharField("quyết định", max_length=120, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["unit_id", "role", "person__full_name"]
        verbose_name = "công tác tại đơn vị"
        verbose_name_plural = "công tác tại đơn vị"
        constraints = [
            models.UniqueConstraint(
                fields=["unit"],
                condition=Q(role="head", valid_to__isnull=True),
                name="membership_one_current_head",
                violation_error_message="Đơn vị đã có người đứng đầu.",
            ),
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(is_primary=True, valid_to__isnull=True),
                name="membership_one_current_primary",
                violation_error_message="Người này đang công tác chính thức ở một đơn vị khác.",
            ),
            valid_range("membership_valid_range"),
        ]
        indexes = [
            # Used by org.permissions.access_for(): a person's current memberships.
            models.Index(fields=["person", "valid_to"], name="membership_person_idx"),
            # Used by Unit dashboards: members of a unit.
            models.Index(fields=["unit", "valid_to"], name="membership_unit_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.position_title or self.get_role_display()}, {self.unit}"


class RoleGrantQuerySet(EffectiveQuerySet["RoleGrant"]):
    def active_on(self, day: date | None = None) -> Self:
        day = day or today()
        return super().active_on(day).filter(Q(revoked_on__isnull=True) | Q(revoked_on__gt=day))


# RoleGrantQuerySet.active_on in plain SQL (congvu.org.permissions); parameters: the day, thrice.
GRANT_ACTIVE_ON_SQL = f"{ACTIVE_ON_SQL} AND (revoked_on IS NULL OR revoked_on > %s)"


class RoleGrant(TranslatedChoices):
    """A role that does not follow from membership: provincial leader, HR, inspector, admin.

    The scope is a unit; the grant covers its subtree (a provincial inspector is scoped to the
    province's root unit). A revoked grant is kept (congvu.org.actions.revoke_role): it ends
    the day before `revoked_on`; `revoked_on` also covers a grant revoked on the day it began,
    whose range cannot end before it starts.
    """

    class Role(models.TextChoices):
        LEADER = "leader", gettext_noop("Lãnh đạo tỉnh")
        HR = "hr", gettext_noop("Sở Nội vụ (tổ chức cán bộ)")
        INSPECTOR = "inspector", gettext_noop("Thanh tra")
        ADMIN = "admin", gettext_noop("Quản trị hệ thống")
        # Registers incoming directives and records assignments for the leaders of its scope
        # unit (congvu.tasks.directives); reads that unit's work, directs nothing.
        CLERK = "clerk", gettext_noop("Văn thư")

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="role_grants")
    role = models.CharField("vai trò", max_length=10, choices=Role.choices)
    scope = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="role_grants", verbose_name="phạm vi"
    )
    valid_from = models.DateField("từ ngày")
    valid_to = models.DateField("đến ngày", null=True, blank=True)
    decision_ref = models.CharField("quyết định", max_length=120, blank=True)
    revoked_on = models.DateField("thu hồi từ ngày", null=True, blank=True)

    objects = RoleGrantQuerySet.as_manager()

    class Meta:
        verbose_name = "phân quyền"
        verbose_name_plural = "phân quyền"
        constraints = [
            valid_range("rolegrant_valid_range"),
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.get_role_display()} ({self.scope})"


class Delegation(models.Model):
    """Ủy quyền: while `principal` is away (leave, mission), `delegate` takes his workflow
    steps for the period. Written only by congvu.org.actions.delegate / revoke_delegation;
    every task event taken under it names it (payload "delegation"), so the log shows who
    acted and for whom."""

    principal = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        related_name="delegations_given",
        verbose_name="người ủy quyền",
    )
    delegate = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        related_name="delegations_received",
        verbose_name="người được ủy quyền",
    )
    valid_from = models.DateField("từ ngày")
    valid_to = models.DateField("đến ngày")
    reason = models.CharField("lý do", max_length=255)
    created_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = EffectiveQuerySet["Delegation"].as_manager()

    class Meta:
        verbose_name = "ủy quyền"
        verbose_name_plural = "ủy quyền"
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__gte=models.F("valid_from")), name="delegation_valid_range"
            ),
            models.CheckConstraint(
                condition=~Q(principal=models.F("delegate")), name="delegation_not_to_self"
            ),
        ]
        indexes = [models.Index(fields=["delegate", "valid_from"], name="delegation_delegate_idx")]

    def __str__(self) -> str:
        return f"{self.principal} → {self.delegate} ({self.valid_from:%d/%m/%Y}–{self.valid_to:%d/%m/%Y})"


def unit_search_text(code: str, name: str, short_name: str = "") -> str:
    from congvu.lib.text import fold

    return fold(f"{code} {name} {short_name}")[:400]


def person_search_text(code: str, full_name: str, email: str = "") -> str:
    from congvu.lib.text import fold

    return fold(f"{code} {full_name} {email}")[:400]


def person_for_user(user: User | None) -> Person | None:
    if user is None or not user.is_authenticated:
        return None
    try:
        return user.person
    except Person.DoesNotExist:
        return None
