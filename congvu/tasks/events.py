"""Task event types: a numbered IntEnum in ranges (zulip RealmAuditLog style).

Numbers are stored in the database and sealed into the log: never renumber a member, only
append. Each range leaves room for later types.

    1xx custody      (who must do the work)
    2xx work         (progress, result, review, closing)
    3xx coordination (requests to other units and their answers)
    4xx time         (extensions, pauses, reminders)
    5xx escalation   (opinions asked of a superior)
    6xx structure    (sub-tasks cascaded down)
"""

from __future__ import annotations

from enum import IntEnum, unique

from django.utils.functional import Promise
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from congvu_analytics.schema import Activity, ReasonCode


@unique
class TaskEventType(IntEnum):
    ASSIGNED = 101
    ACCEPTED = 102
    DECLINED = 103
    TRANSFERRED = 104
    RETURNED = 105
    LEAD_REASSIGNED = 106

    PROGRESS_REPORTED = 201
    SUBMITTED = 202
    APPROVED = 203
    REWORK_REQUESTED = 204
    COMPLETED = 205
    CANCELLED = 206
    DOCUMENT_ATTACHED = 207

    COORDINATION_REQUESTED = 301
    COORDINATION_ANSWERED = 302
    COORDINATION_DEEMED_AGREED = 303

    EXTENSION_REQUESTED = 401
    EXTENSION_GRANTED = 402
    EXTENSION_REFUSED = 403
    PAUSED = 404
    RESUMED = 405
    REMINDED = 406
    PAUSE_REVIEWED = 407

    OPINION_REQUESTED = 501
    OPINION_GIVEN = 502

    SUBTASK_CREATED = 601

    @property
    def label(self) -> str:
        """The name in the reader's language; LABELS[t] is the stored Vietnamese one."""
        return gettext(LABELS[self])

    @property
    def activity(self) -> Activity:
        return ACTIVITY[self]


E = TaskEventType

LABELS: dict[TaskEventType, str] = {
    E.ASSIGNED: gettext_noop("Giao việc"),
    E.ACCEPTED: gettext_noop("Tiếp nhận"),
    E.DECLINED: gettext_noop("Từ chối"),
    E.TRANSFERRED: gettext_noop("Chuyển xử lý"),
    E.RETURNED: gettext_noop("Trả lại"),
    E.LEAD_REASSIGNED: gettext_noop("Đổi đơn vị/người chủ trì"),
    E.PROGRESS_REPORTED: gettext_noop("Báo cáo tiến độ"),
    E.SUBMITTED: gettext_noop("Trình kết quả"),
    E.APPROVED: gettext_noop("Phê duyệt kết quả"),
    E.REWORK_REQUESTED: gettext_noop("Yêu cầu làm lại"),
    E.COMPLETED: gettext_noop("Hoàn thành"),
    E.CANCELLED: gettext_noop("Hủy nhiệm vụ"),
    E.COORDINATION_REQUESTED: gettext_noop("Đề nghị phối hợp"),
    E.COORDINATION_ANSWERED: gettext_noop("Trả lời phối hợp"),
    E.COORDINATION_DEEMED_AGREED: gettext_noop("Coi như đồng ý (quá hạn không trả lời)"),
    E.EXTENSION_REQUESTED: gettext_noop("Xin gia hạn"),
    E.EXTENSION_GRANTED: gettext_noop("Đồng ý gia hạn"),
    E.EXTENSION_REFUSED: gettext_noop("Không đồng ý gia hạn"),
    E.PAUSED: gettext_noop("Tạm dừng"),
    E.RESUMED: gettext_noop("Tiếp tục thực hiện"),
    E.REMINDED: gettext_noop("Đôn đốc"),
    E.PAUSE_REVIEWED: gettext_noop("Xác nhận lý do tạm dừng"),
    E.OPINION_REQUESTED: gettext_noop("Xin ý kiến cấp trên"),
    E.OPINION_GIVEN: gettext_noop("Cho ý kiến"),
    E.SUBTASK_CREATED: gettext_noop("Giao nhiệm vụ con"),
    E.DOCUMENT_ATTACHED: gettext_noop("Đính kèm tài liệu"),
}

# Every type maps onto one canonical activity of congvu_analytics.schema (export contract).
ACTIVITY: dict[TaskEventType, Activity] = {
    E.ASSIGNED: Activity.ASSIGN,
    E.ACCEPTED: Activity.ACCEPT,
    E.DECLINED: Activity.DECLINE,
    E.TRANSFERRED: Activity.TRANSFER,
    E.RETURNED: Activity.RETURN,
    E.LEAD_REASSIGNED: Activity.REASSIGN,
    E.PROGRESS_REPORTED: Activity.PROGRESS,
    E.SUBMITTED: Activity.SUBMIT,
    E.APPROVED: Activity.APPROVE,
    E.REWORK_REQUESTED: Activity.REWORK,
    E.COMPLETED: Activity.COMPLETE,
    E.CANCELLED: Activity.CANCEL,
    E.COORDINATION_REQUESTED: Activity.COORD_REQUEST,
    E.COORDINATION_ANSWERED: Activity.COORD_ANSWER,
    E.COORDINATION_DEEMED_AGREED: Activity.DEEMED_AGREE,
    E.EXTENSION_REQUESTED: Activity.EXTENSION_REQUEST,
    E.EXTENSION_GRANTED: Activity.EXTENSION_GRANTED,
    E.EXTENSION_REFUSED: Activity.EXTENSION_REFUSED,
    E.PAUSED: Activity.PAUSE,
    E.RESUMED: Activity.RESUME,
    E.REMINDED: Activity.REMINDER,
    # The review is exported as `reviewed` on the pause row, and as OTHER on its own row.
    E.PAUSE_REVIEWED: Activity.OTHER,
    E.OPINION_REQUESTED: Activity.OPINION_REQUEST,
    E.OPINION_GIVEN: Activity.OPINION_GIVEN,
    E.SUBTASK_CREATED: Activity.WORK,
    # Attaching a document is work on the task: it ends an idle stretch of its holder.
    E.DOCUMENT_ATTACHED: Activity.WORK,
}

# Reason codes: the ReasonCode values of the analytics schema, spelled only there. Which codes
# each step accepts, and their Vietnamese labels (forms, timeline, API docs), are defined here
# once; the web choices and the API read them from here.
R = ReasonCode
# A transfer made because the unit is dissolved or merged (sắp xếp tổ chức bộ máy) hands its
# open tasks to the successor: the engine never counts it as anyone's buck-passing.
TRANSFER_REASONS: tuple[str, ...] = (
    R.MISROUTED,
    R.COMPETENCE,
    R.WORKLOAD,
    R.REORGANIZATION,
    R.OTHER,
)
PAUSE_REASONS: tuple[str, ...] = (R.LEGAL_OBSTACLE, R.DEPENDENCY, R.EXTERNAL, R.OTHER)
# A return either says the work is not the returner's (buck-passing when it is) or asks the
# superior to decide what the returner could decide (fear of responsibility when it could):
# the engine tells them apart only if the step records which.
RETURN_REASONS: tuple[str, ...] = (R.OTHER, R.ESCALATE)
TRANSFER_REASON_LABELS: dict[str, Promise] = {
    R.MISROUTED: _("Giao nhầm, không đúng thẩm quyền"),
    R.COMPETENCE: _("Thuộc thẩm quyền đơn vị khác"),
    R.WORKLOAD: _("Điều hòa khối lượng công việc"),
    R.REORGANIZATION: _("Sắp xếp tổ chức bộ máy (đơn vị giải thể, sáp nhập)"),
    R.OTHER: _("Lý do khác"),
}
PAUSE_REASON_LABELS: dict[str, Promise] = {
    R.LEGAL_OBSTACLE: _("Vướng mắc pháp lý"),
    R.DEPENDENCY: _("Chờ đơn vị/nhiệm vụ khác"),
    R.EXTERNAL: _("Chờ yếu tố bên ngoài"),
    R.OTHER: _("Lý do khác"),
}
RETURN_REASON_LABELS: dict[str, Promise] = {
    R.OTHER: _("Không thuộc trách nhiệm của mình / lý do khác"),
    R.ESCALATE: _("Đề nghị cấp trên quyết định"),
}
# How a recorded reason code reads in the timeline (a deemed agreement carries its own code).
REASON_LABELS: dict[str, Promise] = {
    **TRANSFER_REASON_LABELS,
    **PAUSE_REASON_LABELS,
    R.ESCALATE: RETURN_REASON_LABELS[R.ESCALATE],
    "deemed_agree": _("Coi như đồng ý"),
}
