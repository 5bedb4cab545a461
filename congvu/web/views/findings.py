"""A finding of congvu.detection and its due process: explain (giải trình), decide, appeal.

Every step is one of congvu.detection.review.REVIEW_STEPS (offered when its rule holds, run
through its do_*); who may see a finding is congvu.detection.review.can_see_finding.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop
from django.views.decorators.http import require_GET, require_POST

from congvu.detection import review as R
from congvu.detection.models import Finding, FindingQuerySet, FindingReview
from congvu.lib.choices import shown_choices
from congvu.lib.http import login_required, run_posted
from congvu.org.http import get_access, get_person
from congvu.org.models import today
from congvu.privacy.access import records_access
from congvu.tasks.models import TaskEvent
from congvu.web.forms import filter_choice, filtered
from congvu.web.taskquery import visible_tasks
from congvu_analytics.detect import DETECTOR_LABELS, group_label

S = FindingReview.Status


class ExplainForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Nội dung giải trình"), widget=forms.Textarea(attrs={"rows": 5})
    )
    evidence = forms.FileField(
        label=gettext_lazy("Tài liệu kèm theo"),
        required=False,
        help_text=gettext_lazy("PDF, ảnh, Word, Excel hoặc văn bản; tối đa 20 MB."),
    )


class DecideForm(forms.Form):
    confirm = forms.TypedChoiceField(
        label=gettext_lazy("Quyết định"),
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
        choices=[
            ("1", gettext_lazy("Xác nhận phát hiện")),
            ("0", gettext_lazy("Bác bỏ phát hiện")),
        ],
    )
    reason = forms.CharField(label=gettext_lazy("Lý do"), widget=forms.Textarea(attrs={"rows": 4}))


class AppealForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Nội dung khiếu nại"), widget=forms.Textarea(attrs={"rows": 4})
    )


class AppealDecisionForm(forms.Form):
    uphold = forms.TypedChoiceField(
        label=gettext_lazy("Giải quyết khiếu nại"),
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
        choices=[("1", gettext_lazy("Giữ nguyên xác nhận")), ("0", gettext_lazy("Hủy xác nhận"))],
    )
    reason = forms.CharField(label=gettext_lazy("Lý do"), widget=forms.Textarea(attrs={"rows": 4}))


# The form of each review step (congvu.detection.review.REVIEW_STEPS).
FORMS: dict[str, type[forms.Form]] = {
    "explain": ExplainForm,
    "decide": DecideForm,
    "appeal": AppealForm,
    "decide_appeal": AppealDecisionForm,
}
if set(FORMS) != set(R.REVIEW_STEP_BY_KEY):
    raise RuntimeError(f"Bước thiếu biểu mẫu: {sorted(set(FORMS) ^ set(R.REVIEW_STEP_BY_KEY))}")


def _get_finding_for_user(request: HttpRequest, finding_id: int) -> Finding:
    person = get_person(request)
    try:
        finding = Finding.objects.select_related(
            "subject_person", "subject_unit", "context_unit"
        ).get(pk=finding_id)
    except Finding.DoesNotExist:
        raise Http404 from None
    if person is None or not R.can_see_finding(person, finding):
        raise Http404
    return finding


def _review(finding: Finding) -> FindingReview | None:
    try:
        return FindingReview.objects.select_related(
            "explainer", "reviewer_unit", "appeal_unit", "decided_by", "appeal_decided_by"
        ).get(finding=finding)
    except FindingReview.DoesNotExist:
        return None


def _ctx(request: HttpRequest, review: FindingReview) -> R.ReviewCtx | None:
    person = get_person(request)
    if person is None:
        return None
    return R.ReviewCtx(review, person, get_access(request), today())


def _render(
    request: HttpRequest,
    finding: Finding,
    bound: tuple[str, forms.Form] | None = None,
    status: int = 200,
) -> HttpResponse:
    review = _review(finding)
    evidence = list(
        TaskEvent.objects.filter(pk__in=[int(e) for e in (finding.evidence_event_ids or [])][:50])
        .select_related("task", "actor", "unit", "target_unit")
        .order_by("at", "pk")
    )
    # Evidence may sit on tasks the viewer no longer sees (a task they passed on): the events
    # are shown either way, the link only where the task page would open.
    openable = set(
        visible_tasks(get_access(request))
        .filter(pk__in={ev.task_id for ev in evidence})
        .values_list("pk", flat=True)
    )
    for ev in evidence:
        ev.openable = ev.task_id in openable  # type: ignore[attr-defined]
    steps = []
    ctx = _ctx(request, review) if review is not None else None
    for step in R.REVIEW_STEPS:
        if ctx is None or not step.offered(ctx):
            continue
        key = step.key
        form = bound[1] if bound and bound[0] == key else FORMS[key]()
        form.auto_id = f"id_{key}_%s"
        steps.append((key, step.label, form, bool(bound and bound[0] == key)))
    components = [
        {**c, "label": _detector_label(str(c.get("detector")))} for c in (finding.components or [])
    ]
    return render(
        request,
        "web/findings/finding.html",
        {
            "finding": finding,
            "components": components,
            "peer_label": _peer_label(finding),
            "review": review,
            "evidence": evidence,
            "steps": steps,
            "nav_active": "",
        },
        status=status,
    )


@login_required
@require_GET
@records_access("finding", "finding_id")
def finding_detail(request: HttpRequest, finding_id: int) -> HttpResponse:
    return _render(request, _get_finding_for_user(request, finding_id))


@login_required
@require_POST
def finding_act(request: HttpRequest, finding_id: int) -> HttpResponse:
    finding = _get_finding_for_user(request, finding_id)
    review = _review(finding)
    ctx = _ctx(request, review) if review is not None else None
    step = R.REVIEW_STEP_BY_KEY.get(request.POST.get("step", ""))
    if ctx is None or step is None:
        raise PermissionDenied
    form = FORMS[step.key](request.POST, request.FILES)
    taken = run_posted(
        request,
        form,
        lambda data: step.run(ctx, data),
        done=_("Đã ghi nhận."),
        then=reverse("web:finding", args=[finding.pk]),
    )
    if taken is not None:
        return taken
    return _render(request, finding, (step.key, form), status=400)


@login_required
@require_GET
@records_access("explanation", "finding_id")
def finding_evidence(request: HttpRequest, finding_id: int) -> HttpResponseBase:
    """The document attached to the explanation, for those who may see the finding."""
    finding = _get_finding_for_user(request, finding_id)
    review = _review(finding)
    if review is None or not review.evidence:
        raise Http404
    return FileResponse(
        review.evidence.open("rb"),
        as_attachment=True,
        filename=review.evidence.name.rsplit("/", 1)[-1],
    )


# --- the list ------------------------------------------------------------------------------


class FindingFilterForm(forms.Form):
    """The findings list's filters (GET); the export reads the same form."""

    tu_khoa = forms.CharField(label=gettext_lazy("Từ khóa"), max_length=200, required=False)
    hanh_vi = filter_choice(gettext_lazy("Hành vi"), shown_choices(Finding.Behaviour.choices))
    xem_xet = filter_choice(gettext_lazy("Tình trạng xem xét"), shown_choices(S.choices))
    doi_tuong = filter_choice(
        gettext_lazy("Về"),
        shown_choices(Finding.SubjectType.choices),
        blank=gettext_lazy("Cán bộ và đơn vị"),
    )
    ky = forms.RegexField(
        label=gettext_lazy("Kỳ (quý)"),
        regex=r"^\d{4}-Q[1-4]$",
        required=False,
        help_text=gettext_lazy("Ví dụ: 2026-Q3"),
        error_messages={"invalid": gettext_lazy("Kỳ viết theo dạng năm-Q quý, ví dụ 2026-Q3.")},
    )
    ca_da_go = forms.BooleanField(
        label=gettext_lazy("Kể cả phát hiện lần chạy sau không còn xác nhận"), required=False
    )

    def narrow(self, findings: FindingQuerySet) -> FindingQuerySet:
        data = self.cleaned_data if self.is_valid() else {}
        if not data.get("ca_da_go"):
            findings = findings.current()
        findings = filtered(
            findings,
            data,
            {
                "hanh_vi": "behaviour",
                "xem_xet": "review__status",
                "doi_tuong": "subject_type",
                "ky": "period",
            },
        )
        if data.get("tu_khoa"):
            from congvu.web.search import containing

            findings = containing(findings, data["tu_khoa"])
        return findings


def _listed_findings(request: HttpRequest, form: FindingFilterForm) -> QuerySet[Finding]:
    found = form.narrow(Finding.objects.visible_to(get_access(request)))
    return found.select_related(
        "subject_person", "subject_unit", "context_unit", "review"
    ).order_by("-strength", "pk")


@login_required
@require_GET
def finding_list(request: HttpRequest) -> HttpResponse:
    from congvu.web.paging import paginate

    form = FindingFilterForm(request.GET)
    page = paginate(request, _listed_findings(request, form))
    template = (
        "web/findings/_list_results.html"
        if getattr(request, "htmx", False)
        else "web/findings/list.html"
    )
    return render(
        request,
        template,
        {"page_obj": page, "form": form, "export_query": request.GET.urlencode()},
    )


FINDING_HEADERS = [
    gettext_noop("Số phát hiện"),
    gettext_noop("Hành vi"),
    gettext_noop("Về"),
    gettext_noop("Cán bộ / đơn vị"),
    gettext_noop("Đơn vị"),
    gettext_noop("Kỳ"),
    gettext_noop("Mức độ"),
    gettext_noop("Độ mạnh (0–1)"),
    gettext_noop("Tỷ lệ"),
    gettext_noop("Tỷ lệ nhóm tương đương"),
    gettext_noop("Số trường hợp xét"),
    gettext_noop("Tình trạng xem xét"),
    gettext_noop("Nội dung"),
]


@login_required
@require_GET
def finding_export(request: HttpRequest) -> HttpResponse:
    """The findings list as filtered, as XLSX (rates as numbers formatted by Excel)."""
    from congvu.web.exports import MAX_ROWS, xlsx_response

    rows = (
        [
            f.pk,
            f.get_behaviour_display(),
            f.get_subject_type_display(),
            f.subject_person.full_name if f.subject_person else f.subject_unit.name,  # type: ignore[union-attr]
            f.context_unit.name if f.context_unit else "",
            f.period_label,
            f.strength_band,
            round(f.strength, 3),
            f.rate,
            f.peer_rate,
            f.sample,
            _review_label(f),
            f.sentence,
        ]
        for f in _listed_findings(request, FindingFilterForm(request.GET))[:MAX_ROWS]
    )
    return xlsx_response("phat-hien.xlsx", _("Phát hiện"), [_(h) for h in FINDING_HEADERS], rows)


def _review_label(finding: Finding) -> str:
    try:
        return str(finding.review.get_status_display())
    except FindingReview.DoesNotExist:
        return ""


def _detector_label(detector: str) -> str:
    """A detector's name in the reader's language (the engine's names are marked for the
    catalogue where they are written); a detector the app does not know shows its code."""
    label = DETECTOR_LABELS.get(detector)
    return _(label) if label else detector


def _peer_label(finding: Finding) -> str:
    """The peer group in words, in the reader's language. "*" (no types, or every finer group
    too small: the engine broadens a position group of fewer than five) is named too, so the
    page never hides whom the subject was compared with. The finding's sentence stays as the
    engine wrote it (Vietnamese): it is the record the person answers."""
    if not finding.peer_group:
        return ""
    label = group_label(finding.peer_group, say=_)
    if label:
        return label
    if finding.subject_type == "person":
        return _("nhóm chung (quá ít người cùng chức vụ, cùng cấp để so sánh riêng)")
    return _("mọi đơn vị")
