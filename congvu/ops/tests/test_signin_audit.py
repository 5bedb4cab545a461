from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from congvu.ops.models import SignInRecord


@pytest.mark.django_db
def test_sign_ins_failures_and_sign_outs_are_recorded(client):
    User.objects.create_user("thanhtra", password="mat-khau-dung-2026", is_staff=True)
    client.post(
        "/quan-tri/login/", {"username": "thanhtra", "password": "sai"}, REMOTE_ADDR="10.1.2.3"
    )
    client.post(
        "/quan-tri/login/",
        {"username": "thanhtra", "password": "mat-khau-dung-2026"},
        REMOTE_ADDR="10.1.2.3",
        HTTP_USER_AGENT="Chromium",
    )
    client.post("/quan-tri/logout/")
    kinds = list(
        SignInRecord.objects.order_by("at", "id").values_list("kind", "username", "ip_address")
    )
    assert kinds == [
        ("failure", "thanhtra", "10.1.2.3"),
        ("success", "thanhtra", "10.1.2.3"),
        ("logout", "thanhtra", "127.0.0.1"),
    ]
    assert SignInRecord.objects.get(kind="success").user_agent == "Chromium"
