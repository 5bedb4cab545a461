"""The only code that writes sign-in accounts (django.contrib.auth's User) for people.

Like congvu.org.actions: each function runs in one transaction, refuses bad input with an
ActionError naming the field (nothing written), and leaves a sealed event on the person's
"access" chain of the audit log with its actor (None: a system job, or an account with no
person, named by `by_user`). Passwords never reach
the log. Who may call them is the pages' business (`manages`, `may_grant_in`).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.db import transaction

from congvu.audit import log as audit
from congvu.lib.errors import ActionError, refuse_all
from congvu.org.models import Membership, Person, RoleGrant, Unit, today
from congvu.org.permissions import Access
from congvu.org.tree import tree_as_of

audit.register(
    "access",
    "Quyền truy cập",
    (
        "account_created",
        "account_locked",
        "account_unlocked",
        "password_reset",
        "password_set",
    ),
)


def manages(access: Access, person: Person) -> bool:
    """May manage `person`'s account and roles: an administrator whose scope holds one of the
    person's current units; someone with no current post (a provincial leader, an inspector)
    only by an administrator of a whole province (a root of the tree)."""
    if access.is_superuser:
        return True
    if not access.has_role("admin"):
        return False
    units = set(
        Membership.objects.current().filter(person=person).values_list("unit_id", flat=True)
    )
    if units:
        return bool(units & access.admin_unit_ids)
    return bool(set(tree_as_of(today()).roots()) & access.admin_unit_ids)


def may_grant_in(access: Access, scope: Unit) -> bool:
    """A role is granted only within the granting administrator's own scope (no escalation)."""
    return access.is_superuser or (access.has_role("admin") and scope.pk in access.admin_unit_ids)


def may_take_over(access: Access, person: Person) -> bool:
    """May reset or lock `person`'s account: whoever holds it could otherwise act with powers
    wider than the administrator's own, so not a superuser's or staff account, nor one holding
    a role outside the administrator's scope."""
    if access.is_superuser:
        return True
    user = person.user
    if user is not None and (user.is_superuser or user.is_staff):
        return False
    scopes = set(
        RoleGrant.objects.current().filter(person=person).values_list("scope_id", flat=True)
    )
    return scopes <= access.admin_unit_ids


def _password_problems(password: str, user: User) -> list[ActionError]:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        return [ActionError("weak_password", " ".join(exc.messages), field="password")]
    return []


def _by(payload: dict[str, Any], actor: Person | None, by_user: str) -> dict[str, Any]:
    """An account with no person behind it (a superuser made with createsuperuser) acts as
    no actor: the event then names its username, so no change is anonymous."""
    if actor is None and by_user:
        payload["by_user"] = by_user
    return payload


def _give_password(user: User, password: str | None) -> None:
    """The password chosen for the person, or (None) none usable until he sets his own through
    the link an administrator hands over."""
    if password is None:
        user.set_unusable_password()
    else:
        user.set_password(password)


def _record_password(
    person: Person,
    kind: str,
    user: User,
    password: str | None,
    *,
    actor: Person | None,
    by_user: str,
) -> None:
    # Which way the password was given, never the password itself.
    given = "link" if password is None else "set"
    payload = {"user": user.pk, "username": user.username, "password": given}
    audit.record("access", person.pk, kind, actor, _by(payload, actor, by_user))


def _locked_person(person: Person) -> Person:
    # of=("self",): PostgreSQL refuses FOR UPDATE on the nullable side of the outer join to
    # the user (a person may have no account yet); only the person's row is the lock.
    return Person.objects.select_for_update(of=("self",)).select_related("user").get(pk=person.pk)


@transaction.atomic
def create_account(
    person: Person,
    *,
    username: str,
    password: str | None = None,
    actor: Person | None = None,
    by_user: str = "",
) -> User:
    """A sign-in account for `person`: with an initial password (Django's validators apply),
    or with none usable (None) for the person to set through a link (`set_password`)."""
    person = _locked_person(person)
    username = username.strip()
    problems: list[ActionError] = []
    if person.user is not None:
        raise ActionError(
            "has_account",
            f"{person.full_name} đã có tài khoản {person.user.username}.",
            field="username",
        )
    if not person.is_active:
        raise ActionError("inactive", f"{person.full_name} không còn công tác.")
    if not username:
        problems.append(ActionError("required", "Nhập tên đăng nhập.", field="username"))
    else:
        try:
            UnicodeUsernameValidator()(username)
        except ValidationError:
            problems.append(
                ActionError(
                    "bad_username",
                    "Tên đăng nhập chỉ gồm chữ, số và các ký tự @ . + - _ (không dấu cách).",
                    field="username",
                )
            )
        if len(username) > 150:
            problems.append(
                ActionError("too_long", "Tên đăng nhập dài quá 150 ký tự.", field="username")
            )
        elif User.objects.filter(username__iexact=username).exists():
            problems.append(
                ActionError(
                    "duplicate_username",
                    f"Tên đăng nhập {username} đã được dùng.",
                    field="username",
                )
            )
    user = User(username=username, email=person.email, first_name=person.full_name[:150])
    if password is not None:
        problems += _password_problems(password, user)
    refuse_all(problems)
    _give_password(user, password)
    user.save()
    person.user = user
    person.save(update_fields=["user"])
    _record_password(person, "account_created", user, password, actor=actor, by_user=by_user)
    return user


def _account(person: Person) -> User:
    if person.user is None:
        raise ActionError("no_account", f"{person.full_name} chưa có tài khoản.")
    return person.user


@transaction.atomic
def set_account_active(
    person: Person, active: bool, *, actor: Person | None = None, by_user: str = ""
) -> User:
    """Lock (active False) or unlock an account. A locked account cannot sign in, and its open
    sessions and API tokens stop working at their next request."""
    person = _locked_person(person)
    user = _account(person)
    if user.is_active == active:
        raise ActionError(
            "unchanged",
            "Tài khoản đang hoạt động." if active else "Tài khoản đã bị khóa.",
        )
    if not active and actor is not None and actor.pk == person.pk:
        raise ActionError("own_account", "Không thể tự khóa tài khoản của chính mình.")
    user.is_active = active
    user.save(update_fields=["is_active"])
    audit.record(
        "access",
        person.pk,
        "account_unlocked" if active else "account_locked",
        actor,
        _by({"user": user.pk, "username": user.username}, actor, by_user),
    )
    return user


@transaction.atomic
def reset_password(
    person: Person,
    *,
    password: str | None = None,
    actor: Person | None = None,
    by_user: str = "",
) -> User:
    """A new password chosen by the administrator, or (None) none usable until the person sets
    one through a link. Either way the old password stops working and open sessions end."""
    person = _locked_person(person)
    user = _account(person)
    if password is not None:
        refuse_all(_password_problems(password, user))
    _give_password(user, password)
    user.save(update_fields=["password"])
    _record_password(person, "password_reset", user, password, actor=actor, by_user=by_user)
    return user


@transaction.atomic
def set_password(user: User, password: str) -> User:
    """The person sets his own password (through the link an administrator gave him)."""
    person = Person.objects.select_for_update().filter(user=user).first()
    if person is None:
        raise ActionError("no_person", "Tài khoản này không gắn với cán bộ nào.")
    refuse_all(_password_problems(password, user))
    user.set_password(password)
    user.save(update_fields=["password"])
    audit.record(
        "access", person.pk, "password_set", person, {"user": user.pk, "username": user.username}
    )
    return user
