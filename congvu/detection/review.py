"""Due process for findings (the only code that writes FindingReview).

A finding is evidence, not a verdict. Each action checks who may act, changes the review and
appends a sealed event in one transaction. Deadlines are in working days (settings
FINDING_EXPLANATION_DAYS, FINDING_APPEAL_DAYS; no statute fixes them for this procedure, so
they are configurable — docs/detection.md "Due process").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from congvu.audit import log as audit
from congvu.detection.models import Finding, FindingReview
from congvu.lib.errors import ActionError, ActionPermissionError
from congvu.lib.steps import ObjectStep, by_key
from congvu.org.models import Membership, Person, RoleGrant, Unit
from congvu.org.permissions import Access, access_for
from congvu.privacy.audit import sealed_text
from congvu.workdays.calendar import get_calendar

EVIDENCE_TYPES = {".pdf", ".jpg", ".jpeg", ".png", ".doc", ".docx", ".xls", ".xlsx", ".odt", ".txt"}
EVIDENCE_MAX_BYTES = 20 * 1024 * 1024


audit.register(
    "finding",
    "Phát hiện",
    (
        "opened",
        "explained",
        "confirmed",
        "dismissed",
        "appealed",
        "appeal_upheld",
        "appeal_overturned",
    ),
)


def _record(
    review: FindingReview, kind: str, actor: Person | None, payload: dict[str, Any]
) -> None:
    audit.record("finding", review.pk, kind, actor, {"finding": review.finding_id, **payload})


def _leads(person: Person, unit: Unit, day: date) -> bool:
    """Head or deputy of exactly this unit."""
    return Membership.objects.active_on(day).leaders().filter(person=person, unit=unit).exists()


def _directs(person: Person, unit: Unit, day: date) -> bool:
    """Head of exactly this unit."""
    return Membership.objects.active_on(day).heads().filter(person=person, unit=unit).exists()


def _parties(finding: Finding, day: date) -> tuple[Person, Unit, Unit | None]:
    """(who explains, whose leaders decide, whose leaders hear an appeal)."""
    if finding.subject_type == Finding.SubjectType.PERSON:
        person = finding.subject_person
        unit = finding.context_unit
        if person is None or unit is None:
            raise ActionError("no_subject", "Không xác định được cán bộ hoặc đơn vị của phát hiện.")
        # A head or deputy is reviewed by the level above (DOMAIN.md: "the level above, for a head").
        reviewer = unit.parent if _leads(person, unit, day) and unit.parent else unit
        return person, reviewer, reviewer.parent
    unit = finding.subject_unit
    if unit is None:
        raise ActionError("no_subject", "Không xác định được đơn vị của phát hiện.")
    # The head answers for the unit; a unit without a head is answered for by the nearest
    # head above it.
    answering: Unit | None = unit
    head = None
    while answering is not None and head is None:
        head = Membership.objects.active_on(day).head_of(answering)
        if head is None:
            answering = answering.parent
    if head is None or answering is None:
        raise ActionError("no_head", f"{unit.name} chưa có người đứng đầu để giải trình.")
    reviewer = answering.parent or answering
    return head, reviewer, reviewer.parent


@transaction.atomic
def open_review(finding: Finding, *, at: datetime | None = None) -> FindingReview:
    """Open the case for a new finding and start the explanation period. Idempotent."""
    existing = FindingReview.objects.filter(finding=finding).first()
    if existing is not None:
        return existing
    at = at or timezone.now()
    day = timezone.localtime(at).date()
    explainer, reviewer, appeal = _parties(finding, day)
    due = get_calendar().add_working_days(day, settings.FINDING_EXPLANATION_DAYS)
    review = FindingReview.objects.create(
        finding=finding,
        explainer=explainer,
        reviewer_unit=reviewer,
        appeal_unit=appeal,
        opened_at=at,
        explanation_due=due,
    )
    _record(
        review,
        "opened",
        None,
        {"explainer": explainer.pk, "reviewer_unit": reviewer.pk, "explanation_due": due},
    )
    return review


def _begin(
    review: FindingReview | int, at: datetime | None
) -> tuple[FindingReview, datetime, date]:
    """What every step of a review starts from: the review row locked (two deciders are
    serialised), the moment of the step (default now) and its local day."""
    pk = review if isinstance(review, int) else review.pk
    locked = FindingReview.objects.select_for_update().select_related("finding").get(pk=pk)
    at = at or timezone.now()
    return locked, at, timezone.localtime(at).date()


def _reason(text: str, what: str) -> str:
    text = (text or "").strip()
    if len(text) < 10:
        raise ActionError(
            "reason_required", f"Cần ghi rõ {what} (ít nhất 10 ký tự).", field="reason"
        )
    return text


@transaction.atomic
def do_explain(
    review: FindingReview | int,
    actor: Person,
    *,
    text: str,
    evidence: UploadedFile | None = None,
    at: datetime | None = None,
) -> FindingReview:
    r, at, day = _begin(review, at)
    if actor.pk != r.explainer_id:
        raise ActionPermissionError("Chỉ người được yêu cầu giải trình mới được giải trình.")
    if r.status != FindingReview.Status.OPEN:
        raise ActionError(
            "invalid_transition",
            f"Không thể giải trình khi phát hiện ở trạng thái “{r.get_status_display()}”.",
        )
    if day > r.explanation_due:
        raise ActionError(
            "explanation_late", f"Đã hết hạn giải trình ({r.explanation_due:%d/%m/%Y})."
        )
    r.explanation = _reason(text, "nội dung giải trình")
    if evidence is not None:
        name = (evidence.name or "").lower()
        if not any(name.endswith(ext) for ext in EVIDENCE_TYPES):
            raise ActionError(
                "evidence_type",
                "Tài liệu kèm theo phải là PDF, ảnh, Word, Excel hoặc văn bản.",
                field="evidence",
            )
        if (evidence.size or 0) > EVIDENCE_MAX_BYTES:
            raise ActionError(
                "evidence_size", "Tài liệu kèm theo không được quá 20 MB.", field="evidence"
            )
        r.evidence = evidence
    r.explained_at = at
    r.status = FindingReview.Status.EXPLAINED
    r.save(update_fields=["explanation", "evidence", "explained_at", "status"])
    # The log seals a keyed hash of the explanation, not the text: the text is personal data
    # the retention job may erase (congvu.privacy.retention) without breaking the chain.
    _record(
        r,
        "explained",
        actor,
        {**sealed_text(r.explanation), "evidence": bool(r.evidence.name)},
    )
    return r


def _require_leader_of(actor: Person, unit: Unit | None, day: date, what: str) -> None:
    """The unit's own leaders, or anyone who directs it from above (heads up the tree,
    provincial leaders): `can_act_on_unit` of the permission layer."""
    if unit is None or not access_for(actor, day).can_act_on_unit(unit):
        raise ActionPermissionError(
            f"Chỉ lãnh đạo {unit.name if unit else 'cấp có thẩm quyền'} mới được {what}."
        )


def _outside_recorder(actor: Person, unit: Unit | None, day: date) -> bool:
    """HR (Sở Nội vụ) or an inspector whose scope covers `unit`: at the top of the tree the
    competent level is outside the system, and they record its written decision."""
    if unit is None:
        return False
    access = access_for(actor, day)
    return (access.has_role(RoleGrant.Role.HR) or access.has_role(RoleGrant.Role.INSPECTOR)) and (
        access.can_see_evaluations_of(unit.pk)
    )


def _directed_by(actor: Person, head: Person, day: date) -> bool:
    """The actor works under `head` (a deputy or staff of a unit `head` leads as its head, or
    below it): he may not review a finding about his own head."""
    from congvu.org.tree import tree_as_of

    led = Membership.objects.active_on(day).heads().unit_ids_of(head)
    if not led:
        return False
    tree = tree_as_of(day)
    scope: set[int] = set()
    for unit_id in led:
        scope |= tree.subtree(unit_id)
    return Membership.objects.active_on(day).filter(person=actor, unit_id__in=scope).exists()


def _level_above_decider(actor: Person, reviewed: Unit, day: date) -> Unit | None:
    """The parent of the nearest unit the decider leads that contains `reviewed`; None when the
    decider acted as a provincial leader (there is no level above the province here)."""
    from congvu.org.tree import tree_as_of

    tree = tree_as_of(day)
    chain = [reviewed.pk, *tree.ancestors(reviewed.pk)]
    led = set(Membership.objects.active_on(day).leaders().unit_ids_of(actor))
    for unit_id in chain:
        if unit_id in led:
            parent_id = tree.parent.get(unit_id)
            return Unit.objects.get(pk=parent_id) if parent_id else None
    return None


@transaction.atomic
def do_decide(
    review: FindingReview | int,
    actor: Person,
    *,
    confirm: bool,
    reason: str,
    at: datetime | None = None,
) -> FindingReview:
    r, at, day = _begin(review, at)
    if actor.pk == r.explainer_id:
        raise ActionPermissionError("Người giải trình không tự xem xét phát hiện về mình.")
    top_head = r.reviewer_unit.parent_id is None and _directs(r.explainer, r.reviewer_unit, day)
    if top_head:
        # The head of the top unit: his own deputies and staff do not judge him; the level
        # above is outside the system and HR or the inspectorate record its decision.
        if not _outside_recorder(actor, r.reviewer_unit, day):
            raise ActionPermissionError(
                "Phát hiện về người đứng đầu cấp cao nhất do cấp trên ngoài hệ thống xem xét; "
                "cấp phó, cấp dưới không xem xét. Sở Nội vụ hoặc thanh tra ghi nhận văn bản "
                "kết luận của cấp có thẩm quyền."
            )
    else:
        _require_leader_of(actor, r.reviewer_unit, day, "xác nhận hoặc bác bỏ phát hiện này")
        if _directed_by(actor, r.explainer, day):
            raise ActionPermissionError(
                "Cấp phó, cấp dưới không xem xét phát hiện về người đứng đầu của mình."
            )
    if r.status == FindingReview.Status.OPEN and day <= r.explanation_due:
        raise ActionError(
            "explanation_pending", f"Đang trong hạn giải trình (đến {r.explanation_due:%d/%m/%Y})."
        )
    if r.status not in (FindingReview.Status.OPEN, FindingReview.Status.EXPLAINED):
        raise ActionError(
            "invalid_transition", f"Phát hiện đã được quyết định ({r.get_status_display()})."
        )
    r.decision_reason = _reason(reason, "lý do quyết định")
    r.status = FindingReview.Status.CONFIRMED if confirm else FindingReview.Status.DISMISSED
    r.decided_by, r.decided_at = actor, at
    # The appeal goes to the level above whoever decided, never back to them. When the top
    # level decided (a provincial leader, the top unit's head, or the outside level recorded
    # by HR), that level is outside the system (appeal_unit None): the appeal is still open
    # and HR or the inspectorate record the outside answer.
    r.appeal_unit = None if top_head else _level_above_decider(actor, r.reviewer_unit, day)
    if confirm:
        r.appeal_due = get_calendar().add_working_days(day, settings.FINDING_APPEAL_DAYS)
    r.save(
        update_fields=[
            "decision_reason",
            "status",
            "decided_by",
            "decided_at",
            "appeal_unit",
            "appeal_due",
        ]
    )
    _record(
        r,
        "confirmed" if confirm else "dismissed",
        actor,
        {"reason": r.decision_reason, "appeal_due": r.appeal_due},
    )
    return r


@transaction.atomic
def do_appeal(
    review: FindingReview | int, actor: Person, *, text: str, at: datetime | None = None
) -> FindingReview:
    r, at, day = _begin(review, at)
    if actor.pk != r.explainer_id:
        raise ActionPermissionError("Chỉ người được giải trình mới được khiếu nại.")
    if r.status != FindingReview.Status.CONFIRMED:
        raise ActionError(
            "invalid_transition", "Chỉ khiếu nại được phát hiện đã xác nhận, và chỉ một lần."
        )
    if r.appeal_due is None:
        raise ActionError("no_appeal_level", "Phát hiện này không có hạn khiếu nại.")
    if day > r.appeal_due:
        raise ActionError("appeal_late", f"Đã hết hạn khiếu nại ({r.appeal_due:%d/%m/%Y}).")
    r.appeal_text = _reason(text, "nội dung khiếu nại")
    r.appealed_at, r.status = at, FindingReview.Status.APPEALED
    r.save(update_fields=["appeal_text", "appealed_at", "status"])
    _record(r, "appealed", actor, {"text": r.appeal_text})
    return r


@transaction.atomic
def do_decide_appeal(
    review: FindingReview | int,
    actor: Person,
    *,
    uphold: bool,
    reason: str,
    at: datetime | None = None,
) -> FindingReview:
    r, at, day = _begin(review, at)
    if r.appeal_unit is None:
        # The level above the top is outside the system: HR or the inspectorate in scope
        # record its decision.
        subject_unit = r.finding.context_unit or r.finding.subject_unit or r.reviewer_unit
        if not _outside_recorder(actor, subject_unit, day):
            raise ActionPermissionError(
                "Khiếu nại này do cấp trên ngoài hệ thống giải quyết; Sở Nội vụ hoặc thanh tra "
                "ghi nhận văn bản giải quyết."
            )
    else:
        _require_leader_of(actor, r.appeal_unit, day, "giải quyết khiếu nại này")
    if actor.pk in (r.decided_by_id, r.explainer_id):
        raise ActionPermissionError(
            "Khiếu nại phải do cấp trên của người đã quyết định giải quyết."
        )
    if r.status != FindingReview.Status.APPEALED:
        raise ActionError("invalid_transition", "Không có khiếu nại đang chờ giải quyết.")
    r.appeal_reason = _reason(reason, "lý do giải quyết khiếu nại")
    r.status = FindingReview.Status.UPHELD if uphold else FindingReview.Status.OVERTURNED
    r.appeal_decided_by, r.appeal_decided_at = actor, at
    r.save(update_fields=["appeal_reason", "status", "appeal_decided_by", "appeal_decided_at"])
    _record(
        r, "appeal_upheld" if uphold else "appeal_overturned", actor, {"reason": r.appeal_reason}
    )
    return r


def can_see_finding(person: Person, finding: Finding, day: date | None = None) -> bool:
    """Whether `person` may see `finding`: the rule is `FindingQuerySet.visible_to`."""
    access = access_for(person, day)
    return Finding.objects.filter(pk=finding.pk).visible_to(access).exists()


# --- the steps of a review, as a page offers them --------------------------------------------


@dataclass(frozen=True)
class ReviewCtx:
    """A person in front of a finding's review, on a given day."""

    review: FindingReview
    person: Person
    access: Access
    day: date

    @property
    def is_explainer(self) -> bool:
        return self.person.pk == self.review.explainer_id


_S = FindingReview.Status


def _may_explain(c: ReviewCtx) -> bool:
    return c.is_explainer and c.review.status == _S.OPEN and c.day <= c.review.explanation_due


def _may_decide(c: ReviewCtx) -> bool:
    return (
        not c.is_explainer
        and c.access.can_act_on_unit(c.review.reviewer_unit_id)
        and c.review.status in (_S.OPEN, _S.EXPLAINED)
    )


def _may_appeal(c: ReviewCtx) -> bool:
    due = c.review.appeal_due
    return c.is_explainer and c.review.status == _S.CONFIRMED and due is not None and c.day <= due


def _may_decide_appeal(c: ReviewCtx) -> bool:
    unit_id = c.review.appeal_unit_id
    return (
        unit_id is not None
        and c.review.status == _S.APPEALED
        and c.access.can_act_on_unit(unit_id)
        and not c.is_explainer
    )


# The page offers a step when `offered` holds; the do_* above decide at the moment of writing.
REVIEW_STEPS: tuple[ObjectStep[ReviewCtx], ...] = (
    ObjectStep(
        "explain",
        _("Giải trình"),
        _may_explain,
        lambda c, d: do_explain(c.review, c.person, text=d["text"], evidence=d.get("evidence")),
    ),
    ObjectStep(
        "decide",
        _("Xác nhận hoặc bác bỏ"),
        _may_decide,
        lambda c, d: do_decide(c.review, c.person, confirm=d["confirm"], reason=d["reason"]),
    ),
    ObjectStep(
        "appeal",
        _("Khiếu nại"),
        _may_appeal,
        lambda c, d: do_appeal(c.review, c.person, text=d["text"]),
    ),
    ObjectStep(
        "decide_appeal",
        _("Giải quyết khiếu nại"),
        _may_decide_appeal,
        lambda c, d: do_decide_appeal(c.review, c.person, uphold=d["uphold"], reason=d["reason"]),
    ),
)
REVIEW_STEP_BY_KEY = by_key(REVIEW_STEPS)
