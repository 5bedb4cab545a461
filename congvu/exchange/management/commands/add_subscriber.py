"""Register a system that receives task events by webhook.

    manage.py add_subscriber NAME URL [--kinds 101,205] [--secret S]

Prints the HMAC secret once (generated unless given); the receiver checks every request with it.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.core.management.base import BaseCommand

from congvu.exchange.models import Subscriber


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("name")
        parser.add_argument("url")
        parser.add_argument("--kinds", default="")
        parser.add_argument("--secret", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        secret = options["secret"] or secrets.token_urlsafe(32)
        kinds = [int(k) for k in options["kinds"].split(",") if k.strip()]
        sub = Subscriber.objects.create(
            name=options["name"], url=options["url"], secret=secret, kinds=kinds
        )
        self.stdout.write(f"#{sub.pk} {sub.name}: khóa HMAC {secret}")
