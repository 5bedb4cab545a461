from __future__ import annotations

import os

import pytest

# Servers that tests start as subprocesses (gunicorn in the fault tests) read the environment.
TEST_RATE = "1000000/min"
os.environ.setdefault("CONGVU_API_RATE_USER", TEST_RATE)
os.environ.setdefault("CONGVU_API_RATE_ANON", TEST_RATE)


@pytest.fixture
def org(db: None):  # type: ignore[no-untyped-def]
    """The small named organisation from congvu.testing (alice, bob, charlie, heads, leader...)."""
    from congvu.testing import make_org

    return make_org()


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings, tmp_path):  # type: ignore[no-untyped-def]
    # Argon2 is deliberately slow; tests create many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # client.login() authenticates without a request, which django-axes refuses; the
    # throttling test turns it back on.
    settings.AXES_ENABLED = False
    # The API's rate limits would turn the fuzzer's hundreds of calls into 429s; the rate-limit
    # tests set their own.
    settings.API_RATES = {"user": TEST_RATE, "anon": TEST_RATE}
    # Checkpoints append to the anchor file outside the database: a test's own, never var/.
    settings.LOG_ANCHOR = str(tmp_path / "log_anchor.jsonl")


# --- Append-only event log vs. transactional tests -------------------------------------------
# The database refuses DELETE/TRUNCATE on the event log (congvu/tasks/migrations/0002), and
# transactional tests end with a flush that does exactly that. Just before that flush we lift
# the guard for the test connection (PostgreSQL: the maintenance switch the trigger honours;
# SQLite: drop the triggers), and the flush's post_migrate signal puts them back.

_SQLITE_TRIGGER = (
    "CREATE TRIGGER IF NOT EXISTS {t}_no_{op_l} BEFORE {op} ON {t} "
    "BEGIN SELECT RAISE(ABORT, 'append-only table {t}: {op} refused'); END"
)


# App label → the migration that installs its append-only triggers.
_TRIGGER_MIGRATIONS = {
    "tasks": "congvu.tasks.migrations.0002_append_only_triggers",
    "evaluation": "congvu.evaluation.migrations.0003_append_only_triggers",
}


def _append_only_tables(label=None):  # type: ignore[no-untyped-def]
    import importlib

    labels = [label] if label else list(_TRIGGER_MIGRATIONS)
    return [t for lb in labels for t in importlib.import_module(_TRIGGER_MIGRATIONS[lb]).TABLES]


def _reinstall_sqlite_triggers(sender, using="default", **kwargs):  # type: ignore[no-untyped-def]
    from django.db import connections

    conn = connections[using]
    if conn.vendor != "sqlite" or sender.label not in _TRIGGER_MIGRATIONS:
        return
    with conn.cursor() as cur:
        for t in _append_only_tables(sender.label):
            for op in ("UPDATE", "DELETE"):
                cur.execute(_SQLITE_TRIGGER.format(t=t, op=op, op_l=op.lower()))


def _connect_trigger_reinstall() -> None:
    from django.db.models.signals import post_migrate

    post_migrate.connect(_reinstall_sqlite_triggers, dispatch_uid="congvu-test-triggers")


_connect_trigger_reinstall()


@pytest.fixture(autouse=True)
def _flushable_event_log(request):  # type: ignore[no-untyped-def]
    marker = request.node.get_closest_marker("django_db")
    transactional = "transactional_db" in request.fixturenames or (
        marker is not None and marker.kwargs.get("transaction", False)
    )
    if not transactional:
        yield
        return
    # Requested here so that this fixture's teardown runs before the flush.
    request.getfixturevalue("transactional_db")
    yield
    from django.db import connection

    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SET congvu.maintenance = 'on'")
        elif connection.vendor == "sqlite":
            for t in _append_only_tables():
                for op in ("update", "delete"):
                    cur.execute(f"DROP TRIGGER IF EXISTS {t}_no_{op}")


# --- Tests skipped for a missing system package ----------------------------------------------
# Browser and PDF tests need Debian packages that `make test` cannot install without root
# (.ci/run installs them). A skip is easy to miss in a long run, so the summary names the
# packages and the one command that installs them.


def pytest_terminal_summary(terminalreporter, exitstatus, config):  # type: ignore[no-untyped-def]
    from congvu.testing import MISSING_PACKAGE

    missing: dict[str, int] = {}
    for report in terminalreporter.stats.get("skipped", []):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else ""
        if MISSING_PACKAGE in reason:
            package = reason.split(MISSING_PACKAGE, 1)[1].split()[0]
            missing[package] = missing.get(package, 0) + 1
    if not missing:
        return
    packages = " ".join(sorted(missing))
    counts = ", ".join(f"{name}: {n}" for name, n in sorted(missing.items()))
    terminalreporter.section("Thiếu gói hệ thống / missing system packages", yellow=True)
    terminalreporter.line(f"{sum(missing.values())} kiểm thử bị bỏ qua vì thiếu gói ({counts}).")
    terminalreporter.line(
        f"Cài đặt / install: sudo apt-get install -y {packages} fonts-dejavu-core"
    )
