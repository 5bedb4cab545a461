"""Deliver the outbox of task events to the subscribed systems (signed webhooks).

    manage.py deliver_outbox [--loop SECONDS]

One pass by default (the `deliver_outbox` job of run_jobs does the same every minute);
with --loop, a pass every SECONDS until stopped.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from congvu.exchange.outbox import deliver


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--loop", type=float, default=0.0)

    def handle(self, *args: Any, **options: Any) -> None:
        while True:
            got = deliver()
            self.stdout.write(
                f"đã gửi {got['delivered']}, lỗi {got['failed']}, đang bận {got['busy']}"
            )
            if not options["loop"]:
                return
            time.sleep(options["loop"])
