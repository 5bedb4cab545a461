from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from congvu.testing import PASSWORD


@pytest.fixture
def signed_in(org, client: Client) -> Callable[[str], Client]:  # type: ignore[no-untyped-def]
    """signed_in("alice") → the test client signed in as that person of the `org` fixture."""

    def sign_in(key: str) -> Client:
        client.logout()
        assert client.login(username=key, password=PASSWORD)
        return client

    return sign_in


from congvu.web.tests.browser import (  # noqa: E402, F401 - browser fixtures
    browser_as,
    chromium,
    flushable_log,
    page,
)
