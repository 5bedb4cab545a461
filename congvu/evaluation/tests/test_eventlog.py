from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from congvu.audit import log as audit
from congvu.audit.models import AuditEvent
from congvu.evaluation import actions
from congvu.evaluation.models import Evaluation, InnovationProposal
from congvu.evaluation.tests.helpers import scored_month
from congvu.evaluation.tests.test_innovation import PLAN
from congvu.tasks import actions as task_actions
from congvu.tasks.state import VN_TZ

pytestmark = pytest.mark.django_db


def _task(org):  # type: ignore[no-untyped-def]
    return task_actions.do_assign(
        assigner=org.gd_a,
        title="Lập dự toán ngân sách 2027",
        lead_unit=org.a1,
        lead_person=org.alice,
        deadline=date(2026, 3, 31),
        source_number="12/UBND-TH",
        source_date=date(2026, 2, 20),
        source_issuer="UBND tỉnh",
        at=datetime(2026, 3, 2, 8, 0, tzinfo=VN_TZ),
    )


def test_every_step_is_sealed_in_one_chain_per_evaluation(org) -> None:
    e = scored_month(org.alice, org.tp_a1, 1, quality_failures=1)
    chain = audit.history("evaluation", e.pk)
    assert [ev.seq for ev in chain] == list(range(1, len(chain) + 1))
    assert all(len(ev.seal) == 64 for ev in chain)
    assert audit.verify() == []


def test_a_tampered_event_breaks_its_seal(org) -> None:
    e = scored_month(org.alice, org.tp_a1, 1)
    chain = audit.history("evaluation", e.pk)
    chain[2].payload = {**chain[2].payload, "total": "100"}  # in memory: the table refuses edits
    broken = audit.verify_chain(chain)
    assert [b.seq for b in broken] == [3]


def test_the_database_refuses_to_edit_or_delete_events(org) -> None:
    e = actions.do_open_evaluation(org.alice, Evaluation.Kind.MONTH, 2026, 1)
    ev = AuditEvent.objects.get(evaluation=e)
    with pytest.raises(Exception, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=ev.pk).update(kind="forged")
    with (
        pytest.raises(Exception, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cur,
    ):
        cur.execute("DELETE FROM evaluation_evaluationevent")
    assert AuditEvent.objects.get(pk=ev.pk).kind == "opened"


def test_two_events_cannot_share_a_place_in_a_chain(org) -> None:
    e = actions.do_open_evaluation(org.alice, Evaluation.Kind.MONTH, 2026, 1)
    first = AuditEvent.objects.get(evaluation=e)
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditEvent.objects.create(
            subject="evaluation", subject_id=e.pk, seq=1, kind="forged", seal="0" * 64
        )
    assert audit.history("evaluation", e.pk) == [first]


def test_a_reviewed_legal_obstacle_on_a_task_excuses_linked_product_delays(org) -> None:
    task = _task(org)
    e = actions.do_open_evaluation(org.alice, Evaluation.Kind.MONTH, 2026, 3)
    p = actions.do_add_product(
        e,
        actor=org.alice,
        name="Dự toán",
        coefficient=Decimal(2),
        quantity_assigned=Decimal(1),
        quantity_completed=Decimal(1),
        task=task,
    )
    actions.do_record_product_issue(p, actor=org.tp_a1, kind="delay", occurred_on=date(2026, 3, 31))
    excused = actions.excuse_issues_for_task(
        task, cause="Chờ hướng dẫn của Bộ Tài chính", source=f"legal_obstacle:{task.pk}"
    )
    assert len(excused) == 1 and excused[0].is_excused


def test_tasks_of_an_approved_innovation_are_protected_nd73(org) -> None:
    task = _task(org)
    p = actions.do_register_innovation(proposer=org.tp_a1, received_on=date(2026, 3, 2), **PLAN)
    actions.do_cast_innovation_vote(p, voter=org.gd_a, in_favour=True, on=date(2026, 3, 3))
    actions.do_cast_innovation_vote(p, voter=org.pgd_a, in_favour=True, on=date(2026, 3, 3))
    actions.do_close_innovation_vote(p, actor=org.gd_a, on=date(2026, 3, 3))
    assert actions.protected_task_ids() == set()
    actions.do_link_innovation_tasks(p, actor=org.tp_a1, tasks=[task])
    assert actions.protected_task_ids() == {task.pk}
    # The detection app reads the same set through congvu.evaluation.innovation.
    from congvu.detection.actions import _protected_task_ids

    assert _protected_task_ids() == {task.pk}
    p.refresh_from_db()
    assert p.status == InnovationProposal.Status.APPROVED
    assert list(p.tasks.all()) == [task]


def test_verify_command_reports_an_intact_log(org) -> None:
    from io import StringIO

    from django.core.management import call_command

    scored_month(org.alice, org.tp_a1, 1)
    out = StringIO()
    call_command("verify_evaluation_log", stdout=out)
    assert "nguyên vẹn" in out.getvalue()
