"""The sealed, append-only log of every event that is not a step on a task.

Evaluation steps, finding reviews, legal obstacles, org and calendar changes: each subject has
its own HMAC-SHA256 chain (congvu.audit.log). The table keeps the name it had when it lived in
congvu.evaluation (evaluation_evaluationevent): the database's UPDATE/DELETE refusal
(evaluation migration 0003) stays attached to it, and moving the code moved no rows.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class AuditEvent(models.Model):
    """One sealed event of one subject's chain (subject, subject_id, seq).

    `actor` is null only for system events. `evaluation` is filled for the steps of one
    evaluation period (the period's history reads it); it is a string reference so that this
    app, which every layer writes through, imports none of them.
    """

    subject = models.CharField(max_length=20)
    subject_id = models.BigIntegerField()
    seq = models.PositiveIntegerField()
    seal = models.CharField(max_length=64)
    evaluation = models.ForeignKey(
        "evaluation.Evaluation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events",
    )
    kind = models.CharField(max_length=40)
    actor = models.ForeignKey("org.Person", null=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    payload = models.JSONField(default=dict)

    class Meta:
        db_table = "evaluation_evaluationevent"
        ordering = ["at", "id"]
        constraints = [
            # Two writers racing on one chain fail loudly instead of forking it.
            models.UniqueConstraint(
                fields=["subject", "subject_id", "seq"], name="evalevent_unique_seq"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject}#{self.subject_id}.{self.seq} {self.kind}"

    @property
    def kind_label(self) -> str:
        """What happened, in words: pages never show the stored code ("self_assessed")."""
        return EVENT_KIND_LABELS.get(self.kind, self.kind.replace("_", " "))


# Every kind written through congvu.audit.log.record (evaluation, finding review,
# legal obstacle, innovation, proposal, catalogue, rule set); test_raw_codes checks the pages.
EVENT_KIND_LABELS = {
    "opened": "Mở kỳ đánh giá / mở xem xét",
    "self_assessed": "Tự đánh giá",
    "collective_comments": "Ghi ý kiến của tập thể",
    "proposed": "Đề xuất mức xếp loại",
    "decided": "Quyết định xếp loại",
    "finalised": "Chốt kết quả",
    "corrected": "Đính chính",
    "appeal_filed": "Gửi kiến nghị",
    "appeal_resolved": "Giải quyết kiến nghị",
    "conduct_recorded": "Ghi nhận vi phạm, kỷ luật",
    "discipline_extended": "Kéo dài thời hạn kỷ luật",
    "product_added": "Thêm sản phẩm",
    "products_added": "Thêm sản phẩm từ nhiệm vụ",
    "product_issue": "Ghi nhận vấn đề của sản phẩm",
    "objective_cause_claimed": "Nêu nguyên nhân khách quan",
    "objective_cause_rejected": "Không chấp nhận nguyên nhân khách quan",
    "objective_cause_after_final": "Nguyên nhân khách quan sau khi chốt",
    "parameter_changed": "Thay đổi tham số",
    "rule_set_created": "Tạo bộ quy tắc",
    "catalog_item_added": "Thêm mục danh mục",
    "proposal_opened": "Mở đề xuất",
    "proposal_decided": "Quyết định đề xuất",
    "innovation_registered": "Đăng ký sáng kiến",
    "innovation_tasks": "Gắn nhiệm vụ với sáng kiến",
    "innovation_head_approved": "Thủ trưởng đồng ý",
    "innovation_reported": "Báo cáo kết quả sáng kiến",
    "innovation_finished": "Kết thúc sáng kiến",
    "innovation_evaluated": "Đánh giá sáng kiến",
    "innovation_vote": "Bỏ phiếu",
    "innovation_vote_closed": "Kết thúc bỏ phiếu",
    "explained": "Giải trình",
    "confirmed": "Xác nhận",
    "dismissed": "Bác bỏ",
    "appealed": "Khiếu nại",
    "appeal_upheld": "Giữ nguyên sau khiếu nại",
    "appeal_overturned": "Hủy sau khiếu nại",
    "received": "Tiếp nhận",
    "under_review": "Đang nghiên cứu",
    "amendment_proposed": "Kiến nghị sửa đổi, bổ sung",
    "guidance_issued": "Có văn bản hướng dẫn",
    "not_obstacle": "Không phải vướng mắc pháp lý",
    "routed": "Xác định tiêu chí, phương án xử lý (NQ 206)",
    "submitted": "Trình cơ quan có thẩm quyền",
    "resolved": "Đã xử lý",
    "filed": "Tiếp nhận yêu cầu",
    "open": "Đang xử lý",
    "answered": "Đã trả lời",
    "refused": "Từ chối (có lý do)",
    "applied": "Áp dụng thời hạn lưu trữ",
    "role_granted": "Đã cấp quyền",
    "role_revoked": "Đã thu hồi quyền",
    "account_created": "Đã tạo tài khoản",
    "account_locked": "Đã khóa tài khoản",
    "account_unlocked": "Đã mở khóa tài khoản",
    "password_reset": "Đã đặt lại mật khẩu",
    "password_set": "Người dùng đã tự đặt mật khẩu",
}
