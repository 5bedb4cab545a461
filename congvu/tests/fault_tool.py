"""Helpers the fault tests run in a subprocess against the private database.

python -m congvu.tests.fault_tool make-import OUT.xlsx ROWS   a valid import for `chutich`
python -m congvu.tests.fault_tool state                       JSON counts for the assertions
python -m congvu.tests.fault_tool token USERNAME              a fresh API token
"""

from __future__ import annotations

import json
import os
import secrets
import sys

import django


def make_import(out: str, rows: int) -> None:
    from openpyxl import Workbook

    from congvu.org.models import Membership

    members = list(
        Membership.objects.current()
        .filter(role=Membership.Role.MEMBER, unit__valid_to__isnull=True)
        .select_related("unit", "person")
        .order_by("pk")[:400]
    )
    wb = Workbook(write_only=True)
    ws = wb.create_sheet()
    ws.append(["Số ký hiệu", "Trích yếu", "Đơn vị chủ trì", "Người chủ trì", "Hạn xử lý"])
    for i in range(rows):
        m = members[i % len(members)]
        ws.append([f"{i + 1}/UBND-TH", f"Nhiệm vụ nhập số {i + 1}", m.unit.code, m.person.code, 15])
    wb.save(out)


def state() -> dict[str, object]:
    from django.db.models import Count

    from congvu.detection.models import DetectionRun
    from congvu.tasks.models import Task, TaskEvent

    return {
        "tasks": Task.objects.count(),
        "events": TaskEvent.objects.count(),
        "tasks_without_events": Task.objects.annotate(n=Count("events")).filter(n=0).count(),
        "runs": list(DetectionRun.objects.order_by("pk").values_list("period", "state")),
    }


def token(username: str) -> str:
    from django.contrib.auth.models import User

    from congvu.tasks.models import ApiToken

    secret = secrets.token_urlsafe(24)
    ApiToken.objects.create(
        user=User.objects.get(username=username),
        name="faults",
        prefix=secret[:8],
        token_hash=ApiToken.hash(secret),
    )
    return secret


def main(argv: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "congvu.settings")
    django.setup()
    cmd = argv[0]
    if cmd == "make-import":
        make_import(argv[1], int(argv[2]))
    elif cmd == "state":
        sys.stdout.write(json.dumps(state()) + "\n")
    elif cmd == "token":
        sys.stdout.write(token(argv[1]) + "\n")
    else:
        raise SystemExit(f"unknown command {cmd}")


if __name__ == "__main__":
    main(sys.argv[1:])
