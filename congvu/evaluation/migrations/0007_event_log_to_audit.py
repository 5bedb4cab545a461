# EvaluationEvent moved to congvu.audit (AuditEvent) with its table: state only.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("evaluation", "0006_rule_sets_issue18"),
        ("audit", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="EvaluationEvent")],
            database_operations=[],
        ),
    ]
