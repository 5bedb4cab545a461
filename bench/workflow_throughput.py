"""Workflow throughput on PostgreSQL: N concurrent clients doing realistic action mixes.

    .venv/bin/python bench/workflow_throughput.py [--clients 8] [--seconds 30] [--tasks 2000]

Builds the demo province with 25,000 people (`seed_demo --people 25000 --no-tasks`; --people 0
builds the small synthetic one instead) in its own database (BENCH_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/congvu_bench plus a timestamp), seeds open tasks,
then runs N worker processes for a fixed time. One transition in ten assigns a new task (a
task's life is about ten steps); otherwise each worker mostly acts on its own share of the
tasks (as people mostly work on their own files) and 10% of the time on any task, so row-lock
conflicts and refused transitions happen as they would. Reports transitions/s,
p50/p95 latency per action (the whole do_* call: lock, replay, permission, seal, insert,
commit) and verifies every chain afterwards.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import random
import statistics
import sys
import time
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/congvu_bench"


def setup(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "congvu.settings")
    import django

    django.setup()


def create_database(url: str) -> str:
    """A fresh database named after the URL plus a timestamp. Never DROP here: on a shared
    server DROP DATABASE waits for every backend to absorb a barrier, and one stuck session
    elsewhere makes it hang (seen while writing this). Drop old ones by hand."""
    import psycopg

    base, name = url.rsplit("/", 1)
    name = f"{name}_{int(time.time())}"
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{base}/{name}"


def build_province(departments: int, divisions: int, specialists: int) -> dict[str, Any]:
    """Root (leader) → departments (head, deputy) → divisions (head, specialists)."""
    from django.contrib.auth.models import User

    from congvu.org import actions as org
    from congvu.org.models import Membership, Person, RoleGrant
    from congvu.testing import make_unit_types

    start = date(2024, 1, 1)
    t = make_unit_types()
    n = 0

    def person(unit, role, title):  # type: ignore[no-untyped-def]
        nonlocal n
        n += 1
        user = User(username=f"u{n}")
        user.set_unusable_password()
        user.save()
        p = Person.objects.create(
            code=f"P{n:05d}", full_name=f"Cán bộ {n}", category="cong_chuc", user=user
        )
        org.add_membership(p, unit, role=role, position_title=title, valid_from=start)
        return p

    root = org.create_unit(
        code="UBND",
        name="UBND tỉnh Thử Nghiệm",
        unit_type=t["ubnd_tinh"],
        parent=None,
        valid_from=start,
    )
    leader = person(root, Membership.Role.DEPUTY, "Phó Chủ tịch")
    org.grant_role(leader, RoleGrant.Role.LEADER, root, valid_from=start)
    divs = []
    for d in range(departments):
        dept = org.create_unit(
            code=f"S{d:02d}", name=f"Sở {d}", unit_type=t["so"], parent=root, valid_from=start
        )
        dept_head = person(dept, Membership.Role.HEAD, "Giám đốc")
        person(dept, Membership.Role.DEPUTY, "Phó Giám đốc")
        for v in range(divisions):
            div = org.create_unit(
                code=f"S{d:02d}-P{v}",
                name=f"Phòng {v} Sở {d}",
                unit_type=t["phong"],
                parent=dept,
                valid_from=start,
            )
            head = person(div, Membership.Role.HEAD, "Trưởng phòng")
            staff = [person(div, Membership.Role.MEMBER, "Chuyên viên") for _ in range(specialists)]
            divs.append(
                {
                    "unit": div.pk,
                    "head": head.pk,
                    "staff": [s.pk for s in staff],
                    "dept_head": dept_head.pk,
                    "dept": dept.pk,
                }
            )
    return {"divisions": divs, "people": n}


def demo_province(people: int) -> dict[str, Any]:
    """The demo province (`seed_demo --no-tasks`) in the shape the workers use: every unit
    with specialists, its head, and the head above it (who assigns); siblings under the same
    parent are where misrouted work is transferred."""
    from django.core.management import call_command

    from congvu.org.models import Membership, Unit

    call_command("seed_demo", people=people, no_tasks=True, verbosity=0)
    heads: dict[int, int] = {}
    staff: dict[int, list[int]] = defaultdict(list)
    for unit_id, person_id, role in (
        Membership.objects.current().order_by("pk").values_list("unit_id", "person_id", "role")
    ):
        if role == Membership.Role.HEAD:
            heads.setdefault(unit_id, person_id)
        elif role == Membership.Role.MEMBER:
            staff[unit_id].append(person_id)
    parent = dict(Unit.objects.filter(valid_to__isnull=True).values_list("pk", "parent_id"))
    divs = []
    for unit_id, members in staff.items():
        up = parent.get(unit_id)
        while up is not None and up not in heads:
            up = parent.get(up)
        if unit_id in heads and up is not None and len(members) >= 2:
            divs.append(
                {
                    "unit": unit_id,
                    "head": heads[unit_id],
                    "staff": members,
                    "dept_head": heads[up],
                    "dept": parent[unit_id],
                }
            )
    return {"divisions": divs, "people": people}


def seed_tasks(divisions: list[dict[str, Any]], count: int, rng: random.Random) -> float:
    from congvu.org.models import Person, Unit
    from congvu.tasks import actions

    people = {p.pk: p for p in Person.objects.all()}
    units = {u.pk: u for u in Unit.objects.all()}
    t0 = time.perf_counter()
    for i in range(count):
        d = divisions[i % len(divisions)]
        actions.do_assign(
            assigner=people[d["dept_head"]],
            title=f"Nhiệm vụ {i}",
            lead_unit=units[d["unit"]],
            lead_person=people[rng.choice(d["staff"])],
            working_days=rng.randint(10, 30),
            source_number=f"{i}/UBND-TH",
        )
    return time.perf_counter() - t0


def worker(
    url: str, idx: int, clients: int, seconds: float, divisions: list[dict[str, Any]], queue: Any
) -> None:
    setup(url)
    from django.db import connection

    from congvu.lib.errors import ActionError
    from congvu.org.models import Person, Unit
    from congvu.tasks import actions
    from congvu.tasks.models import Task

    rng = random.Random(1000 + idx)
    people = {p.pk: p for p in Person.objects.all()}
    units = {u.pk: u for u in Unit.objects.all()}
    by_unit = {d["unit"]: d for d in divisions}
    mine = list(Task.objects.filter(id__gt=0).values_list("id", flat=True))
    all_ids = mine
    mine = [t for t in mine if t % clients == idx]
    lat: dict[str, list[float]] = defaultdict(list)
    refused: dict[str, int] = defaultdict(int)
    pending_ext: set[int] = set()
    deadline_far = date.today() + timedelta(days=400)
    end = time.perf_counter() + seconds
    cpu0 = time.process_time()
    while time.perf_counter() < end:
        tid = rng.choice(all_ids) if rng.random() < 0.1 else rng.choice(mine)
        row = (
            Task.objects.filter(pk=tid)
            .values("status", "lead_person_id", "lead_unit_id", "assigner_id")
            .first()
        )
        assert row is not None
        status, lead, assigner = (
            row["status"],
            people[row["lead_person_id"]],
            people[row["assigner_id"]],
        )
        div = by_unit.get(row["lead_unit_id"])
        r = rng.random()
        # (label, action, actor, keyword arguments); the call happens right below.
        kw: dict[str, Any] = {}
        if rng.random() < 0.1:
            # New work arrives all the time: about one transition in ten is an assignment
            # (a task's whole life is ~10 steps), not only when a worker meets a closed task.
            status = "new"
        if status == "assigned":
            other = rng.choice([d for d in divisions if div and d["dept"] == div["dept"]] or [div])
            if r < 0.85 or div is None or other["unit"] == div["unit"]:
                name, fn, who = "accept", actions.do_accept, lead
            else:
                name, fn, who = "transfer", actions.do_transfer, lead
                kw = {
                    "to_unit": units[other["unit"]],
                    "to_person": people[other["head"]],
                    "reason_code": "misrouted",
                    "reason": "Không đúng thẩm quyền",
                }
        elif status == "in_progress":
            if tid in pending_ext:
                name, fn, who = "grant_extension", actions.do_grant_extension, assigner
                pending_ext.discard(tid)
            elif r < 0.45:
                name, fn, who = "progress", actions.do_report_progress, lead
                kw = {"percent": rng.randint(1, 99), "text": "Tiến độ"}
            elif r < 0.55:
                name, fn, who = "extension", actions.do_request_extension, lead
                kw = {
                    "new_deadline": deadline_far + timedelta(days=rng.randint(0, 300)),
                    "reason": "Cần thêm thời gian",
                }
                pending_ext.add(tid)
            elif r < 0.62:
                name, fn, who = "pause", actions.do_pause, lead
                kw = {"reason_code": "external", "reason": "Chờ ý kiến bộ"}
            elif r < 0.70:
                name, fn, who = "remind", actions.do_remind, assigner
                kw = {"text": "Đôn đốc"}
            else:
                name, fn, who = "submit", actions.do_submit, lead
                kw = {"result": "Kết quả"}
        elif status == "paused":
            name, fn, who = "resume", actions.do_resume, lead
        elif status == "submitted":
            if r < 0.85:
                name, fn, who = "approve", actions.do_approve, assigner
            else:
                name, fn, who = "rework", actions.do_request_rework, assigner
                kw = {"reason": "Bổ sung"}
        elif status == "approved":
            name, fn, who = "complete", actions.do_complete, assigner
        else:  # closed or new: a new task for the same division (keeps the pool alive)
            name, fn, who = "assign", None, None
            d = div or rng.choice(divisions)
            kw = {
                "assigner": people[d["dept_head"]],
                "title": "Nhiệm vụ mới",
                "lead_unit": units[d["unit"]],
                "lead_person": people[rng.choice(d["staff"])],
                "working_days": 15,
                "ad_hoc": True,
            }
        t0 = time.perf_counter()
        try:
            if fn is None:
                mine.append(actions.do_assign(**kw).pk)
            else:
                fn(tid, who, **kw)
            lat[name].append(time.perf_counter() - t0)
        except ActionError:
            refused[name] += 1
    cpu = time.process_time() - cpu0
    connection.close()
    queue.put((dict(lat), dict(refused), cpu))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("--tasks", type=int, default=2000)
    ap.add_argument("--people", type=int, default=25000, help="demo province size; 0: small one")
    ap.add_argument("--departments", type=int, default=10)
    ap.add_argument("--divisions", type=int, default=4)
    ap.add_argument("--specialists", type=int, default=6)
    ap.add_argument(
        "--async-commit",
        action="store_true",
        help="what-if: synchronous_commit=off for the bench database (not durable)",
    )
    ap.add_argument("--url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    args = ap.parse_args()

    args.url = create_database(args.url)
    print(f"database: {args.url}")
    if args.async_commit:
        import psycopg

        with psycopg.connect(args.url, autocommit=True) as conn:
            db = args.url.rsplit("/", 1)[1]
            conn.execute(f'ALTER DATABASE "{db}" SET synchronous_commit = off')
        print("synchronous_commit = off (what-if run: commits are not durable)")
    setup(args.url)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    t0 = time.perf_counter()
    if args.people:
        org = demo_province(args.people)
    else:
        org = build_province(args.departments, args.divisions, args.specialists)
    print(
        f"province: {org['people']:,} people, {len(org['divisions'])} units with specialists "
        f"({time.perf_counter() - t0:.1f} s)"
    )
    rng = random.Random(42)
    seed_s = seed_tasks(org["divisions"], args.tasks, rng)
    print(
        f"seeded {args.tasks} tasks in {seed_s:.1f} s ({args.tasks / seed_s:.0f} assigns/s, "
        "one client)"
    )
    from django.db import connection

    connection.close()

    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    procs = [
        ctx.Process(
            target=worker, args=(args.url, i, args.clients, args.seconds, org["divisions"], queue)
        )
        for i in range(args.clients)
    ]
    start = time.perf_counter()
    for p in procs:
        p.start()
    results = [queue.get() for _ in procs]
    for p in procs:
        p.join()
    wall = time.perf_counter() - start
    # Workers spend ~1-2 s importing Django before their timed loop: count the loop time only.
    lat: dict[str, list[float]] = defaultdict(list)
    refused: dict[str, int] = defaultdict(int)
    client_cpu = sum(r[2] for r in results)
    for la, rf, _cpu in results:
        for k, v in la.items():
            lat[k].extend(v)
        for k, v in rf.items():
            refused[k] += v
    ok = sum(len(v) for v in lat.values())
    print(f"\n{args.clients} clients x {args.seconds:.0f} s (wall {wall:.1f} s incl. start-up)")
    print(f"transitions: {ok} ok, {sum(refused.values())} refused (invalid at that moment)")
    print(
        f"throughput: {ok / args.seconds:.0f} transitions/s; client CPU "
        f"{client_cpu * 1000 / max(ok, 1):.1f} ms per transition"
    )
    print(f"{'action':<16}{'n':>7}{'refused':>9}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}")
    every: list[float] = []
    for name in sorted(lat):
        v = sorted(lat[name])
        every.extend(v)
        p95 = v[int(0.95 * (len(v) - 1))]
        print(
            f"{name:<16}{len(v):>7}{refused.get(name, 0):>9}{statistics.median(v) * 1000:>9.1f}"
            f"{p95 * 1000:>9.1f}{v[-1] * 1000:>9.1f}"
        )
    every.sort()
    print(
        f"{'ALL':<16}{len(every):>7}{sum(refused.values()):>9}"
        f"{statistics.median(every) * 1000:>9.1f}{every[int(0.95 * (len(every) - 1))] * 1000:>9.1f}"
    )

    setup(args.url)
    from congvu.tasks.verify import create_checkpoint, verify_log

    cp = create_checkpoint()
    res = verify_log()
    print(
        f"\ncheckpoint #{cp.pk if cp else '-'}; verify_log: {'OK' if res.ok else 'BROKEN'} — "
        f"{res.events} events, {res.chains} chains, {res.seconds:.2f} s"
    )
    if not res.ok:
        print(res.problems[:5])
        sys.exit(1)


if __name__ == "__main__":
    main()
