# ruff: noqa: C408 -- dict(e=..., a=...) reads like an event row; literals would not
"""A reorganisation (sắp xếp tổ chức bộ máy) is not buck-passing: a merged unit's open cases
handed to its successor on the effective day count against nobody, whether the log says why
(reason ``reorganization``), the organisation table says so (``valid_to``, ``successor``) or
only the log's shape shows it (the unit leaves the log after moving its open cases together);
and a bad actor cannot hide a buck-pass behind a unit that keeps working."""

from __future__ import annotations

from datetime import date
from typing import Any

import polars as pl

from congvu_analytics.detect import run_all
from congvu_analytics.detect._common import (
    org_reorganizations,
    prepare,
    presumed_reorganizations,
    unit_last_days,
    working_day_ordinal,
)
from congvu_analytics.detect.params import DetectionParams
from congvu_analytics.detect.stalling import late
from congvu_analytics.org import Org
from congvu_analytics.workdays import WorkCalendar
from tests.analytics.helpers import day, division_case, head, log, office_org

# The effective day (calendar day after Monday 3/3/2025): Monday 5 May 2025.
MERGER = 63.0
PEERS = ("B", "C", "D", "S")
PUSHERS = ("m1", "m2")
OPEN_AT_MERGER = 5  # open cases each of M's specialists holds on the effective day


def m_case(cid: str, start: float, member: int, *, moved: str | None, unit_after: str = "S",
           target: str = "S", reason: str | None = None) -> list[dict[str, Any]]:  # fmt: skip
    """A case of division M's specialist ``m<member>``, worked on (accepted, a progress report)
    before the effective day; ``moved``: None for a case finished before it, else the activity
    that moves it on the effective day (a transfer to ``target`` by the specialist, who goes on
    with it in ``unit_after``, with ``reason``)."""
    person = f"m{member}"
    if moved is None:
        return division_case(cid, "M", start, member=member, work=5.0, due=30)
    rows = division_case(cid, "M", start, member=member, work=5.0, due=30)[:5]  # to progress
    rows += [
        dict(e=f"{cid}-mv", c=cid, a=moved, d=MERGER, actor=person, unit="M",
             target_unit=target, target_actor=person, reason_code=reason),
        dict(e=f"{cid}-p2", c=cid, a="progress", d=MERGER + 2, actor=person, unit=unit_after),
        dict(e=f"{cid}-su", c=cid, a="submit", d=MERGER + 5, actor=person, unit=unit_after),
        dict(e=f"{cid}-ap", c=cid, a="approve", d=MERGER + 5.5, actor=head(unit_after),
             unit=unit_after),
        dict(e=f"{cid}-co", c=cid, a="complete", d=MERGER + 5.6, actor=person, unit=unit_after),
    ]  # fmt: skip
    return rows


def province(reason: str | None, *, m_keeps_working: bool = False,
             moved_to: str = "S") -> list[dict[str, Any]]:  # fmt: skip
    """Divisions B, C, D and S work all period (two specialists each, 14 cases apiece, no
    hand-overs). Division M's two specialists each finish 8 cases before the effective day and
    hold ``OPEN_AT_MERGER`` more on it, already worked on, which they transfer to
    ``moved_to`` with ``reason`` and finish there. Unless ``m_keeps_working``, M then leaves
    the log (its people work in S); otherwise M goes on, with new cases after that day."""
    rows: list[dict[str, Any]] = []
    for u in PEERS:
        for member in (1, 2):
            for i in range(14):
                rows += division_case(f"{u}{member}-{i:02d}", u, i * 9.0 + member, member=member)
    after = "M" if m_keeps_working else moved_to
    for member in (1, 2):
        for i in range(8):
            rows += m_case(f"M{member}-{i:02d}", i * 6.0 + member, member, moved=None)
        for i in range(OPEN_AT_MERGER):
            rows += m_case(f"MO{member}-{i}", 45.0 + i * 3 + member, member, moved="transfer",
                           unit_after=after, target=moved_to, reason=reason)  # fmt: skip
        if m_keeps_working:
            for i in range(6):
                rows += division_case(f"MA{member}-{i}", "M", MERGER + 7 + i * 9, member=member)
    return rows


def org(*, valid_to: date | None = None) -> Org:
    units = [*PEERS, "M"]
    people = [(head(u), u, "truong_phong") for u in units]
    people += [(f"{u.lower()}{k}", u, "chuyen_vien") for u in units for k in (1, 2)]
    base = office_org(dict.fromkeys(units, "phong"), people)
    if valid_to is None:
        return base
    ended = pl.col("unit") == "M"
    return Org(
        base.units.with_columns(
            pl.when(ended).then(pl.lit(valid_to)).cast(pl.Date).alias("valid_to"),
            pl.when(ended).then(pl.lit("S")).cast(pl.String).alias("successor"),
        ),
        base.people,
    )


def flagged(findings: pl.DataFrame, behaviours: tuple[str, ...]) -> set[str]:
    return set(findings.filter(pl.col("behaviour").is_in(list(behaviours)))["subject_id"].to_list())


SIDEWAYS = ("buck_passing", "avoidance", "fear_of_responsibility")


def ended(unit: str, successor: str) -> pl.DataFrame:
    """``unit`` ended the day before the merger with ``successor`` taking over, as the log's
    shape shows it (``by_org`` false: the log's own reasons then decide)."""
    units = pl.DataFrame({"unit": [unit], "valid_to": [day(MERGER - 1).date()],
                          "successor": [successor]})  # fmt: skip
    people = pl.DataFrame({"person": []}, schema={"person": pl.String})
    table = org_reorganizations(Org.of(units, people), WorkCalendar())
    return table.with_columns(pl.lit(False).alias("by_org"))


def test_the_merged_units_people_pass_the_bucket_when_the_move_has_an_ordinary_reason() -> None:
    # The same log, with the move called "competence": the engine must see these transfers
    # (otherwise the tests below prove nothing).
    findings = run_all(log(province("competence")), org=org()).findings
    assert set(PUSHERS) <= flagged(findings, ("buck_passing",))


def test_a_unit_merged_into_another_hands_over_its_cases_without_anyone_buck_passing() -> None:
    findings = run_all(log(province("reorganization")), org=org()).findings
    assert not flagged(findings, SIDEWAYS) & {*PUSHERS, "M", "S"}


def test_a_merger_with_no_reason_in_the_log_is_recognised_from_the_unit_leaving_the_log() -> None:
    for reason in (None, "sap_xep_to_chuc"):  # blank, or a source code the mapping left
        findings = run_all(log(province(reason)), org=org()).findings
        assert not flagged(findings, SIDEWAYS) & {*PUSHERS, "M", "S"}, reason


def test_the_organisation_table_says_which_unit_ended_and_who_succeeded_it() -> None:
    # M keeps appearing after the day (so the log alone would not presume a merger), but the
    # table says M ended the day before the move and S succeeded it.
    events = log(province(None, m_keeps_working=True))
    assert set(PUSHERS) <= flagged(run_all(events, org=org()).findings, ("buck_passing",))
    merged = org(valid_to=day(MERGER - 1).date())
    assert not flagged(run_all(events, org=merged).findings, SIDEWAYS) & set(PUSHERS)


def test_a_bad_actor_cannot_hide_a_buck_pass_behind_a_unit_that_keeps_working() -> None:
    # Same mass transfer with no reason, but M goes on working afterwards: no merger.
    findings = run_all(log(province(None, m_keeps_working=True)), org=org()).findings
    assert set(PUSHERS) <= flagged(findings, ("buck_passing",))


def test_calling_a_buck_pass_a_reorganisation_excuses_nothing_while_the_unit_keeps_working() -> (
    None
):
    # Anyone can pick the reason: it counts only where the unit really ended.
    findings = run_all(log(province("reorganization", m_keeps_working=True)), org=org()).findings
    assert set(PUSHERS) <= flagged(findings, ("buck_passing",))


def test_a_unit_that_vanishes_after_scattering_its_cases_is_not_presumed_merged() -> None:
    # M's cases go to B, C and D in turn rather than together to one unit: not a merger.
    rows = []
    targets = ("B", "C", "D")
    for row in province(None):
        scattered = row
        if row["e"].endswith("-mv"):
            k = int(row["c"][-1]) + int(row["c"][2])
            scattered = {**row, "target_unit": targets[k % 3]}
        rows.append(scattered)
    assert presumed_reorganizations(log(rows), WorkCalendar()).is_empty()
    assert presumed_reorganizations(log(province(None)), WorkCalendar())["unit"].to_list() == ["M"]


def _late_cases(rows: list[dict[str, Any]], unit: str, table: pl.DataFrame | None) -> set[str]:
    prepared = prepare(log(rows), WorkCalendar(), reorganized=table)
    obs = late(prepared, DetectionParams(), WorkCalendar()).collect()
    hits = obs.filter(
        (pl.col("subject_type") == "unit")
        & (pl.col("subject_id") == unit)
        & pl.col("evidence_event_ids").is_not_null()
    )
    return set(hits["case_id"].to_list())


def test_a_case_inherited_already_late_is_judged_from_when_it_reached_the_receiver() -> None:
    """M's case, due on day 20, is still open on the merger (day 63) and goes to S's head, who
    finishes it 10 days later: late for M's record, not S's. The same move for an ordinary
    reason leaves S with a late case, as before."""

    def rows(reason: str) -> list[dict[str, Any]]:
        base = division_case("L1", "M", 0.0, member=1, work=5.0, due=20)[:5]
        return [
            *base,
            dict(e="L1-mv", c="L1", a="transfer", d=MERGER, actor="m1", unit="M",
                 target_unit="S", target_actor="hs", reason_code=reason),
            dict(e="L1-co", c="L1", a="complete", d=MERGER + 10, actor="hs", unit="S"),
        ]  # fmt: skip

    m_ended = ended("M", "S")
    assert _late_cases(rows("competence"), "S", m_ended) == {"L1"}
    assert _late_cases(rows("reorganization"), "S", m_ended) == set()
    # The reason alone, for a unit nobody says ended, changes nothing.
    assert _late_cases(rows("reorganization"), "S", None) == {"L1"}


def test_a_district_unit_abolished_into_a_province_department_is_not_pushing_work_up() -> None:
    """The district level was abolished on 1/7/2025: a district office's open cases went up a
    tier, to a province department. With the reason (or the table) that is no push upward; the
    same move for an ordinary reason still is."""
    from congvu_analytics.detect.fear import push_up

    def hits(reason: str, table: pl.DataFrame | None) -> set[str]:
        rows = [
            *division_case("U1", "H", 0.0, member=1, work=5.0, due=30)[:5],
            dict(e="U1-mv", c="U1", a="transfer", d=MERGER, actor="h1", unit="H",
                 target_unit="SO", target_actor="so1", reason_code=reason),
            dict(e="U1-co", c="U1", a="complete", d=MERGER + 5, actor="so1", unit="SO"),
        ]  # fmt: skip
        params = DetectionParams(unit_levels={"UB": 3, "SO": 2, "H": 1})
        obs = push_up(prepare(log(rows), WorkCalendar(), reorganized=table), params).collect()
        return set(obs.filter(pl.col("evidence_event_ids").is_not_null())["subject_id"])

    h_ended = ended("H", "SO")
    assert "h1" in hits("competence", h_ended)
    assert hits("reorganization", h_ended) == set()
    assert "h1" in hits("reorganization", None)


def _inherited_by_the_head(reason: str) -> list[dict[str, Any]]:
    """M's head hands six open cases to S's head ``hs`` on the merger day; ``hs`` has them
    reassigned to S's specialists over the next two weeks, one every two days."""
    rows: list[dict[str, Any]] = []
    for i in range(6):
        cid = f"H{i}"
        rows += division_case(cid, "M", 40.0 + i, member=1, work=5.0, due=40)[:5]
        rows += [
            dict(e=f"{cid}-mv", c=cid, a="transfer", d=MERGER, actor="hm", unit="M",
                 target_unit="S", target_actor="hs", reason_code=reason),
            dict(e=f"{cid}-rs", c=cid, a="reassign", d=MERGER + 2 + 2 * i, actor="hs",
                 unit="S", target_unit="S", target_actor="s1"),
            dict(e=f"{cid}-co", c=cid, a="complete", d=MERGER + 20, actor="s1", unit="S"),
        ]  # fmt: skip
    return rows


def test_a_head_handing_down_inherited_files_is_not_sitting_on_the_cascade() -> None:
    from congvu_analytics.detect.stalling import slow_cascades

    def slow(reason: str, table: pl.DataFrame | None) -> set[str]:
        prepared = prepare(log(_inherited_by_the_head(reason)), WorkCalendar(), reorganized=table)
        obs = slow_cascades(prepared, DetectionParams()).collect()
        return set(obs.filter(pl.col("evidence_event_ids").is_not_null())["case_id"])

    m_ended = ended("M", "S")
    assert len(slow("competence", m_ended)) >= 3
    assert slow("reorganization", m_ended) == set()
    assert len(slow("reorganization", None)) >= 3


def test_files_assigned_anew_by_the_successors_head_are_reorganisation_hand_overs() -> None:
    """The table says M ended; S's head takes M's open files over by assigning them to S's
    specialist (no transfer): receiving them at once is not leaving hand-overs unaccepted."""
    from congvu_analytics.detect._common import REORGANIZED

    rows: list[dict[str, Any]] = []
    for i in range(4):
        cid = f"A{i}"
        rows += division_case(cid, "M", 40.0 + i, member=1, work=5.0, due=40)[:5]
        rows += [
            dict(e=f"{cid}-as2", c=cid, a="assign", d=MERGER, actor="hs", unit="S",
                 target_unit="S", target_actor="s1"),
            dict(e=f"{cid}-co", c=cid, a="complete", d=MERGER + 20, actor="s1", unit="S"),
        ]  # fmt: skip
    table = org_reorganizations(org(valid_to=day(MERGER - 1).date()), WorkCalendar())
    prepared = prepare(log(rows), WorkCalendar(), reorganized=table).collect()
    moved = prepared.filter(pl.col("event_id").str.ends_with("-as2"))
    assert moved[REORGANIZED].all()
    from congvu_analytics.detect.avoidance import unaccepted

    obs = unaccepted(prepared.lazy(), DetectionParams()).collect()
    assert obs.filter(pl.col("evidence_event_ids").is_not_null()).is_empty()


def test_a_units_last_day_is_the_working_day_of_the_last_event_naming_it() -> None:
    # The pre-pass takes each unit's last moment and only then its working day (one ordinal a
    # unit, not one an event): the same day as the latest working day of its events.
    events = log(province(None)).collect()
    calendar = WorkCalendar()
    got = unit_last_days(events.lazy(), calendar)
    wd = working_day_ordinal(pl.col("timestamp"), calendar)
    per_event = pl.concat(
        [
            events.filter(pl.col(c).is_not_null()).select(pl.col(c).alias("unit"), wd.alias("w"))
            for c in ("unit", "target_unit")
        ]
    )
    expected = per_event.group_by("unit").agg(pl.col("w").max()).sort("unit")
    named = got.filter(pl.col("unit").is_not_null()).sort("unit")
    assert named["unit"].to_list() == expected["unit"].to_list()
    assert named["last_wd"].to_list() == expected["w"].to_list()
    log_end = got.filter(pl.col("unit").is_null())["last_wd"].item()
    assert log_end == events.select(wd.max()).item()
