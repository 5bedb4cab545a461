"""What a mapping says about time and custody: legitimate (statutory) waits, waits that end at
a named event, collaborative custody, pauses charged to whoever opened them, the order of
events that share a timestamp, open cases at the log's end and the zone of working days."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import polars as pl
import pytest

from congvu_analytics import cli
from congvu_analytics import schema as s
from congvu_analytics.custody import sort_events
from congvu_analytics.detect import DetectionParams
from congvu_analytics.detect._common import prepare, working_day_ordinal
from congvu_analytics.detect.buck_passing import ping_pong
from congvu_analytics.detect.handover import handover_network
from congvu_analytics.detect.stalling import hidden_wait, late
from congvu_analytics.io.errors import MappingError
from congvu_analytics.io.loader import load_log
from congvu_analytics.io.mapping import load_mapping, mapping_from_dict
from congvu_analytics.workdays import make_calendar

HEADER = "ma_hs,buoc,ngay,nguoi,phong,nguoi_nhan,han\n"

BASE = """
[columns]
case = "ma_hs"
activity = "buoc"
timestamp = "ngay"
actor = "nguoi"
unit = "phong"
target_actor = "nguoi_nhan"
due = { column = "han", case_attribute = true }

[timestamps]
format = "%Y-%m-%d %H:%M"
due_format = "%Y-%m-%d"
timezone = "Asia/Ho_Chi_Minh"
"""

ACTIVITIES = """
[activities]
"Tiếp nhận" = "accept"
"Xử lý" = "work"
"Chuyển xử lý" = "transfer"
"Tạm dừng" = "pause"
"Tiếp tục" = "resume"
"Nhắc nộp phí" = "work"
"Đã nộp phí" = "work"
"Hoàn thành" = "complete"
"""


def load(tmp_path, rows, *, mapping_head="", activities=ACTIVITIES, tail=""):
    (tmp_path / "log.csv").write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    text = mapping_head + BASE + activities + tail
    (tmp_path / "m.toml").write_text(text, encoding="utf-8")
    return load_log(tmp_path / "log.csv", load_mapping(tmp_path / "m.toml"))


CAL = make_calendar("vn", years=(2025, 2026))


def prepared(events):
    return prepare(events.lazy(), CAL).collect()


def hidden_waiting(events):
    """(subject_type, subject_id) of every hidden-waiting hit."""
    obs = hidden_wait(prepare(events.lazy(), CAL), DetectionParams()).collect()
    hits = obs.filter(pl.col("evidence_event_ids").is_not_null())
    return sorted(hits.select("subject_type", "subject_id").iter_rows())


# --- legitimate waits -----------------------------------------------------------------------

CITIZEN = [
    "c1,Tiếp nhận,2025-03-03 09:00,an,MC,,",
    "c1,Chờ công dân bổ sung,2025-03-04 09:00,an,MC,,",
    "c1,Xử lý,2025-03-24 09:00,an,MC,,",
    "c1,Hoàn thành,2025-03-25 09:00,an,MC,,",
]


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ('{ code = "wait", reason = "wait_citizen" }', [("person", "an")]),
        ('{ code = "wait", reason = "wait_citizen", legitimate_wait = true }', []),
    ],
)
def test_a_statutory_wait_declared_legitimate_is_never_hidden_waiting(tmp_path, rule, expected):
    activities = ACTIVITIES + f'"Chờ công dân bổ sung" = {rule}\n'
    # A wait counted until the next activity: 14 working days of a 16-day case.
    loaded = load(tmp_path, CITIZEN, activities=activities)
    assert hidden_waiting(loaded.events) == expected


def test_a_legitimate_wait_is_marked_reviewed_and_counted_in_the_report(tmp_path):
    activities = (
        ACTIVITIES
        + '"Chờ công dân bổ sung" = { code = "wait", reason = "wait_citizen", '
        + "legitimate_wait = true }\n"
    )
    loaded = load(tmp_path, CITIZEN, activities=activities)
    wait = loaded.events.filter(pl.col(s.ACTIVITY) == "wait")
    assert wait.get_column(s.REVIEWED).to_list() == [True]
    assert wait.get_column(s.REASON_CODE).to_list() == ["wait_citizen"]
    assert loaded.report.legitimate_waits == 1


# --- explicit end of a wait -----------------------------------------------------------------

FEE = [
    "c1,Tiếp nhận,2025-03-03 09:00,an,MC,,",
    "c1,Chờ nộp phí,2025-03-04 09:00,an,MC,,",
    "c1,Nhắc nộp phí,2025-03-06 09:00,an,MC,,",
    "c1,Đã nộp phí,2025-03-20 09:00,an,MC,,",
    "c1,Hoàn thành,2025-03-21 09:00,an,MC,,",
]
FEE_WAIT = ACTIVITIES + '"Chờ nộp phí" = { code = "wait", reason = "wait_payment" }\n'
FEE_END = """
[[wait_end]]
wait = "Chờ nộp phí"
ends_at = "Đã nộp phí"
"""


def paused_labels(events):
    frame = prepared(events).join(
        events.select(s.EVENT_ID, s.ACTIVITY_LABEL), on=s.EVENT_ID, how="left"
    )
    return frame.filter(pl.col("_paused")).get_column(s.ACTIVITY_LABEL).to_list()


def test_without_an_end_rule_a_wait_ends_at_the_next_activity(tmp_path):
    loaded = load(tmp_path, FEE, activities=FEE_WAIT)
    assert paused_labels(loaded.events) == ["Chờ nộp phí"]


def test_a_wait_with_an_end_rule_lasts_until_the_named_event(tmp_path):
    loaded = load(tmp_path, FEE, activities=FEE_WAIT, tail=FEE_END)
    assert paused_labels(loaded.events) == ["Chờ nộp phí", "Nhắc nộp phí"]
    assert loaded.report.wait_end_events == 1
    # The wait keeps its own label as evidence; the engine reads it as a pause.
    wait = loaded.events.filter(pl.col(s.ACTIVITY_LABEL) == "Chờ nộp phí")
    assert wait.get_column(s.ACTIVITY).to_list() == ["pause"]


def test_a_named_end_also_ends_a_pause_that_has_no_resume(tmp_path):
    rows = [r.replace("Chờ nộp phí", "Tạm dừng") for r in FEE]
    tail = '[[wait_end]]\nwait = "Tạm dừng"\nends_at = "Đã nộp phí"\n'
    loaded = load(tmp_path, rows, tail=tail)
    assert paused_labels(loaded.events) == ["Tạm dừng", "Nhắc nộp phí"]


# --- custody --------------------------------------------------------------------------------

TEAMWORK = [
    "c1,Tiếp nhận,2025-03-03 09:00,an,MC,,",
    "c1,Xử lý,2025-03-04 09:00,binh,MC,,",
    "c1,Xử lý,2025-03-05 09:00,an,MC,,",
    "c1,Xử lý,2025-03-06 09:00,binh,MC,,",
    "c1,Xử lý,2025-03-07 09:00,an,MC,,",
    "c1,Chuyển xử lý,2025-03-10 09:00,an,MC,chi,",
    "c1,Xử lý,2025-03-11 09:00,binh,MC,,",
    "c1,Hoàn thành,2025-03-12 09:00,chi,MC,,",
]


def person_hand_overs(events):
    network = handover_network(prepare(events.lazy(), CAL)).collect()
    return int(network.filter(pl.col("level") == "person").get_column("count").sum())


def test_a_holder_column_makes_every_change_of_clerk_a_hand_over(tmp_path):
    loaded = load(tmp_path, TEAMWORK, tail='[custody]\nactor = "nguoi"\n')
    holders = loaded.events.get_column(s.HOLDER_ACTOR).to_list()
    assert holders == ["an", "binh", "an", "binh", "an", "an", "binh", "chi"]
    assert person_hand_overs(loaded.events) == 6


def test_in_a_collaborative_log_only_hand_over_events_move_the_case(tmp_path):
    tail = '[custody]\nmode = "collaborative"\nunit = "phong"\n'
    loaded = load(tmp_path, TEAMWORK, tail=tail)
    holders = loaded.events.get_column(s.HOLDER_ACTOR).to_list()
    # an accepted it; binh helping is teamwork; the explicit transfer hands it to chi.
    assert holders == ["an", "an", "an", "an", "an", "chi", "chi", "chi"]
    assert loaded.report.custody_mode == "collaborative"
    assert person_hand_overs(loaded.events) == 1
    pp = ping_pong(prepare(loaded.events.lazy(), CAL), DetectionParams()).collect()
    assert pp.filter(pl.col("evidence_event_ids").is_not_null()).height == 0


def test_in_a_collaborative_log_a_later_acceptance_by_a_colleague_is_not_a_hand_over(tmp_path):
    rows = [
        "c1,Tiếp nhận,2025-03-03 09:00,an,MC,,",
        "c1,Tiếp nhận,2025-03-04 09:00,binh,MC,,",
        "c1,Tiếp nhận,2025-03-05 09:00,an,MC,,",
        "c1,Tiếp nhận,2025-03-06 09:00,dung,TP,,",  # another team takes it
    ]
    loaded = load(tmp_path, rows, tail='[custody]\nmode = "collaborative"\n')
    assert loaded.events.get_column(s.HOLDER_ACTOR).to_list() == ["an", "an", "an", "dung"]
    assert loaded.events.get_column(s.HOLDER_UNIT).to_list() == ["MC", "MC", "MC", "TP"]


COLLEAGUE_PAUSE = [
    "c1,Tiếp nhận,2025-03-03 09:00,an,MC,,",
    "c1,Tạm dừng,2025-03-04 09:00,binh,MC,,",
    "c1,Tiếp tục,2025-03-20 09:00,binh,MC,,",
    "c1,Hoàn thành,2025-03-21 09:00,an,MC,,",
]


@pytest.mark.parametrize(
    ("custody", "expected"),
    [
        ('mode = "collaborative"\nunit = "phong"\n', [("person", "an"), ("unit", "MC")]),
        (
            'mode = "collaborative"\nunit = "phong"\npauses = "opener"\n',
            [("person", "binh"), ("unit", "MC")],
        ),
    ],
)
def test_a_pause_opened_by_a_colleague_is_charged_to_them_when_the_mapping_says_so(
    tmp_path, custody, expected
):
    loaded = load(tmp_path, COLLEAGUE_PAUSE, tail="[custody]\n" + custody)
    assert hidden_waiting(loaded.events) == expected


# --- order of events sharing a timestamp -----------------------------------------------------

DAY_ONLY_HEADER = "ma_hs,buoc,ngay,stt\n"
DAY_ONLY = """
[columns]
case = "ma_hs"
activity = "buoc"
timestamp = "ngay"

[timestamps]
format = "%Y-%m-%d"
timezone = "Asia/Ho_Chi_Minh"

[activities]
"Tiếp nhận" = "accept"
"Xử lý" = "work"
"Hoàn thành" = "complete"
"""
TIED = [
    "c1,Hoàn thành,2025-03-03,10",
    "c1,Tiếp nhận,2025-03-03,2",
    "c1,Xử lý,2025-03-03,9",
    "c2,Tiếp nhận,2025-03-03,1",
    "c2,Xử lý,2025-03-04,2",
]


def load_day_only(tmp_path, order=""):
    (tmp_path / "log.csv").write_text(DAY_ONLY_HEADER + "\n".join(TIED) + "\n", encoding="utf-8")
    (tmp_path / "m.toml").write_text(DAY_ONLY + order, encoding="utf-8")
    return load_log(tmp_path / "log.csv", load_mapping(tmp_path / "m.toml"))


def case_order(frame, case="c1"):
    return frame.filter(pl.col(s.CASE_ID) == case).get_column(s.ACTIVITY).to_list()


def test_ties_and_date_only_timestamps_are_reported_and_file_order_is_kept(tmp_path):
    loaded = load_day_only(tmp_path)
    report = loaded.report
    assert (report.tied_events, report.cases_with_ties, report.tie_order) == (2, 1, "file")
    assert report.date_only
    assert case_order(loaded.events) == ["complete", "accept", "work"]
    warnings = " ".join(report.warnings())
    assert "2 sự kiện ở 1 hồ sơ trùng thời điểm" in warnings
    assert "chỉ có ngày, không có giờ" in warnings


def test_a_sequence_column_orders_tied_events_numerically(tmp_path):
    loaded = load_day_only(tmp_path, '[order]\ncolumn = "stt"\n')
    assert case_order(loaded.events) == ["accept", "work", "complete"]  # 2 < 9 < 10
    assert loaded.report.tie_order == "column"
    # The engine keeps that order (it would otherwise break ties by event id, c1#1 first).
    assert case_order(sort_events(loaded.events.lazy()).collect()) == [
        "accept",
        "work",
        "complete",
    ]


def test_a_rank_of_labels_orders_tied_events(tmp_path):
    order = '[order]\nactivities = ["Tiếp nhận", "Xử lý", "Hoàn thành"]\n'
    loaded = load_day_only(tmp_path, order)
    assert case_order(loaded.events) == ["accept", "work", "complete"]
    assert loaded.report.tie_order == "activities"


# --- open cases at the end of the log ---------------------------------------------------------

OPEN = [
    "done,Tiếp nhận,2025-03-03 09:00,an,MC,,2025-03-05",
    "done,Hoàn thành,2025-03-10 09:00,an,MC,,",
    "overdue,Tiếp nhận,2025-03-03 09:00,an,MC,,2025-03-07",
    "overdue,Xử lý,2025-03-04 09:00,an,MC,,",
    "not_yet,Tiếp nhận,2025-03-10 09:00,an,MC,,2025-04-30",
    "not_yet,Xử lý,2025-03-28 09:00,an,MC,,",
    "no_due,Tiếp nhận,2025-03-10 09:00,an,MC,,",
]


def test_an_open_case_is_late_only_when_its_deadline_passed_before_the_log_ends(tmp_path):
    loaded = load(tmp_path, OPEN)
    obs = late(prepare(loaded.events.lazy(), CAL), DetectionParams(), CAL).collect()
    late_cases = obs.filter(pl.col("evidence_event_ids").is_not_null())
    # The deadline is a case attribute: no hand-over event carries it.
    assert set(late_cases.get_column("case_id").to_list()) == {"done", "overdue"}


def test_the_load_report_counts_open_cases_by_deadline(tmp_path):
    load(tmp_path, OPEN)  # writes log.csv and m.toml
    out = tmp_path / "out"
    rc = cli.main(
        ["analyze", str(tmp_path / "log.csv"), "--mapping", str(tmp_path / "m.toml"),
         "--out", str(out), "--quiet", "--format", "json"]
    )  # fmt: skip
    assert rc == 0
    report = json.loads((out / "load_report.json").read_text(encoding="utf-8"))
    assert report["open_cases"] == {
        "open": 3, "open_past_deadline": 1, "open_within_deadline": 1, "open_without_deadline": 1,
    }  # fmt: skip
    assert any("3 hồ sơ còn mở ở cuối nhật ký" in w for w in report["warnings"])


# --- working days in the log's zone ----------------------------------------------------------


def test_working_days_are_counted_on_the_dates_of_the_calendars_zone():
    # Friday 7/3/2025 12:00 UTC, then Sunday 9/3 23:30 UTC = Monday 00:30 in Amsterdam.
    friday, late_sunday = (
        datetime(2025, 3, 7, 12, tzinfo=UTC),
        datetime(2025, 3, 9, 23, 30, tzinfo=UTC),
    )
    frame = pl.DataFrame({"t": [friday, late_sunday]})
    for zone, gap in (("Europe/Amsterdam", 1), ("UTC", 0)):
        cal = make_calendar("NL", years=(2025, 2025), timezone=zone)
        wd = frame.select(working_day_ordinal(pl.col("t"), cal)).to_series().to_list()
        assert wd[1] - wd[0] == gap, zone
        assert cal.working_days_between(friday, late_sunday) == gap


def test_the_mapping_declares_the_logs_calendar_and_zone(tmp_path):
    load(tmp_path, OPEN, mapping_head='[calendar]\nname = "NL"\ntimezone = "Europe/Amsterdam"\n')
    out = tmp_path / "out"
    rc = cli.main(
        ["analyze", str(tmp_path / "log.csv"), "--mapping", str(tmp_path / "m.toml"),
         "--out", str(out), "--quiet", "--format", "json"]
    )  # fmt: skip
    assert rc == 0
    calendar = json.loads((out / "load_report.json").read_text(encoding="utf-8"))["calendar"]
    assert (calendar["country"], calendar["timezone"]) == ("NL", "Europe/Amsterdam")


# --- refusals ---------------------------------------------------------------------------------

COLUMNS = {"case": "c", "activity": "a", "timestamp": "t"}


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ({"activities": {"Chờ": {"code": "wait", "legitimate_wait": True}}}, "cần reason"),
        (
            {"activities": {"Xử lý": {"code": "work", "reason": "x", "legitimate_wait": True}}},
            "chỉ dùng cho mã pause hoặc wait",
        ),
        ({"activities": {"Chờ": {"code": "wait", "why": "x"}}}, "khóa không được hỗ trợ why"),
        (
            {"activities": {"Chờ": "wait"}, "wait_end": [{"wait": "Chờ", "ends_at": "Xong"}]},
            "ends_at = 'Xong' không có trong [activities]",
        ),
        (
            {
                "activities": {"Chờ": "work", "Xong": "work"},
                "wait_end": [{"wait": "Chờ", "ends_at": "Xong"}],
            },
            "không phải nhãn tạm dừng/chờ",
        ),
        ({"custody": {"mode": "collaborative", "actor": "x"}}, "không khai báo 'actor'"),
        ({"custody": {"mode": "teamwork"}}, "mode = 'teamwork' không hợp lệ"),
        ({"custody": {"unit": "u", "pauses": "boss"}}, "pauses = 'boss' không hợp lệ"),
        (
            {"order": {"column": "stt", "activities": ["Xong"]}, "activities": {"Xong": "work"}},
            "cần đúng một trong",
        ),
        ({"calendar": {"timezone": "Mars/Olympus"}}, "múi giờ không tồn tại"),
    ],
)
def test_a_wrong_declaration_is_refused_naming_what_is_wrong(extra, expected):
    with pytest.raises(MappingError, match=expected.replace("[", r"\[").replace("]", r"\]")):
        mapping_from_dict({"columns": COLUMNS, **extra}, name="m.toml")


def test_a_log_that_names_nobody_says_that_nothing_could_be_assessed(tmp_path):
    load_day_only(tmp_path)  # no actor, no unit, no hand-over: nobody holds a case
    out = tmp_path / "out"
    rc = cli.main(
        ["analyze", str(tmp_path / "log.csv"), "--mapping", str(tmp_path / "m.toml"),
         "--out", str(out), "--quiet", "--format", "json"]
    )  # fmt: skip
    assert rc == 0
    report = json.loads((out / "load_report.json").read_text(encoding="utf-8"))
    assert report["assessed"]["late_completion"]["person"] == {
        "observed": 0, "judged": 0, "hits": 0,
    }  # fmt: skip
    assert any("Không bộ phát hiện nào quan sát được" in w for w in report["warnings"])


def test_a_case_in_which_a_colleague_opened_a_pause_counts_in_their_workload(tmp_path):
    tail = '[custody]\nmode = "collaborative"\nunit = "phong"\npauses = "opener"\n'
    loaded = load(tmp_path, COLLEAGUE_PAUSE, tail=tail)
    obs = hidden_wait(prepare(loaded.events.lazy(), CAL), DetectionParams()).collect()
    person = obs.filter(pl.col("subject_type") == "person")
    n = person.group_by("subject_id").agg(pl.col("weight").sum()).sort("subject_id")
    # binh never held the case, yet its pause is charged to binh: one case of one, not 1 of 0.
    assert n.rows() == [("an", 1), ("binh", 1)]
