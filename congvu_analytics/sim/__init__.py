"""A realistic test province: the log, the organisation and the ground truth (issue #11).

``generate(seed, size)`` is a pure function of its arguments: the same seed and size give the
same province, event for event. It is the measuring tool for the detection engine
(``bench/detect_quality.py``); ``write_export`` writes the same province as a foreign log the way a
province would hand it to a data officer (``congvu_analytics.sim.export``).

Sizes (``SIZES``): ``small`` ≈ 3,000 people, 20,000 tasks, ≈ 305k events; ``large`` ≈ 30,000
people, 1,000,000 tasks, ≈ 15.3M events; ``tiny`` (1,500 tasks; ≈ 500 people, since the 14
departments keep two divisions each at least) for tests. Any field of :class:`SimConfig` can be
overridden: ``generate(1, "small", tasks=5000)``.

Modelling choices (docs/detection.md, "The test province", has the same with the reasons):

Organisation (two-tier since 1/7/2025). UBND tỉnh (chairman + 4 vice-chairs, tier 3); 14 sở/ban
named after the post-merger departments, each with a director, 2-3 deputies and divisions
(phòng, ≈10 people: head, 1-2 deputies, specialists; lognormal sizes); communes and wards (20%
wards), each with a chairman, 2 vice-chairs and four divisions of ≈6 (Văn phòng, Kinh tế, Văn
hóa - Xã hội, Trung tâm phục vụ hành chính công). 40% of people in sở/ban, 60% in communes.
Units differ in workload (lognormal, σ 0.5) and pace (σ 0.12). Each division has a coordination
focal person (a deputy head, else a specialist).

People. Each has a pace (lognormal σ 0.25, multiplies working time), a workload weight
(σ 0.35) and, per behaviour, a personal base propensity (lognormal σ 0.6 around the population
base rate): normal people show every behaviour at low rates. Offenders (``offender_share``, 4%
per behaviour, drawn independently so some carry two) are division staff (heads, deputies,
specialists) expected to lead at least ``offender_min_tasks`` (8) tasks in the log: a behaviour
nobody could see in a year's record is not ground truth any method can be held to. Severity:
mild 0.25-0.5 (40%), moderate 0.5-0.8 (35%), blatant 0.8-1.0 (25%). On each task the
probability of showing the behaviour is base × personal multiplier + severity × an increment,
so no rule guarantees that a bad actor shows it on a given task.

A task's life. 35% come from UBND tỉnh to a sở/xã leader (director or deputy), the rest start in
the unit; the leader assigns a division, whose head accepts and cascades to a specialist (12%
are handled by the head). Deadline 5-30 working days; the work itself takes 10-45% of it ×
the person's and the unit's pace. The lead works in steps with progress reports (80% of steps),
meets episodes at random points of the work (coordination rounds, opinion requests, pauses, idle
spells, extensions), submits; the superior approves or asks for rework (12% base); tasks from
UBND tỉnh are approved again by the unit's leader. A coordination round (30% of tasks) asks 1-5
units at once (deadline 5-10 working days), each answered by the unit's focal person (60%) or a
specialist it designates; the lead waits for the last answer. A lead about to miss the deadline
asks for an extension half the time (granted 85%). The assigner sends reminders while the task
is overdue. Tasks still open at the end of the log (250 working days from 1/7/2025) are cut
there. About 21% of tasks end late, 16% with an extension, ≈ 15 events a task.

Behaviours (per task; s = severity; base rates × the personal multiplier):
- avoidance: accepting late, 3-8 working days (3% + 25%·s; heads 40%·s); declining (1% + 10%·s);
  coordination requests addressed to them unanswered (deemed agreed), answered late or with no
  position (5% + 70%·s of requests).
- buck-passing: transferring sideways to another division "not our remit", which sends it back
  (1.2% + 30%·s); returning it to the head, who gives it back (1% + 25%·s).
- stalling: idle spells of 8-30 working days (4% + 45%·s), pauses the superior does not accept
  (1% + 20%·s), plain unreviewed pauses (3% + 10%·s), repeated extensions (2% + 40%·s), fewer
  progress reports (80% − 60%·s of steps); a stalling head sits on the cascade (5% + 60%·s,
  3-12 days).
- fear: opinion requests (4% + 50%·s; the superior judges 80% of an offender's requests within
  the asker's authority, 35% of others'), pushing the task back up for the superior to decide
  (1% + 20%·s).

Bad-head divisions (``bad_heads``, 30): the head is a stalling offender (severity 0.4-0.9), slow
to cascade and to approve (1-6 extra working days, opinions and extensions 2-4× slower), and
every member works 1.15-1.5× slower. Truth: the unit has ``bad_head``; the head is in group
``bad_head``, its members in look-alike group ``bad_head_member``.

Look-alikes (normal people who must not be flagged; group names in ``truth_people.groups``):
- ``legal_obstacle``: members of legal-prone divisions (12%: land, construction, ...) whose
  tasks meet a legal obstacle 40% of the time (2% elsewhere): a pause the leader confirms
  (reviewed), a 10-45 working-day wait, one extension, a second in 50%.
- ``coordination_wait``: members of coordination-heavy divisions (12%): 70% of their tasks have
  a coordination round (30% elsewhere); 8% of units answer slowly (legitimately).
- ``heavy_workload``: 3% of specialists with 3-5× the tasks, 15% slower.
- ``new_staff``: 5% of specialists starting during the log (few tasks, 1.3-1.8× slower, 35% of
  tasks with a guidance request, more rework); ``start_date`` in the people table.
- ``innovation``: 3% of specialists with an approved innovation proposal (ND 73/2023) covering
  half their tasks: 1.3-2× longer, rework +25%, extensions likelier, 15% fail (cancelled).
- ``misrouted``: people who hand on tasks sent to them by mistake: 12% of UBND tasks to one of
  four pairs of easily confused departments are declined "sai thẩm quyền" and reassigned; 12% of
  a department's tasks to a division with a confused sibling (30% of divisions) are transferred
  on "sai thẩm quyền" and accepted there.
- ``bad_head_member``: see above.
- ``reorganised``: only with ``reorganized`` > 0 (off by default): the people of divisions
  merged into a sibling inside the log, whose open cases are all transferred to the successor
  on the effective day (``congvu_analytics.sim._reorg``).

The canonical log carries what Công Vụ's own app records: ``reviewed`` on pauses the superior
confirmed (the review itself is an ``other`` event), ``ref_event_id`` on coordination answers,
deemed agreements, extension decisions, opinion answers and reviews, ``within_authority`` on
opinion requests and answers (the superior's view), ``protected`` on innovation tasks. Holders
and ``level`` are left for the engine's custody derivation.
"""

from __future__ import annotations

import itertools
import json
import os
import random
from dataclasses import asdict, dataclass, fields, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa

from congvu_analytics import org as org_schema
from congvu_analytics.org import Org
from congvu_analytics.schema import conform
from congvu_analytics.sim._org import BEHAVIOURS, SEVERITY_MIX, OrgModel, build_org, plant
from congvu_analytics.sim._reorg import GROUP as REORG_GROUP
from congvu_analytics.sim._reorg import merge_divisions
from congvu_analytics.sim._tasks import (
    ACTS,
    POSITIONS,
    REASONS,
    CaseInfo,
    Columns,
    expected_leads,
    simulate,
)
from congvu_analytics.workdays import WorkCalendar

__all__ = [
    "BEHAVIOURS",
    "GENERATOR_VERSION",
    "LOOKALIKE_GROUPS",
    "OPTIONAL_GROUPS",
    "SIZES",
    "Province",
    "SimConfig",
    "generate",
    "load_province",
    "save_province",
    "write_export",
]

LOOKALIKE_GROUPS = (
    "legal_obstacle",
    "coordination_wait",
    "heavy_workload",
    "new_staff",
    "innovation",
    "misrouted",
    "bad_head_member",
)
# Look-alikes only some provinces have: ``reorganised`` only with ``SimConfig.reorganized``.
OPTIONAL_GROUPS = ("reorganised",)
# Bumped whenever a change to the generator changes the province a seed gives: a province kept
# by ``save_province`` under another version is stale (``load_province`` refuses it).
GENERATOR_VERSION = 2

# The engine's behaviour names (findings' ``behaviour``) for the four truth columns.
ENGINE_BEHAVIOUR = {
    "avoidance": "avoidance",
    "buck_passing": "buck_passing",
    "stalling": "stalling",
    "fear": "fear_of_responsibility",
}


@dataclass(frozen=True)
class SimConfig:
    """Everything that shapes a province; ``SIZES`` holds the presets."""

    people: int
    tasks: int
    span_days: int = 250  # working days in the log, from ``start``
    start: date = date(2025, 7, 1)  # the two-tier administration starts
    bad_heads: int = 30
    offender_share: float = 0.04  # per behaviour, of the people who could show it
    offender_min_tasks: float = 8.0  # expected led tasks to be in that pool
    # Shares of mild, moderate and blatant offenders (a generality check: a province whose
    # offenders are all moderate or worse, say (0, 0.5, 0.5)).
    severity_mix: tuple[float, float, float] = SEVERITY_MIX
    new_staff_share: float = 0.05
    heavy_share: float = 0.03
    innovator_share: float = 0.03
    legal_share: float = 0.12  # divisions whose tasks often meet legal obstacles
    coord_share: float = 0.12  # divisions whose tasks often need coordination
    # A reorganisation inside the log (``congvu_analytics.sim._reorg``): this many divisions
    # of departments merged into a sibling on working day ``reorg_day``; their hand-overs
    # carry the reason ``reorganization``, or none (``reorg_blank``). 0: none (the default
    # province, unchanged event for event).
    reorganized: int = 0
    reorg_day: int = 110
    reorg_blank: bool = False


SIZES: dict[str, SimConfig] = {
    "tiny": SimConfig(people=300, tasks=1_500, bad_heads=4),
    "small": SimConfig(people=3_000, tasks=20_000),
    "large": SimConfig(people=30_000, tasks=1_000_000),
}


@dataclass(frozen=True)
class Province:
    """A generated province: the canonical log, the organisation and the ground truth.

    ``truth_people``: person, avoidance, buck_passing, stalling, fear (bool), severity_<b>
    (0..1, null for a normal person), shown_<b> (how many times the person actually showed the
    behaviour in the log, offender or not: the ceiling of what any method can see), groups
    (list of look-alike groups; for offenders too).
    ``truth_units``: unit, bad_head (bool), kind ("bad_head" or "normal").
    """

    seed: int
    size: str
    config: SimConfig
    events: pl.DataFrame
    org: Org
    truth_people: pl.DataFrame
    truth_units: pl.DataFrame


def generate(seed: int, size: str = "small", **overrides: Any) -> Province:
    """Generate the province for ``seed`` at ``size`` (``tiny``, ``small``, ``large``), with any
    :class:`SimConfig` field overridden by keyword."""
    if size not in SIZES:
        raise ValueError(f"Cỡ tỉnh không hợp lệ: {size!r} (chọn một trong {', '.join(SIZES)})")
    known = {f.name for f in fields(SimConfig)}
    unknown = sorted(set(overrides) - known)
    if unknown:
        raise ValueError(f"Tham số không hợp lệ: {', '.join(unknown)}")
    config = replace(SIZES[size], **overrides)
    mix: tuple[float, ...] = tuple(config.severity_mix)
    if len(mix) != 3 or min(mix) < 0 or sum(mix) > 1 + 1e-9:
        raise ValueError(f"severity_mix = {mix!r}: cần ba tỉ lệ không âm, tổng không quá 1")
    rng = random.Random(seed)  # noqa: S311 (reproducible simulation, not security)
    model = build_org(
        rng,
        config.people,
        span_days=config.span_days,
        new_staff_share=config.new_staff_share,
        heavy_share=config.heavy_share,
        innovator_share=config.innovator_share,
        legal_share=config.legal_share,
        coord_share=config.coord_share,
        start=config.start,
    )
    plant(
        rng,
        model,
        expected_leads(model, config.tasks, config.span_days),
        bad_heads=config.bad_heads,
        offender_share=config.offender_share,
        min_tasks=config.offender_min_tasks,
        severity_mix=config.severity_mix,
    )
    misrouted: set[int] = set()
    shown = {b: [0] * len(model.people) for b in BEHAVIOURS}
    cols, info = simulate(rng, model, config.tasks, config.span_days, misrouted, shown)
    for i in misrouted:
        model.people[i].groups.add("misrouted")
    days = _working_days(config.start, config.span_days + 200)
    events = _events_frame(cols, info, model, days)
    del cols, info
    org = _org_frames(model, days)
    if config.reorganized > 0:
        events, org, moved = merge_divisions(
            seed, events, org, count=config.reorganized, effective=days[config.reorg_day],
            blank=config.reorg_blank,
        )  # fmt: skip
        index = {p.code: p for p in model.people}
        for code in moved:
            index[code].groups.add(REORG_GROUP)
    return Province(
        seed=seed,
        size=size,
        config=config,
        events=events,
        org=org,
        truth_people=_truth_people(model, shown),
        truth_units=_truth_units(model),
    )


def _working_days(start: date, n: int) -> list[date]:
    calendar = WorkCalendar(first_year=start.year, last_year=start.year + 3)
    out: list[date] = []
    day = start
    while len(out) < n:
        if calendar.is_working_day(day):
            out.append(day)
        day += timedelta(days=1)
    return out


_ARROW = {"i": pa.int32(), "h": pa.int16(), "b": pa.int8(), "d": pa.float64()}


def _series(name: str, values: Any) -> pl.Series:
    """A zero-copy view of an ``array.array`` as a polars Series (via an Arrow buffer)."""
    arrow = pa.Array.from_buffers(
        _ARROW[values.typecode], len(values), [None, pa.py_buffer(values)]
    )
    series = pl.from_arrow(arrow)
    assert isinstance(series, pl.Series)
    return series.alias(name)


def _events_frame(cols: Columns, info: CaseInfo, model: OrgModel, days: list[date]) -> pl.DataFrame:
    raw = pl.DataFrame([_series(f.name, getattr(cols, f.name)) for f in fields(Columns)])
    epoch = date(1970, 1, 1)
    day_epoch = pl.Series([(d - epoch).days for d in days], dtype=pl.Int64)
    person_ids = pl.Series([p.code for p in model.people], dtype=pl.String)
    unit_ids = pl.Series([u.code for u in model.units], dtype=pl.String)
    protected = _series("p", info.protected).cast(pl.Boolean)
    hour_us = 3_600_000_000
    day_us = 24 * hour_us

    def idx(name: str) -> pl.Expr:
        return pl.when(pl.col(name) >= 0).then(pl.col(name))

    def person(name: str) -> pl.Expr:
        return pl.lit(person_ids).gather(idx(name))

    def unit(name: str) -> pl.Expr:
        return pl.lit(unit_ids).gather(idx(name))

    def flag(name: str) -> pl.Expr:
        return pl.when(pl.col(name) >= 0).then(pl.col(name) == 1)

    case_id = pl.lit("NV") + (pl.col("case") + 1).cast(pl.String).str.zfill(7)
    day = pl.col("t").floor().cast(pl.Int32).clip(0, len(days) - 1)
    # Office hours 08:00-17:00 Vietnam time = 01:00-10:00 UTC.
    ts = (
        pl.lit(day_epoch).gather(day) * day_us
        + hour_us
        + ((pl.col("t") - pl.col("t").floor()) * 9 * hour_us).cast(pl.Int64)
    )
    due_day = pl.lit(day_epoch).gather(idx("due").clip(0, len(days) - 1))
    # A deadline is the end of its day, 23:59:59 Vietnam time (as the app exports it).
    due = due_day * day_us + 17 * hour_us - 1_000_000
    activities = {i: a for i, (a, _) in enumerate(ACTS)}
    labels = {i: label for i, (_, label) in enumerate(ACTS)}
    reasons = {i: c for i, (c, _, _) in enumerate(REASONS)}
    texts = {i: text for i, (_, _, text) in enumerate(REASONS)}
    select = [
        (case_id + "-" + pl.col("seq").cast(pl.String).str.zfill(3)).alias("event_id"),
        case_id.alias("case_id"),
        pl.col("act").replace_strict(activities, return_dtype=pl.String).alias("activity"),
        pl.col("act").replace_strict(labels, return_dtype=pl.String).alias("activity_label"),
        ts.cast(pl.Datetime("us", "UTC")).alias("timestamp"),
        person("actor").alias("actor"),
        unit("unit").alias("unit"),
        person("tactor").alias("target_actor"),
        unit("tunit").alias("target_unit"),
        pl.col("reason")
        .replace_strict(reasons, default=None, return_dtype=pl.String)
        .alias("reason_code"),
        pl.col("reason")
        .replace_strict(texts, default=None, return_dtype=pl.String)
        .alias("reason_text"),
        pl.when(pl.col("due") >= 0).then(due).cast(pl.Datetime("us", "UTC")).alias("due"),
        pl.when(pl.col("ref") >= 0)
        .then(case_id + "-" + pl.col("ref").cast(pl.String).str.zfill(3))
        .alias("ref_event_id"),
        pl.col("pos")
        .replace_strict(dict(enumerate(POSITIONS)), default=None, return_dtype=pl.String)
        .alias("position"),
        flag("rev").alias("reviewed"),
        pl.lit(protected).gather(pl.col("case")).alias("protected"),
        flag("within").alias("within_authority"),
        # Kept only for sorting: simulation time orders events of one case exactly.
        pl.col("case").alias("_case"),
        pl.col("t").alias("_t"),
    ]
    # Cases were simulated in order, so a slice of whole cases can be built and sorted alone:
    # chunks of about a million events keep the string columns' intermediates small (the
    # large province peaked at 6 GB built in one piece).
    chunks = []
    bounds = _case_bounds(raw["case"], _CHUNK_ROWS)
    for lo, hi in itertools.pairwise(bounds):
        part = raw.slice(lo, hi - lo).lazy().select(select)
        chunks.append(conform(part.sort("_case", "_t", "event_id").drop("_case", "_t")).collect())
    if not chunks:
        return conform(raw.lazy().select(select).drop("_case", "_t")).collect()
    return pl.concat(chunks, rechunk=False)


_CHUNK_ROWS = 1_000_000


def _case_bounds(case: pl.Series, rows: int) -> list[int]:
    """Row offsets that cut a case-ordered column into pieces of about ``rows`` rows, never
    inside a case."""
    n = case.len()
    bounds = [0]
    while bounds[-1] < n:
        nxt = bounds[-1] + rows
        if nxt >= n:
            bounds.append(n)
            break
        # Move the cut to the first row of the next case.
        cut = int(case.search_sorted(case[nxt], side="left"))
        bounds.append(cut if cut > bounds[-1] else int(case.search_sorted(case[nxt], side="right")))
    return bounds


def _org_frames(model: OrgModel, days: list[date]) -> Org:
    units = pl.DataFrame(
        {
            org_schema.UNIT_ID: [u.code for u in model.units],
            org_schema.UNIT_NAME: [u.name for u in model.units],
            org_schema.UNIT_TYPE: [u.type for u in model.units],
            org_schema.UNIT_PARENT: [u.parent for u in model.units],
            org_schema.UNIT_HEAD: [
                model.people[u.head].code if u.head >= 0 else None for u in model.units
            ],
            org_schema.UNIT_LEVEL: [u.level for u in model.units],
        }
    )
    people = pl.DataFrame(
        {
            org_schema.PERSON_ID: [p.code for p in model.people],
            org_schema.PERSON_NAME: [p.name for p in model.people],
            org_schema.PERSON_UNIT: [model.units[p.unit].code for p in model.people],
            org_schema.POSITION: [p.position for p in model.people],
            org_schema.START_DATE: [
                days[p.new_from] if p.new_from >= 0 else p.start for p in model.people
            ],
        }
    )
    return Org.of(units, people)


def _truth_people(model: OrgModel, shown: dict[str, list[int]]) -> pl.DataFrame:
    data: dict[str, Any] = {"person": [p.code for p in model.people]}
    for b in BEHAVIOURS:
        data[b] = [b in p.severity for p in model.people]
    for b in BEHAVIOURS:
        data[f"severity_{b}"] = [p.severity.get(b) for p in model.people]
    for b in BEHAVIOURS:
        data[f"shown_{b}"] = shown[b]
    data["groups"] = [sorted(p.groups) for p in model.people]
    return pl.DataFrame(
        data,
        schema={
            "person": pl.String(),
            **{b: pl.Boolean() for b in BEHAVIOURS},
            **{f"severity_{b}": pl.Float64() for b in BEHAVIOURS},
            **{f"shown_{b}": pl.Int32() for b in BEHAVIOURS},
            "groups": pl.List(pl.String()),
        },
    )


def _truth_units(model: OrgModel) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "unit": [u.code for u in model.units],
            "bad_head": [u.bad_head for u in model.units],
            "kind": [u.kind for u in model.units],
        }
    )


def save_province(province: Province, directory: str | os.PathLike[str]) -> Path:
    """Keep a generated province as Parquet files (the large one takes a minute to make)."""
    target = Path(directory)
    target.mkdir(parents=True, exist_ok=True)
    province.org.units.write_parquet(target / "units.parquet")
    province.org.people.write_parquet(target / "people.parquet")
    province.truth_people.write_parquet(target / "truth_people.parquet")
    province.truth_units.write_parquet(target / "truth_units.parquet")
    meta = {
        "generator_version": GENERATOR_VERSION,
        "seed": province.seed,
        "size": province.size,
        **asdict(province.config),
    }
    (target / "province.json").write_text(json.dumps(meta, default=str), encoding="utf-8")
    # Written last: its presence marks a complete province.
    province.events.write_parquet(target / "events.parquet")
    return target


def load_province(directory: str | os.PathLike[str]) -> Province:
    """A province kept by :func:`save_province`."""
    source = Path(directory)
    meta = json.loads((source / "province.json").read_text(encoding="utf-8"))
    version = meta.pop("generator_version", None)
    if version != GENERATOR_VERSION:
        raise ValueError(
            f"{source}: tỉnh mẫu do phiên bản {version} của bộ sinh tạo ra, phiên bản hiện tại"
            f" là {GENERATOR_VERSION}; hãy sinh lại"
        )
    seed, size = meta.pop("seed"), meta.pop("size")
    meta["start"] = date.fromisoformat(meta["start"])
    if "severity_mix" in meta:  # a JSON list; kept before the field existed: the default
        meta["severity_mix"] = tuple(meta["severity_mix"])
    return Province(
        seed=seed,
        size=size,
        config=SimConfig(**meta),
        events=pl.read_parquet(source / "events.parquet"),
        org=Org(
            pl.read_parquet(source / "units.parquet"), pl.read_parquet(source / "people.parquet")
        ),
        truth_people=pl.read_parquet(source / "truth_people.parquet"),
        truth_units=pl.read_parquet(source / "truth_units.parquet"),
    )


def write_export(province: Province, directory: str | os.PathLike[str]) -> Path:
    """Write the province as a foreign export (see :mod:`congvu_analytics.sim.export`)."""
    from congvu_analytics.sim.export import write_export as write

    return write(province, directory)
