from __future__ import annotations

import pytest
from django.contrib.auth.models import User


@pytest.mark.django_db
def test_repeated_wrong_passwords_lock_the_account_for_that_address(client, settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    User.objects.create_user("chuyenvien", password="dung-mat-khau-2026", is_staff=True)
    url = "/quan-tri/login/"
    for _ in range(3):
        r = client.post(url, {"username": "chuyenvien", "password": "sai"}, REMOTE_ADDR="10.0.0.7")
    assert r.status_code in (403, 429)
    # Even the right password is refused while locked out.
    r = client.post(
        url, {"username": "chuyenvien", "password": "dung-mat-khau-2026"}, REMOTE_ADDR="10.0.0.7"
    )
    assert r.status_code in (403, 429)
    # Another address is not affected (lockout is per username + address).
    r = client.post(
        url, {"username": "chuyenvien", "password": "dung-mat-khau-2026"}, REMOTE_ADDR="10.0.0.8"
    )
    assert r.status_code == 302
