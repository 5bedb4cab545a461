"""Issue #18: the seeded rule sets' stored parameters brought in line with the decrees.

ND 335: the task score is (a+b+c)/3 × 70 and leaders' (a+b+c+d+đ+e)/6 × 70, so the weights
stored by 0002 (`task_weights`, `leader_weights`) no longer mean anything and are removed.
ND 90: the 20–50 % short band has no level in the decree; the stored `fallthrough_level` goes
from KHT (which needs a ground the decree lists) to HT. Each change is written as a
RuleParameterChange (the audit table is append-only) so the history says who changed what and
why; a rule set an administrator already edited away from the 0002 values is left alone.
"""

from django.db import migrations

REASON = (
    "Sửa theo Nghị định (issue #18): điểm kết quả thực hiện nhiệm vụ (a+b+c)/3 × 70, lãnh đạo "
    "(a+b+c+d+đ+e)/6 × 70; khoảng 20–50% nhiệm vụ chưa bảo đảm không có mức trong NĐ 90."
)
CHANGES = {
    "ND335_2025": {
        "task_weights": ({"quantity": 0.4, "quality": 0.3, "timeliness": 0.3}, None),
        "leader_weights": ({"own": 0.4, "unit_results": 0.3, "organisation": 0.3}, None),
    },
    "ND90_2020_ND48_2023": {"fallthrough_level": ("KHT", "HT")},
}


def forward(apps, schema_editor):
    RuleSet = apps.get_model("evaluation", "RuleSet")
    Change = apps.get_model("evaluation", "RuleParameterChange")
    for code, changes in CHANGES.items():
        rs = RuleSet.objects.filter(code=code).first()
        if rs is None:
            continue
        params = dict(rs.params)
        for key, (old, new) in changes.items():
            if params.get(key) != old:
                continue
            if new is None:
                params.pop(key)
            else:
                params[key] = new
            Change.objects.create(
                rule_set=rs, key=key, old_value=old, new_value=new, reason=REASON
            )
        rs.params = params
        rs.save(update_fields=["params"])


class Migration(migrations.Migration):
    dependencies = [("evaluation", "0005_appeal_deadlines_conduct_duty")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
