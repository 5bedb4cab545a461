"""Old entries onto NQ 206/2025/QH15's routes: a conclusion "guidance issued" is the
interpretation/guidance route (Art. 4 route 1), "amendment proposed" the amending route
(route 2, shortened procedure, the usual one for a provincial proposal). Obstacles acknowledged
while NQ 206 is in force get its rule code; the criterion is left for the legal department
(the old entries never recorded it), and their status is unchanged."""

from datetime import date

from django.db import migrations

IN_FORCE = (date(2025, 6, 24), date(2027, 2, 28))  # privacy Policy "obstacles_nq206_2025"


def forwards(apps, schema_editor):
    Obstacle = apps.get_model("legal", "LegalObstacle")
    Obstacle.objects.filter(status="guidance_issued", route="").update(route="interpret")
    Obstacle.objects.filter(status="amendment_proposed", route="").update(route="shortened")
    Obstacle.objects.filter(
        acknowledged_at__date__gte=IN_FORCE[0], acknowledged_at__date__lte=IN_FORCE[1], rule=""
    ).update(rule="obstacles_nq206_2025")


def backwards(apps, schema_editor):
    Obstacle = apps.get_model("legal", "LegalObstacle")
    Obstacle.objects.filter(status__in=["guidance_issued", "amendment_proposed"]).update(route="")
    Obstacle.objects.update(rule="")


class Migration(migrations.Migration):
    dependencies = [("legal", "0002_nq206_routes"), ("privacy", "0002_seed_register_and_policies")]
    operations = [migrations.RunPython(forwards, backwards)]
