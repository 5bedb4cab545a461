"""An English reader sees no Vietnamese status, event or waiting-state name on the pages of a
busy day, finding reviews included (issue #15: "English leaves statuses, event names … in
Vietnamese")."""

from __future__ import annotations

import re

from congvu.detection.models import FindingReview
from congvu.tasks import actions as A
from congvu.tasks.events import LABELS
from congvu.tasks.models import Status
from congvu.web.tests.tasks_helpers import assign
from congvu.web.tests.test_raw_codes import _visible


def _vietnamese_names() -> set[str]:
    return (
        {str(label) for _code, label in Status.choices}
        | {str(v) for v in LABELS.values()}
        | {str(label) for _code, label in FindingReview.Status.choices}
    )


def test_english_pages_of_a_busy_day_show_no_vietnamese_status_or_event_name(
    signed_in, org, finding
):
    task = assign(org, title="Budget review 2027", coordinators=("so_b",))
    A.do_accept(task, org.gd_a)
    A.do_report_progress(task, org.gd_a, percent=40, text="Half way")
    waiting = assign(org, title="Second task")
    names = _vietnamese_names()
    pattern = re.compile("|".join(sorted(map(re.escape, names), key=len, reverse=True)))
    pages = {
        "gd_a": ["/", "/viec/", f"/viec/{task.pk}/", f"/viec/{waiting.pk}/", "/thong-bao/"],
        "lanh_dao": ["/", f"/viec/{task.pk}/", "/toan-tinh/"],
        "gd_b": ["/", "/phat-hien/", f"/phat-hien/{finding.pk}/"],
    }
    found = {}
    for who, urls in pages.items():
        client = signed_in(who)
        client.cookies["django_language"] = "en"
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            text = _visible(response.content.decode())
            assert "Timeline" in text or url != f"/viec/{task.pk}/", url
            hits = set(pattern.findall(text))
            if hits:
                found[f"{who} {url}"] = sorted(hits)
    assert found == {}, found


def test_english_evaluation_pages_show_the_period_state_in_english(signed_in, org):
    from congvu.evaluation import actions as EA
    from congvu.evaluation.models import Evaluation
    from congvu.evaluation.tests.helpers import sheet

    month = EA.do_open_evaluation(org.alice, Evaluation.Kind.MONTH, 2026, 3)
    EA.do_self_assess(month, actor=org.alice, sheet=sheet())
    names = {str(label) for _code, label in Evaluation.Status.choices}
    pattern = re.compile("|".join(sorted(map(re.escape, names), key=len, reverse=True)))
    client = signed_in("alice")
    client.cookies["django_language"] = "en"
    found = {}
    for url in ("/danh-gia/", f"/danh-gia/can-bo/{org.alice.pk}/"):
        response = client.get(url)
        assert response.status_code == 200, url
        hits = set(pattern.findall(_visible(response.content.decode())))
        if hits:
            found[url] = sorted(hits)
    assert found == {}, found
