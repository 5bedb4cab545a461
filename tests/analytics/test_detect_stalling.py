# ruff: noqa: C408 -- dict(e=..., a=...) reads like an event row; literals would not
from __future__ import annotations

from typing import Any

import polars as pl

from congvu_analytics.detect import run_all
from tests.analytics.helpers import case, log, peers


def office(bad: int, make: Any, protected: bool | None = None) -> list[dict[str, Any]]:
    """Peers B, C, D with routine tasks; A's first ``bad`` of 12 tasks are built by ``make``."""
    rows = peers(("B", "C", "D"))
    for i in range(12):
        cid = f"A{i:02d}"
        if i < bad:
            rows += make(cid, i * 3, protected)
        else:
            rows += case(cid, "A", "a", start=i * 3, protected=protected)
    return rows


def person_findings(rows: list[dict[str, Any]], person: str = "a") -> pl.DataFrame:
    return run_all(log(rows)).findings.filter(pl.col("subject_id") == person)


def idle_case(cid: str, start: float, protected: bool | None) -> list[dict[str, Any]]:
    # Progress on day 2, then nothing for four weeks; done late.
    return case(cid, "A", "a", start, progress=False, finish=32, due=40, protected=protected,
                body=[(2, dict(e=f"{cid}-p", a="progress", actor="a", unit="A"))])  # fmt: skip


def test_it_flags_idle_custody_with_the_silent_stretch_as_evidence() -> None:
    found = person_findings(office(6, idle_case))
    row = found.filter(pl.col("detectors").list.contains("idle_custody")).row(0, named=True)
    assert row["behaviour"] == "stalling"
    # The silent stretch: from the progress report to the submission. One report in 32 working
    # days is also a sparse-reports case (no_progress), whose evidence is the deadline's event
    # and the completion.
    assert {"A00-p", "A00-su"} <= set(row["evidence_event_ids"])
    assert [e for e in row["evidence_event_ids"] if e.startswith("A00-")] == [
        "A00-as", "A00-co", "A00-p", "A00-su",
    ]  # fmt: skip


def hidden_pause_case(cid: str, start: float, protected: bool | None) -> list[dict[str, Any]]:
    return case(cid, "A", "a", start, finish=30, due=40, protected=protected, body=[
        (6, dict(e=f"{cid}-pa", a="pause", actor="a", unit="A")),
        (27, dict(e=f"{cid}-rs", a="resume", actor="a", unit="A")),
    ])  # fmt: skip


def legal_pause_case(cid: str, start: float, protected: bool | None) -> list[dict[str, Any]]:
    return case(cid, "A", "a", start, finish=30, due=14, protected=protected, body=[
        (6, dict(e=f"{cid}-pa", a="pause", actor="a", unit="A", reason_code="legal_obstacle", reviewed=True)),
        (27, dict(e=f"{cid}-rs", a="resume", actor="a", unit="A")),
    ])  # fmt: skip


def test_it_flags_pauses_without_an_accepted_reason() -> None:
    found = person_findings(office(6, hidden_pause_case))
    row = found.filter(pl.col("detectors").list.contains("hidden_waiting")).row(0, named=True)
    assert row["evidence_event_ids"] == [f"A{i:02d}-pa" for i in range(6)]


def test_a_pause_on_a_reviewed_legal_obstacle_is_not_stalling() -> None:
    # Same shape, and even past the original deadline: the reviewed obstacle excuses it.
    assert person_findings(office(6, legal_pause_case)).is_empty()


def extension_case(cid: str, start: float, protected: bool | None) -> list[dict[str, Any]]:
    return case(cid, "A", "a", start, finish=12, due=10, protected=protected, body=[
        (4, dict(e=f"{cid}-x1", a="extension_request", actor="a", unit="A")),
        (4.5, dict(a="extension_granted", actor="boss", unit="UB", due=start + 15)),
        (8, dict(e=f"{cid}-x2", a="extension_request", actor="a", unit="A")),
        (8.5, dict(a="extension_granted", actor="boss", unit="UB", due=start + 20)),
    ])  # fmt: skip


def test_it_flags_repeated_extensions() -> None:
    found = person_findings(office(6, extension_case))
    row = found.filter(pl.col("detectors").list.contains("repeated_extensions")).row(0, named=True)
    assert {"A00-x1", "A00-x2"} <= set(row["evidence_event_ids"])
    assert (
        "late_completion" not in found["detectors"].explode(empty_as_null=False).to_list()
    )  # granted extensions move the due


def late_silent_case(cid: str, start: float, protected: bool | None) -> list[dict[str, Any]]:
    return case(cid, "A", "a", start, progress=False, finish=24, due=10, protected=protected)


def test_it_flags_late_completion_and_overdue_without_progress_reports() -> None:
    found = person_findings(office(6, late_silent_case))
    late = found.filter(pl.col("detectors").list.contains("late_completion")).row(0, named=True)
    assert {"A00-as", "A00-co"} <= set(late["evidence_event_ids"])
    assert "overdue_silent" in found["detectors"].explode(empty_as_null=False).to_list()
    metrics = run_all(log(office(6, late_silent_case))).person_metrics
    assert metrics.filter(pl.col("subject_id") == "a")["on_time_rate"].item() == 0.5


def handed_down(cascade_day: float) -> Any:
    """A case the head "ha" of A takes from the boss (due in 10 days) and hands down to "a" on
    ``cascade_day``; "a" completes it on day 24 with no progress report."""

    def make(cid: str, start: float, protected: bool | None) -> list[dict[str, Any]]:
        return [
            dict(e=f"{cid}-as", c=cid, a="assign", d=start, actor="boss", unit="UB",
                 target_unit="A", target_actor="ha", due=start + 10, protected=protected),
            dict(e=f"{cid}-ac", c=cid, a="accept", d=start + 0.2, actor="ha", unit="A"),
            dict(e=f"{cid}-rs", c=cid, a="reassign", d=start + cascade_day, actor="ha", unit="A",
                 target_unit="A", target_actor="a"),
            dict(e=f"{cid}-ac2", c=cid, a="accept", d=start + cascade_day + 0.1, actor="a",
                 unit="A"),
            dict(e=f"{cid}-su", c=cid, a="submit", d=start + 23, actor="a", unit="A"),
            dict(e=f"{cid}-ap", c=cid, a="approve", d=start + 23.5, actor="ha", unit="A"),
            dict(e=f"{cid}-co", c=cid, a="complete", d=start + 24, actor="a", unit="A"),
        ]  # fmt: skip

    return make


def late_detectors(rows: list[dict[str, Any]], subject: str) -> set[str]:
    found = run_all(log(rows)).findings.filter(pl.col("subject_id") == subject)
    late = {"late_completion", "overdue_silent"}
    return late & set(found["detectors"].explode(empty_as_null=False).to_list())


def test_a_case_handed_down_after_its_deadline_is_not_the_receivers_lateness() -> None:
    # Handed down on day 1, "a" had nine days and ran over: late, and silent while late.
    assert late_detectors(office(6, handed_down(1)), "a") == {"late_completion", "overdue_silent"}
    # Handed down on day 16, six days after the deadline: "a" could not have kept it.
    rows = office(6, handed_down(16))
    assert late_detectors(rows, "a") == set()
    # The division still answers for it.
    metrics = run_all(log(rows)).unit_metrics.filter(pl.col("subject_id") == "A")
    assert metrics["on_time_rate"].item() == 0.5


def late_but_working_case(cid: str, start: float, protected: bool | None) -> list[dict[str, Any]]:
    # Due in 10 days, done on day 24, with a progress report every three days: late, but never
    # idle, never paused, never silent.
    reports = [(d, dict(a="progress", actor="a", unit="A")) for d in (8, 11, 14, 17, 20)]
    return case(cid, "A", "a", start, finish=24, due=10, protected=protected, body=reports)


def test_lateness_alone_is_no_stalling_finding_but_adds_to_other_signs() -> None:
    # Half the cases late while reporting steadily: an outcome (workload, a hard task), which
    # the evaluation judges; nothing says how the time was spent.
    rows = office(6, late_but_working_case)
    assert person_findings(rows).is_empty()
    metrics = run_all(log(rows)).person_metrics.filter(pl.col("subject_id") == "a")
    assert metrics["on_time_rate"].item() == 0.5
    # The same lateness with no report at all is a finding, lateness among its detectors.
    found = person_findings(office(6, late_silent_case))
    assert {"late_completion", "overdue_silent"} <= set(
        found["detectors"].explode(empty_as_null=False).to_list()
    )


def test_protected_cases_produce_no_stalling_finding() -> None:
    def everything(cid: str, start: float, protected: bool | None) -> list[dict[str, Any]]:
        return late_silent_case(cid, start, protected) + hidden_pause_case(
            f"{cid}h", start, protected
        )

    assert person_findings(office(8, everything, protected=True)).is_empty()


def waiting_case(cid: str, start: float, protected: bool | None) -> list[dict[str, Any]]:
    # A asks S to coordinate by day 5; S answers on day 20; A finishes on day 24, due 14.
    req = f"{cid}-rq"
    return case(cid, "A", "a", start, finish=24, due=14, protected=protected, body=[
        (1, dict(e=req, a="coord_request", actor="a", unit="A", target_unit="S", target_actor="s", due=start + 5)),
        (20, dict(e=f"{cid}-an", a="coord_answer", actor="s", unit="S", ref_event_id=req, position="agree")),
    ])  # fmt: skip


def test_waiting_on_a_coordination_answer_is_not_the_leads_delay() -> None:
    rows = office(8, waiting_case)
    result = run_all(log(rows))
    assert result.findings.filter(pl.col("subject_id").is_in(["a", "A"])).is_empty()
    metrics = result.unit_metrics.filter(pl.col("subject_id") == "S").row(0, named=True)
    assert metrics["coordination_failure_rate"] == 1.0  # the delay belongs to S


def wait_case(cid: str, start: float, protected: bool | None) -> list[dict[str, Any]]:
    # A foreign log's waiting state ("Wait - User"): no pause/resume, just a long wait.
    return case(cid, "A", "a", start, finish=30, due=40, protected=protected, body=[
        (6, dict(e=f"{cid}-wa", a="wait", actor="a", unit="A", reason_code="wait_user")),
        (27, dict(e=f"{cid}-wk", a="work", actor="a", unit="A")),
    ])  # fmt: skip


def test_a_foreign_logs_long_waits_count_as_hidden_waiting() -> None:
    found = person_findings(office(6, wait_case))
    row = found.filter(pl.col("detectors").list.contains("hidden_waiting")).row(0, named=True)
    assert row["evidence_event_ids"] == [f"A{i:02d}-wa" for i in range(6)]
    assert "idle_custody" not in found["detectors"].explode(empty_as_null=False).to_list()


def legal_then_extensions_case(
    cid: str, start: float, protected: bool | None
) -> list[dict[str, Any]]:
    """A legal obstacle the superior confirmed, a long wait, then two extensions to finish."""
    return case(cid, "A", "a", start, finish=30, due=10, protected=protected, body=[
        (1, dict(e=f"{cid}-pa", a="pause", actor="a", unit="A", reason_code="legal_obstacle",
                 reviewed=True)),
        (15, dict(a="resume", actor="a", unit="A")),
        (16, dict(e=f"{cid}-x1", a="extension_request", actor="a", unit="A")),
        (16.5, dict(a="extension_granted", actor="boss", unit="UB", due=start + 24)),
        (23, dict(e=f"{cid}-x2", a="extension_request", actor="a", unit="A")),
        (23.5, dict(a="extension_granted", actor="boss", unit="UB", due=start + 31)),
    ])  # fmt: skip


def test_extensions_after_a_reviewed_legal_obstacle_are_not_stalling() -> None:
    assert person_findings(office(6, legal_then_extensions_case)).is_empty()

    # The same extensions without the obstacle are a finding: the obstacle is what excuses them.
    def unexcused(cid: str, start: float, protected: bool | None) -> list[dict[str, Any]]:
        rows = legal_then_extensions_case(cid, start, protected)
        return [r for r in rows if r.get("a") not in ("pause", "resume")]

    found = person_findings(office(6, unexcused))
    assert "repeated_extensions" in found["detectors"].explode(empty_as_null=False).to_list()
