"""The mappings of public logs of other kinds, on small logs written in each source's shape
(the real files are not on this machine; their column descriptions are public): the road
traffic fines of an Italian police force (2000-2013, dates only, statutory waits), BPIC 2012
loan applications (clerks working in turn) and BPIC 2013 open problems (every case open)."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import polars as pl

from congvu_analytics import cli
from congvu_analytics import schema as s
from congvu_analytics.detect._common import prepare
from congvu_analytics.detect.handover import handover_network
from congvu_analytics.io.loader import load_log
from congvu_analytics.io.mapping import load_mapping
from congvu_analytics.workdays import make_calendar

from .xes_helpers import document, event, trace, write

MAPPINGS = Path(__file__).resolve().parents[2] / "mappings"


def analyze(log, mapping, out):
    rc = cli.main(
        ["analyze", str(log), "--mapping", str(MAPPINGS / mapping), "--out", str(out),
         "--quiet", "--format", "json"]
    )  # fmt: skip
    assert rc == 0
    report = json.loads((out / "load_report.json").read_text(encoding="utf-8"))
    findings = json.loads((out / "findings.json").read_text(encoding="utf-8"))
    return report, findings


# --- road traffic fines ---------------------------------------------------------------------


def fine_day(d: str) -> str:
    """A date of the fines log: local midnight with the Italian offset of that day."""
    midnight = datetime.fromisoformat(d).replace(tzinfo=ZoneInfo("Europe/Rome"))
    return midnight.isoformat(timespec="milliseconds")


def fine(case: str, *steps: tuple[str, str], resource: str = "561") -> str:
    events = []
    for name, d in steps:
        extra = {"org__resource": resource, "amount": "35.0"} if name == "Create Fine" else {}
        events.append(event(name, fine_day(d), lifecycle__transition="complete", **extra))
    return trace(case, *events)


def fines_log(tmp_path):
    return write(
        tmp_path / "fines.xes.gz",
        document(
            fine(
                "A1",
                ("Create Fine", "2006-07-24"),
                ("Send Fine", "2006-12-05"),
                ("Insert Fine Notification", "2006-12-20"),
                ("Add penalty", "2007-02-18"),
                ("Send for Credit Collection", "2009-03-30"),
            ),
            # Paid on the day the fine was written; listed before it in the file.
            fine("A2", ("Payment", "2007-03-09"), ("Create Fine", "2007-03-09")),
            # Appealed to the Prefecture: a statutory wait of months, then paid.
            fine(
                "A3",
                ("Create Fine", "2001-03-01"),
                ("Send Fine", "2001-03-20"),
                ("Insert Fine Notification", "2001-04-02"),
                ("Insert Date Appeal to Prefecture", "2001-04-20"),
                ("Send Appeal to Prefecture", "2001-05-10"),
                ("Receive Result Appeal from Prefecture", "2001-09-03"),
                ("Notify Result Appeal to Offender", "2001-09-10"),
                ("Payment", "2001-09-28"),
            ),
            fine(
                "A4",
                ("Create Fine", "2000-01-05"),
                ("Send Fine", "2000-04-10"),
                ("Insert Fine Notification", "2000-04-28"),
                ("Payment", "2000-06-01"),
            ),
            # Written just before the log ends: still open.
            fine("A5", ("Create Fine", "2013-05-20"), ("Send Fine", "2013-06-10")),
        ),
    )


def test_the_fines_log_is_read_with_italian_working_days_from_2000_on(tmp_path):
    report, findings = analyze(fines_log(tmp_path), "road_traffic_fines.toml", tmp_path / "out")
    calendar = report["calendar"]
    assert (calendar["country"], calendar["timezone"]) == ("IT", "Europe/Rome")
    assert calendar["years"] == [2000, 2014]  # no clamping to 2010-2035
    assert report["custody"] == "collaborative"
    # Dates only: ties within a day are put in the process's order and reported.
    assert report["ties"] == {"events": 1, "cases": 1, "order": "activities", "date_only": True}
    # Payment periods and the appeal are the law's waits, each ended by a named event: three
    # payments, the collection, the appeal (it ends A3's payment period) and its answer.
    assert report["legitimate_waits"] == 4
    assert report["wait_end_events"] == 6
    # A1 went to collection (the police's part ended); a paid fine has no closing event in
    # this log (payments may come in instalments), so it stays open, with no deadline to miss.
    assert report["open_cases"] == {
        "open": 4, "open_past_deadline": 0, "open_within_deadline": 0, "open_without_deadline": 4,
    }  # fmt: skip
    assert [f for f in findings if f["behaviour"] == "stalling"] == []


def test_the_fines_mapping_keeps_the_appeal_wait_open_until_the_prefectures_answer(tmp_path):
    loaded = load_log(fines_log(tmp_path), load_mapping(MAPPINGS / "road_traffic_fines.toml"))
    a2 = loaded.events.filter(pl.col(s.CASE_ID) == "A2").get_column(s.ACTIVITY_LABEL)
    assert a2.to_list() == ["Create Fine", "Payment"]
    cal = make_calendar("IT", years=(2000, 2014), timezone="Europe/Rome")
    frame = prepare(loaded.events.lazy(), cal).collect()
    a3 = frame.filter(pl.col(s.CASE_ID) == "A3").join(
        loaded.events.select(s.EVENT_ID, s.ACTIVITY_LABEL), on=s.EVENT_ID
    )
    excused = a3.filter(pl.col("_reviewed_pause")).get_column(s.ACTIVITY_LABEL).to_list()
    assert excused == [
        "Insert Fine Notification",
        "Insert Date Appeal to Prefecture",
        "Send Appeal to Prefecture",
    ]
    # Working days of 2001 in Italy: 25 April and 1 May are holidays.
    assert cal.working_days_between(date(2001, 4, 20), date(2001, 5, 10)) == 12


# --- BPIC 2012 loan applications -------------------------------------------------------------


def loan_event(name: str, lifecycle: str, ts: str, resource: str) -> str:
    return event(name, ts, lifecycle__transition=lifecycle, org__resource=resource)


def loans_log(tmp_path):
    t = "2011-10-{}T{}:00.000+02:00".format
    steps = [
        ("A_SUBMITTED", "COMPLETE", t("03", "09:00"), "112"),
        ("A_PARTLYSUBMITTED", "COMPLETE", t("03", "09:01"), "112"),
        ("A_PREACCEPTED", "COMPLETE", t("03", "09:02"), "112"),
        ("W_Completeren aanvraag", "SCHEDULE", t("03", "09:03"), "112"),
        ("W_Completeren aanvraag", "START", t("04", "10:00"), "10862"),
        ("A_ACCEPTED", "COMPLETE", t("04", "10:20"), "10862"),
        ("O_SELECTED", "COMPLETE", t("04", "10:25"), "10862"),
        ("O_CREATED", "COMPLETE", t("04", "10:26"), "10862"),
        ("O_SENT", "COMPLETE", t("04", "10:27"), "10862"),
        ("W_Completeren aanvraag", "COMPLETE", t("04", "10:30"), "10862"),
        ("W_Nabellen offertes", "SCHEDULE", t("04", "10:31"), "112"),
        ("W_Nabellen offertes", "START", t("11", "14:00"), "11049"),
        ("W_Nabellen offertes", "COMPLETE", t("11", "14:05"), "11049"),
        ("W_Nabellen offertes", "START", t("18", "15:00"), "10629"),
        ("W_Nabellen offertes", "COMPLETE", t("18", "15:05"), "10629"),
        ("O_SENT_BACK", "COMPLETE", t("20", "11:00"), "10629"),
        ("W_Valideren aanvraag", "START", t("21", "09:00"), "10862"),
        ("A_APPROVED", "COMPLETE", t("21", "09:30"), "10862"),
        ("A_ACTIVATED", "COMPLETE", t("21", "09:31"), "10862"),
    ]
    return write(
        tmp_path / "loans.xes",
        document(trace("173688", *[loan_event(*step) for step in steps], AMOUNT_REQ="20000")),
    )


def test_clerks_working_on_a_loan_in_turn_are_not_handing_it_over(tmp_path):
    loaded = load_log(loans_log(tmp_path), load_mapping(MAPPINGS / "bpic2012_loans.toml"))
    holders = loaded.events.get_column(s.HOLDER_ACTOR).drop_nulls().unique().to_list()
    assert holders == ["10862"]  # the first clerk to start a work item; "112" is the system
    cal = make_calendar("NL", years=(2011, 2012), timezone="Europe/Amsterdam")
    frame = prepare(loaded.events.lazy(), cal).collect()
    network = handover_network(frame.lazy()).collect()
    assert network.filter(pl.col("level") == "person").height == 0
    # The offer waits for the customer through the clerks' follow-up calls.
    waiting = frame.filter(pl.col("_reviewed_pause")).join(
        loaded.events.select(s.EVENT_ID, s.ACTIVITY_LABEL), on=s.EVENT_ID
    )
    assert waiting.get_column(s.ACTIVITY_LABEL).to_list() == [
        "O_SENT | COMPLETE",
        "W_Completeren aanvraag | COMPLETE",
        "W_Nabellen offertes | SCHEDULE",
        "W_Nabellen offertes | START",
        "W_Nabellen offertes | COMPLETE",
        "W_Nabellen offertes | START",
        "W_Nabellen offertes | COMPLETE",
    ]


def test_the_loans_log_is_analysed_in_dutch_working_days(tmp_path):
    report, findings = analyze(loans_log(tmp_path), "bpic2012_loans.toml", tmp_path / "out")
    assert (report["calendar"]["country"], report["calendar"]["timezone"]) == (
        "NL",
        "Europe/Amsterdam",
    )
    assert report["unknown_labels"] == {}
    assert report["legitimate_waits"] == 1
    assert findings == []
    # One application: the clerk is observed, but nobody has the workload to be judged, and
    # the report says that this, not good conduct, is why there is no finding.
    assert report["assessed"]["idle_custody"]["person"] == {
        "observed": 1, "judged": 0, "hits": 0,
    }  # fmt: skip
    assert any("không có phát hiện nào vì thiếu dữ liệu" in w for w in report["warnings"])


# --- BPIC 2013 open problems -----------------------------------------------------------------


def problem(case: str, *steps: tuple[str, str, str, str]) -> str:
    events = [
        event(status, ts, lifecycle__transition=sub, org__resource=who,
              **{"organization involved": team, "org__group": "Org line A2"})
        for status, sub, ts, who, team in [(a, b, c, d, e) for a, b, c, d, e in steps]
    ]  # fmt: skip
    return trace(case, *events)


def test_open_problems_are_still_open_not_late(tmp_path):
    log = write(
        tmp_path / "open.xes",
        document(
            problem(
                "1-1",
                ("Queued", "Awaiting Assignment", "2012-01-02T09:00:00+01:00", "Anne", "G97"),
                ("Accepted", "In Progress", "2012-01-03T09:00:00+01:00", "Bert", "G97 2nd"),
                ("Accepted", "Wait", "2012-02-03T09:00:00+01:00", "Bert", "G97 2nd"),
            ),
            problem(
                "1-2",
                ("Queued", "Awaiting Assignment", "2012-03-02T09:00:00+01:00", "Cor", "V5"),
                ("Accepted", "In Progress", "2012-04-03T09:00:00+02:00", "Cor", "V5"),
            ),
        ),
    )
    report, _ = analyze(log, "bpic2013_open_problems.toml", tmp_path / "out")
    assert report["open_cases"] == {
        "open": 2, "open_past_deadline": 0, "open_within_deadline": 0, "open_without_deadline": 2,
    }  # fmt: skip
    assert report["unknown_labels"] == {}
