"""Vietnamese pages never show a stored code ("opened", "self_assessed", "in_progress"...):
the visible text of the pages of a busy day is scanned for every code the models store."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from django.apps import apps

from congvu.audit.models import EVENT_KIND_LABELS
from congvu.evaluation import actions as E
from congvu.evaluation.models import Evaluation
from congvu.evaluation.tests.helpers import sheet
from congvu.org import actions as org_actions
from congvu.tasks import actions as A
from congvu.web.tests.tasks_helpers import assign


class _Text(HTMLParser):
    """The text a reader sees: no tags, attributes, scripts or styles."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: object) -> None:
        if tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def _visible(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(parser.parts)


def _stored_codes() -> set[str]:
    """Every choice value of the project's models that is a word (not a number), and every
    event kind of the sealed evaluation log."""
    codes = set(EVENT_KIND_LABELS)
    for model in apps.get_models():
        if not model.__module__.startswith("congvu."):
            continue
        for field in model._meta.get_fields():
            for value, _label in getattr(field, "choices", None) or []:
                if isinstance(value, str) and re.fullmatch(r"[a-z]+(_[a-z]+)*", value):
                    codes.add(value)
    # Words that are also ordinary in an English-free page's data are not codes here.
    return codes - {"manual", "none"}


def test_pages_of_a_busy_day_show_no_stored_code(signed_in, org, finding):
    task = assign(org, title="Rà soát dự toán năm 2027", coordinators=("so_b",))
    A.do_accept(task, org.gd_a)
    month = E.do_open_evaluation(org.alice, Evaluation.Kind.MONTH, 2026, 3)
    E.do_self_assess(month, actor=org.alice, sheet=sheet())
    grant = org_actions.grant_role(org.alice, "inspector", org.so_a, actor=org.quan_tri)
    org_actions.revoke_role(grant, actor=org.quan_tri)
    codes = _stored_codes()
    assert {"in_progress", "self_assessed", "opened", "buck_passing"} <= codes
    pattern = re.compile(r"\b(" + "|".join(sorted(map(re.escape, codes))) + r")\b")
    pages = {
        "gd_a": ["/", "/viec/", f"/viec/{task.pk}/", f"/don-vi/{org.so_a.pk}/", "/thong-bao/"],
        "gd_b": ["/phat-hien/", f"/phat-hien/{finding.pk}/", "/tim-kiem/?q=bao&loai=all"],
        "alice": [f"/danh-gia/can-bo/{org.alice.pk}/", "/danh-gia/"],
        "thanh_tra": ["/thanh-tra/"],
        "lanh_dao": ["/toan-tinh/"],
        "quan_tri": ["/tai-khoan/", f"/tai-khoan/can-bo/{org.alice.pk}/"],
    }
    found = {}
    for who, urls in pages.items():
        client = signed_in(who)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            hits = set(pattern.findall(_visible(response.content.decode())))
            if hits:
                found[url] = sorted(hits)
    assert found == {}
