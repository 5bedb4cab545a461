"""Seed the two rule sets with their documented defaults (docs/evaluation.md).

A frozen copy: later edits of congvu/evaluation/defaults.py do not change this migration, and
administrators edit the stored parameters through actions.do_set_rule_parameter (audited).
"""

from datetime import date

from django.db import migrations

RULE_SETS = [{'code': 'ND90_2020_ND48_2023',
  'name': 'Nghị định 90/2020/NĐ-CP, sửa đổi bởi Nghị định 48/2023/NĐ-CP',
  'legal_basis': 'Nghị định 90/2020/NĐ-CP ngày 13/8/2020 (hiệu lực 20/8/2020) về đánh giá, xếp '
                 'loại chất lượng cán bộ, công chức, viên chức; Nghị định 48/2023/NĐ-CP ngày '
                 '17/7/2023 (hiệu lực 15/9/2023).',
  'scheme': 'criteria',
  'categories': ['can_bo', 'cong_chuc', 'vien_chuc'],
  'valid_from': '2020-08-20',
  'valid_to': None,
  'params': {'reward_min_level': 'HTXS',
             'training_min_periods_with_issues': 2,
             'planning_years': 2,
             'planning_min_level': 'HTT',
             'dismissal_review_consecutive_kht_years': 2,
             'discipline_time_limit_days': 90,
             'discipline_max_days': 150,
             'appeal_window_days': 15,
             'kht_discipline_forms': ['khien_trach',
                                      'canh_cao',
                                      'cach_chuc',
                                      'buoc_thoi_viec',
                                      'bai_nhiem'],
             'quota_ratio': 0.2,
             'htxs_min_exceeded_share': 0.5,
             'ht_max_short_share': 0.2,
             'kht_min_short_share': 0.5,
             'fallthrough_level': 'KHT',
             'leader_htxs_min_exceeded_share': 0.5,
             'leader_htt_min_on_time_share': 0.8,
             'leader_ht_min_completed_share': 0.7,
             'leader_kht_max_completed_share': 0.5,
             'leader_sub_htt_min_share': 0.7,
             'leader_sub_ht_min_share': 0.7,
             'min_months_worked': 6,
             'absent_cap_min_months': 3,
             'absent_cap_level': 'HT',
             'discipline_forces_kht': True}},
 {'code': 'ND335_2025',
  'name': 'Nghị định 335/2025/NĐ-CP',
  'legal_basis': 'Nghị định 335/2025/NĐ-CP ngày 21/12/2025 (hiệu lực 01/01/2026) quy định đánh '
                 'giá, xếp loại chất lượng cơ quan hành chính nhà nước và công chức; Luật Cán '
                 'bộ, công chức số 80/2025/QH15.',
  'scheme': 'points',
  'categories': ['cong_chuc'],
  'valid_from': '2026-01-01',
  'valid_to': None,
  'params': {'reward_min_level': 'HTXS',
             'training_min_periods_with_issues': 2,
             'planning_years': 2,
             'planning_min_level': 'HTT',
             'dismissal_review_consecutive_kht_years': 2,
             'discipline_time_limit_days': 90,
             'discipline_max_days': 150,
             'appeal_window_days': 15,
             'kht_discipline_forms': ['khien_trach',
                                      'canh_cao',
                                      'cach_chuc',
                                      'buoc_thoi_viec',
                                      'bai_nhiem'],
             'quota_ratio': 0.2,
             'thresholds': {'HTXS': 90, 'HTT': 70, 'HT': 50},
             'general_max': 30,
             'task_max': 70,
             'general_criteria': [{'code': 'chinh_tri',
                                   'name': 'Chính trị, đạo đức, văn hóa công vụ',
                                   'max': 6},
                                  {'code': 'nang_luc',
                                   'name': 'Năng lực, tinh thần trách nhiệm',
                                   'max': 6},
                                  {'code': 'phuc_vu',
                                   'name': 'Thái độ phục vụ Nhân dân, doanh nghiệp',
                                   'max': 6},
                                  {'code': 'phoi_hop',
                                   'name': 'Tinh thần phối hợp với đồng nghiệp',
                                   'max': 6},
                                  {'code': 'doi_moi',
                                   'name': 'Năng lực đổi mới, sáng tạo, dám nghĩ, dám làm, dám '
                                           'chịu trách nhiệm',
                                   'max': 6}],
             'task_weights': {'quantity': 0.4, 'quality': 0.3, 'timeliness': 0.3},
             'deduction_per_issue': 0.25,
             'leader_weights': {'own': 0.4, 'unit_results': 0.3, 'organisation': 0.3},
             'leader_unit_ratio_all_ht': 1.0,
             'leader_unit_ratio_any_kht': 0.5,
             'period_kind': 'month',
             'year_deadline': '15-12'}}]


def seed(apps, schema_editor):
    RuleSet = apps.get_model("evaluation", "RuleSet")
    for spec in RULE_SETS:
        if RuleSet.objects.filter(code=spec["code"]).exists():
            continue
        RuleSet.objects.create(
            code=spec["code"],
            name=spec["name"],
            legal_basis=spec["legal_basis"],
            scheme=spec["scheme"],
            categories=spec["categories"],
            valid_from=date.fromisoformat(spec["valid_from"]),
            valid_to=date.fromisoformat(spec["valid_to"]) if spec["valid_to"] else None,
            params=spec["params"],
        )


def unseed(apps, schema_editor):
    RuleSet = apps.get_model("evaluation", "RuleSet")
    RuleSet.objects.filter(code__in=[s["code"] for s in RULE_SETS], evaluations__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("evaluation", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
