"""The privacy pages: reachable from the menu for the right roles, refused to others."""

from __future__ import annotations

import pytest
from django.test import Client

from congvu.privacy.models import SubjectRequest
from congvu.testing import PASSWORD

pytestmark = pytest.mark.django_db


def _client(key: str) -> Client:
    c = Client()
    assert c.login(username=key, password=PASSWORD)
    return c


def _menu(c: Client) -> dict[str, str]:
    nav = c.get("/du-lieu-ca-nhan/").context["nav"]
    return {item.key: item.url for item in nav}


def test_everyone_files_a_request_from_their_data_page(org) -> None:
    c = _client("alice")
    assert _menu(c)["privacy"] == "/du-lieu-ca-nhan/"
    response = c.post("/du-lieu-ca-nhan/", {"kind": "access", "text": "Cho tôi xem dữ liệu."})
    assert response.status_code == 302
    assert SubjectRequest.objects.get().person == org.alice


def test_an_empty_request_is_refused_with_a_message(org) -> None:
    response = _client("alice").post("/du-lieu-ca-nhan/", {"kind": "access", "text": ""})
    assert response.status_code == 400
    assert not SubjectRequest.objects.exists()


def test_hr_answers_from_the_queue_in_the_menu(org) -> None:
    _client("alice").post("/du-lieu-ca-nhan/", {"kind": "access", "text": "Xin bản sao."})
    c = _client("noi_vu")
    assert _menu(c)["privacy"] == "/du-lieu-ca-nhan/yeu-cau/"
    r = SubjectRequest.objects.get()
    assert r.text.encode() in c.get("/du-lieu-ca-nhan/yeu-cau/").content.replace(b"&#x27;", b"'")
    response = c.post("/du-lieu-ca-nhan/yeu-cau/", {"request_id": r.pk, "answer": "Đã gửi."})
    assert response.status_code == 302
    r.refresh_from_db()
    assert (r.status, r.answered_by) == ("answered", org.noi_vu)


def test_the_register_and_dossier_are_for_leaders_hr_and_inspectors(org) -> None:
    for key in ("lanh_dao", "noi_vu", "thanh_tra"):
        c = _client(key)
        assert c.get("/du-lieu-ca-nhan/so-dang-ky/").status_code == 200
        dossier = c.get("/du-lieu-ca-nhan/ho-so-danh-gia-tac-dong/")
        assert "Dữ liệu theo dõi hành vi" in dossier.content.decode()
    for key in ("alice", "tp_a1"):
        c = _client(key)
        assert c.get("/du-lieu-ca-nhan/so-dang-ky/").status_code == 403
        assert c.get("/du-lieu-ca-nhan/yeu-cau/").status_code == 403
