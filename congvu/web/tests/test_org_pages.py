from __future__ import annotations

from datetime import date

import pytest

from congvu.org import actions
from congvu.org.models import Membership


def test_the_tree_shows_a_specialist_their_unit_and_its_parents_as_context(signed_in, org):
    body = signed_in("alice").get("/to-chuc/").content.decode()
    assert f'href="/to-chuc/don-vi/{org.a1.pk}/"' in body
    assert "Sở Tài chính" in body  # an ancestor, shown for orientation
    assert f'href="/to-chuc/don-vi/{org.so_a.pk}/"' not in body
    assert "Sở Xây dựng" not in body


def test_the_tree_shows_a_leader_every_unit(signed_in, org):
    body = signed_in("lanh_dao").get("/to-chuc/").content.decode()
    for key in ("root", "so_a", "a1", "a2", "so_b", "b1", "xa"):
        assert f'href="/to-chuc/don-vi/{org.units[key].pk}/"' in body, key


def test_the_tree_reads_the_organisation_as_of_a_date(signed_in, org):
    actions.rename_unit(org.a2, "Phòng Đầu tư công", date(2025, 7, 1))
    client = signed_in("lanh_dao")
    assert "Phòng Đầu tư công" in client.get("/to-chuc/").content.decode()
    before = client.get("/to-chuc/?ngay=30/06/2025").content.decode()
    assert "Phòng Đầu tư công" not in before and "Phòng Đầu tư" in before


def test_the_tree_costs_a_fixed_number_of_queries(signed_in, org, django_assert_max_num_queries):
    client = signed_in("lanh_dao")
    with django_assert_max_num_queries(16):
        assert client.get("/to-chuc/").status_code == 200


def test_a_unit_page_lists_head_members_history(signed_in, org):
    actions.rename_unit(
        org.a1, "Phòng Quản lý ngân sách", date(2025, 7, 1), decision_ref="12/QĐ-STC"
    )
    body = signed_in("gd_a").get(f"/to-chuc/don-vi/{org.a1.pk}/").content.decode()
    assert "Phạm Minh Tâm" in body and "Trưởng phòng" in body
    assert "Hoàng Thị An" in body
    assert "Phòng Ngân sách" in body and "12/QĐ-STC" in body
    assert "01/07/2025" in body


def test_a_unit_page_refuses_people_outside_its_scope(signed_in, org):
    assert signed_in("alice").get(f"/to-chuc/don-vi/{org.b1.pk}/").status_code == 403
    assert signed_in("charlie").get(f"/to-chuc/don-vi/{org.a1.pk}/").status_code == 403
    assert signed_in("alice").get("/to-chuc/don-vi/999999/").status_code == 404


def test_an_administrator_may_open_unit_pages_of_their_scope(signed_in, org):
    assert signed_in("quan_tri").get(f"/to-chuc/don-vi/{org.b1.pk}/").status_code == 200


@pytest.mark.parametrize("extra", [0, 40])
def test_a_unit_page_costs_the_same_queries_with_many_members(
    signed_in, org, extra, django_assert_max_num_queries
):
    from congvu.testing import make_person

    for i in range(extra):
        make_person(org, f"cv{i}", f"Chuyên viên {i}", org.a1)
    client = signed_in("gd_a")
    with django_assert_max_num_queries(22):
        response = client.get(f"/to-chuc/don-vi/{org.a1.pk}/")
    assert response.status_code == 200
    if extra:
        assert "Trang 1 / 2" in response.content.decode()


def test_a_person_page_shows_their_work_history(signed_in, org):
    body = signed_in("gd_a").get(f"/to-chuc/can-bo/{org.alice.pk}/").content.decode()
    assert "Hoàng Thị An" in body and "Phòng Ngân sách" in body and "01/01/2024" in body


def test_a_person_page_is_visible_to_themselves_but_not_to_strangers(signed_in, org):
    assert signed_in("charlie").get(f"/to-chuc/can-bo/{org.charlie.pk}/").status_code == 200
    assert signed_in("charlie").get(f"/to-chuc/can-bo/{org.alice.pk}/").status_code == 403


def test_the_unit_picker_finds_units_without_diacritics(signed_in, org):
    body = (
        signed_in("lanh_dao")
        .get("/chon/don-vi/?q=so tai chinh", headers={"HX-Request": "true"})
        .content.decode()
    )
    assert "Sở Tài chính" in body and "Sở Xây dựng" not in body


def test_the_person_picker_lists_a_units_people(signed_in, org):
    body = signed_in("gd_a").get(f"/chon/can-bo/?unit={org.a1.pk}").content.decode()
    assert "Hoàng Thị An" in body and "Phạm Minh Tâm" in body
    body = signed_in("gd_a").get("/chon/can-bo/?q=chi").content.decode()
    assert "Bùi Thị Chi" not in body  # a name search stays within one's scope


def test_search_finds_people_accent_insensitively_within_scope(signed_in, org):
    body = signed_in("gd_a").get("/tim-kiem/?q=hoang thi an&loai=person").content.decode()
    assert "Hoàng Thị An" in body
    body = signed_in("charlie").get("/tim-kiem/?q=hoang thi an&loai=person").content.decode()
    assert "Hoàng Thị An" not in body


def test_memberships_keep_history_after_a_transfer(signed_in, org):
    actions.transfer_person(org.bob, org.a1, date(2025, 3, 1), role=Membership.Role.MEMBER)
    body = signed_in("gd_a").get(f"/to-chuc/can-bo/{org.bob.pk}/").content.decode()
    assert "Phòng Đầu tư" in body


def test_a_person_page_lists_the_open_tasks_they_lead_within_scope(signed_in, org):
    from congvu.web.tests.tasks_helpers import assign

    assign(org, unit="a1", lead="alice", title="Lập dự toán ngân sách")
    assert (
        "Lập dự toán ngân sách"
        in signed_in("gd_a").get(f"/to-chuc/can-bo/{org.alice.pk}/").content.decode()
    )


def test_the_unit_picker_browses_the_tree_level_by_level(signed_in, org):
    client = signed_in("gd_b")
    roots = client.get("/chon/cay/", headers={"HX-Request": "true"}).content.decode()
    assert "Ủy ban nhân dân tỉnh Bình Minh" in roots and f"?cha={org.root.pk}" in roots
    level = client.get(f"/chon/cay/?cha={org.root.pk}&pham_vi=act").content.decode()
    assert f'data-pick="{org.so_b.pk}"' in level  # a unit gd_b directs
    assert (
        f'data-pick="{org.so_a.pk}"' not in level and "Sở Tài chính" in level
    )  # shown, not choosable
