from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest
from django.test import Client

from congvu.tasks import actions as A
from congvu.testing import PASSWORD
from congvu.web.tests.tasks_helpers import assign


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
    from congvu.detection.actions import default_params, run_detection
    from congvu.detection.models import Finding

    task = assign(org)
    A.do_accept(task, org.gd_a)
    A.do_transfer(
        task,
        org.gd_a,
        to_unit=org.so_b,
        to_person=org.gd_b,
        reason_code="competence",
        reason="Thuộc Sở Xây dựng",
    )
    A.do_return(task, org.gd_b, reason="Sở Tài chính chủ trì")
    # It was Sở Xây dựng's work after all: sent again, accepted there (gd_b bounced it).
    A.do_transfer(
        task,
        org.gd_a,
        to_unit=org.so_b,
        to_person=org.gd_b,
        reason_code="competence",
        reason="Đúng chức năng của Sở Xây dựng",
    )
    A.do_accept(task, org.gd_b)
    relaxed = dataclasses.replace(
        default_params(),
        min_cases=1,
        min_hits=1,
        z=0.0,
        min_ratio=0.0,
        min_excess=0.0,
        fdr=1.0,
        max_p=1.0,
        relevance_ratio=1.0,
    )
    run_detection(params=relaxed, force=True)
    return Finding.objects.get(detector="ping_pong", subject_type="person")


from congvu.web.tests.browser import (  # noqa: E402, F401 - browser fixtures
    browser_as,
    chromium,
    flushable_log,
    page,
)
