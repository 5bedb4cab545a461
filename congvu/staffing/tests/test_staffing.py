"""Streamlining lists (ND 154/2025), weak-unit signals (KL 210) and on-demand snapshots."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from django.test import Client
from django.utils import timezone

from congvu.evaluation.models import Evaluation, Proposal
from congvu.evaluation.rules import rule_set_for
from congvu.org.models import Membership, Person, Unit
from congvu.privacy.models import AccessEntry
from congvu.staffing import services
from congvu.staffing.models import Circumstance
from congvu.tasks import actions as A
from congvu.testing import PASSWORD, make_person

pytestmark = pytest.mark.django_db
ON = date(2026, 2, 2)


def _year_result(
    person: Person, unit: Unit, level: str, year: int = 2025, role: str = "member"
) -> Evaluation:
    """A finalised year result (the evaluation workflow itself is tested in congvu.evaluation)."""
    return Evaluation.objects.create(
        person=person,
        unit=unit,
        role_in_unit=role,
        category=person.category,
        rule_set=rule_set_for(person.category, date(year, 1, 1)),
        kind=Evaluation.Kind.YEAR,
        year=year,
        start=date(year, 1, 1),
        end=date(year, 12, 31),
        status=Evaluation.Status.FINALISED,
        final_level=level,
        finalised_at=timezone.make_aware(datetime(year, 12, 12, 9)),
    )


def _circumstance(org, person: Person, kind: str, ref: str) -> None:  # type: ignore[no-untyped-def]
    Circumstance.objects.create(
        person=person, kind=kind, start=date(2025, 6, 1), evidence_ref=ref, recorded_by=org.noi_vu
    )


def test_the_streamlining_list_shows_each_exclusion_with_its_evidence(org) -> None:
    people = {}
    for i, kind in enumerate(
        [
            "pregnancy",
            "maternity_leave",
            "child_under_36m",
            "criminal_proceedings",
            "inspection",
            "pending_discipline",
            "none",
            "voluntary",
        ]
    ):
        p = make_person(org, f"p{i}", f"Người {kind}", org.a2)
        people[kind] = p
        _year_result(p, org.a2, "KHT")
        if kind in (
            "pregnancy",
            "maternity_leave",
            "child_under_36m",
            "criminal_proceedings",
            "inspection",
        ):
            _circumstance(org, p, kind, f"Giấy tờ {kind}")
    # Pending discipline is read from an open discipline proposal, not typed again.
    Proposal.objects.create(
        person=people["pending_discipline"],
        kind=Proposal.Kind.DISCIPLINE,
        year=2025,
        source_key="t",
        legal_ground="NĐ 172/2025",
        summary="Xem xét kỷ luật",
        opened_on=date(2026, 1, 5),
    )
    # The voluntary applicant has a young child but applied in writing: not excluded.
    _circumstance(org, people["voluntary"], "child_under_36m", "Giấy khai sinh")
    _circumstance(org, people["voluntary"], "voluntary", "Đơn ngày 10/01/2026")
    _year_result(org.bob, org.a2, "HT")  # not in scope

    policy, entries = services.streamlining_list(2025, ON, None)

    assert policy.code == "streamlining_nd154_2025"
    by_person = {e.person.pk: e for e in entries}
    assert org.bob.pk not in by_person
    for kind in (
        "pregnancy",
        "maternity_leave",
        "child_under_36m",
        "criminal_proceedings",
        "inspection",
    ):
        entry = by_person[people[kind].pk]
        assert [(x.kind, x.evidence) for x in entry.exclusions] == [(kind, f"Giấy tờ {kind}")]
        assert not entry.included
    pending = by_person[people["pending_discipline"].pk]
    assert [x.kind for x in pending.exclusions] == ["pending_discipline"]
    assert "Đề xuất xem xét kỷ luật" in pending.exclusions[0].evidence
    assert by_person[people["none"].pk].included
    assert (
        by_person[people["voluntary"].pk].included and by_person[people["voluntary"].pk].voluntary
    )
    assert by_person[people["none"].pk].evidence[0] == "Kết quả năm 2025: Không hoàn thành nhiệm vụ"


def test_an_ended_circumstance_no_longer_excludes(org) -> None:
    _year_result(org.bob, org.a2, "KHT")
    Circumstance.objects.create(
        person=org.bob,
        kind="maternity_leave",
        start=date(2025, 1, 1),
        end=date(2025, 6, 30),
        evidence_ref="QĐ nghỉ thai sản",
        recorded_by=org.noi_vu,
    )
    _, entries = services.streamlining_list(2025, ON, None)
    assert entries[0].included


def test_an_old_year_keeps_the_old_decree(org) -> None:
    _year_result(org.bob, org.a2, "KHT", year=2024)
    policy, entries = services.streamlining_list(2024, ON, None)
    assert policy.code == "streamlining_nd29_2023"
    assert [e.person for e in entries] == [org.bob]


def test_a_unit_whose_head_is_rated_kht_is_signalled_to_the_level_above(org) -> None:
    _year_result(org.tp_a1, org.a1, "KHT", role=Membership.Role.HEAD)
    _year_result(org.alice, org.a1, "HT")
    _year_result(org.gd_b, org.so_b, "HTT", role=Membership.Role.HEAD)
    _, signals = services.weak_units(2025, None)
    assert [(s.unit, s.head_kht, s.competent) for s in signals] == [(org.a1, True, org.so_a)]


def test_a_unit_with_a_high_share_of_kht_is_signalled(org) -> None:
    for i, level in enumerate(["KHT", "HT", "HT", "HT"]):
        _year_result(make_person(org, f"q{i}", f"Q{i}", org.b1), org.b1, level)
    _, signals = services.weak_units(2025, None)
    assert [(s.unit, s.rated, s.kht) for s in signals] == [(org.b1, 4, 1)]


def test_the_snapshot_is_computed_from_the_task_log_for_any_range(org) -> None:
    t1 = A.do_assign(
        assigner=org.gd_a,
        title="Báo cáo 1",
        lead_unit=org.a1,
        lead_person=org.alice,
        working_days=5,
        source_number="1/UBND",
    )
    A.do_accept(t1, org.alice)
    A.do_assign(
        assigner=org.gd_a,
        title="Báo cáo 2",
        lead_unit=org.a1,
        lead_person=org.alice,
        working_days=5,
        source_number="2/UBND",
    )
    t1.refresh_from_db()
    rows, _ = services.snapshot([org.alice], t1.deadline, t1.deadline, t1.deadline)
    assert (rows[0].tasks, rows[0].completed) == (2, 0)
    assert rows[0].result is not None and rows[0].result.score == 0
    later = services.snapshot([org.alice], date(2020, 1, 1), date(2020, 12, 31), t1.deadline)[0]
    assert later[0].tasks == 0


def test_pages_reach_the_right_roles_and_the_snapshot_view_is_logged(org) -> None:
    _year_result(org.alice, org.a1, "KHT")
    c = Client()
    assert c.login(username="noi_vu", password=PASSWORD)
    page = c.get("/tinh-gian/?nam=2025")
    assert page.status_code == 200 and org.alice.full_name in page.content.decode()
    assert any(item.key == "staffing" for item in page.context["nav"])
    assert (
        c.get(f"/danh-gia-dot-xuat/can-bo/{org.alice.pk}/?tu=2026-01-01&den=2026-03-31").status_code
        == 200
    )
    assert AccessEntry.objects.get().subject == org.alice
    assert (
        c.get(f"/danh-gia-dot-xuat/can-bo/{org.alice.pk}/?tu=2026-03-31&den=2026-01-01").status_code
        == 400
    )
    assert c.get(f"/danh-gia-dot-xuat/don-vi/{org.a1.pk}/").status_code == 200
    c.logout()
    assert c.login(username="bob", password=PASSWORD)
    assert c.get("/tinh-gian/").status_code == 403
    assert c.get(f"/danh-gia-dot-xuat/can-bo/{org.alice.pk}/").status_code == 404
