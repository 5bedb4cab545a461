from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _unsigned_packages_accepted(settings):  # type: ignore[no-untyped-def]
    """These tests are about what a package says; its signature is tested in test_xmlsig.py
    (which turns the requirement back on)."""
    settings.EDXML_REQUIRE_SIGNATURE = False
