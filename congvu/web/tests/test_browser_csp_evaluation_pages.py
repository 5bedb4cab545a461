"""The evaluation, innovation and legal pages break no rule of the Content-Security-Policy."""

from __future__ import annotations

import pytest

from congvu.evaluation.tests.helpers import scored_month


@pytest.fixture
def rule_sets(transactional_db):  # type: ignore[no-untyped-def]
    """An earlier transactional test's flush removed the rule sets seeded by migration 0002."""
    import importlib

    from django.apps import apps

    importlib.import_module("congvu.evaluation.migrations.0002_seed_rule_sets").seed(apps, None)


pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("flushable_log", "rule_sets"),
]


def test_the_new_pages_run_under_the_content_security_policy(org, browser_as):  # type: ignore[no-untyped-def]
    e = scored_month(org.alice, org.tp_a1, 1, finalise=False)
    page = browser_as("lanh_dao")
    violations: list[str] = []
    page.on(
        "console",
        lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
    )
    for path in (
        "/danh-gia/",
        f"/danh-gia/can-bo/{org.alice.pk}/?ky={e.pk}",
        f"/danh-gia/don-vi/{org.a1.pk}/?nam=2026",
        "/danh-gia/de-xuat/",
        "/sang-kien/",
        "/phap-ly/bao-cao/",
    ):
        response = page.goto(path)
        assert response is not None and response.status == 200, path
    assert violations == []
