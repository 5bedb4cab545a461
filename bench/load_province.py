"""Load benchmark: a 25,000-person province with 500,000 tasks, 50 simulated users on gunicorn.

Build once (≈ 15 s org + a few minutes for the tasks), then run (bounded, stops by itself):

    .venv/bin/python bench/load_province.py build [--people 25000] [--tasks 500000]
    .venv/bin/python bench/load_province.py run [--users 50] [--seconds 60] [--workers 3]
    .venv/bin/python bench/load_province.py profile        # query counts + cProfile per page

Database: BENCH_LOAD_URL (default postgres://postgres@127.0.0.1:5432/congvu_bench_load), dropped
and recreated by `build`. Everything listens on 127.0.0.1 only.

`build` runs `seed_demo --people N --no-tasks`, then writes N tasks and their events straight
into the tables with COPY: realistic lifecycles (assigned, accepted, progress reports,
reminders, submitted, approved and completed, cancelled) spread over two years, each event
sealed with the same canonical form and HMAC chain as the workflow actions
(congvu.tasks.seal), and each task's cached columns computed by the same `apply()` the actions
use. `verify_log` runs at the end and must pass.

`run` starts gunicorn (gthread) on a free loopback port and 50 threads, each a signed-in person
(specialists, heads of units, provincial leaders) doing a mix of: inbox, task page, task list,
a workflow action (progress report through the task page's form), unit dashboard and province
dashboard, with 3–8 s think time between clicks (--think; 0.2,1 saturates 2 cores). It prints requests/s, p50/p95/max per page type and the
errors. `profile` replays one request of each page type in-process with the query count and
the top functions of the slowest one.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/congvu_bench_load"
DEMO_PASSWORD = "congvu2026"


def _django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "congvu.settings")
    os.environ.setdefault("CONGVU_VAR_DIR", str(ROOT / "var" / "bench-load"))
    import django

    django.setup()


# --- build -----------------------------------------------------------------------------------


def build(args: argparse.Namespace) -> None:
    import psycopg

    name = args.url.rsplit("/", 1)[1]
    with psycopg.connect(args.url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        c.execute(f'CREATE DATABASE "{name}"')
    _django(args.url)
    from django.core.management import call_command

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("seed_demo", people=args.people, no_tasks=True, verbosity=0)
    print(f"org: {args.people:,} people in {time.perf_counter() - t0:.0f} s")
    t0 = time.perf_counter()
    n_events = generate_tasks(args.tasks, seed=args.seed)
    print(
        f"tasks: {args.tasks:,} tasks, {n_events:,} sealed events in "
        f"{time.perf_counter() - t0:.0f} s"
    )
    from congvu.tasks.verify import verify_log

    res = verify_log()
    print(
        f"verify_log: {'OK' if res.ok else 'BROKEN'} — {res.events:,} events, "
        f"{res.chains:,} chains in {res.seconds:.1f} s"
    )
    if not res.ok:
        raise SystemExit(str(res.first_bad()))


def _org_shape() -> tuple[list[tuple[int, int]], dict[int, tuple[int, int]], dict[int, int]]:
    """(unit, member) pairs; unit → (assigner, assigner's unit): the head above; unit → head."""
    from congvu.org.models import Membership, Unit

    heads: dict[int, int] = {}
    members: list[tuple[int, int]] = []
    for unit_id, person_id, role in (
        Membership.objects.current().order_by("pk").values_list("unit_id", "person_id", "role")
    ):
        if role == Membership.Role.HEAD:
            heads.setdefault(unit_id, person_id)
        elif role == Membership.Role.MEMBER:
            members.append((unit_id, person_id))
    parent = dict(Unit.objects.filter(valid_to__isnull=True).values_list("pk", "parent_id"))
    assigner: dict[int, tuple[int, int]] = {}
    for unit_id in {u for u, _ in members}:
        up: int | None = unit_id
        while up is not None and up not in heads:
            up = parent.get(up)
        chosen = parent.get(unit_id) if parent.get(unit_id) in heads else up
        if chosen is not None:
            assigner[unit_id] = (heads[chosen], chosen)
    return [m for m in members if m[0] in assigner], assigner, heads


LIFECYCLES = [  # (weight, events after ASSIGNED)
    (10, []),
    (30, ["accept", "progress"]),
    (12, ["accept", "progress", "remind", "progress"]),
    (10, ["accept", "progress", "submit"]),
    (33, ["accept", "progress", "progress", "submit", "approve", "complete"]),
    (5, ["cancel"]),
]


def generate_tasks(n_tasks: int, *, seed: int) -> int:
    from django.db import connection, transaction

    from congvu.tasks.events import TaskEventType as E
    from congvu.tasks.models import Task
    from congvu.tasks.seal import canonical, compute_seal, micros, seal_key
    from congvu.tasks.state import TaskState, apply
    from congvu.workdays.calendar import get_calendar

    rng = random.Random(seed)
    members, assigner_of, heads = _org_shape()
    key = seal_key()
    now = datetime.now(UTC).replace(microsecond=0)
    span_s = 2 * 365 * 86400
    weights = [w for w, _ in LIFECYCLES]
    cal = get_calendar()  # before COPY: no other query may run on the connection during it
    cache_days: dict[tuple[date, int], date] = {}
    tasks_file: list[tuple[Any, ...]] = []
    n_events = 0
    # One transaction: the events go in first, their foreign keys to the tasks (deferrable,
    # as Django declares them) are checked at commit once the tasks are in too.
    with transaction.atomic(), connection.cursor().connection.cursor() as cur:
        cur.execute("SELECT coalesce(max(id), 0) FROM tasks_task")
        first = int(cur.fetchone()[0]) + 1
        with cur.copy(
            "COPY tasks_taskevent (task_id, seq, type, at, actor_id, unit_id, target_person_id,"
            " target_unit_id, reason_code, reason_text, payload, seal) FROM STDIN"
        ) as cp:
            for i in range(n_tasks):
                task_id = first + i
                unit_id, lead = members[rng.randrange(len(members))]
                boss, boss_unit = assigner_of[unit_id]
                assigned = now - timedelta(seconds=rng.randrange(span_s))
                day = assigned.date()
                wd = rng.choice((5, 10, 15, 20, 30))
                k = (day, wd)
                if k not in cache_days:
                    cache_days[k] = cal.add_working_days(day, wd)
                deadline = cache_days[k]
                steps = rng.choices(LIFECYCLES, weights)[0][1]
                # Recent tasks are still open more often: cut the lifecycle short.
                age = (now - assigned).days
                if age < 60 and steps and rng.random() < 0.6:
                    steps = steps[: rng.randrange(len(steps))]
                state = TaskState()
                at = assigned
                percent = 0
                events = [
                    (
                        E.ASSIGNED,
                        boss,
                        boss_unit,
                        lead,
                        unit_id,
                        "",
                        {
                            "deadline": deadline.isoformat(),
                            "working_days": None,
                            "parent_task": None,
                            "source": f"{task_id}/UBND-TH",
                        },
                    )
                ]
                for step in steps:
                    if step == "accept":
                        events.append((E.ACCEPTED, lead, unit_id, None, None, "", {}))
                    elif step == "progress":
                        percent = min(90, percent + rng.choice((20, 30, 40)))
                        events.append(
                            (
                                E.PROGRESS_REPORTED,
                                lead,
                                unit_id,
                                None,
                                None,
                                f"Đã hoàn thành {percent}% khối lượng",
                                {"percent": percent},
                            )
                        )
                    elif step == "remind":
                        events.append(
                            (E.REMINDED, boss, boss_unit, lead, unit_id, "Đề nghị khẩn trương", {})
                        )
                    elif step == "submit":
                        events.append(
                            (E.SUBMITTED, lead, unit_id, None, None, "Báo cáo kết quả", {})
                        )
                    elif step == "approve":
                        events.append((E.APPROVED, boss, boss_unit, None, None, "Đồng ý", {}))
                    elif step == "complete":
                        events.append((E.COMPLETED, boss, boss_unit, None, None, "", {}))
                    elif step == "cancel":
                        events.append(
                            (E.CANCELLED, boss, boss_unit, None, None, "Không còn cần thiết", {})
                        )
                for seq, (typ, actor, unit, tp, tu, text, payload) in enumerate(events, 1):
                    if seq > 1:
                        at = min(now, at + timedelta(seconds=rng.randrange(3600, 6 * 86400)))
                        at += timedelta(microseconds=seq)
                    body = canonical(
                        task_id=task_id,
                        seq=seq,
                        type_code=int(typ),
                        at_us=micros(at),
                        actor_id=actor,
                        unit_id=unit,
                        target_person_id=tp,
                        target_unit_id=tu,
                        reason_code="",
                        reason_text=text,
                        payload=payload,
                    )
                    seal = compute_seal(key, state.head_seal, body)
                    apply(
                        state,
                        SimpleNamespace(
                            seq=seq,
                            type=int(typ),
                            at=at,
                            actor_id=actor,
                            unit_id=unit,
                            target_person_id=tp,
                            target_unit_id=tu,
                            reason_code="",
                            payload=payload,
                            seal=seal,
                        ),
                    )
                    cp.write_row(
                        (task_id, seq, int(typ), at, actor, unit, tp, tu, "", text,
                         json.dumps(payload, ensure_ascii=False), seal)
                    )  # fmt: skip
                n_events += len(events)
                title = f"Triển khai nhiệm vụ số {task_id} theo chỉ đạo của UBND tỉnh"
                tasks_file.append(
                    (task_id, False, f"{task_id}/UBND-TH", None, "", "", title, "", 2,
                     boss, boss_unit, state.lead_unit_id, state.lead_person_id, assigned, None,
                     state.status, state.deadline, state.progress, state.seq, state.head_seal,
                     state.last_at, state.seq,
                     Task.fold_search_text(title, f"{task_id}/UBND-TH", "", "", ""))
                )  # fmt: skip
        with cur.copy(
            "COPY tasks_task (id, is_ad_hoc, source_number, source_date, source_issuer, "
            "source_excerpt, title, expected_result, priority, assigner_id, assigner_unit_id, "
            "lead_unit_id, lead_person_id, assigned_at, deadline_working_days, status, deadline, "
            "progress, seq, head_seal, last_event_at, version, search_text) FROM STDIN"
        ) as cp:
            for row in tasks_file:
                cp.write_row(row)
    with connection.cursor() as c:
        for table in ("tasks_task", "tasks_taskevent"):
            c.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT max(id) FROM {table}))"
            )
            c.execute(f"VACUUM ANALYZE {table}")  # as autovacuum would: visibility map set
    del heads
    return n_events


# --- run -------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _actors(n_users: int, seed: int) -> list[dict[str, Any]]:
    """Signed-in people: 60% specialists with open tasks, 30% heads, 10% provincial leaders."""
    from django.db.models import Count

    from congvu.org.models import Membership
    from congvu.tasks.models import CLOSED, Task

    rng = random.Random(seed)
    leads = list(
        Task.objects.exclude(status__in=CLOSED)
        .values("lead_person_id")
        .annotate(n=Count("id"))
        .filter(n__gte=3)
        .order_by("lead_person_id")
        .values_list("lead_person_id", flat=True)[:2000]
    )
    heads = list(
        Membership.objects.current()
        .filter(role=Membership.Role.HEAD, person__user__isnull=False)
        .order_by("pk")
        .values_list("person_id", "unit_id")[:2000]
    )
    from congvu.org.models import Person

    users = dict(Person.objects.filter(user__isnull=False).values_list("pk", "user__username"))
    out: list[dict[str, Any]] = []
    n_leaders = max(1, n_users // 10)
    n_heads = n_users * 3 // 10
    for username in ("chutich", "phochutich", "noivu")[:n_leaders]:
        out.append({"username": username, "kind": "leader", "unit": None})
    for person_id, unit_id in rng.sample(heads, n_heads):
        out.append({"username": users[person_id], "kind": "head", "unit": unit_id})
    for person_id in rng.sample(leads, n_users - len(out)):
        out.append({"username": users[person_id], "kind": "specialist", "unit": None})
    for a in out:
        pid = next(p for p, u in users.items() if u == a["username"])
        a["tasks"] = list(
            Task.objects.filter(lead_person_id=pid)
            .exclude(status__in=CLOSED)
            .order_by("-id")
            .values_list("id", flat=True)[:30]
        ) or list(
            Task.objects.filter(assigner_id=pid).order_by("-id").values_list("id", flat=True)[:30]
        )
    return out


class Stats:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.times: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, list[str]] = defaultdict(list)

    def add(self, kind: str, seconds: float, ok: bool, detail: str = "") -> None:
        with self.lock:
            self.times[kind].append(seconds)
            if not ok:
                self.errors[kind].append(detail)


def _user_loop(
    base: str,
    actor: dict[str, Any],
    stats: Stats,
    until: float,
    seed: int,
    think: tuple[float, float],
) -> None:
    import requests

    rng = random.Random(seed)
    s = requests.Session()
    page = s.get(base + "/dang-nhap/", timeout=30).text
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token, "no CSRF token on the sign-in page"
    r = s.post(
        base + "/dang-nhap/",
        data={
            "csrfmiddlewaretoken": token.group(1),
            "username": actor["username"],
            "password": DEMO_PASSWORD,
        },
        headers={"Referer": base + "/dang-nhap/"},
        timeout=60,
    )
    if "/dang-nhap/" in r.url:
        stats.add("sign_in", 0, False, f"{actor['username']}: sign-in failed")
        return

    def timed(kind: str, method: str, path: str, **kw: Any) -> Any:
        t = time.perf_counter()
        try:
            resp = s.request(method, base + path, timeout=30, allow_redirects=False, **kw)
        except requests.RequestException as exc:
            stats.add(kind, time.perf_counter() - t, False, repr(exc))
            return None
        ok = resp.status_code < 400
        stats.add(kind, time.perf_counter() - t, ok, f"{resp.status_code} {path}")
        return resp

    tasks = actor["tasks"]
    mix = ["inbox"] * 35 + ["task"] * 25 + ["task_list"] * 10 + ["action"] * 12
    mix += ["dashboard"] * (18 if actor["kind"] != "specialist" else 0)
    while time.monotonic() < until:
        kind = rng.choice(mix)
        if kind == "inbox":
            timed("inbox", "GET", "/")
        elif kind == "task_list":
            timed("task_list", "GET", "/viec/")
        elif kind in ("task", "action") and tasks:
            task_id = rng.choice(tasks)
            resp = timed("task", "GET", f"/viec/{task_id}/")
            if kind == "action" and resp is not None and resp.status_code == 200:
                version = re.search(r'name="version" value="(\d+)"', resp.text)
                csrf = s.cookies.get("csrftoken")
                if version and csrf and 'value="progress"' in resp.text:
                    timed(
                        "action",
                        "POST",
                        f"/viec/{task_id}/thao-tac/",
                        data={
                            "csrfmiddlewaretoken": csrf,
                            "action": "progress",
                            "version": version.group(1),
                            "percent": str(rng.randrange(10, 95)),
                            "text": "Cập nhật tiến độ thực hiện",
                        },
                        headers={"Referer": f"{base}/viec/{task_id}/"},
                    )
        elif kind == "dashboard":
            if actor["kind"] == "leader":
                timed("province_dashboard", "GET", "/toan-tinh/")
            else:
                timed("unit_dashboard", "GET", f"/don-vi/{actor['unit']}/")
        time.sleep(rng.uniform(*think))


def run(args: argparse.Namespace) -> None:
    _django(args.url)
    from django.db import connections

    actors = _actors(args.users, args.seed)
    # As in production, where `run_jobs` refreshes the dashboards' figures every hour.
    from congvu.org.models import today
    from congvu.web.models import UnitSummary

    if not UnitSummary.objects.filter(day=today()).exists():
        summaries(args)
    connections.close_all()
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": args.url,
        "DEBUG": "False",
        "DB_CONN_MAX_AGE": "60",
    }
    server = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "congvu.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(args.workers),
            "--threads",
            "4",
            "--worker-class",
            "gthread",
            "--timeout",
            "60",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(ROOT / "var" / "bench-load-gunicorn.log", "w"),  # noqa: SIM115
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        import requests

        for _ in range(150):
            try:
                requests.get(base + "/dang-nhap/", timeout=2)
                break
            except requests.RequestException:
                time.sleep(0.2)
        stats = Stats()
        warm = Stats()
        lo, _, hi = args.think.partition(",")
        think = (float(lo), float(hi or lo))
        # Sign in and warm up (not measured), then the measured window.
        start = time.monotonic()
        until = start + args.warmup + args.seconds
        threads = [
            threading.Thread(
                target=_measured_user,
                args=(base, a, stats, warm, start + args.warmup, until, args.seed + i, think),
                daemon=True,
            )
            for i, a in enumerate(actors)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(args.warmup + args.seconds + 120)
        _report(stats, args.seconds, len(actors))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(30)


def _measured_user(
    base: str,
    actor: dict[str, Any],
    stats: Stats,
    warm: Stats,
    measure_from: float,
    until: float,
    seed: int,
    think: tuple[float, float],
) -> None:
    class Split(Stats):
        def add(self, kind: str, seconds: float, ok: bool, detail: str = "") -> None:
            (stats if time.monotonic() >= measure_from else warm).add(kind, seconds, ok, detail)

    _user_loop(base, actor, Split(), until, seed, think)


def _report(stats: Stats, seconds: float, users: int) -> None:
    total = sum(len(v) for v in stats.times.values())
    errors = sum(len(v) for v in stats.errors.values())
    print(f"{users} users, {seconds:.0f} s measured: {total:,} requests, {total / seconds:.1f} req/s,"
          f" {errors} errors")  # fmt: skip
    print(f"{'page':20} {'n':>6} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    for kind in sorted(stats.times):
        ms = sorted(x * 1000 for x in stats.times[kind])
        p95 = ms[min(len(ms) - 1, int(len(ms) * 0.95))]
        print(f"{kind:20} {len(ms):6} {statistics.median(ms):8.0f} {p95:8.0f} {ms[-1]:8.0f}")
    for kind, errs in stats.errors.items():
        print(f"errors {kind}: {len(errs)} e.g. {errs[:3]}")


# --- profile ---------------------------------------------------------------------------------


def profile(args: argparse.Namespace) -> None:
    _django(args.url)
    import cProfile
    import pstats

    from django.contrib.auth.models import User
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    actors = _actors(10, args.seed)
    pages = []
    for a in actors:
        if a["kind"] == "specialist" and a["tasks"]:
            pages += [(a, "inbox", "/"), (a, "task", f"/viec/{a['tasks'][0]}/")]
            pages += [(a, "task_list", "/viec/")]
            break
    head = next(a for a in actors if a["kind"] == "head")
    leader = next(a for a in actors if a["kind"] == "leader")
    pages += [(head, "inbox (head)", "/"), (head, "unit_dashboard", f"/don-vi/{head['unit']}/")]
    pages += [(leader, "province_dashboard", "/toan-tinh/")]
    slowest: tuple[float, str, Any, str] = (0.0, "", None, "")
    with override_settings(ALLOWED_HOSTS=["*"]):
        for actor, kind, path in pages:
            client = Client()
            client.force_login(User.objects.get(username=actor["username"]))
            client.get(path)  # warm caches
            t = time.perf_counter()
            with CaptureQueriesContext(connection) as q:
                r = client.get(path)
            dt = time.perf_counter() - t
            sql_ms = sum(float(x["time"]) for x in q.captured_queries) * 1000
            print(f"{kind:20} {r.status_code} {dt * 1000:7.0f} ms, {len(q):4} queries, "
                  f"{sql_ms:6.0f} ms in SQL")  # fmt: skip
            for qq in sorted(q.captured_queries, key=lambda x: -float(x["time"]))[:2]:
                print(f"    {float(qq['time']) * 1000:6.0f} ms  {qq['sql'][:300]}")
            if dt > slowest[0]:
                slowest = (dt, kind, client, path)
        _dt, kind, client, path = slowest
        prof = cProfile.Profile()
        prof.enable()
        client.get(path)
        prof.disable()
        print(f"\nslowest: {kind} — top functions by cumulative time (congvu code)")
        pstats.Stats(prof).sort_stats("cumulative").print_stats(r"congvu/", 15)


def summaries(args: argparse.Namespace) -> None:
    """Run the dashboard_summaries job once (what `manage.py run_jobs` does hourly)."""
    _django(args.url)
    from congvu.org.models import today
    from congvu.web.summary import refresh

    t = time.perf_counter()
    print(f"dashboard summaries: {refresh(today())} in {time.perf_counter() - t:.1f} s")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("command", choices=["build", "run", "profile", "summaries"])
    ap.add_argument("--url", default=os.environ.get("BENCH_LOAD_URL", DEFAULT_URL))
    ap.add_argument("--people", type=int, default=25_000)
    ap.add_argument("--tasks", type=int, default=500_000)
    ap.add_argument("--users", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--warmup", type=float, default=15)
    ap.add_argument("--workers", type=int, default=3)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--think", default="3,8", help="think time between clicks, s (min,max)")
    args = ap.parse_args()
    {"build": build, "run": run, "profile": profile, "summaries": summaries}[args.command](args)


if __name__ == "__main__":
    main()
