"""Closing a tracking period (ND 335/2025 Art. 14: task results tracked monthly): the job opens
the month that ended for every công chức and records the tasks due in it as products."""

from __future__ import annotations

from datetime import date

from congvu.evaluation.models import Evaluation, ProductRecord
from congvu.evaluation.periods import close_ended_periods, last_ended
from congvu.evaluation.tests.test_province_year import _late_task_with_legal_obstacle
from congvu.jobs.registry import REGISTRY
from congvu.org.models import Membership, Person


def test_the_last_ended_month_and_quarter_are_found_across_a_new_year():
    assert last_ended("month", date(2026, 4, 1)) == (2026, 3)
    assert last_ended("month", date(2026, 1, 10)) == (2025, 12)
    assert last_ended("quarter", date(2026, 4, 1)) == (2026, 1)
    assert last_ended("quarter", date(2026, 2, 15)) == (2025, 4)


def test_closing_march_2026_opens_the_month_and_records_tasks_with_their_excused_delay(org):
    task = _late_task_with_legal_obstacle(org)  # Alice's, due 16/3/2026, finished late
    result = close_ended_periods(date(2026, 4, 1))

    tracked = Person.objects.filter(
        category=Person.Category.CONG_CHUC,
        pk__in=Membership.objects.active_on(date(2026, 3, 31))
        .filter(is_primary=True)
        .values("person_id"),
    )
    march = Evaluation.objects.filter(kind="month", year=2026, number=3)
    assert result["opened"] == tracked.count() == march.count() > 0
    assert result["errors"] == 0
    assert "3/2026" in str(result["period"])
    alice = march.get(person=org.alice)
    assert alice.rule_set.code.startswith("ND335") and alice.status == Evaluation.Status.DRAFT
    record = ProductRecord.objects.get(evaluation=alice, task=task)
    issues = list(record.issues.all())
    # The delay is there, excused by the legal obstacle the head acknowledged on the task.
    assert [i.kind for i in issues] == ["delay"] and issues[0].is_excused


def test_closing_again_changes_nothing(org):
    _late_task_with_legal_obstacle(org)
    close_ended_periods(date(2026, 4, 1))
    before = (Evaluation.objects.count(), ProductRecord.objects.count())
    again = close_ended_periods(date(2026, 4, 2))
    assert (again["opened"], again["products"]) == (0, 0)
    assert (Evaluation.objects.count(), ProductRecord.objects.count()) == before


def test_months_under_the_older_criteria_rules_are_not_tracked(org):
    # December 2025 is classified under ND 90/2020 + 48/2023 by year only: nothing to open.
    result = close_ended_periods(date(2026, 1, 5))
    assert result["opened"] == 0 and result["period"] == ""
    assert not Evaluation.objects.exists()


def test_the_job_runs_daily():
    assert REGISTRY["evaluation_periods"].every.total_seconds() == 86400
