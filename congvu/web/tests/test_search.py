"""Search (congvu.web.search): any word order, accents ignored, ranked, within scope; the same
behaviour on SQLite (FTS5) and PostgreSQL (text search + unaccent + pg_trgm)."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection

from congvu.org import actions as O
from congvu.org.models import Person, Unit
from congvu.tasks.models import Task
from congvu.testing import ORG_START
from congvu.web.search import directives, ranked, terms
from congvu.web.tests.tasks_helpers import assign

BUDGET = "Rà soát dự toán chi thường xuyên năm 2027"


def _titles(client, q: str, kind: str = "task") -> str:
    return client.get("/tim-kiem/", {"q": q, "loai": kind}).content.decode()


def test_words_in_any_order_and_without_accents_find_a_task(signed_in, org):
    assign(org, title=BUDGET)
    client = signed_in("gd_a")
    for q in ("du toan 2027", "2027 dự toán", "DU TOAN nam 2027", "thuong xuyen ra soat"):
        assert BUDGET in _titles(client, q), q
    assert BUDGET not in _titles(client, "du toan 2026")


def test_the_last_word_is_a_prefix_so_search_as_you_type_finds_it(signed_in, org):
    assign(org, title=BUDGET)
    assert BUDGET in _titles(signed_in("gd_a"), "du toa")
    # Only the last word: an earlier word must be whole.
    assert BUDGET not in _titles(signed_in("gd_a"), "du toa 2027")


def test_the_closest_match_comes_first(org):
    loose = assign(
        org,
        title="Báo cáo tình hình thực hiện dự án đầu tư công, kèm theo số liệu toán học năm 2027",
        source="12/BC-STC",
    )
    tight = assign(org, title="Dự toán 2027", source="13/BC-STC")
    found = list(ranked(Task.objects.all(), "du toan 2027"))
    assert [t.pk for t in found] == [tight.pk, loose.pk]
    assert found[0].search_rank > found[1].search_rank


def test_a_unit_is_found_by_the_words_of_its_name(signed_in, org):
    O.create_unit(
        code="SXD-QHKT",
        name="Phòng Quy hoạch - Kiến trúc",
        unit_type=org.types["phong"],
        parent=org.so_b,
        valid_from=ORG_START,
    )
    body = _titles(signed_in("lanh_dao"), "quy hoach kien truc", "unit")
    assert "Phòng Quy hoạch - Kiến trúc" in body
    assert "1 kết quả" in body  # "Phòng Quy hoạch" alone lacks "kiến trúc"


def test_a_renamed_unit_is_found_by_its_new_name_only(org):
    O.rename_unit(org.b1, "Phòng Kiến trúc đô thị", effective=date(2025, 1, 1))
    assert list(ranked(Unit.objects.all(), "kien truc do thi")) == [org.b1]
    assert list(ranked(Unit.objects.all(), "quy hoach")) == []


def test_people_are_found_by_name_with_their_unit_and_only_in_scope(signed_in, org):
    body = _titles(signed_in("gd_a"), "an hoang thi", "person")
    assert "Hoàng Thị An" in body and "Phòng Ngân sách" in body
    assert "Hoàng Thị An" not in _titles(signed_in("charlie"), "hoang thi an", "person")


def test_a_finding_is_found_by_its_subject_and_only_by_those_who_may_see_it(
    signed_in, org, finding
):
    body = _titles(signed_in("gd_b"), "dang quoc bao", "finding")
    assert f"/phat-hien/{finding.pk}/" in body
    assert f"/phat-hien/{finding.pk}/" not in _titles(signed_in("charlie"), "bao", "finding")


def test_a_directive_is_listed_once_with_its_tasks(signed_in, org):
    assign(org, title=BUDGET, source="88/UBND-KT")
    assign(
        org, title="Tổng hợp dự toán 2027 của các xã", source="88/UBND-KT", lead="gd_b", unit="so_b"
    )
    assign(org, title="Việc khác", source="99/UBND-KT")
    found = directives(Task.objects.all(), "du toan 2027")
    assert [(d.number, d.tasks) for d in found] == [("88/UBND-KT", 2)]
    body = _titles(signed_in("lanh_dao"), "du toan 2027", "directive")
    assert "88/UBND-KT" in body and "/viec/?van_ban=88/UBND-KT" in body


def test_everything_at_once_groups_the_results_by_kind(signed_in, org):
    assign(org, title="Kiểm tra công tác tài chính")
    body = _titles(signed_in("gd_a"), "tai chinh", "all")
    assert "Kiểm tra công tác tài chính" in body  # a task
    assert "Sở Tài chính" in body  # a unit


def test_a_query_of_punctuation_only_finds_nothing_and_fails_nothing(signed_in, org):
    assign(org, title=BUDGET)
    assert terms('"*) : - ') == []
    for q in ('"*) AND', "NEAR(", "du:* | toan", "'; drop"):
        response = signed_in("gd_a").get("/tim-kiem/", {"q": q, "loai": "task"})
        assert response.status_code == 200, q


@pytest.mark.postgres
def test_on_postgresql_a_mistyped_name_is_still_found(org):
    if connection.vendor != "postgresql":
        pytest.skip("trigram similarity is PostgreSQL's (pg_trgm)")
    assert org.alice in ranked(Person.objects.all(), "Hoang Thi Anh")
