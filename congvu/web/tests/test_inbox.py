"""'Chờ tôi xử lý / Chờ tôi quyết định' is complete: every waiting state, from real actions."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from congvu.org.permissions import access_for
from congvu.tasks import actions as A
from congvu.tasks import steps
from congvu.tasks.events import TaskEventType as E
from congvu.tasks.models import Coordination, Task, TaskEvent
from congvu.web.inbox import ANYTIME, WAITS, Wait, build_inbox
from congvu.web.tests.tasks_helpers import assign


def _accepted(org):  # type: ignore[no-untyped-def]
    t = assign(org, title="Nhiệm vụ đang chờ")
    A.do_accept(t, org.gd_a)
    return t


def _opinion(org):  # type: ignore[no-untyped-def]
    t = _accepted(org)
    A.do_request_opinion(t, org.gd_a, superior=org.lanh_dao, question="Chọn phương án nào?")
    return TaskEvent.objects.get(task=t, type=E.OPINION_REQUESTED), "lanh_dao"


def _submitted(org):  # type: ignore[no-untyped-def]
    t = _accepted(org)
    A.do_submit(t, org.gd_a, result="Báo cáo kết quả")
    return t


def _extension(org):  # type: ignore[no-untyped-def]
    t = _accepted(org)
    later = Task.objects.get(pk=t.pk).deadline + timedelta(days=7)
    A.do_request_extension(t, org.gd_a, new_deadline=later, reason="Chờ số liệu của Bộ")
    return t, "lanh_dao"


def _paused(org):  # type: ignore[no-untyped-def]
    t = _accepted(org)
    A.do_pause(t, org.gd_a, reason_code="external", reason="Chờ văn bản hướng dẫn")
    return t, "lanh_dao"


def _declined(org):  # type: ignore[no-untyped-def]
    t = assign(org, by="gd_a", unit="a1", lead="alice", title="Nhiệm vụ bị từ chối", days=3)
    A.do_decline(t, org.alice, reason="Không thuộc chức năng", proposed_unit=org.a2)
    return t, "gd_a"


def _approved(org):  # type: ignore[no-untyped-def]
    t = _submitted(org)
    A.do_approve(t, org.lanh_dao)
    return t, "lanh_dao"


def _explained(org, finding):  # type: ignore[no-untyped-def]
    from congvu.detection import review as R

    R.do_explain(finding.review, org.gd_b, text="Văn bản giao ghi rõ Sở Tài chính chủ trì.")
    return finding.review, "lanh_dao"


def _appealed(org, finding):  # type: ignore[no-untyped-def]
    from congvu.detection import review as R

    _explained(org, finding)
    R.do_decide(finding.review, org.lanh_dao, confirm=True, reason="Bằng chứng rõ, đủ căn cứ.")
    R.do_appeal(finding.review, org.gd_b, text="Tôi không đồng ý với kết luận này.")
    return finding.review, "noi_vu"


# Wait key → (org, finding) → (the item that waits, who must act). A wait without a builder
# fails the test below: each state is tried.
BUILD: dict[str, Callable[..., tuple[Any, str]]] = {
    "to_accept": lambda org, f: (assign(org, title="Nhiệm vụ mới"), "gd_a"),
    "in_progress": lambda org, f: (_accepted(org), "gd_a"),
    "coordination": lambda org, f: (
        Coordination.objects.get(task=assign(org, coordinators=("so_b",))),
        "gd_b",
    ),
    "to_explain": lambda org, f: (f.review, "gd_b"),
    "opinions": lambda org, f: _opinion(org),
    "submitted": lambda org, f: (_submitted(org), "lanh_dao"),
    "extensions": lambda org, f: _extension(org),
    "pauses": lambda org, f: _paused(org),
    "sent_back": lambda org, f: _declined(org),
    "approved": lambda org, f: _approved(org),
    "to_review": _explained,
    "appeals": _appealed,
}


def test_every_step_ends_some_waiting_state_or_may_be_taken_any_time():
    ended = {key for w in WAITS for key in w.steps} | ANYTIME
    assert ended == set(steps.BY_KEY), set(steps.BY_KEY) ^ ended


@pytest.mark.parametrize("wait", WAITS, ids=lambda w: w.key)
def test_whoever_a_task_waits_for_finds_it_and_may_end_the_wait(org, finding, wait: Wait):
    assert wait.key in BUILD, f"no scenario puts a task in the waiting state {wait.key}"
    item, key = BUILD[wait.key](org, finding)
    person = org.people[key]
    box = build_inbox(person, access_for(person))
    assert item.pk in [i.pk for i in box.section(wait.key).items]
    assert box.counts[wait.key] >= 1
    # Someone with no part in it does not find it.
    outsider = org.people["charlie"]
    others = build_inbox(outsider, access_for(outsider)).counts.get(wait.key, 0)
    assert others == 0
    if wait.row in ("task", "opinion", "coordination"):
        task = Task.objects.get(pk=item.task_id if wait.row != "task" else item.pk)
        ctx = A.Ctx(task, A.task_state(task), person, timezone.now(), access_for(person))
        offered = {s.key for s in steps.offered(ctx)}
        assert offered & set(wait.steps), (wait.key, offered)


def test_the_page_groups_what_waits_to_be_done_and_to_be_decided(signed_in, org):
    _extension(org)
    body = signed_in("lanh_dao").get("/").content.decode()
    assert "Chờ tôi quyết định" in body and "Đề nghị gia hạn chờ quyết định" in body
    assert "Nhiệm vụ đang chờ" in body
