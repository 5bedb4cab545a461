"""Create an API token for USER and print it once (only its SHA-256 is stored)."""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError

from congvu.tasks.models import ApiToken


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="Ghi chú cho token (ứng dụng dùng nó).")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            user = User.objects.get(username=options["username"])
        except User.DoesNotExist as exc:
            raise CommandError(f"Không có tài khoản {options['username']!r}.") from exc
        secret = "cv_" + secrets.token_urlsafe(32)
        ApiToken.objects.create(
            user=user, name=options["name"], prefix=secret[:8], token_hash=ApiToken.hash(secret)
        )
        self.stdout.write(secret)
