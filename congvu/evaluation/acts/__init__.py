"""congvu.evaluation.actions split by concern (rule sets, periods, products, flow, conduct,
consequences, innovation). Importing any of them registers the audit kinds they write."""

from __future__ import annotations

from congvu.audit import log as audit

# The kinds of audit event this module writes (congvu.audit.log refuses any other).
audit.register(
    "evaluation",
    "Kỳ đánh giá",
    (
        "opened",
        "product_added",
        "products_added",
        "product_issue",
        "objective_cause_claimed",
        "objective_cause_confirmed",
        "objective_cause_after_final",
        "objective_cause_rejected",
        "self_assessed",
        "collective_comments",
        "proposed",
        "decided",
        "finalised",
        "corrected",
        "appeal_filed",
        "appeal_resolved",
    ),
)
audit.register("rule_set", "Bộ tiêu chí", ("rule_set_created", "parameter_changed"))
audit.register("catalog", "Danh mục sản phẩm", ("catalog_item_added",))
audit.register("person", "Hồ sơ cán bộ", ("conduct_recorded",))
audit.register(
    "proposal", "Đề xuất khen thưởng, xử lý", ("proposal_decided", "discipline_extended")
)
audit.register(
    "innovation",
    "Đề xuất đổi mới, sáng tạo",
    (
        "innovation_registered",
        "innovation_vote",
        "innovation_vote_closed",
        "innovation_head_approved",
        "innovation_tasks",
        "innovation_finished",
        "innovation_reported",
        "innovation_evaluated",
    ),
)
