from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from congvu.tasks import actions as A
from congvu.testing import PASSWORD
from congvu.web.tests.tasks_helpers import one_task_params, sent_back, to_construction


@pytest.fixture
def signed_in(org, client: Client) -> Callable[[str], Client]:  # type: ignore[no-untyped-def]
    """signed_in("alice") → the test client signed in as that person of the `org` fixture."""

    def sign_in(key: str) -> Client:
        client.logout()
        assert client.login(username=key, password=PASSWORD)
        return client

    return sign_in


@pytest.fixture
def finding(org):  # type: ignore[no-untyped-def]
    """A ping-pong finding about Sở Xây dựng's director, who sent back work that was theirs
    (one task: thresholds relaxed for the test)."""
    from congvu.detection.actions import run_detection
    from congvu.detection.models import Finding

    task = sent_back(org)
    # It was Sở Xây dựng's work after all: sent again, accepted there (gd_b bounced it).
    to_construction(task, org, reason="Đúng chức năng của Sở Xây dựng")
    A.do_accept(task, org.gd_b)
    run_detection(params=one_task_params(), force=True)
    return Finding.objects.get(detector="ping_pong", subject_type="person")


from congvu.web.tests.browser import (  # noqa: E402, F401 - browser fixtures
    browser_as,
    chromium,
    flushable_log,
    page,
)
