"""A whole (small) province evaluated for a year through the real flow: every công chức's months
under ND 335/2025 (from 1/1/2026), scored from the task log plus routine catalogue work, the
year as the average of the months (Art. 21), the HTXS quota checked per unit (Art. 20.5) with
the over-quota units left for the competent level, and 2025 classified under ND 90/48."""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_DOWN

import pytest
from django.core.management import call_command

from congvu.audit.log import verify
from congvu.evaluation import actions, province
from congvu.evaluation.models import Evaluation, Level, ProductRecord
from congvu.org.models import Person
from congvu.testing import make_person

TODAY = date(2026, 11, 26)


def _late_task_with_legal_obstacle(org):  # type: ignore[no-untyped-def]
    """Alice's task due 16/3/2026, paused for a legal obstacle the head acknowledged, finished
    late: the delay is excused by the reviewed obstacle."""
    from congvu.tasks import actions as T
    from congvu.tasks.state import VN_TZ

    def at(month: int, day: int, hour: int = 9) -> datetime:
        return datetime(2026, month, day, hour, tzinfo=VN_TZ)

    task = T.do_assign(
        assigner=org.tp_a1,
        title="Hướng dẫn lập dự toán 2027",
        lead_unit=org.a1,
        lead_person=org.alice,
        deadline=date(2026, 3, 16),
        ad_hoc=True,
        at=at(3, 2),
    )
    T.do_accept(task, org.alice, at=at(3, 2, 10))
    T.do_pause(
        task,
        org.alice,
        reason_code="legal_obstacle",
        reason="Thông tư mới chưa hướng dẫn mẫu biểu",
        regulation="Thông tư 56/2025/TT-BTC Điều 4",
        at=at(3, 5),
    )
    T.do_review_pause(task, org.tp_a1, comment="Đúng, chờ hướng dẫn", at=at(3, 5, 15))
    T.do_resume(task, org.alice, text="Đã có hướng dẫn", at=at(3, 20))
    T.do_submit(task, org.alice, result="Văn bản hướng dẫn", at=at(3, 23))
    T.do_approve(task, org.tp_a1, at=at(3, 24))
    return task


def _chairman(org):  # type: ignore[no-untyped-def]
    """The Sở directors are classified by the provincial chairman (authority.py); the test
    organisation has only a vice-chairman."""
    return make_person(org, "chu_tich", "Phan Văn Chủ", org.root, role="head", category="can_bo")


def test_a_small_province_is_evaluated_for_a_year_under_nd335_with_the_quota_check(org) -> None:  # type: ignore[no-untyped-def]
    task = _late_task_with_legal_obstacle(org)
    _chairman(org)
    result = province.run_year(2026, today=TODAY, seed=11)

    civil_servants = Person.objects.filter(
        category=Person.Category.CONG_CHUC, memberships__isnull=False
    ).distinct()
    n = civil_servants.count()
    assert n == 7
    assert (result.months, result.periods) == (11, 11 * n)
    months = Evaluation.objects.filter(kind="month", year=2026)
    assert months.count() == 11 * n
    assert not months.exclude(status=Evaluation.Status.FINALISED).exists()
    assert {e.rule_set.code for e in months.select_related("rule_set")} == {"ND335_2025"}

    # The task log became a product: late, but the acknowledged legal obstacle excuses it.
    product = ProductRecord.objects.get(task=task)
    assert product.evaluation.number == 3 and product.evaluation.person == org.alice
    (delay,) = product.issues.all()
    assert delay.kind == "delay" and delay.objective_cause_source == f"legal_obstacle:{task.pk}"

    # Year = average of the months (ND 335 Art. 21), one per civil servant.
    years = {e.person_id: e for e in Evaluation.objects.filter(kind="year", year=2026)}
    assert result.years == len(years) == n
    alice = years[org.alice.pk]
    totals = [e.total_score for e in months.filter(person=org.alice)]
    # Shown truncated to 2 decimals (the level is read from the exact average).
    assert alice.total_score == (sum(totals) / len(totals)).quantize(  # type: ignore[arg-type, operator]
        alice.total_score, rounding=ROUND_DOWN
    )

    # The quota: every unit over it is left decided, with its warning; the others are final.
    assert result.over_quota_units, "the seed is chosen so that a unit exceeds the HTXS quota"
    for warnings in result.over_quota_units.values():
        assert any("Hoàn thành xuất sắc" in w for w in warnings)
    # Counted per agency (Sở Tài chính with its divisions): the agency's code is reported.
    from congvu.evaluation import authority
    from congvu.org.models import Unit

    decided = [e for e in years.values() if e.status == Evaluation.Status.DECIDED]
    agencies = {authority.classifying_unit(e.unit_id) for e in decided}
    codes = set(Unit.objects.filter(pk__in=agencies).values_list("code", flat=True))
    assert decided and codes == set(result.over_quota_units)
    assert any(e.decided_level == Level.HTXS for e in decided)
    assert result.finalised_years == n - len(decided)

    # 2025 under ND 90/2020 + 48/2023, for cán bộ as well as công chức.
    previous = Evaluation.objects.filter(kind="year", year=2025).select_related("rule_set")
    assert result.previous_year == previous.count() >= n
    assert {e.rule_set.code for e in previous} == {"ND90_2020_ND48_2023"}

    assert verify() == []
    again = province.run_year(2026, today=TODAY, seed=11)  # idempotent
    assert (again.periods, again.years, again.previous_year) == (0, 0, 0)


def test_the_command_reports_the_quota_warnings(org, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    _chairman(org)
    call_command("evaluation_province", "2026", "--today", "2026-02-20", "--seed", "11")
    out = capsys.readouterr().out
    assert "Năm 2026: 14 kỳ tháng (2 tháng" in out
    assert "năm 2025:" in out


def test_an_agency_is_finalised_staff_first_so_the_quota_counts_them(org) -> None:  # type: ignore[no-untyped-def]
    """Regression (the demo run stopped on quota_exceeded): the Sở director (HTXS, classified
    by the chairman) and five HTT staff (classified by the director) are within the quota as
    one agency (5 HTT allow 1 HTXS); finalising the director's batch first saw 1 HTXS and no
    HTT. The province run finalises the staff first."""
    from congvu.evaluation.tests.helpers import decided_year_2025, nd90_sheet
    from congvu.testing import make_person as mp

    chairman = _chairman(org)
    head = actions.do_open_evaluation(org.gd_a, Evaluation.Kind.YEAR, 2025)
    actions.do_self_assess(head, actor=org.gd_a, sheet=nd90_sheet(tasks_exceeded=6))
    actions.do_record_collective_comments(head, actor=org.pgd_a, comments="Nhất trí.")
    actions.do_propose(head, actor=chairman, sheet=nd90_sheet(tasks_exceeded=6))
    head = actions.do_decide(head, actor=chairman)
    staff = [
        decided_year_2025(mp(org, f"s{i}", f"Chuyên viên {i}", org.a2), org.gd_a) for i in range(5)
    ]
    rows = [head, *staff]
    assert actions.quota_warnings(rows) == []
    assert province._finalise_unit(province._Org(TODAY), rows) == 6
    assert not Evaluation.objects.filter(pk__in=[e.pk for e in rows]).exclude(
        status=Evaluation.Status.FINALISED
    )
