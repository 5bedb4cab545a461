"""Which rule set scores a period, and typed access to its parameters."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from congvu.evaluation.models import RuleSet
from congvu.evaluation.schemes import scheme_of
from congvu.lib.errors import ActionError

CATEGORY_LABELS = {
    "can_bo": "cán bộ",
    "cong_chuc": "công chức",
    "vien_chuc": "viên chức",
    "hop_dong": "người lao động hợp đồng",
}


def rule_set_for(category: str, day: date) -> RuleSet:
    """The rule set in force on `day` for `category`; the most recent valid_from wins.

    Raises ActionError("no_rule_set") when none applies: a period is never scored by guesswork.
    """
    candidates = [rs for rs in RuleSet.objects.in_force_on(day) if category in rs.categories]
    if not candidates:
        label = CATEGORY_LABELS.get(category, category)
        raise ActionError(
            "no_rule_set",
            f"Chưa có bộ quy tắc đánh giá nào áp dụng cho {label} vào ngày {day:%d/%m/%Y}. "
            "Quản trị viên cần khai báo bộ quy tắc trước khi đánh giá kỳ này.",
        )
    candidates.sort(key=lambda rs: (rs.valid_from, rs.pk))
    return candidates[-1]


def get_param(rule_set: RuleSet, key: str) -> Any:
    """A parameter from the rule set's data, falling back to the documented default."""
    if key in rule_set.params:
        return rule_set.params[key]
    fallback = scheme_of(rule_set).defaults
    if key in fallback:
        return fallback[key]
    raise ActionError(
        "missing_param", f"Bộ quy tắc {rule_set.code} thiếu tham số “{key}”.", field=key
    )


def dec(value: Any) -> Decimal:
    """JSON numbers → Decimal without binary-float noise (0.1 stays 0.1)."""
    return Decimal(str(value))


def param_dec(rule_set: RuleSet, key: str) -> Decimal:
    return dec(get_param(rule_set, key))


def validate_param(key: str, value: Any) -> None:
    """Shape checks for edits of well-known keys; unknown keys are accepted as data."""

    def bad(msg: str) -> ActionError:
        return ActionError("invalid_param", f"Tham số “{key}” không hợp lệ: {msg}", field=key)

    if key == "thresholds":
        if not isinstance(value, dict) or set(value) != {"HTXS", "HTT", "HT"}:
            raise bad("cần đủ ba ngưỡng HTXS, HTT, HT.")
        try:
            htxs, htt, ht = (dec(value[k]) for k in ("HTXS", "HTT", "HT"))
        except ArithmeticError as exc:
            raise bad("ngưỡng phải là số.") from exc
        if not (100 >= htxs > htt > ht > 0):
            raise bad("cần 100 ≥ HTXS > HTT > HT > 0.")
    elif key in ("task_weights", "leader_weights"):
        # ND 335 fixes the formulas, (a+b+c)/3 and (a+b+c+d+đ+e)/6 (issue #18): no weights.
        raise bad("công thức điểm do Nghị định 335/2025 quy định, không có trọng số để sửa.")
    elif key == "general_criteria":
        if not isinstance(value, list) or not value:
            raise bad("cần danh sách tiêu chí.")
        for item in value:
            if not isinstance(item, dict) or not {"code", "name", "max"} <= set(item):
                raise bad("mỗi tiêu chí cần code, name, max.")
    elif key in ("quota_ratio", "deduction_per_issue") and not (0 <= dec(value) <= 1):
        raise bad("phải nằm trong khoảng 0–1.")
    elif key in DAY_COUNTS and (not isinstance(value, int) or value <= 0):
        raise bad("phải là số ngày (số năm) dương.")
    elif key in CHOICES and value not in CHOICES[key]:
        raise bad("phải là một trong: " + ", ".join(CHOICES[key]) + ".")


DAY_COUNTS = (
    "discipline_time_limit_days",
    "discipline_max_days",
    "discipline_limitation_years",
    "appeal_window_days",
    "appeal_answer_working_days",
    "vien_chuc_appeal_window_days",
    "vien_chuc_appeal_answer_working_days",
)
# Settings where the sources disagree or are silent (docs/legal.md): the allowed values.
CHOICES: dict[str, tuple[str, ...]] = {
    "deduction_scope": ("product", "line"),
    "appeal_window_kind": ("calendar", "working"),
    "fallthrough_level": ("HTXS", "HTT", "HT", "KHT"),
}
