"""Tài khoản người dùng in a real browser: the administrator finds a new official from the
menu, creates her account with an initial password and grants her a role; she signs in."""

from __future__ import annotations

import pytest

from congvu.audit.models import AuditEvent
from congvu.org import actions as org_actions
from congvu.org.models import RoleGrant

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("flushable_log"),
]

GOOD = "Ngan-sach-2026!"


def test_the_administrator_creates_an_account_and_grants_a_role(org, browser_as, page):
    person = org_actions.create_person(
        code="CB-0999", full_name="Lý Thị Mai", category="cong_chuc", unit=org.a1
    )
    admin = browser_as("quan_tri")
    admin.get_by_role("navigation", name="Điều hướng chính").get_by_role(
        "link", name="Tài khoản", exact=True
    ).click()
    admin.wait_for_url("**/tai-khoan/")
    admin.get_by_label("Họ tên, tên đăng nhập hoặc đơn vị").fill("ly thi mai")
    admin.get_by_role("button", name="Lọc").click()
    admin.get_by_role("link", name="Tài khoản, phân quyền — Lý Thị Mai").click()
    admin.wait_for_url(f"**/tai-khoan/can-bo/{person.pk}/")

    admin.get_by_label("Tên đăng nhập").fill("ltmai")
    admin.get_by_label("Đặt mật khẩu ban đầu").check()
    admin.get_by_label("Mật khẩu mới").fill(GOOD)
    admin.get_by_label("Nhập lại mật khẩu").fill(GOOD)
    admin.get_by_role("button", name="Tạo tài khoản").click()
    admin.get_by_text("Đã tạo tài khoản ltmai cho Lý Thị Mai.").wait_for()

    admin.locator("#role-grant summary").click()
    admin.get_by_label("Vai trò").select_option(label="Thanh tra")
    admin.get_by_label("Phạm vi (đơn vị và các đơn vị trực thuộc)").select_option(
        label="Sở Tài chính"
    )
    admin.locator("#role-grant").get_by_role("button", name="Cấp quyền").click()
    admin.get_by_text("Đã cấp quyền Thanh tra (Sở Tài chính) cho Lý Thị Mai.").wait_for()
    assert admin.get_by_role("button", name="Thu hồi quyền Thanh tra (Sở Tài chính)").is_visible()

    assert RoleGrant.objects.get(person=person).scope == org.so_a
    kinds = AuditEvent.objects.filter(subject="access", subject_id=person.pk, actor=org.quan_tri)
    assert sorted(kinds.values_list("kind", flat=True)) == ["account_created", "role_granted"]

    page.goto("/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill("ltmai")
    page.get_by_label("Mật khẩu").fill(GOOD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(lambda url: "/dang-nhap/" not in url)
    assert page.get_by_text("Lý Thị Mai").first.is_visible()
