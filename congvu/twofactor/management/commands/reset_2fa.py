"""Remove every authenticator device of an account (a lost phone).

The account's owner then enrols a new device after signing in; the reset is written to the
sign-in record with the administrator's name (`--by`), as the only way besides a code from the
old device to add a new one.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from congvu.ops.models import SignInRecord
from congvu.ops.signals import record_device_change


class Command(BaseCommand):
    help = "Xóa thiết bị xác thực hai bước của một tài khoản (mất điện thoại); có ghi nhật ký."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--by", required=True, help="tên quản trị viên thực hiện")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"Không có tài khoản '{options['username']}'.")
        with transaction.atomic():
            removed, _ = TOTPDevice.objects.filter(user=user).delete()
            record_device_change(None, user, SignInRecord.Kind.DEVICE_RESET, by=options["by"])
        self.stdout.write(f"Đã xóa {removed} thiết bị xác thực của {user.username}.")
