"""Time verify_log (and a first checkpoint) over millions of sealed events on PostgreSQL.

    .venv/bin/python bench/verify_log_scale.py [--events 5000000] [--per-task 20]

Synthetic but genuinely sealed events (same canonical form and HMAC chain as the actions
write) are loaded with COPY into a fresh database (BENCH_VERIFY_URL, default
postgres://postgres@127.0.0.1:5432/congvu_bench_verify), then `verify_log()` runs once with
no checkpoint and once after `create_checkpoint()`.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/congvu_bench_verify"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--events", type=int, default=5_000_000)
    ap.add_argument("--per-task", type=int, default=20)
    ap.add_argument("--url", default=os.environ.get("BENCH_VERIFY_URL", DEFAULT_URL))
    ap.add_argument("--reuse", action="store_true", help="skip building; verify what is there")
    args = ap.parse_args()

    import psycopg

    name = args.url.rsplit("/", 1)[1]
    if not args.reuse:
        with psycopg.connect(args.url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as c:
            c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            c.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = args.url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "congvu.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from congvu.tasks.seal import canonical, compute_seal, micros, seal_key
    from congvu.tasks.verify import create_checkpoint, verify_log

    if not args.reuse:
        call_command("migrate", verbosity=0)
        from congvu.org.models import Person, Unit, UnitType

        ut = UnitType.objects.create(code="so", name="Sở", level=2)
        unit = Unit.objects.create(
            code="S1", name="Sở 1", unit_type=ut, valid_from=date(2020, 1, 1)
        )
        person = Person.objects.create(code="P1", full_name="Cán bộ 1", category="cong_chuc")
        n_tasks = args.events // args.per_task
        key = seal_key()
        base = datetime(2024, 1, 1, tzinfo=UTC)
        t0 = time.perf_counter()
        raw = connection.cursor().connection  # the psycopg connection, for COPY
        from congvu.tasks.state import TaskState
        from congvu.tasks.state import apply as apply_event

        class Ev:  # what state.apply reads
            def __init__(self, **kw: object) -> None:
                self.__dict__.update(kw)

        task_rows = []
        # One transaction: the events go in first; their foreign keys to the tasks (deferrable,
        # as Django declares them) are checked at commit once the tasks are in too.
        from django.db import transaction

        with transaction.atomic(), raw.cursor() as cur:
            # The ASSIGNED event carries the sealed creation fields, as do_assign writes them;
            # the task rows' cached columns come from the same apply() (verify_log compares).
            types = [101, 102] + [201, 406, 301, 302] * args.per_task
            with cur.copy(
                "COPY tasks_taskevent (task_id, seq, type, at, actor_id, unit_id, target_person_id,"
                " target_unit_id, reason_code, reason_text, payload, seal) FROM STDIN"
            ) as cp:
                for t in range(1, n_tasks + 1):
                    prev = ""
                    at = base + timedelta(minutes=t)
                    state = TaskState()
                    first_at = None
                    coord_seq = 0
                    for seq in range(1, args.per_task + 1):
                        at += timedelta(hours=3, microseconds=seq)
                        first_at = first_at or at
                        typ = types[seq - 1]
                        tp = tu = None
                        payload: dict[str, object] = {}
                        if typ == 101:
                            tp, tu = person.pk, unit.pk
                            payload = {
                                "deadline": "2024-12-31", "working_days": None,
                                "parent_task": None, "source": "ad_hoc", "title": f"Nhiệm vụ {t}",
                                "expected_result": "", "priority": 2, "source_date": None,
                                "source_issuer": "", "source_excerpt": "",
                            }  # fmt: skip
                        elif typ == 201:
                            payload = {"percent": min(100, seq * 4)}
                        elif typ == 301:
                            tu, coord_seq = unit.pk, seq
                            payload = {"due": "2024-12-31"}
                        elif typ == 302:
                            payload = {"request_seq": coord_seq, "position": "agree"}
                        text = "Báo cáo tiến độ thực hiện" if typ == 201 else ""
                        body = canonical(
                            task_id=t,
                            seq=seq,
                            type_code=typ,
                            at_us=micros(at),
                            actor_id=person.pk,
                            unit_id=unit.pk,
                            target_person_id=tp,
                            target_unit_id=tu,
                            reason_code="",
                            reason_text=text,
                            payload=payload,
                        )
                        prev = compute_seal(key, prev, body)
                        apply_event(
                            state,
                            Ev(seq=seq, type=typ, at=at, actor_id=person.pk, unit_id=unit.pk,
                               target_person_id=tp, target_unit_id=tu, reason_code="",
                               payload=payload, seal=prev),
                        )  # fmt: skip
                        cp.write_row(
                            (t, seq, typ, at, person.pk, unit.pk, tp, tu, "", text,
                             json.dumps(payload), prev)
                        )  # fmt: skip
                    task_rows.append(
                        (t, True, "", None, "", "", f"Nhiệm vụ {t}", "", 2, person.pk, unit.pk,
                         unit.pk, person.pk, first_at, state.status, state.deadline,
                         state.progress, state.seq, state.head_seal, state.seq,
                         f"nhiem vu {t}", state.last_at)
                    )  # fmt: skip
            with cur.copy(
                "COPY tasks_task (id, is_ad_hoc, source_number, source_date, source_issuer, "
                "source_excerpt, title, expected_result, priority, assigner_id, assigner_unit_id, "
                "lead_unit_id, lead_person_id, assigned_at, status, deadline, progress, seq, "
                "head_seal, version, search_text, last_event_at) FROM STDIN"
            ) as cp:
                for row in task_rows:
                    cp.write_row(row)
        with connection.cursor() as c:
            c.execute("ANALYZE tasks_taskevent")
            c.execute("ANALYZE tasks_task")
        print(
            f"built {n_tasks * args.per_task:,} sealed events in {n_tasks:,} chains "
            f"({time.perf_counter() - t0:.0f} s)"
        )

    with open("/proc/loadavg") as fh:
        print(f"load average before: {fh.read().split()[:3]}")
    import resource

    cpu0 = time.process_time()
    kids0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    res = verify_log()
    kids1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    kids_cpu = (kids1.ru_utime + kids1.ru_stime) - (kids0.ru_utime + kids0.ru_stime)
    if not res.ok:
        print(res.problems[:3])
    print(
        f"verify_log (no checkpoint): {'OK' if res.ok else 'BROKEN'} {res.events:,} events, "
        f"{res.chains:,} chains in {res.seconds:.1f} s ({res.events / res.seconds:,.0f} events/s)"
        f"; CPU: parent {time.process_time() - cpu0:.1f} s + workers {kids_cpu:.1f} s"
    )
    base_run = verify_log(check_cache=False)
    print(
        f"baseline, same run, without the task-row comparison (check_cache=False): "
        f"{base_run.seconds:.1f} s; with it (above): {res.seconds:.1f} s"
    )
    cpu0 = time.process_time()
    res1 = verify_log(workers=1)
    print(
        f"verify_log, one process: {res1.seconds:.1f} s ({res1.events / res1.seconds:,.0f} "
        f"events/s); CPU {time.process_time() - cpu0:.1f} s"
    )
    t0 = time.perf_counter()
    cp = create_checkpoint()
    print(
        f"first checkpoint ({cp.head_count if cp else 0:,} heads, verifies the changed chains "
        f"first): {time.perf_counter() - t0:.1f} s"
    )
    res = verify_log()
    print(f"verify_log (with checkpoint): {'OK' if res.ok else 'BROKEN'} in {res.seconds:.1f} s")


if __name__ == "__main__":
    main()
