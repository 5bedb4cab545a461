from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from congvu.testing import PASSWORD


@pytest.fixture
def signed_in(org, client: Client) -> Callable[[str], Client]:  # type: ignore[no-untyped-def]
    def sign_in(key: str) -> Client:
        client.logout()
        assert client.login(username=key, password=PASSWORD)
        return client

    return sign_in


@pytest.fixture
def legal_dept(settings):  # type: ignore[no-untyped-def]
    """Sở Xây dựng plays Sở Tư pháp in the test organisation: gd_b and charlie (Phòng Quy hoạch,
    directly below it) are the legal department."""
    settings.LEGAL_DEPARTMENT_UNIT_CODES = ("SXD",)
