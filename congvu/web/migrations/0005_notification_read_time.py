"""The read mark of notifications becomes a time: notifications now come from the task log
and the findings' log and are ordered by time (issue #15)."""

from django.db import migrations, models


def event_id_to_time(apps, schema_editor):  # type: ignore[no-untyped-def]
    Cursor = apps.get_model("web", "NotificationCursor")
    TaskEvent = apps.get_model("tasks", "TaskEvent")
    for cursor in Cursor.objects.filter(last_seen_event_id__gt=0):
        at = TaskEvent.objects.filter(pk=cursor.last_seen_event_id).values_list("at", flat=True)
        cursor.last_seen_at = at.first()
        cursor.save(update_fields=["last_seen_at"])


class Migration(migrations.Migration):
    dependencies = [
        ("web", "0004_person_summary"),
        ("tasks", "0006_task_import_key"),
    ]

    operations = [
        migrations.AddField(
            model_name="notificationcursor",
            name="last_seen_at",
            field=models.DateTimeField(null=True),
        ),
        migrations.RunPython(event_id_to_time, migrations.RunPython.noop),
        migrations.RemoveField(model_name="notificationcursor", name="last_seen_event_id"),
    ]
