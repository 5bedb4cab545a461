"""Facts recovered from a foreign log's later events: acknowledgements and coordination pairs."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import polars as pl
import pytest

from congvu_analytics import schema as s
from congvu_analytics.enrich import AckRule, acknowledge, match_coordination

T0 = datetime(2025, 3, 3, 8, tzinfo=UTC)


def log(*rows: dict[str, object]) -> pl.DataFrame:
    """A canonical log from rows with ``day`` (offset from T0) instead of a timestamp."""
    out = []
    for n, given in enumerate(rows, start=1):
        row = dict(given)
        row.setdefault(s.EVENT_ID, f"e{n}")
        row.setdefault(s.CASE_ID, "C1")
        row[s.TIMESTAMP] = T0 + timedelta(days=float(str(row.pop("day"))))
        out.append(row)
    return s.conform(pl.DataFrame(out).lazy()).collect().sort(s.CASE_ID, maintain_order=True)


def column(frame: pl.DataFrame, name: str) -> list[object]:
    return frame.get_column(name).to_list()


CONFIRMS = AckRule(
    mark=("pause",),
    flag=s.REVIEWED,
    by_activity=("opinion_given",),
    by_reason=("xac_nhan_vuong_mac",),
    within_days=10,
)


def test_a_pause_confirmed_by_the_superiors_later_answer_is_reviewed():
    events = log(
        {"activity": "pause", "reason_code": "legal_obstacle", "day": 0},
        {"activity": "opinion_given", "reason_code": "xac_nhan_vuong_mac", "day": 2},
        {"activity": "resume", "day": 20},
    )
    assert column(acknowledge(events, [CONFIRMS]), s.REVIEWED) == [True, None, None]


def test_an_answer_outside_the_window_or_with_another_code_does_not_acknowledge():
    late = log(
        {"activity": "pause", "day": 0},
        {"activity": "opinion_given", "reason_code": "xac_nhan_vuong_mac", "day": 11},
    )
    other = log(
        {"activity": "pause", "day": 0},
        {"activity": "opinion_given", "reason_code": "khong_dong_y", "day": 1},
    )
    other_case = log(
        {"activity": "pause", "day": 0},
        {
            "activity": "opinion_given",
            "reason_code": "xac_nhan_vuong_mac",
            "day": 1,
            "case_id": "C2",
        },
    )
    for events in (late, other, other_case):
        assert column(acknowledge(events, [CONFIRMS]), s.REVIEWED)[0] is None


def test_each_pause_takes_the_first_verdict_after_it_and_other_answers_are_ignored():
    refused = AckRule(
        mark=("pause",),
        flag=s.REVIEWED,
        value=False,
        by_activity=("opinion_given",),
        by_reason=("khong_xac_nhan",),
    )
    events = log(
        {"activity": "pause", "day": 0},
        {"activity": "opinion_given", "reason_code": "thuoc_tham_quyen", "day": 1},
        {"activity": "opinion_given", "reason_code": "khong_xac_nhan", "day": 2},
        {"activity": "pause", "day": 3},
        {"activity": "opinion_given", "reason_code": "xac_nhan_vuong_mac", "day": 4},
    )
    assert column(acknowledge(events, [CONFIRMS, refused]), s.REVIEWED) == [
        False,
        None,
        None,
        True,
        None,
    ]


def test_the_earliest_answer_decides_between_rules_and_explicit_values_are_kept():
    within = AckRule(
        mark=("opinion_request",),
        flag=s.SUBJECT_AUTHORITY,
        value=True,
        by_label=("Cho ý kiến",),
        by_reason=("trong_tham_quyen",),
    )
    outside = AckRule(
        mark=("opinion_request",),
        flag=s.SUBJECT_AUTHORITY,
        value=False,
        by_label=("Cho ý kiến",),
        by_reason=("ngoai_tham_quyen",),
    )
    events = log(
        {"activity": "opinion_request", "day": 0},
        {
            "activity": "opinion_given",
            "activity_label": "Cho ý kiến | Lãnh đạo",
            "reason_code": "ngoai_tham_quyen",
            "day": 1,
        },
        {"activity": "opinion_request", "day": 2},
        {
            "activity": "opinion_given",
            "activity_label": "Cho ý kiến",
            "reason_code": "trong_tham_quyen",
            "day": 3,
        },
        {"activity": "opinion_request", "within_authority": False, "day": 4},
        {
            "activity": "opinion_given",
            "activity_label": "Cho ý kiến",
            "reason_code": "trong_tham_quyen",
            "day": 5,
        },
    )
    got = column(acknowledge(events, [within, outside]), s.SUBJECT_AUTHORITY)
    assert got == [False, None, True, None, False, None]


def test_answers_without_reference_pair_with_the_earliest_open_request_of_their_unit():
    events = log(
        {"activity": "coord_request", "unit": "A", "target_unit": "U1", "day": 0},
        {"activity": "coord_request", "unit": "A", "target_unit": "U1", "day": 1},
        {"activity": "coord_request", "unit": "A", "target_unit": "U2", "day": 1},
        {"activity": "coord_answer", "unit": "U1", "day": 2},
        {"activity": "coord_answer", "unit": "U2", "day": 3},
        {"activity": "coord_answer", "unit": "U1", "day": 4},
        {"activity": "coord_answer", "unit": "U1", "day": 5},
    )
    assert column(match_coordination(events), s.REF_EVENT_ID) == [
        None,
        None,
        None,
        "e1",
        "e3",
        "e2",
        None,
    ]


def test_a_request_never_answered_stays_unanswered_and_an_early_answer_stays_unpaired():
    events = log(
        {"activity": "coord_answer", "unit": "U1", "day": 0},
        {"activity": "coord_request", "unit": "A", "target_unit": "U1", "day": 1},
        {"activity": "coord_request", "unit": "A", "target_unit": "U9", "day": 1},
        {"activity": "coord_answer", "unit": "U1", "day": 2},
        {"activity": "coord_answer", "unit": "U1", "day": 3, "case_id": "C2"},
    )
    assert column(match_coordination(events), s.REF_EVENT_ID) == [None, None, None, "e2", None]


def test_explicit_references_are_kept_and_their_requests_are_not_open():
    events = log(
        {"activity": "coord_request", "unit": "A", "target_unit": "U1", "day": 0},
        {"activity": "coord_request", "unit": "A", "target_unit": "U1", "day": 1},
        {"activity": "coord_answer", "unit": "U1", "ref_event_id": "e1", "day": 2},
        {"activity": "coord_answer", "unit": "U1", "day": 3},
        {"activity": "deemed_agree", "target_unit": "U1", "day": 9},
    )
    assert column(match_coordination(events), s.REF_EVENT_ID) == [None, None, "e1", "e2", None]


def test_a_deemed_agreement_pairs_with_the_request_to_its_target_unit():
    events = log(
        {"activity": "coord_request", "unit": "A", "target_unit": "U1", "day": 0},
        {"activity": "deemed_agree", "target_unit": "U1", "day": 9},
    )
    assert column(match_coordination(events), s.REF_EVENT_ID) == [None, "e1"]


def _fifo_pairing(events: pl.DataFrame) -> list[object]:
    """The pairing rule said plainly: per case and unit, each answer without a reference
    takes the earliest request still open (referenced by no answer) made before it."""
    answers = pl.col(s.ACTIVITY).is_in(["coord_answer", "deemed_agree"])
    taken = set(events.filter(answers & pl.col(s.REF_EVENT_ID).is_not_null())[s.REF_EVENT_ID])
    open_requests: dict[tuple[object, object], list[object]] = {}
    out = []
    for row in events.iter_rows(named=True):
        kind, ref = row[s.ACTIVITY], row[s.REF_EVENT_ID]
        if kind == "coord_request" and row[s.TARGET_UNIT] is not None:
            if row[s.EVENT_ID] not in taken:
                open_requests.setdefault((row[s.CASE_ID], row[s.TARGET_UNIT]), []).append(
                    row[s.EVENT_ID]
                )
        elif kind in ("coord_answer", "deemed_agree") and ref is None:
            unit = row[s.TARGET_UNIT] if kind == "deemed_agree" else row[s.UNIT]
            queue = open_requests.get((row[s.CASE_ID], unit), [])
            ref = queue.pop(0) if queue else None
        out.append(ref)
    return out


def test_the_pairing_agrees_with_the_plain_rule_on_many_interleavings():
    # The pairing runs as column operations (running sums set back at each case and unit);
    # a group with many requests and few answers, explicit references and deemed agreements
    # must pair as the rule says, answer by answer.
    rng = random.Random(11)
    kinds = ["coord_request"] * 3 + ["coord_answer", "deemed_agree", "progress"]
    for _ in range(300):
        rows: list[dict[str, object]] = []
        for case in range(rng.randint(1, 4)):
            for day in range(rng.randint(1, 14)):
                kind, unit = rng.choice(kinds), rng.choice(["U1", "U2", None])
                row: dict[str, object] = {"activity": kind, "case_id": f"C{case}", "day": day}
                if kind == "coord_answer":
                    row["unit"] = unit
                else:
                    row.update(unit="A", target_unit=unit)
                if kind != "coord_request" and rows and rng.random() < 0.1:
                    row["ref_event_id"] = f"e{rng.randint(1, len(rows))}"
                rows.append(row)
        events = log(*rows)
        assert column(match_coordination(events), s.REF_EVENT_ID) == _fifo_pairing(events)


def test_a_verdict_given_after_the_next_pause_belongs_to_that_pause():
    events = log(
        {"activity": "pause", "day": 0},
        {"activity": "resume", "day": 1},
        {"activity": "pause", "day": 2},
        {"activity": "opinion_given", "reason_code": "xac_nhan_vuong_mac", "day": 3},
    )
    assert column(acknowledge(events, [CONFIRMS]), s.REVIEWED) == [None, None, True, None]


def test_a_log_whose_cases_are_interleaved_is_refused_rather_than_misread():
    events = s.conform(
        pl.DataFrame(
            {
                "event_id": ["1", "2", "3"],
                "case_id": ["C1", "C2", "C1"],
                "activity": ["pause", "pause", "opinion_given"],
                "timestamp": [T0, T0, T0],
            }
        ).lazy()
    ).collect()
    with pytest.raises(ValueError, match="sắp theo hồ sơ"):
        acknowledge(events, [CONFIRMS])
