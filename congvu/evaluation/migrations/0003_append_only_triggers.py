"""The database refuses UPDATE and DELETE on the evaluation audit tables (as for TaskEvent).

PostgreSQL reuses the trigger functions created by tasks 0002 (congvu_append_only,
congvu_no_truncate); SQLite gets RAISE(ABORT) triggers.
"""

from django.db import migrations

TABLES = [
    "evaluation_evaluationevent",
    "evaluation_evaluationread",
    "evaluation_ruleparameterchange",
]


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
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


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for t in TABLES:
        if vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {t}_append_only ON {t}")
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {t}_no_truncate ON {t}")
        elif vendor == "sqlite":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {t}_no_update")
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {t}_no_delete")


class Migration(migrations.Migration):
    dependencies = [
        ("evaluation", "0002_seed_rule_sets"),
        ("tasks", "0002_append_only_triggers"),
    ]
    operations = [migrations.RunPython(forwards, backwards)]
