"""Documented default parameters of the seeded rule sets (see docs/evaluation.md).

The data migration 0002 stores a frozen copy of these in the database; from then on the rows
are the truth and administrators edit them through actions.do_set_rule_parameter (audited).
Keys marked [UNVERIFIED] in the docs are choices made without the full official text.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_noop

DISCIPLINE_FORMS = {
    "khien_trach": "Khiển trách",
    "canh_cao": "Cảnh cáo",
    "cach_chuc": "Cách chức",
    "buoc_thoi_viec": "Buộc thôi việc",
    "bai_nhiem": "Bãi nhiệm",
}

# Shared by both regimes: consequences of results (Law 80/2025 Art. 27, QĐ 41-QĐ/TW, ND 172/2025).
CONSEQUENCES: dict[str, Any] = {
    # Reward proposal for a period or year rated at or above this level.
    "reward_min_level": "HTXS",
    # Training need when a person has quality failures / delays in at least this many periods.
    "training_min_periods_with_issues": 2,
    # Planning/appointment eligibility [UNVERIFIED]: rated at least `min_level` in each of the
    # last `years` finalised years.
    "planning_years": 2,
    "planning_min_level": "HTT",
    # QĐ 41-QĐ/TW: a leader rated KHT in this many consecutive years → dismissal review.
    "dismissal_review_consecutive_kht_years": 2,
    # ND 172/2025: time limit to decide discipline, and the maximum after extension (days).
    "discipline_time_limit_days": 90,
    "discipline_max_days": 150,
    # Appeals on a result (docs/legal.md "Appeals"). The window runs from the day after the
    # notice (the result made known: finalisation in the app), counted in calendar or working
    # days; a last day on a day off moves to the next working day (Civil Code Art. 148).
    # No text found for công chức [UNVERIFIED]: 15 calendar days kept.
    "appeal_window_days": 15,
    "appeal_window_kind": "calendar",
    # Time limit to answer, in working days from filing [UNVERIFIED for công chức; the Public
    # Employees Law 2025 sets 10 for viên chức — the shorter limit is the safer default].
    "appeal_answer_working_days": 10,
    # Public Employees Law 2025 Art. 27 (in force 1/7/2026), viên chức only: 5 days from the
    # publication of the result, to the classifying level or its direct superior, answered
    # within 10 working days of receipt; the answer is not reviewed again.
    "vien_chuc_appeal_from": "2026-07-01",
    "vien_chuc_appeal_window_days": 5,
    "vien_chuc_appeal_answer_working_days": 10,
    # Statute of limitations (thời hiệu xử lý kỷ luật), in years from the violation. Sources
    # disagree (docs/legal.md): ND 112/2020 summaries give 2 (5 for buộc thôi việc); the 2019
    # law amendment and 2025 reports give 5 for a violation warranting khiển trách and 10 for
    # cảnh cáo and above. Findings carry no severity: 5, the lightest form's limit under the
    # current texts, is the default — nothing older can be disciplined under any of them.
    "discipline_limitation_years": 5,
    # Discipline forms that force KHT in the year (ND 335 Art. 20.4.c: from khiển trách up).
    "kht_discipline_forms": list(DISCIPLINE_FORMS),
    # HTXS may not exceed this share of the number rated HTT, per unit and per job group.
    "quota_ratio": 0.2,
}

# The criteria's names are stored in the rule set's parameters in Vietnamese (the forms quote
# them); pages translate them when shown (evaluation.views._sheet_rows).
ND335: dict[str, Any] = {
    **CONSEQUENCES,
    "thresholds": {"HTXS": 90, "HTT": 70, "HT": 50},
    "general_max": 30,
    "task_max": 70,
    # ND 335 Art. 12 lists five general criteria; the split of the 30 points is [UNVERIFIED].
    "general_criteria": [
        {
            "code": "chinh_tri",
            "name": gettext_noop("Chính trị, đạo đức, văn hóa công vụ"),
            "max": 6,
        },
        {"code": "nang_luc", "name": gettext_noop("Năng lực, tinh thần trách nhiệm"), "max": 6},
        {
            "code": "phuc_vu",
            "name": gettext_noop("Thái độ phục vụ Nhân dân, doanh nghiệp"),
            "max": 6,
        },
        {"code": "phoi_hop", "name": gettext_noop("Tinh thần phối hợp với đồng nghiệp"), "max": 6},
        {
            "code": "doi_moi",
            "name": gettext_noop(
                "Năng lực đổi mới, sáng tạo, dám nghĩ, dám làm, dám chịu trách nhiệm"
            ),
            "max": 6,
        },
    ],
    # Task results (Art. 14, form PL-01A): (a + b + c) / 3 × 70 over the ASSIGNED products.
    # Each failed quality review / delay deducts this share of that product's points.
    "deduction_per_issue": 0.25,
    # "product": an issue deducts 25 % of ONE product of the line (coefficient × 1); "line":
    # of the whole line. The decree says "sản phẩm/công việc đó" (docs/legal.md).
    "deduction_scope": "product",
    # Leaders (Art. 15–16, form PL-01B): (a + b + c + d + đ + e) / 6 × 70.
    # d, the results of the people managed: all at HT or better → 1.0; anyone KHT → 0.5.
    "leader_unit_ratio_all_ht": 1.0,
    "leader_unit_ratio_any_kht": 0.5,
    # ND 335 Art. 20.4.c: discipline forces KHT when the violation relates to public duty.
    "kht_discipline_requires_duty_link": True,
    "period_kind": "month",
    # Year classification deadline (day-month), Art. 21; special calendars until 15/1 next year.
    "year_deadline": "15-12",
}

ND90: dict[str, Any] = {
    **CONSEQUENCES,
    # Non-leaders (Art. 8–11, wording of Art. 13–14 for viên chức).
    "htxs_min_exceeded_share": 0.5,
    "ht_max_short_share": 0.2,
    "kht_min_short_share": 0.5,  # strictly more than this share short → KHT
    # Short share between HT's (≤ 20 %) and KHT's (> 50 %) limits: ND 90 names no level. KHT
    # needs a ground the decree lists, so the safer default is HT (docs/legal.md).
    "fallthrough_level": "HT",
    # Leaders: the unit/field they lead.
    "leader_htxs_min_exceeded_share": 0.5,
    "leader_htt_min_on_time_share": 0.8,
    "leader_ht_min_completed_share": 0.7,  # strictly more than 70 % completed
    "leader_kht_max_completed_share": 0.5,  # [UNVERIFIED]: under 50 % → KHT
    # Units under direct management.
    "leader_sub_htt_min_share": 0.7,
    "leader_sub_ht_min_share": 0.7,
    # Art. 2 (+ ND 48/2023 clauses 5–6).
    "min_months_worked": 6,
    "absent_cap_min_months": 3,
    "absent_cap_level": "HT",
    "discipline_forces_kht": True,
    # ND 48/2023 is in force from 15/9/2023: its rules govern the years 2023 on only.
    "nd48_in_force_from": "2023-09-15",
    # Under ND 48 any discipline in the year forces KHT; before it (ND 90 Art. 11) only
    # discipline for a violation in performing duty (nd48_applies decides which).
    "kht_discipline_requires_duty_link": False,
}

RULE_SETS: list[dict[str, Any]] = [
    {
        "code": "ND90_2020_ND48_2023",
        "name": "Nghị định 90/2020/NĐ-CP, sửa đổi bởi Nghị định 48/2023/NĐ-CP",
        "legal_basis": (
            "Nghị định 90/2020/NĐ-CP ngày 13/8/2020 (hiệu lực 20/8/2020) về đánh giá, xếp loại "
            "chất lượng cán bộ, công chức, viên chức; Nghị định 48/2023/NĐ-CP ngày 17/7/2023 "
            "(hiệu lực 15/9/2023)."
        ),
        "scheme": "criteria",
        # Open-ended: still used for viên chức (and cán bộ) while no newer rule set is configured.
        "categories": ["can_bo", "cong_chuc", "vien_chuc"],
        "valid_from": "2020-08-20",
        "valid_to": None,
        "params": ND90,
    },
    {
        "code": "ND335_2025",
        "name": "Nghị định 335/2025/NĐ-CP",
        "legal_basis": (
            "Nghị định 335/2025/NĐ-CP ngày 21/12/2025 (hiệu lực 01/01/2026) quy định đánh giá, "
            "xếp loại chất lượng cơ quan hành chính nhà nước và công chức; Luật Cán bộ, công "
            "chức số 80/2025/QH15."
        ),
        "scheme": "points",
        "categories": ["cong_chuc"],
        "valid_from": "2026-01-01",
        "valid_to": None,
        "params": ND335,
    },
]
