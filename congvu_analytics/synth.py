"""A deterministic synthetic event log with injected behaviours and their legitimate look-alikes.

The shape imitates a provincial People's Committee (UBND) assigning tasks to departments (sở),
divisions (phòng) and communes (xã): assign → accept → progress reports → (coordination, opinion,
extension, pause, transfer) → submit → approve → complete, with a little ordinary noise on every
person. A few people and units are *injected* with one behaviour each; others are *look-alikes*
whose logs resemble a behaviour for a legitimate reason and must produce no finding. The ground
truth comes with the log, so tests and benchmarks can measure precision and recall.

Generation walks cases in Python (it *produces* rows, it does not analyse them) and writes large
logs in chunks, so 10M events need a few hundred MB at most.
"""

# ruff: noqa: S311, PLR0912, PLR0915
# S311: a seeded, reproducible pseudo-random stream is the point here, not security.
# PLR0912/PLR0915: the case script reads top to bottom like the life of a task; splitting it
# would scatter the story across helpers that share a dozen local variables.
from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl

from congvu_analytics.schema import SCHEMA, Activity, ReasonCode

_DAY_US = 86_400_000_000
_START = datetime(2025, 1, 6, 1, 30, tzinfo=UTC)  # Monday 08:30 Vietnam time
EVENTS_PER_CASE = 9.84  # average, measured on the default mix (log cut included); sizes logs

# Injected roles: role -> (subject type, detectors that must find it, behaviours allowed).
BAD_ROLES: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "pusher": ("person", ("transfer_rate",), ("buck_passing",)),
    "bouncer_unit": ("unit", ("ping_pong",), ("buck_passing",)),
    "decliner": ("person", ("decline_rate",), ("avoidance",)),
    "silent_unit": ("unit", ("coordination",), ("avoidance",)),
    "staller": ("person", ("idle_custody",), ("stalling",)),
    "pauser": ("person", ("hidden_waiting",), ("stalling",)),
    "extender": ("person", ("repeated_extensions",), ("stalling",)),
    "fearful": ("person", ("opinion_within_authority",), ("fear_of_responsibility",)),
    "upward": ("person", ("push_upward",), ("fear_of_responsibility", "buck_passing")),
}
# Look-alikes: role -> subject type. They (and their units) must produce no finding at all.
LOOKALIKE_ROLES: dict[str, str] = {
    "router": "person",  # transfers misrouted tasks to the competent unit, which accepts
    "legal": "person",  # long pauses on reviewed legal obstacles
    "waiter": "person",  # late only because coordinating units answer late
    "innovator": "person",  # protected cases (Decree 73/2023): late, paused, extended
    "heavy": "person",  # four times the workload, ordinary behaviour
    "newcomer": "person",  # four cases, three declined: too few to judge
}
UNIT_TYPES = ("so", "phong", "xa")
UNIT_LEVELS = {"so": 2, "phong": 1, "xa": 1}  # HIGHER = FURTHER UP (UBND = 3)


@dataclass
class SynthLog:
    """A synthetic log and its ground truth."""

    events: pl.DataFrame
    truth: pl.DataFrame  # role, subject_type, subject_id, unit, lookalike, detectors, behaviours
    unit_types: dict[str, str] = field(default_factory=dict)
    unit_levels: dict[str, int] = field(default_factory=dict)


@dataclass
class _Org:
    units: list[str]
    members: dict[str, list[str]]
    unit_of: dict[str, str]
    leaders: list[str]
    roles: dict[str, str]  # subject id -> role
    weights: list[float]
    people: list[str]


def _org(rng: random.Random, n_units: int, people_per_unit: int) -> _Org:
    units = [f"{UNIT_TYPES[i % 3].upper()}{i:03d}" for i in range(n_units)]
    members = {u: [f"{u}-P{j:02d}" for j in range(people_per_unit)] for u in units}
    unit_of = {p: u for u, ps in members.items() for p in ps}
    leaders = [f"UBND-L{j}" for j in range(3)]
    # One role per unit so that a unit's rate reflects at most one injected person.
    person_roles = [r for r, spec in BAD_ROLES.items() if spec[0] == "person"]
    person_roles += list(LOOKALIKE_ROLES)
    unit_roles = [r for r, spec in BAD_ROLES.items() if spec[0] == "unit"]
    order = units[:]
    rng.shuffle(order)
    roles: dict[str, str] = {}
    for role, unit in zip(unit_roles + person_roles, order, strict=False):
        if role in unit_roles:
            roles[unit] = role
        else:
            roles[members[unit][1 + rng.randrange(people_per_unit - 1)]] = role
    people = [p for u in units for p in members[u]]
    weight = {"heavy": 4.0, "newcomer": 0.0}
    weights = [weight.get(roles.get(p, ""), 1.0) for p in people]
    return _Org(units, members, unit_of, leaders, roles, weights, people)


class _Case:
    """Collects the rows of one case."""

    __slots__ = ("case", "n", "protected", "rows")

    def __init__(self, case: str, protected: bool) -> None:
        self.case = case
        self.n = 0
        self.rows: list[tuple[Any, ...]] = []
        self.protected = protected

    def emit(self, activity: Activity, t: float, actor: str, unit: str, **kw: Any) -> str:
        eid = f"{self.case}-{self.n:02d}"
        self.n += 1
        self.rows.append(
            (
                eid, self.case, activity.value, int(_START.timestamp() * 1e6 + t * _DAY_US),
                actor, unit, kw.get("target_actor"), kw.get("target_unit"), kw.get("reason"),
                kw.get("due"), kw.get("ref"), kw.get("position"), kw.get("reviewed"),
                self.protected, kw.get("within"),
            )
        )  # fmt: skip
        return eid


_COLUMNS = (
    "event_id", "case_id", "activity", "timestamp", "actor", "unit", "target_actor",
    "target_unit", "reason_code", "due", "ref_event_id", "position", "reviewed", "protected",
    "within_authority",
)  # fmt: skip


_ROW_SCHEMA = {
    c: pl.Int64
    if c in ("timestamp", "due")
    else pl.Boolean
    if c in ("reviewed", "protected", "within_authority")
    else pl.String
    for c in _COLUMNS
}


def _due_us(t: float) -> int:
    return int(_START.timestamp() * 1e6 + t * _DAY_US)


def _simulate(
    rng: random.Random, org: _Org, idx: int, lead: str, span: float
) -> list[tuple[Any, ...]]:
    """One case: the happy path with noise, bent by the lead's (and the units') roles."""
    role = org.roles.get(lead, "")
    unit = org.unit_of[lead]
    c = _Case(f"T{idx:07d}", protected=role == "innovator")
    boss = org.leaders[idx % len(org.leaders)]
    t = rng.uniform(0, span) + rng.uniform(0, 0.3)
    length = rng.uniform(14, 45)
    due = t + length
    c.emit(Activity.ASSIGN, t, boss, "UBND", target_actor=lead, target_unit=unit, due=_due_us(due))
    t += rng.uniform(0.05, 1.0)

    def others(exclude: str) -> str:
        while True:
            u = org.units[rng.randrange(len(org.units))]
            if u != exclude:
                return u

    def head(u: str) -> str:
        return org.members[u][0]

    def to_colleague(t: float, lead: str, unit: str) -> tuple[float, str]:
        """The assigner gives the task refused or pushed back by `lead` to a colleague."""
        t += rng.uniform(0.5, 2)
        colleague = head(unit) if lead != head(unit) else org.members[unit][-1]
        c.emit(Activity.REASSIGN, t, boss, "UBND", target_actor=colleague, target_unit=unit)
        return t, colleague

    # Decline, then the assigner gives it to a colleague in the same unit.
    declines = (
        (role == "decliner" and rng.random() < 0.4)
        or (role == "newcomer" and idx % 4)
        or (role == "innovator" and rng.random() < 0.4)
        or rng.random() < 0.02
    )
    if declines:
        c.emit(
            Activity.DECLINE,
            t,
            lead,
            unit,
            reason=ReasonCode.COMPETENCE.value,
            target_unit=others(unit),
        )
        t, lead = to_colleague(t, lead, unit)
        role = org.roles.get(lead, "")
        t += rng.uniform(0.1, 1)
    c.emit(Activity.ACCEPT, t, lead, unit)
    t += rng.uniform(0.5, 3)

    # Transfers: pushers push, routers correct misrouting, a bouncing unit sends work back.
    transfer_p = {"pusher": 0.4, "router": 0.4}.get(role, 0.04)
    if rng.random() < transfer_p:
        bouncer = next((u for u, r in org.roles.items() if r == "bouncer_unit"), None)
        to_unit = bouncer if bouncer and rng.random() < 0.3 and bouncer != unit else others(unit)
        reason = ReasonCode.MISROUTED if role == "router" else ReasonCode.COMPETENCE
        c.emit(
            Activity.TRANSFER,
            t,
            lead,
            unit,
            target_actor=head(to_unit),
            target_unit=to_unit,
            reason=reason.value,
        )
        t += rng.uniform(0.5, 2)
        if org.roles.get(to_unit) == "bouncer_unit" and rng.random() < 0.6:
            # The bouncing unit sends back work that is its own: the sender insists, and the
            # case ends with the bouncing unit after all.
            c.emit(Activity.RETURN, t, head(to_unit), to_unit, reason=ReasonCode.OTHER.value)
            t += rng.uniform(0.5, 2)
            c.emit(
                Activity.TRANSFER, t, lead, unit, target_actor=head(to_unit), target_unit=to_unit,
                reason=ReasonCode.COMPETENCE.value,
            )  # fmt: skip
            t += rng.uniform(0.5, 2)
        lead, unit = head(to_unit), to_unit
        role = org.roles.get(lead, "")
        c.emit(Activity.ACCEPT, t, lead, unit)
        t += rng.uniform(0.5, 2)

    # Pushing upward: back to the assigner, who gives it to a colleague.
    if (role == "upward" and rng.random() < 0.4) or rng.random() < 0.015:
        c.emit(Activity.RETURN, t, lead, unit, reason=ReasonCode.OTHER.value)
        t, lead = to_colleague(t, lead, unit)
        role = org.roles.get(lead, "")
        t += rng.uniform(0.2, 1)
        c.emit(Activity.ACCEPT, t, lead, unit)
        t += rng.uniform(0.5, 2)

    # Opinion requests to the assigner.
    if role == "fearful" and rng.random() < 0.6:
        within: bool | None = True
    elif rng.random() < 0.08:
        within = rng.random() < 0.3
    else:
        within = None
    if within is not None:
        req = c.emit(
            Activity.OPINION_REQUEST,
            t,
            lead,
            unit,
            target_actor=boss,
            target_unit="UBND",
            within=within,
        )
        t += rng.uniform(0.5, 3)
        c.emit(Activity.OPINION_GIVEN, t, boss, "UBND", ref=req)
        t += rng.uniform(0.2, 1)

    # Coordination: one request; the silent unit lets it lapse or answers with no position.
    silent = next((u for u, r in org.roles.items() if r == "silent_unit"), None)
    coord_p = 0.9 if role == "waiter" else 0.3
    waited = 0.0
    if rng.random() < coord_p:
        to_silent = (
            silent is not None
            and silent != unit
            and rng.random() < (0.9 if role == "waiter" else 0.25)
        )
        cu = silent if to_silent and silent else others(unit)
        cdue = t + 7
        req = c.emit(
            Activity.COORD_REQUEST,
            t,
            lead,
            unit,
            target_unit=cu,
            target_actor=head(cu),
            due=_due_us(cdue),
        )
        roll = rng.random()
        if to_silent and roll < 0.5:
            waited = 7.5
            c.emit(Activity.DEEMED_AGREE, cdue + 0.5, "system", "UBND", ref=req)
        elif to_silent and roll < 0.8:
            waited = rng.uniform(15, 30)
            c.emit(Activity.COORD_ANSWER, t + waited, head(cu), cu, ref=req, position="agree")
        elif to_silent:
            waited = rng.uniform(2, 6)
            c.emit(Activity.COORD_ANSWER, t + waited, head(cu), cu, ref=req, position="none")
        else:
            waited = rng.uniform(1, 6.5) if rng.random() < 0.95 else rng.uniform(8, 10)
            c.emit(
                Activity.COORD_ANSWER,
                t + waited,
                head(cu),
                cu,
                ref=req,
                position=rng.choice(("agree", "disagree")),
            )
        # The lead keeps working while waiting only for ordinary answers; a lapsed or late
        # answer holds the case (the look-alike "waiter" is late because of it).
        t += waited if waited > 7 else 0.5

    # Extensions, granted by the assigner.
    n_ext = 0
    if role in ("extender", "innovator") and rng.random() < 0.5:
        n_ext = rng.choice((2, 3))
    elif rng.random() < 0.1:
        n_ext = 1 if rng.random() < 0.85 else 2
    # Work: progress reports until the (possibly late) finish.
    late = rng.random() < 0.05 or (role in ("staller", "innovator") and rng.random() < 0.6)
    finish = due + (rng.uniform(2, 12) if late else -rng.uniform(0.5, 0.4 * length))
    finish = max(finish, t + 2) + (waited if role == "waiter" and waited > 7 else 0)
    silent_work = role in ("staller", "innovator") and rng.random() < 0.6
    pause_kind = ""
    if role == "pauser" and rng.random() < 0.5:
        pause_kind = "hidden"
    elif role == "legal" and rng.random() < 0.5:
        pause_kind = "legal"
    elif role == "innovator" and rng.random() < 0.4:
        pause_kind = "hidden"
    elif rng.random() < 0.05:
        pause_kind = "short"
    ext_left = n_ext
    while True:
        step = rng.uniform(2, 8)
        if role in ("staller", "innovator") and rng.random() < 0.35:
            step = rng.uniform(16, 28)
        elif rng.random() < 0.01:
            step = rng.uniform(15, 20)
        if t + step >= finish:
            break
        t += step
        if pause_kind:
            days = {
                "hidden": rng.uniform(12, 25),
                "legal": rng.uniform(15, 30),
                "short": rng.uniform(1, 3),
            }[pause_kind]
            pause_reason = {
                "legal": ReasonCode.LEGAL_OBSTACLE.value,
                "short": ReasonCode.DEPENDENCY.value,
            }.get(pause_kind)
            c.emit(
                Activity.PAUSE,
                t,
                lead,
                unit,
                reason=pause_reason,
                reviewed=pause_kind == "legal" or None,
            )
            t += days
            finish += days
            if pause_kind == "legal":
                due += days  # the assigner moves the deadline for a reviewed obstacle
            c.emit(Activity.RESUME, t, lead, unit)
            pause_kind = ""
            continue
        if ext_left and t > due - length * 0.5:
            req = c.emit(
                Activity.EXTENSION_REQUEST, t, lead, unit, reason=ReasonCode.WORKLOAD.value
            )
            t += rng.uniform(0.3, 2)
            due += 10
            finish += 8
            c.emit(Activity.EXTENSION_GRANTED, t, boss, "UBND", ref=req, due=_due_us(due))
            ext_left -= 1
            continue
        if not silent_work:
            c.emit(Activity.PROGRESS, t, lead, unit)
    t = finish
    if rng.random() < 0.03:
        c.emit(Activity.REMINDER, t - 1, boss, "UBND", target_actor=lead, target_unit=unit)
    c.emit(Activity.SUBMIT, t, lead, unit)
    t += rng.uniform(0.1, 1)
    c.emit(Activity.APPROVE, t, boss, "UBND", target_actor=lead)
    c.emit(Activity.COMPLETE, t + 0.01, lead, unit)
    return c.rows


def _chunks(
    n_cases: int, seed: int, n_units: int, people_per_unit: int, chunk: int
) -> Iterator[pl.DataFrame]:
    rng = random.Random(seed)
    org = _org(rng, n_units, people_per_unit)
    span = 330.0
    end_us = _due_us(span + 35)  # the log is cut here: late cases are still open
    newcomer = next((p for p, r in org.roles.items() if r == "newcomer"), None)
    for start in range(0, n_cases, chunk):
        rows: list[tuple[Any, ...]] = []
        stop = min(n_cases, start + chunk)
        leads = rng.choices(org.people, weights=org.weights, k=stop - start)
        for idx, lead in zip(range(start, stop), leads, strict=True):
            chosen = newcomer if newcomer and idx < 4 else lead
            rows.extend(_simulate(rng, org, idx, chosen, span))
        frame = pl.DataFrame(rows, schema=_ROW_SCHEMA, orient="row")
        yield (
            frame.filter(pl.col("timestamp") <= end_us)
            .with_columns(
                pl.col("timestamp", "due").cast(pl.Datetime("us", "UTC")),
                pl.lit(None, pl.String).alias("activity_label"),
                pl.lit(None, pl.String).alias("reason_text"),
                pl.lit(None, pl.String).alias("holder_actor"),
                pl.lit(None, pl.String).alias("holder_unit"),
            )
            .select(
                [
                    (pl.col(c) if c in _ROW_SCHEMA or c in _ADDED else pl.lit(None))
                    .cast(t)
                    .alias(c)
                    for c, t in SCHEMA.items()
                ]
            )
            # Exported logs usually come grouped by case in time order; chunks hold whole cases
            # in increasing (zero-padded) case id, so sorting each chunk sorts the file.
            .sort("case_id", "timestamp", "event_id")
        )


# Columns the loop above adds; every other canonical column (e.g. LEVEL) is left null.
_ADDED = ("activity_label", "reason_text", "holder_actor", "holder_unit")


def _truth(org: _Org) -> SynthLog:
    rows = []
    for subject, role in sorted(org.roles.items()):
        if role in BAD_ROLES:
            stype, dets, behaviours = BAD_ROLES[role]
            look = False
        else:
            stype, dets, behaviours, look = LOOKALIKE_ROLES[role], (), (), True
        unit = subject if stype == "unit" else org.unit_of[subject]
        rows.append((role, stype, subject, unit, look, list(dets), list(behaviours)))
    truth = pl.DataFrame(
        rows,
        schema={
            "role": pl.String, "subject_type": pl.String, "subject_id": pl.String,
            "unit": pl.String, "lookalike": pl.Boolean, "detectors": pl.List(pl.String),
            "behaviours": pl.List(pl.String),
        },
        orient="row",
    )  # fmt: skip
    types = {u: u[:-3].lower() for u in org.units}
    types["UBND"] = "ubnd"
    levels = {u: UNIT_LEVELS[t] for u, t in types.items() if t in UNIT_LEVELS}
    levels["UBND"] = 3
    return SynthLog(
        events=pl.DataFrame(schema=SCHEMA), truth=truth, unit_types=types, unit_levels=levels
    )


def generate(
    n_cases: int, *, seed: int = 0, n_units: int = 16, people_per_unit: int = 6
) -> SynthLog:
    """A synthetic log of ``n_cases`` tasks, in memory.

    Args:
        n_cases: number of tasks (about ``EVENTS_PER_CASE`` events each).
        seed: the same seed gives the same log.
        n_units: ordinary units (types cycle sở/phòng/xã); at least 15 so every role fits.
        people_per_unit: people per unit; the first is the head.

    Returns:
        The events (canonical schema, holders left empty) and the ground truth.
    """
    org = _org(random.Random(seed), n_units, people_per_unit)
    log = _truth(org)
    log.events = pl.concat(list(_chunks(n_cases, seed, n_units, people_per_unit, chunk=50_000)))
    return log


def write_parquet(
    path: Path,
    n_events: int,
    *,
    seed: int = 0,
    n_units: int | None = None,
    people_per_unit: int = 8,
) -> SynthLog:
    """Write about ``n_events`` events to ``path`` (Parquet) in chunks; return the ground truth
    (with an empty events frame). Units scale with the log (one per ~4,000 cases) so workloads
    stay realistic."""
    import pyarrow.parquet as pq

    n_cases = max(1, round(n_events / EVENTS_PER_CASE))
    units = n_units or max(16, n_cases // 4000)
    org = _org(random.Random(seed), units, people_per_unit)
    tmp = path.with_suffix(".tmp")
    writer = None
    try:
        for frame in _chunks(n_cases, seed, units, people_per_unit, chunk=100_000):
            table = frame.to_arrow()
            if writer is None:
                writer = pq.ParquetWriter(tmp, table.schema, compression="zstd")
            writer.write_table(table)
    finally:
        if writer is not None:
            writer.close()
    tmp.replace(path)
    return _truth(org)
