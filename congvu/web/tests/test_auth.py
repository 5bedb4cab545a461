from __future__ import annotations

from congvu.testing import PASSWORD


def test_it_asks_anonymous_visitors_to_sign_in(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/dang-nhap/?next=%2F"


def test_it_shows_the_sign_in_page_in_vietnamese(client, db):
    response = client.get("/dang-nhap/")
    body = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="vi">' in body
    assert "Đăng nhập" in body and "Tỉnh Bình Minh" in body


def test_it_signs_in_and_returns_to_next(client, org):
    response = client.post(
        "/dang-nhap/", {"username": "alice", "password": PASSWORD, "next": "/to-chuc/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/to-chuc/"


def test_it_refuses_a_wrong_password_in_vietnamese_and_keeps_the_username(client, org):
    response = client.post("/dang-nhap/", {"username": "alice", "password": "sai"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "mật khẩu chính xác" in body
    assert 'value="alice"' in body


def test_it_ignores_an_offsite_next(client, org):
    response = client.post(
        "/dang-nhap/", {"username": "alice", "password": PASSWORD, "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_it_signs_out_by_post_only(signed_in):
    client = signed_in("alice")
    assert client.get("/dang-xuat/").status_code == 405
    response = client.post("/dang-xuat/")
    assert response["Location"] == "/dang-nhap/"
    assert client.get("/").status_code == 302


def test_it_switches_the_interface_to_english(signed_in):
    client = signed_in("alice")
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    body = client.get("/").content.decode()
    assert '<html lang="en">' in body
    assert "My work" in body


def test_it_keeps_a_form_posted_after_the_session_expired(signed_in, client):
    client = signed_in("quan_tri")
    client.logout()  # the session expires while the form is open
    form = {
        "day": "24/11/2026",
        "reason": "Ngày Văn hóa Việt Nam",
        "decision_ref": "",
        "is_working_day": "",
    }
    response = client.post("/lich-lam-viec/", form)
    assert response["Location"].startswith("/dang-nhap/?next=")
    response = client.post(
        "/dang-nhap/", {"username": "quan_tri", "password": PASSWORD, "next": "/lich-lam-viec/"}
    )
    body = client.get(response["Location"]).content.decode()
    assert 'value="Ngày Văn hóa Việt Nam"' in body
    assert 'value="24/11/2026"' in body


def test_an_htmx_request_with_an_expired_session_redirects_the_whole_page(client, db):
    response = client.get(
        "/chon/don-vi/?q=so",
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/viec/giao/"},
    )
    assert response.status_code == 204
    assert response["HX-Redirect"] == "/dang-nhap/?next=%2Fviec%2Fgiao%2F"


def test_it_stays_vietnamese_for_an_english_browser_until_switched(client, db):
    body = client.get("/dang-nhap/", headers={"Accept-Language": "en-US,en;q=0.9"}).content.decode()
    assert '<html lang="vi">' in body
