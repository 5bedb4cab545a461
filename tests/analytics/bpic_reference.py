"""Independent plain-Python reference for the BPIC 2013 figures (docs/bpic2013.md).

Deliberately shares NO code with congvu_analytics: stdlib gzip + xml.etree iterparse, plain
dicts and loops. The engine's reader + mapping + polars queries must give the same numbers.
"""

from __future__ import annotations

import gzip
import xml.etree.ElementTree as ET
from collections import defaultdict
from datetime import UTC, datetime
from itertools import pairwise


def _local(tag):
    return tag.rsplit("}", 1)[-1]


def read_traces(path):
    """[(case_id, [event dict, ...])] in file order; event dicts hold raw attribute strings."""
    traces = []
    case_id = None
    events = []
    stack = []
    with gzip.open(path, "rb") as fh:
        for kind, elem in ET.iterparse(fh, events=("start", "end")):
            tag = _local(elem.tag)
            if kind == "start":
                stack.append(tag)
                if tag == "trace":
                    case_id, events = None, []
                elif tag == "event":
                    events.append({})
                continue
            stack.pop()
            if tag == "trace":
                traces.append((case_id, events))
                elem.clear()
            elif elem.get("key") is not None:
                if stack == ["log", "trace", "event"]:
                    events[-1].setdefault(elem.get("key"), elem.get("value"))
                elif stack == ["log", "trace"] and elem.get("key") == "concept:name":
                    case_id = elem.get("value")
    return traces


def _time(text):
    return datetime.fromisoformat(text).astimezone(UTC)


def _line(team):
    if team.endswith(" 3rd"):
        return 3
    if team.endswith(" 2nd"):
        return 2
    return 1


def prepared(path, team_key):
    """{case: [(time, team, status, substatus), ...]} sorted by time, exact duplicates dropped."""
    out = {}
    for case_id, events in read_traces(path):
        seen = set()
        rows = []
        for n, ev in enumerate(events):
            fingerprint = tuple(sorted(ev.items()))
            if fingerprint in seen:
                continue
            seen.add(fingerprint)
            rows.append(
                (
                    _time(ev["time:timestamp"]),
                    n,
                    ev.get(team_key),
                    ev["concept:name"],
                    ev.get("lifecycle:transition"),
                )
            )
        rows.sort(key=lambda r: (r[0], r[1]))
        out[case_id] = [(t, team, status, sub) for t, _, team, status, sub in rows]
    return out


def ping_pong(cases):
    """(cases with an A->B->A bounce, total bounces, {(a, b): [cases, bounces]})."""
    with_bounce = 0
    total = 0
    pairs = defaultdict(lambda: [set(), 0])
    for case_id, rows in cases.items():
        seq = []
        for _, team, _, _ in rows:
            if team is None:
                continue
            if not seq or seq[-1] != team:
                seq.append(team)
        found = False
        for i in range(len(seq) - 2):
            if seq[i] == seq[i + 2]:
                found = True
                total += 1
                key = tuple(sorted((seq[i], seq[i + 1])))
                pairs[key][0].add(case_id)
                pairs[key][1] += 1
        with_bounce += found
    ranked = sorted(
        ((a, b, len(c), n) for (a, b), (c, n) in pairs.items()),
        key=lambda r: (-r[2], -r[3], r[0], r[1]),
    )
    return with_bounce, total, ranked


def _sequence(rows):
    seq = []
    for _, team, _, _ in rows:
        if team is None:
            continue
        if not seq or seq[-1] != team:
            seq.append(team)
    return seq


def cycles(cases):
    """Published definition (any A->...->A): (cases with a cycle, cases with an immediate
    bounce among them, returns, [(team, cases, returns)] ranked)."""
    with_cycle = with_bounce = returns = 0
    per_team = defaultdict(lambda: [set(), 0])
    for case_id, rows in cases.items():
        seq = _sequence(rows)
        last = {}
        found = immediate = False
        for i, team in enumerate(seq):
            if team in last:
                found = True
                immediate = immediate or i - last[team] == 2
                returns += 1
                per_team[team][0].add(case_id)
                per_team[team][1] += 1
            last[team] = i
        with_cycle += found
        with_bounce += immediate
    ranked = sorted(
        ((t, len(c), n) for t, (c, n) in per_team.items()), key=lambda r: (-r[1], -r[2], r[0])
    )
    return with_cycle, with_bounce, returns, ranked


def line_moves(cases):
    """{(from_line, to_line): [moves, cases]} and the cases back to the 1st line / skipping
    the 2nd, over changes of team."""
    moves = defaultdict(lambda: [0, set()])
    down = set()
    skip = set()
    for case_id, rows in cases.items():
        lines = []
        previous = None
        for _, team, _, _ in rows:
            if team is None or team == previous:
                continue
            previous = team
            lines.append(_line(team))
        for a, b in pairwise(lines):
            moves[(a, b)][0] += 1
            moves[(a, b)][1].add(case_id)
            if a >= 2 and b == 1:
                down.add(case_id)
            if a == 1 and b == 3:
                skip.add(case_id)
    return {k: (n, len(c)) for k, (n, c) in moves.items()}, down, skip


def wait_user(cases, min_cases=1):
    """[(team, cases, handling_hours, wait_user_hours, share)] sorted by share desc, team."""
    handling = defaultdict(float)
    waiting = defaultdict(float)
    held = defaultdict(set)
    for case_id, rows in cases.items():
        for i, (t, team, status, sub) in enumerate(rows):
            if team is None:
                continue
            held[team].add(case_id)
            if i + 1 < len(rows):
                hours = (rows[i + 1][0] - t).total_seconds() / 3600
                handling[team] += hours
                if status == "Accepted" and sub == "Wait - User":
                    waiting[team] += hours
            else:
                handling[team] += 0.0
    out = []
    for team in held:
        if len(held[team]) < min_cases:
            continue
        share = waiting[team] / handling[team] if handling[team] > 0 else None
        out.append((team, len(held[team]), handling[team], waiting[team], share))
    out.sort(key=lambda r: (r[4] is None, -(r[4] or 0), r[0]))
    return out


def _quantile(values, q):
    values = sorted(values)
    pos = q * (len(values) - 1)
    lo = int(pos)
    hi = min(lo + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (pos - lo)


def escalation(cases):
    """Dict of the (c) figures, same names as congvu_analytics.bpic.escalation_summary."""
    escalated = third = from_first = without = 0
    hours = []
    for rows in cases.values():
        lines = [_line(team) for _, team, _, _ in rows]
        if max(lines) >= 2:
            escalated += 1
        if max(lines) >= 3:
            third += 1
        if max(lines) >= 2 and lines[0] == 1:
            from_first += 1
            first_up = next(i for i, v in enumerate(lines) if v >= 2)
            hours.append((rows[first_up][0] - rows[0][0]).total_seconds() / 3600)
            tried = any(
                rows[i][2] == "Accepted" and rows[i][3] == "In Progress" and lines[i] == 1
                for i in range(first_up)
            )
            if not tried:
                without += 1
    n = len(cases)
    return {
        "cases": n,
        "escalated": escalated,
        "escalated_share": escalated / n,
        "third_line": third,
        "third_line_share": third / n,
        "from_first_line": from_first,
        "median_hours": _quantile(hours, 0.5),
        "p25_hours": _quantile(hours, 0.25),
        "p75_hours": _quantile(hours, 0.75),
        "without_work": without,
        "without_work_share": without / from_first,
    }
