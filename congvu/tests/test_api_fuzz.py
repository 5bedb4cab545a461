"""Schemathesis against the JSON API's OpenAPI schema on a live server.

Every operation gets generated requests (valid and invalid) with a real bearer token, over a
small organisation with tasks in several states. Checks: no 5xx, responses conform to the
schema (body, status code, content type). Bounded: a few examples per operation and a time
budget, so the test stays well under a minute.
"""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.fuzz, pytest.mark.django_db(transaction=True)]

MAX_EXAMPLES = int(os.environ.get("CONGVU_FUZZ_EXAMPLES", "12"))
TIME_BUDGET_S = 40
CHECKS = (
    "not_a_server_error",
    "response_schema_conformance",
    "status_code_conformance",
    "content_type_conformance",
)


def _seed(org: Any) -> str:
    """Tasks in a few states for the fuzzer to find (ids 1..n), and gd_a's API token."""
    from django.contrib.auth.models import User

    from congvu.tasks.models import ApiToken
    from congvu.tests.permission_matrix import build_world

    world = build_world(org)
    from congvu.tasks import actions as A

    A.do_accept(world.task["in"].pk, org.alice)
    A.do_report_progress(world.task["in"].pk, org.alice, percent=40, text="Đang làm")
    secret = secrets.token_urlsafe(24)
    ApiToken.objects.create(
        user=User.objects.get(username="gd_a"),
        name="fuzz",
        prefix=secret[:8],
        token_hash=ApiToken.hash(secret),
    )
    return secret


def test_the_api_survives_schemathesis(org: Any, live_server: Any, tmp_path: Path) -> None:
    token = _seed(org)
    cli = Path(sys.executable).with_name("schemathesis")
    report = tmp_path / "report.json"
    cmd = [
        str(cli),
        "run",
        f"{live_server.url}/api/v1/openapi.json",
        "--header",
        f"Authorization: Bearer {token}",
        "--checks",
        ",".join(CHECKS),
        "--max-examples",
        str(MAX_EXAMPLES),
        "--max-time",
        str(TIME_BUDGET_S),
        "--seed",
        "20261126",
        "--workers",
        "1",
        "--phases",
        "examples,coverage,fuzzing",
        "--no-shrink",
        "--request-timeout",
        "10",
        "--suppress-health-check",
        "all",
        "--report",
        "ndjson",
        "--report-ndjson-path",
        str(report),
    ]
    env = {**os.environ, "NO_COLOR": "1", "SCHEMATHESIS_HOOKS": ""}
    done = subprocess.run(
        cmd,
        capture_output=True,
        text=True,
        timeout=TIME_BUDGET_S + 60,
        env=env,
        check=False,
        cwd=tmp_path,
    )
    out = done.stdout + done.stderr
    if os.environ.get("CONGVU_FUZZ_LOG"):
        Path(os.environ["CONGVU_FUZZ_LOG"]).write_text(out)
    summary = _summary(out, report)
    print(summary)  # noqa: T201 - the counts end up in the test log
    assert done.returncode == 0, out[-6000:]
    generated = re.search(r"(\d+) generated", out)
    assert generated and int(generated.group(1)) >= 100, out[-2000:]


def _summary(out: str, report: Path) -> str:
    lines = [ln.strip() for ln in out.splitlines() if re.search(r"generated|Tested:", ln)]
    return "schemathesis: " + " | ".join(lines)
