"""Run the detection engine over the app's own sealed event log and store its findings.

The engine (congvu_analytics) is pure: this module reads the log into the canonical frame,
calls `run_all`, and upserts the findings in one transaction. Runs are per quarter of task
assignment — the period the Decree 335 evaluation tracks — so a finding can be reviewed and,
once confirmed, counted in that period's evaluation.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
from collections.abc import Callable, Iterable
from datetime import date, datetime, time, timedelta
from typing import Any

import polars as pl
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from congvu.detection.models import DetectionRun, Finding, quarter_of
from congvu.lib.errors import ActionError
from congvu.lib.runs import mark_failed
from congvu.org.models import Membership, Person, Unit, UnitSuccession, UnitType, UnitVersion
from congvu.tasks import export
from congvu.tasks.models import Task, TaskEvent
from congvu.workdays.calendar import get_calendar
from congvu_analytics import org as o
from congvu_analytics import schema as s
from congvu_analytics.detect import DetectionParams, run_all

log = logging.getLogger(__name__)
ENGINE_VERSION = "1"


def parse_period(text: str) -> tuple[str, date, date]:
    """'2026-Q3' -> ('2026-Q3', 1/7/2026, 1/10/2026); the end is exclusive."""
    try:
        year, q = text.strip().upper().split("-Q")
        quarter = int(q)
        if not 1 <= quarter <= 4:
            raise ValueError
        return quarter_of(date(int(year), 3 * quarter - 2, 1))
    except ValueError as exc:
        raise ActionError(
            "bad_period", f"Kỳ không hợp lệ: {text!r} (dạng 2026-Q3).", field="period"
        ) from exc


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    return datetime.combine(start, time.min, tz), datetime.combine(end, time.min, tz)


def _params_hash(params: DetectionParams, org: o.Org | None = None) -> str:
    """The parameters and the organisation a run is computed with: a stored run says both, and
    a change of either (a new head, a transfer) makes the next run recompute the quarter."""
    blob = json.dumps(dataclasses.asdict(params), sort_keys=True, default=str)
    return hashlib.sha256(f"{ENGINE_VERSION}|{blob}|{_org_hash(org)}".encode()).hexdigest()


def _org_hash(org: o.Org | None) -> str:
    if org is None:
        return ""
    digest = hashlib.sha256()
    for frame, key in ((org.units, o.UNIT_ID), (org.people, o.PERSON_ID)):
        # Sorted and written as CSV: the same tables give the same bytes on any run.
        digest.update(frame.sort(key).write_csv().encode())
    return digest.hexdigest()


# The engine's positions for the app's posts: peers are people of one position and unit type
# (nguoi_dung_dau@phong is a division head), so the app's three posts are enough.
POSITIONS = {
    Membership.Role.HEAD: "nguoi_dung_dau",
    Membership.Role.DEPUTY: "cap_pho",
    Membership.Role.MEMBER: "chuyen_vien",
}


def organisation(day: date, since: date | None = None) -> o.Org:
    """The engine's organisation tables (congvu_analytics.org) as the org models stood on
    ``day``: units with type, parent, tier and head; people with their primary unit, position
    and the first day in that position (new staff are compared with new staff). With
    ``since``, also the units merged into one successor after ``since`` (their last day and
    successor: the engine counts their hand-overs to it against nobody)."""
    versions = {
        v.unit_id: v
        for v in UnitVersion.objects.active_on(day).select_related("unit_type", "parent")
    }
    heads = dict(Membership.objects.active_on(day).heads().values_list("unit_id", "person__code"))
    units = []
    for unit in Unit.objects.active_on(day).select_related("unit_type", "parent"):
        # The version valid that day, else the unit's current attributes (a unit created
        # without versions).
        version = versions.get(unit.pk)
        unit_type = version.unit_type if version else unit.unit_type
        parent = version.parent if version else unit.parent
        units.append(
            {
                o.UNIT_ID: unit.code,
                o.UNIT_NAME: version.name if version else unit.name,
                o.UNIT_TYPE: unit_type.code,
                o.UNIT_PARENT: parent.code if parent else None,
                o.UNIT_HEAD: heads.get(unit.pk),
                o.UNIT_LEVEL: unit_type.tier,
            }
        )
    units += _merged_units(since, day) if since is not None else []
    posts = list(
        Membership.objects.active_on(day)
        .filter(is_primary=True)
        .select_related("person", "unit")
        .order_by("person_id", "-valid_from")
    )
    # The first day in the position: the earliest start of the person's posts in that role
    # up to ``day``, whatever the unit (a specialist moved to another division is not new to
    # the job; one promoted to head is).
    starts: dict[tuple[int, str], date] = {}
    for person_id, role, start in Membership.objects.filter(
        person_id__in=[m.person_id for m in posts], valid_from__lte=day
    ).values_list("person_id", "role", "valid_from"):
        key = (person_id, role)
        starts[key] = min(start, starts.get(key, start))
    people = []
    seen: set[int] = set()
    for m in posts:
        if m.person_id in seen:  # two primary posts on one day (a hand-over day): the newer
            continue
        seen.add(m.person_id)
        people.append(
            {
                o.PERSON_ID: m.person.code,
                o.PERSON_NAME: m.person.full_name,
                o.PERSON_UNIT: m.unit.code,
                o.POSITION: POSITIONS[Membership.Role(m.role)],
                o.START_DATE: starts[(m.person_id, m.role)],
            }
        )
    return o.Org.of(
        pl.DataFrame(units, schema=o.UNITS_SCHEMA), pl.DataFrame(people, schema=o.PEOPLE_SCHEMA)
    )


def _merged_units(since: date, day: date) -> list[dict[str, Any]]:
    """Rows for the units that ended after ``since`` (up to ``day``) with exactly one
    successor: a split's hand-overs go to several units, which the table cannot name, and are
    left to the log's own reasons."""
    successions: dict[int, list[UnitSuccession]] = {}
    for row in UnitSuccession.objects.filter(
        effective_date__gt=since, effective_date__lte=day
    ).select_related("predecessor__unit_type", "predecessor__parent", "successor"):
        successions.setdefault(row.predecessor_id, []).append(row)
    rows = []
    for only, *others in successions.values():
        if others:
            continue
        unit = only.predecessor
        rows.append(
            {
                o.UNIT_ID: unit.code,
                o.UNIT_NAME: unit.name,
                o.UNIT_TYPE: unit.unit_type.code,
                o.UNIT_PARENT: unit.parent.code if unit.parent else None,
                o.UNIT_HEAD: None,
                o.UNIT_LEVEL: unit.unit_type.tier,
                o.UNIT_VALID_TO: only.effective_date - timedelta(days=1),
                o.UNIT_SUCCESSOR: only.successor.code,
            }
        )
    return rows


def default_params() -> DetectionParams:
    """Engine defaults, with peers and "upward" taken from the organisation: units are compared
    with units of the same type, and a hand-over to a higher level is upward."""
    rows = list(Unit.objects.values_list("code", "unit_type__code", "unit_type__level"))
    return DetectionParams(
        unit_types={code: type_code for code, type_code, _ in rows},
        # The engine's tiers grow upward; unit-type levels grow downward (1 = province).
        unit_levels={code: UnitType.TIER_TOP - level for code, _, level in rows},
    )


# Who says which tasks are protected from detection (an approved innovation proposal, Decree
# 73/2023): apps above this one register a provider in their ready() (congvu.evaluation).
PROTECTED_TASK_PROVIDERS: list[Callable[[], Iterable[int]]] = []


def _protected_task_ids() -> set[int]:
    return {task_id for provider in PROTECTED_TASK_PROVIDERS for task_id in provider()}


def period_events(start: date, end: date) -> pl.DataFrame:
    """The canonical frame of every event of the tasks assigned in [start, end)."""
    lo, hi = _bounds(start, end)
    frame = export.events_where("t.assigned_at >= %s AND t.assigned_at < %s", [lo, hi])
    if frame.height == 0:
        return frame
    protected = _protected_task_ids()
    if protected:
        frame = frame.with_columns(
            pl.col(s.CASE_ID).is_in([str(t) for t in protected]).alias(s.PROTECTED)
        )
    return frame


def _finding_key(behaviour: str, subject_type: str, subject_id: str, period: str) -> str:
    return hashlib.sha256(f"{behaviour}|{subject_type}|{subject_id}|{period}".encode()).hexdigest()


def run_detection(
    period: str | date | None = None,
    *,
    trigger: str = "manual",
    force: bool = False,
    params: DetectionParams | None = None,
) -> DetectionRun:
    """Detect over one quarter (default: the current one). Idempotent: re-running with no new
    events returns the previous run; re-running after new events updates the same findings."""
    if isinstance(period, str):
        label, start, end = parse_period(period)
    else:
        label, start, end = quarter_of(period or timezone.localdate())
    params = params or default_params()
    # The organisation as it stood at the end of the quarter (or today, for the current one):
    # who heads what and who holds which post is what the quarter's work is compared by.
    org = organisation(min(end - timedelta(days=1), timezone.localdate()), since=start)
    phash = _params_hash(params, org)
    lo, hi = _bounds(start, end)
    watermark = (
        TaskEvent.objects.filter(task__assigned_at__gte=lo, task__assigned_at__lt=hi).aggregate(
            m=Max("id")
        )["m"]
        or 0
    )
    last = (
        DetectionRun.objects.filter(period=label, state=DetectionRun.State.DONE)
        .order_by("-started_at")
        .first()
    )
    if not force and last is not None and last.watermark == watermark and last.params_hash == phash:
        return last
    run = DetectionRun.objects.create(
        period=label,
        period_start=start,
        period_end=end - timedelta(days=1),
        trigger=trigger,
        started_at=timezone.now(),
        watermark=watermark,
        params_hash=phash,
    )
    try:
        events = period_events(start, end)
        result = run_all(events.lazy(), calendar=get_calendar(), params=params, org=org)
        _store(run, result.findings, events)
    except Exception as exc:
        log.exception("detection run %s failed", run.pk)
        mark_failed(DetectionRun.objects.filter(pk=run.pk), exc)
        raise
    run.refresh_from_db()
    return run


@transaction.atomic
def _store(run: DetectionRun, findings: pl.DataFrame, events: pl.DataFrame) -> None:
    now = timezone.now()
    rows: list[dict[str, Any]] = findings.to_dicts()
    person_codes = {r["subject_id"] for r in rows if r["subject_type"] == "person"}
    unit_codes = {r["subject_id"] for r in rows if r["subject_type"] == "unit"}
    people = {p.code: p for p in Person.objects.filter(code__in=person_codes)}
    units = {u.code: u for u in Unit.objects.filter(code__in=unit_codes).select_related("parent")}
    context = dict(
        Membership.objects.active_on(run.period_end)
        .filter(person__code__in=person_codes, is_primary=True)
        .values_list("person__code", "unit_id")
    )
    existing = {f.key: f for f in Finding.objects.select_for_update().filter(period=run.period)}
    seen: set[str] = set()
    new = updated = 0
    for r in rows:
        # One finding per behaviour: the detector that leads it may change as evidence grows.
        key = _finding_key(r["behaviour"], r["subject_type"], r["subject_id"], run.period)
        seen.add(key)
        person = people.get(r["subject_id"]) if r["subject_type"] == "person" else None
        unit = units.get(r["subject_id"]) if r["subject_type"] == "unit" else None
        values = {
            "detector": r["detector"],
            "behaviour": r["behaviour"],
            "subject_type": r["subject_type"],
            "subject_code": r["subject_id"],
            "subject_person": person,
            "subject_unit": unit,
            "context_unit_id": context.get(r["subject_id"])
            if person
            else (unit.pk if unit else None),
            "strength": float(r["strength"]),
            "rate": r["rate"],
            "peer_rate": r["peer_rate"],
            "sample": int(r["n"] or 0),
            "score": r.get("score"),
            "q_value": r.get("q_value"),
            "peer_group": r.get("peer_group") or "",
            "unit_rate": r.get("unit_rate"),
            "components": [
                {key: c[key] for key in ("detector", "k", "n", "rate", "baseline", "z")}
                for c in (r.get("components") or [])
            ],
            "evidence_event_ids": [int(e) for e in r["evidence_event_ids"] if str(e).isdigit()],
            "case_ids": [int(c) for c in r["case_ids"] if str(c).isdigit()],
            "sentence": _named(r["sentence"], r["subject_id"], person, unit),
            "engine_finding_id": r["finding_id"],
            "last_run": run,
            "updated_at": now,
            "cleared_at": None,
        }
        finding = existing.get(key)
        if finding is None:
            created = Finding.objects.create(
                key=key,
                period=run.period,
                period_start=run.period_start,
                period_end=run.period_end,
                first_run=run,
                first_seen_at=now,
                **values,
            )
            _open_review(created, now)
            new += 1
        else:
            for field, value in values.items():
                setattr(finding, field, value)
            finding.save(update_fields=[*values.keys()])
            updated += 1
    cleared = (
        Finding.objects.filter(period=run.period, cleared_at__isnull=True)
        .exclude(key__in=seen)
        .update(cleared_at=now, last_run=run)
    )
    DetectionRun.objects.filter(pk=run.pk).update(
        state=DetectionRun.State.DONE,
        finished_at=timezone.now(),
        events=events.height,
        cases=events[s.CASE_ID].n_unique() if events.height else 0,
        findings_new=new,
        findings_updated=updated,
        findings_cleared=cleared,
    )


def unit_label(unit: Unit) -> str:
    """A division's name alone is ambiguous ("Văn phòng Sở"): add its parent below the root."""
    parent = unit.parent
    if parent is not None and parent.parent_id is not None:
        return f"{unit.name} ({parent.name})"
    return unit.name


def _named(sentence: str, code: str, person: Person | None, unit: Unit | None) -> str:
    """The engine speaks in codes (it knows no names); people read names."""
    name = person.full_name if person else unit_label(unit) if unit else None
    return sentence.replace(f" {code} ", f" {name} ", 1) if name else sentence


def _open_review(finding: Finding, at: datetime) -> None:
    """Start due process for a new finding; a subject nobody can answer for (a dissolved unit
    with no head) stays visible to inspectors without a review."""
    from congvu.detection.review import open_review

    try:
        open_review(finding, at=at)
    except ActionError:
        log.info("no review opened for finding %s: no one to explain", finding.pk)


def periods_with_tasks() -> list[str]:
    """Every quarter that has at least one task, oldest first."""
    days = Task.objects.dates("assigned_at", "month")
    return sorted({quarter_of(d)[0] for d in days})
