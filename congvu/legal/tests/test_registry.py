from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from congvu.audit.log import history, verify
from congvu.legal import actions as L
from congvu.legal.citations import parse
from congvu.legal.models import LegalObstacle
from congvu.legal.report import ranking, ranking_xlsx
from congvu.legal.tests.helpers import paused_task
from congvu.lib.errors import ActionError, ActionPermissionError
from congvu.tasks import actions as A
from congvu.tasks.state import VN_TZ

S = LegalObstacle.Status


def test_it_reads_numbers_and_articles_of_several_citations() -> None:
    cited = parse("Nghị định 15/2021/NĐ-CP, Điều 12 khoản 3; Luật Đất đai 2024 Điều 45\n")
    assert [(c.number, c.article) for c in cited] == [
        ("15/2021/NĐ-CP", "Điều 12 khoản 3"),
        ("Luật Đất đai 2024", "Điều 45"),
    ]
    assert cited[0].key == "15/2021/NĐ-CP"


def test_an_acknowledged_legal_pause_enters_the_registry_with_a_sealed_event(org) -> None:
    task = paused_task(org)
    A.do_review_pause(task, org.gd_a, comment="Đúng là vướng mắc")
    obstacle = LegalObstacle.objects.get()
    assert (obstacle.task_id, obstacle.status) == (task.pk, S.RECEIVED)
    assert obstacle.acknowledged_by == org.gd_a and obstacle.reported_by == org.alice
    assert [(c.number, c.article) for c in obstacle.citations.all()] == [
        ("15/2021/NĐ-CP", "Điều 12")
    ]
    assert [e.kind for e in history("legal", obstacle.pk)] == ["received"]
    assert verify() == []


def test_a_rejected_pause_reason_does_not_enter_the_registry(org) -> None:
    task = paused_task(org)
    with pytest.raises(ActionError):
        A.do_review_pause(task, org.gd_a, acknowledged=False)  # a rejection needs a reason
    ev = A.do_review_pause(task, org.gd_a, acknowledged=False, comment="Không có mâu thuẫn")
    assert ev.payload == {"pause_seq": 3, "acknowledged": False}
    assert not LegalObstacle.objects.exists()


def test_other_pauses_do_not_enter_the_registry(org) -> None:
    task = A.do_assign(
        assigner=org.gd_a,
        title="Báo cáo",
        lead_unit=org.a1,
        lead_person=org.alice,
        working_days=10,
        source_number="1/UBND",
    )
    A.do_accept(task, org.alice)
    A.do_pause(task, org.alice, reason_code="other", reason="Chờ họp")
    A.do_review_pause(task, org.gd_a)
    assert not LegalObstacle.objects.exists()


def test_the_legal_department_moves_an_obstacle_to_a_conclusion(org, legal_dept) -> None:
    task = paused_task(org)
    A.do_review_pause(task, org.gd_a)
    obstacle = LegalObstacle.objects.get()
    with pytest.raises(ActionPermissionError):
        L.do_set_status(obstacle, org.alice, status=S.UNDER_REVIEW)
    L.do_set_status(obstacle, org.charlie, status=S.UNDER_REVIEW)
    with pytest.raises(ActionError, match="ý kiến"):
        L.do_set_status(obstacle, org.charlie, status=S.GUIDANCE_ISSUED)
    L.do_set_status(obstacle, org.charlie, status=S.GUIDANCE_ISSUED, note="Công văn 12/STP")
    obstacle.refresh_from_db()
    assert (obstacle.status, obstacle.legal_note) == (S.GUIDANCE_ISSUED, "Công văn 12/STP")
    with pytest.raises(ActionError):
        L.do_set_status(obstacle, org.charlie, status=S.UNDER_REVIEW)
    kinds = [e.kind for e in history("legal", obstacle.pk)]
    assert kinds == ["received", "under_review", "guidance_issued"]


def test_sync_adds_missing_obstacles_once(org) -> None:
    task = paused_task(org)
    A.do_review_pause(task, org.gd_a)
    LegalObstacle.objects.all().delete()
    assert L.sync_from_log() == 1
    assert L.sync_from_log() == 0


def test_the_report_ranks_regulations_by_tasks_blocked_then_days_lost(org) -> None:
    # Monday 2 March 2026 09:00, Vietnam time.
    monday = datetime(2026, 3, 2, 9, tzinfo=VN_TZ)
    for i in range(2):
        t = paused_task(org, "Nghị định 15/2021/NĐ-CP, Điều 12", title=f"Việc {i}", at=monday)
        A.do_review_pause(t, org.gd_a, at=monday + timedelta(hours=1))
    # One task resumed after a week: 5 working days; the other still paused.
    A.do_resume(t, org.alice, at=monday + timedelta(days=7))
    other = paused_task(org, "Luật Đất đai 2024, Điều 45", title="Việc khác", at=monday)
    A.do_review_pause(other, org.gd_a, at=monday + timedelta(hours=1))
    day = monday.date() + timedelta(days=14)  # Monday 16 March: 10 working days later
    rows = ranking(day=day)
    assert [(r.number, r.tasks_blocked, r.days_lost) for r in rows] == [
        ("15/2021/NĐ-CP", 2, 10 + 5),
        ("Luật Đất đai 2024", 1, 10),
    ]
    assert ranking_xlsx(rows, day)[:2] == b"PK"


def test_an_obstacle_concluded_as_not_an_obstacle_leaves_the_ranking(org, legal_dept) -> None:
    task = paused_task(org)
    A.do_review_pause(task, org.gd_a)
    L.do_set_status(
        LegalObstacle.objects.get(), org.gd_b, status=S.NOT_AN_OBSTACLE, note="Quy định rõ"
    )
    assert ranking() == []
