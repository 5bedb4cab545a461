from __future__ import annotations

import pytest


@pytest.fixture
def org(db: None):  # type: ignore[no-untyped-def]
    """The small named organisation from congvu.testing (alice, bob, charlie, heads, leader...)."""
    from congvu.testing import make_org

    return make_org()


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):  # type: ignore[no-untyped-def]
    # Argon2 is deliberately slow; tests create many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # client.login() authenticates without a request, which django-axes refuses; the
    # throttling test turns it back on.
    settings.AXES_ENABLED = False
