# The model moved from congvu.evaluation (EvaluationEvent) with its table: state only, no SQL,
# so the rows, their seals and the UPDATE/DELETE triggers stay as they are.

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("evaluation", "0006_rule_sets_issue18"),
        ("org", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="AuditEvent",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("subject", models.CharField(max_length=20)),
                        ("subject_id", models.BigIntegerField()),
                        ("seq", models.PositiveIntegerField()),
                        ("seal", models.CharField(max_length=64)),
                        ("kind", models.CharField(max_length=40)),
                        ("at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("payload", models.JSONField(default=dict)),
                        (
                            "actor",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="org.person",
                            ),
                        ),
                        (
                            "evaluation",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="events",
                                to="evaluation.evaluation",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "evaluation_evaluationevent",
                        "ordering": ["at", "id"],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("subject", "subject_id", "seq"),
                                name="evalevent_unique_seq",
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
