"""The New Year 2026 swap (văn bản 12729/VPCP-KGVX, 25/12/2025): công chức, viên chức are off
Thursday 1/1 to Sunday 4/1/2026; the working Friday 2/1 is swapped with Saturday 10/1, which
becomes a working day. The `holidays` package knows swaps only up to 2024, so the decision is
data in the adjustment table (administrators edit it like any other row)."""

from datetime import date

from django.db import migrations

REF = "12729/VPCP-KGVX"
ROWS = [
    (date(2026, 1, 2), False, "Nghỉ hoán đổi Tết Dương lịch 2026 (làm bù thứ Bảy 10/01/2026)"),
    (date(2026, 1, 10), True, "Làm bù cho ngày nghỉ hoán đổi thứ Sáu 02/01/2026"),
]


def forward(apps, schema_editor):
    Adjustment = apps.get_model("workdays", "CalendarAdjustment")
    for day, working, reason in ROWS:
        # An administrator's row for the same day wins: it was entered on purpose.
        Adjustment.objects.get_or_create(
            day=day,
            defaults={"is_working_day": working, "reason": reason, "decision_ref": REF},
        )


def backward(apps, schema_editor):
    Adjustment = apps.get_model("workdays", "CalendarAdjustment")
    Adjustment.objects.filter(day__in=[d for d, _, _ in ROWS], decision_ref=REF).delete()


class Migration(migrations.Migration):
    dependencies = [("workdays", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
