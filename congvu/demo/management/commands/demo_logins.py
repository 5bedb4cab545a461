"""Print the demo province's named logins and the address of the running app."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from congvu.demo.province import DEMO_PASSWORD, NAMED_LOGINS
from congvu.org.models import Membership, Person


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--address", default="http://127.0.0.1:8000/")
        parser.add_argument(
            "--all", action="store_true", help="Liệt kê mọi tài khoản (tên, họ tên, đơn vị)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        named = Person.objects.filter(user__username__in=[u for u, _ in NAMED_LOGINS])
        people = {p.user.username: p for p in named.select_related("user") if p.user}
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Công Vụ đang chạy tại {options['address']}"))
        if not people:
            self.stdout.write("(Chưa có tài khoản mẫu: chạy `manage.py seed_demo`.)")
            return
        self.stdout.write(f"Tài khoản mẫu (mật khẩu: {DEMO_PASSWORD}):")
        for username, role in NAMED_LOGINS:
            if username in people:
                self.stdout.write(f"  {username:<18} {role} — {people[username].full_name}")
        others = Person.objects.filter(user__isnull=False).exclude(user__username__in=people)
        self.stdout.write(
            f"Cùng mật khẩu, {others.count()} cán bộ khác đăng nhập bằng mã cán bộ viết thường "
            "(ví dụ cb000100); liệt kê: manage.py demo_logins --all"
        )
        if options["all"]:
            rows = (
                Membership.objects.current()
                .filter(is_primary=True, person__user__isnull=False)
                .select_related("person__user", "unit")
                .order_by("person__code")
            )
            for m in rows:
                user = m.person.user
                assert user is not None
                self.stdout.write(f"  {user.username:<18} {m.person.full_name} — {m.unit.name}")
        self.stdout.write("")
