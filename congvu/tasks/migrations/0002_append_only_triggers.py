"""The database itself refuses UPDATE and DELETE on the event log and the checkpoints.

Vendor-specific SQL: SQLite triggers RAISE(ABORT); PostgreSQL uses one trigger function for
row-level UPDATE/DELETE and a statement-level TRUNCATE trigger. An attacker with enough
rights can drop the triggers; that is what the seals and checkpoints are for.
"""

from __future__ import annotations

from django.db import migrations

TABLES = ["tasks_taskevent", "tasks_logcheckpoint", "tasks_checkpointhead"]

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION congvu_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'append-only table %: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

-- TRUNCATE of the whole log is refused unless the session explicitly asked for maintenance
-- (SET congvu.maintenance = 'on'): the test runner's flush and a deliberate wipe of a demo
-- database. It guards against accidents, not attackers -- the seals do that.
CREATE OR REPLACE FUNCTION congvu_no_truncate() RETURNS trigger AS $$
BEGIN
    IF coalesce(current_setting('congvu.maintenance', true), '') = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'append-only table %: TRUNCATE refused', TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FUNCTION, params=None)
        for t in TABLES:
            schema_editor.execute(
                f"CREATE TRIGGER {t}_append_only BEFORE UPDATE OR DELETE ON {t} "
                "FOR EACH ROW EXECUTE FUNCTION congvu_append_only()"
            )
            schema_editor.execute(
                f"CREATE TRIGGER {t}_no_truncate BEFORE TRUNCATE ON {t} "
                "FOR EACH STATEMENT EXECUTE FUNCTION congvu_no_truncate()"
            )
    elif vendor == "sqlite":
        for t in TABLES:
            for op in ("UPDATE", "DELETE"):
                schema_editor.execute(
                    f"CREATE TRIGGER {t}_no_{op.lower()} BEFORE {op} ON {t} "
                    f"BEGIN SELECT RAISE(ABORT, 'append-only table {t}: {op} refused'); END"
                )
    else:
        raise RuntimeError(f"No append-only triggers written for database vendor {vendor!r}")


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    vendor = schema_editor.connection.vendor
    for t in TABLES:
        if vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {t}_append_only ON {t}")
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {t}_no_truncate ON {t}")
        elif vendor == "sqlite":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {t}_no_update")
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {t}_no_delete")
    if vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS congvu_append_only()")
        schema_editor.execute("DROP FUNCTION IF EXISTS congvu_no_truncate()")


class Migration(migrations.Migration):
    dependencies = [("tasks", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
