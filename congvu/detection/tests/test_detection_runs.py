"""Detection over the app's own sealed log: findings stored once, updated by re-runs."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from django.core.management import call_command

from congvu.detection.actions import parse_period, run_detection
from congvu.detection.jobs import scheduled_detection
from congvu.detection.models import DetectionRun, Finding
from congvu.detection.tests.conftest import ping_pong
from congvu.lib.errors import ActionError
from congvu.tasks.state import VN_TZ


def test_it_stores_findings_for_the_quarter_with_their_evidence(history):
    run = run_detection(date(2025, 8, 1))
    assert run.state == DetectionRun.State.DONE and run.period == "2025-Q3"
    assert run.cases == 14 + 48 and run.findings_new > 0
    buck = Finding.objects.filter(behaviour="buck_passing")
    assert buck.exists()
    # The one who bounces the task back (B in A→B→A) is the subject, person and unit.
    assert set(buck.values_list("subject_code", flat=True)) == {"CHARLIE", "SXD-QH"}
    f = buck.get(subject_code="CHARLIE")
    assert f.subject_person == history.charlie and f.context_unit == history.b1
    assert len(f.case_ids) == 14 and len(f.evidence_event_ids) >= 28
    # The sentence names the person, not the code.
    assert f.sentence.startswith("Cán bộ Bùi Thị Chi ")
    assert buck.get(subject_code="SXD-QH").sentence.startswith(
        "Đơn vị Phòng Quy hoạch (Sở Xây dựng) "
    )
    # Normal workers are not flagged.
    assert not Finding.objects.filter(subject_code__in=["BOB", "TP_A1"]).exists()


def test_a_re_run_without_new_events_changes_nothing(history):
    first = run_detection("2025-Q3")
    count = Finding.objects.count()
    again = run_detection("2025-Q3")
    assert again.pk == first.pk  # skipped: same watermark and parameters
    forced = run_detection("2025-Q3", force=True)
    assert forced.pk != first.pk and forced.findings_new == 0
    assert Finding.objects.count() == count


def test_new_events_update_the_same_findings_instead_of_duplicating(history):
    run_detection("2025-Q3")
    before = {f.key: len(f.evidence_event_ids) for f in Finding.objects.all()}
    ping_pong(history, 999, 2000)
    run = run_detection("2025-Q3")
    assert run.findings_new == 0 or set(before) <= set(
        Finding.objects.values_list("key", flat=True)
    )
    after = {f.key: len(f.evidence_event_ids) for f in Finding.objects.filter(key__in=before)}
    assert Finding.objects.filter(key__in=before).count() == len(before)
    assert any(after[k] >= before[k] for k in before)


def test_a_crashed_run_is_visible_and_the_next_run_redoes_the_period(history, monkeypatch):
    import congvu.detection.actions as mod

    def boom(*args, **kwargs):
        raise RuntimeError("mất điện")

    monkeypatch.setattr(mod, "run_all", boom)
    with pytest.raises(RuntimeError):
        run_detection("2025-Q3")
    assert DetectionRun.objects.get().state == DetectionRun.State.FAILED
    monkeypatch.undo()
    run = run_detection("2025-Q3")
    assert run.state == DetectionRun.State.DONE and Finding.objects.exists()


def test_an_empty_quarter_gives_no_findings(org):
    run = run_detection("2024-Q1")
    assert run.state == DetectionRun.State.DONE and run.events == 0
    assert not Finding.objects.exists()


def test_a_bad_period_is_refused():
    with pytest.raises(ActionError, match="2026-Q3"):
        parse_period("2026-Q5")


def test_the_scheduled_job_and_the_command_run_detection(history, capsys):
    out = scheduled_detection(datetime(2025, 9, 10, 9, 0, tzinfo=VN_TZ))
    assert "2025-Q3" in out
    call_command("run_detection", "--all")
    assert "2025-Q3" in capsys.readouterr().out


def test_tasks_under_an_approved_innovation_proposal_are_marked_protected(history, monkeypatch):
    """Decree 73/2023: the engine receives protected=True for those cases and raises no
    avoidance or stalling finding on them."""
    import congvu.detection.actions as mod
    from congvu.tasks.models import Task

    protected = set(
        Task.objects.filter(title__startswith="Nhiệm vụ số").values_list("pk", flat=True)[:3]
    )
    monkeypatch.setattr(mod, "_protected_task_ids", lambda: protected)
    from congvu.detection.models import quarter_of

    _, start, end = quarter_of(date(2025, 8, 1))
    frame = mod.period_events(start, end)
    marked = set(frame.filter(frame["protected"])["case_id"].unique().to_list())
    assert marked == {str(p) for p in protected}


def test_the_engine_gets_tiers_that_grow_upward_from_the_unit_types(org):
    from congvu.detection.actions import default_params

    params = default_params()
    # UnitType.level 1 is the province; the engine's tiers count the other way.
    assert params.unit_levels["UBND"] > params.unit_levels["STC"] > params.unit_levels["STC-NS"]
    assert params.unit_types["STC-NS"] == "phong"
