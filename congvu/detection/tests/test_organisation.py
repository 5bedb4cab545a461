"""The organisation tables the app's detection run passes to the engine (issue #11: peers by
position and unit type), as the org models stood on the run's day."""

from __future__ import annotations

from datetime import date

from congvu.detection.actions import _params_hash, default_params, organisation, run_detection
from congvu.detection.models import DetectionRun
from congvu.org import actions
from congvu.org.models import Membership, UnitType


def test_it_gives_units_with_type_parent_tier_and_head(org):
    units = {r["unit"]: r for r in organisation(date(2025, 8, 1)).units.to_dicts()}
    assert units["STC-NS"]["type"] == "phong" and units["STC-NS"]["parent"] == "STC"
    assert units["STC"]["head"] == "GD_A" and units["STC-DT"]["head"] is None
    # The engine's tiers grow upward.
    assert units["UBND"]["level"] == UnitType.TIER_TOP - 1 > units["STC-NS"]["level"]


def test_it_gives_people_their_unit_and_position(org):
    people = {r["person"]: r for r in organisation(date(2025, 8, 1)).people.to_dicts()}
    assert people["TP_A1"]["position"] == "nguoi_dung_dau"
    assert people["PGD_A"]["position"] == "cap_pho"
    assert people["ALICE"]["position"] == "chuyen_vien" and people["ALICE"]["unit"] == "STC-NS"
    assert people["ALICE"]["start_date"] == date(2024, 1, 1)
    assert "NOI_VU" not in people  # no post: the engine reads their role from the log


def test_it_reads_the_organisation_as_it_stood_on_the_day(org):
    # Alice is promoted to head of Phòng Đầu tư on 1/9/2025: new to that position then.
    actions.transfer_person(org.alice, org.units["a2"], date(2025, 9, 1), role=Membership.Role.HEAD)
    before = {r["person"]: r for r in organisation(date(2025, 8, 31)).people.to_dicts()}
    after = {r["person"]: r for r in organisation(date(2025, 9, 1)).people.to_dicts()}
    assert before["ALICE"]["unit"] == "STC-NS" and before["ALICE"]["position"] == "chuyen_vien"
    assert after["ALICE"]["unit"] == "STC-DT" and after["ALICE"]["position"] == "nguoi_dung_dau"
    assert after["ALICE"]["start_date"] == date(2025, 9, 1)
    heads = dict(organisation(date(2025, 9, 1)).units.select("unit", "head").iter_rows())
    assert heads["STC-DT"] == "ALICE"


def test_the_run_is_computed_with_the_organisation_and_its_hash_says_so(history):
    run = run_detection(date(2025, 8, 1))
    assert run.state == DetectionRun.State.DONE
    # The stored hash covers the organisation: a change of post makes the quarter recompute.
    assert run.params_hash == _params_hash(default_params(), organisation(date(2025, 9, 30)))
    assert run.params_hash != _params_hash(default_params())
    actions.transfer_person(history.bob, history.a1, date(2025, 9, 15))
    again = run_detection(date(2025, 8, 1))
    assert again.pk != run.pk and again.params_hash != run.params_hash


def test_a_unit_merged_in_the_quarter_is_given_with_its_last_day_and_successor(org):
    # Phòng Ngân sách merged into Phòng Đầu tư from 1/8/2025: the engine is told, so the
    # hand-overs of its open tasks to Phòng Đầu tư count against nobody.
    actions.merge_units([org.units["a1"]], org.units["a2"], date(2025, 8, 1))
    units = {r["unit"]: r for r in organisation(date(2025, 9, 30), since=date(2025, 7, 1))
             .units.to_dicts()}  # fmt: skip
    assert units["STC-NS"]["valid_to"] == date(2025, 7, 31)
    assert units["STC-NS"]["successor"] == "STC-DT"
    assert units["STC-DT"]["valid_to"] is None
    # Merged before the quarter: not this quarter's hand-overs.
    later = organisation(date(2025, 12, 31), since=date(2025, 10, 1)).units["unit"].to_list()
    assert "STC-NS" not in later
