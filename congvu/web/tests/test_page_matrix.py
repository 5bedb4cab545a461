"""Who reaches the pages added for issue #15 (delegation, organisation administration, the
task sheet): one row per (page, person) and the status the page answers. The access layer
behind it is congvu.org.permissions (its own matrix: congvu/org/tests/test_permissions.py)."""

from __future__ import annotations

import pytest

from congvu.web.tests.tasks_helpers import assign

# page -> {person: status}; GET unless the page key ends with " POST" (posted: POSTED).
MATRIX: dict[str, dict[str, int]] = {
    "/uy-quyen/": {
        "lanh_dao": 200,
        "gd_a": 200,
        "pgd_a": 200,
        "tp_a1": 200,
        "alice": 403,
        "noi_vu": 403,
        "thanh_tra": 403,
        "quan_tri": 403,
    },
    # An incomplete rename: refused as input (400) to whoever may manage the unit, 403 to
    # everyone else, whether or not they see the unit.
    "/to-chuc/don-vi/{a1}/quan-tri/ POST": {
        "quan_tri": 400,
        "noi_vu": 400,
        "lanh_dao": 403,
        "gd_a": 403,
        "tp_a1": 403,
        "alice": 403,
        "thanh_tra": 403,
        "gd_b": 403,
    },
    # The task sheet (a task of Sở Tài chính given by the province): whoever reads the task.
    "/viec/{task}/phieu.pdf": {
        "lanh_dao": 200,
        "gd_a": 200,
        "noi_vu": 200,
        "thanh_tra": 200,
        "alice": 404,
        "charlie": 404,
        "gd_b": 404,
        "quan_tri": 404,
    },
    # Checking a signed PDF (issue #16): anyone signed in.
    "/kiem-tra-chu-ky/": {
        "lanh_dao": 200,
        "gd_a": 200,
        "alice": 200,
        "charlie": 200,
        "noi_vu": 200,
        "thanh_tra": 200,
        "quan_tri": 200,
    },
    # Goals and indicators (issue #16): everyone signed in reads the hierarchy.
    "/chi-tieu/": {
        "lanh_dao": 200,
        "gd_a": 200,
        "alice": 200,
        "charlie": 200,
        "thanh_tra": 200,
        "quan_tri": 200,
    },
}
POSTED = {"form": "rename"}


def _url(page: str, org, task) -> str:  # type: ignore[no-untyped-def]
    return page.format(a1=org.a1.pk, so_b=org.so_b.pk, task=task.pk if task else 0)


@pytest.mark.parametrize(
    ("page", "who", "expected"),
    [(page, who, status) for page, row in MATRIX.items() for who, status in row.items()],
)
def test_each_page_answers_each_role_as_the_access_layer_says(  # type: ignore[no-untyped-def]
    signed_in, org, page, who, expected
):
    task = assign(org, title="Rà soát dự toán") if "{task}" in page else None
    client = signed_in(who)
    if page.endswith(" POST"):
        response = client.post(_url(page[: -len(" POST")], org, task), POSTED)
    else:
        response = client.get(_url(page, org, task))
    assert response.status_code == expected, f"{who} {page}"
