"""Evaluation pages: a person's periods (self-assessment → collective comments → proposal →
decision), a unit's year with the official documents and the finalisation, HR's proposal lists.

Privacy (privacy.py): a person's page shows only the periods the viewer may read, every read
is logged with privacy.record_read, and a person whose evaluations the viewer cannot read is
answered as missing (404) — a colleague cannot even learn whether periods exist. Every change
goes through congvu.evaluation.actions; a refusal comes back as a message on the page.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from congvu.audit import log as audit
from congvu.evaluation import actions as A
from congvu.evaluation import authority, documents, queries
from congvu.evaluation.models import Appeal, Evaluation, Level, ProductIssue, Proposal
from congvu.evaluation.privacy import record_read, visible_evaluations
from congvu.evaluation.schemes import scheme_of
from congvu.evaluation.scoring import CRITERIA_INT_FIELDS, LEADER_INT_FIELDS
from congvu.evaluation.services import cause_sources, confirmed_findings
from congvu.lib.choices import shown, shown_choices
from congvu.lib.errors import ActionError
from congvu.lib.http import login_required, show_refusal
from congvu.lib.steps import C, PostedStep, by_key, posted
from congvu.org.http import get_access, require_person
from congvu.org.models import Membership, Person, Unit, UnitVersion, today
from congvu.org.permissions import Access, Role
from congvu.org.tree import tree_as_of
from congvu.privacy.access import records_access

S = Evaluation.Status


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """My periods and what waits for me as a superior."""
    me = require_person(request)
    access = get_access(request)
    mine = list(queries.my_evaluations(me).order_by("-start"))
    record_read(me, mine, purpose="list")
    waiting = queries.awaiting(me, access)
    record_read(me, [e for e, _step in waiting if e.person_id != me.pk], purpose="list")
    return render(
        request,
        "evaluation/home.html",
        {
            "mine": mine,
            "waiting": waiting,
            "nav_active": "evaluation",
            "year": today().year,
            "sees_province": access.may(Role.HR) or access.may(Role.LEADER),
        },
    )


def _person_periods(request: HttpRequest, person_id: int) -> tuple[Person, list[Evaluation]]:
    me = require_person(request)
    person = Person.objects.filter(pk=person_id).first()
    if person is None:
        raise Http404
    periods = list(
        visible_evaluations(me, get_access(request))
        .filter(person=person)
        .select_related("unit", "rule_set")
        .order_by("-start", "-id")
    )
    if not periods and me.pk != person.pk:
        raise Http404  # nothing the viewer may read: answered like a missing page
    return person, periods


@dataclass(frozen=True)
class PeriodCtx:
    """The period a step is taken on, and who takes it."""

    evaluation: Evaluation
    actor: Person


PeriodStep = PostedStep[PeriodCtx]


def take_step(request: HttpRequest, step: PostedStep[C], ctx: C) -> bool:
    """Run one posted step (an action) and report its message or its refusal; True if done."""
    try:
        messages.success(request, step.run(ctx, posted(request.POST, step.inputs)))
    except ActionError as exc:
        show_refusal(request, exc)
        return False
    return True


def run_period_step(
    request: HttpRequest,
    person_id: int,
    steps: dict[str, PeriodStep],
    anchor: str,
    *,
    field: str = "step",
    redirect: int = 303,
) -> HttpResponse:
    """The POST handler the period forms share (assessment, products, appeals): find the
    period among those the viewer may read and the step named in the form, run it, and go back
    to the period's section of the person's page."""
    me = require_person(request)
    subject, periods = _person_periods(request, person_id)
    raw = str(request.POST.get("evaluation", ""))
    e = next((p for p in periods if raw.isdigit() and p.pk == int(raw)), None)
    step = steps.get(str(request.POST.get(field, "")))
    if e is None or step is None:
        return HttpResponse(_("Yêu cầu không hợp lệ."), status=400)
    take_step(request, step, PeriodCtx(e, me))
    url = reverse("evaluation:person", args=[subject.pk])
    return HttpResponseRedirect(f"{url}?ky={e.pk}{'#' + anchor if anchor else ''}", status=redirect)


CRITERIA_LABELS: dict[str, Any] = {
    "general_well": gettext_lazy("Thực hiện tốt các tiêu chí chung"),
    "general_met": gettext_lazy("Đạt các tiêu chí chung"),
    "tasks_total": gettext_lazy("Tổng số nhiệm vụ được giao"),
    "tasks_completed": gettext_lazy("Số nhiệm vụ hoàn thành"),
    "tasks_on_time_quality": gettext_lazy("Số nhiệm vụ hoàn thành đúng hạn, bảo đảm chất lượng"),
    "tasks_exceeded": gettext_lazy("Số nhiệm vụ vượt yêu cầu"),
    "tasks_short": gettext_lazy("Số nhiệm vụ chưa hoàn thành"),
    "months_worked": gettext_lazy("Số tháng công tác trong năm"),
    "months_absent": gettext_lazy("Số tháng nghỉ"),
    "unit_targets_total": gettext_lazy("Tổng chỉ tiêu của đơn vị"),
    "unit_targets_completed": gettext_lazy("Chỉ tiêu đơn vị hoàn thành"),
    "unit_targets_on_time_quality": gettext_lazy(
        "Chỉ tiêu hoàn thành đúng hạn, bảo đảm chất lượng"
    ),
    "unit_targets_exceeded": gettext_lazy("Chỉ tiêu vượt"),
    "sub_units_total": gettext_lazy("Số đơn vị trực thuộc"),
    "sub_units_ht_or_better": gettext_lazy("Đơn vị trực thuộc hoàn thành trở lên"),
    "sub_units_htt_or_better": gettext_lazy("Đơn vị trực thuộc hoàn thành tốt trở lên"),
}


def _criteria_rows(e: Evaluation) -> list[dict[str, Any]]:
    """The ND 90 criteria sheet (the leader rows for a head/deputy), prefilled from the last
    sheet entered (the head's over the person's)."""
    if scheme_of(e.rule_set).sheet != "criteria":
        return []
    last = e.criteria.get("head") or e.criteria.get("self") or {}
    names = ["general_well", "general_met", *CRITERIA_INT_FIELDS]
    if e.is_leader:
        names += LEADER_INT_FIELDS
    return [
        {
            "name": n,
            "label": CRITERIA_LABELS[n],
            "boolean": n.startswith("general_"),
            "value": last.get(
                n, 12 if n == "months_worked" else (False if n.startswith("general_") else 0)
            ),
        }
        for n in names
    ]


def _criteria_from(rows: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for n in CRITERIA_LABELS:
        if n.startswith("general_"):
            out[n] = rows.get(n) == "1"
        elif n in rows:
            raw = rows[n].strip()
            out[n] = int(raw) if raw.isdigit() else raw
    return out


def _sheet_rows(e: Evaluation) -> list[dict[str, Any]]:
    if not scheme_of(e.rule_set).has_products(e.kind):
        return []
    return [
        {
            **c,
            "name": shown(c["name"]),
            "self": e.general_self.get(c["code"], ""),
            "head": e.general_head.get(c["code"], ""),
        }
        for c in e.rule_set.params_with_defaults.get("general_criteria", [])
        + (LEADER_ROWS if e.is_leader else [])
    ]


# A leader's e (required) and đ (left empty: computed from the managed people's products),
# in percent: ND 335 Art. 15–16, services.leader_inputs.
LEADER_ROWS: list[dict[str, Any]] = [
    {
        "code": "doan_ket",
        "name": gettext_lazy("Khả năng tập hợp, đoàn kết (e), tính theo %"),
        "max": 100,
    },
    {
        "code": "to_chuc",
        "name": gettext_lazy(
            "Khả năng tổ chức triển khai (đ), tính theo % — để trống: tính từ sản phẩm của đơn vị"
        ),
        "max": 100,
    },
]


OPEN_FOR_PRODUCTS = (S.DRAFT, S.SELF_ASSESSED, S.COMMENTED, S.PROPOSED)


def _work_context(e: Evaluation, me: Person, superior: bool) -> dict[str, Any]:
    """Products, issues and objective causes (ND 335 periods) and appeals (finalised results)."""
    products = list(
        e.products.select_related("catalog_item").prefetch_related(
            "issues", "issues__cause_claimed_by", "issues__cause_rejected_by"
        )
    )
    editable = scheme_of(e.rule_set).has_products(e.kind) and e.status in OPEN_FOR_PRODUCTS
    is_self = me.pk == e.person_id
    sources = cause_sources([p.task_id for p in products if p.task_id]) if editable else {}
    deadline = A.appeal_deadline(e)
    appeals = list(e.appeals.select_related("filed_by").order_by("-filed_on", "-id"))
    open_appeal = any(a.status == Appeal.Status.OPEN for a in appeals)
    return {
        "products": [(p, sources.get(p.task_id or 0, [])) for p in products],
        "catalogue": A.catalog_for(e.job_position, e.start, e.unit) if editable else [],
        "can_add_product": editable and (is_self or superior),
        "can_record_issue": editable and superior,
        # Confirming or rejecting an objective cause is the competent level's (authority.py).
        "can_judge_cause": editable and authority.may(me, e, authority.CONFIRM_CAUSE),
        "can_claim": editable and (is_self or superior),
        "issue_kinds": shown_choices(ProductIssue.Kind.choices),
        "appeals": appeals,
        "appeal_deadline": deadline,
        "appeal_open": is_self
        and e.is_locked
        and not open_appeal
        and deadline is not None
        and today() <= deadline,
        "appeal_late": is_self and e.is_locked and deadline is not None and today() > deadline,
        "can_resolve": any(
            a.status == Appeal.Status.OPEN and A.may_resolve_appeal(me, a) for a in appeals
        ),
    }


@login_required
@require_GET
@records_access("evaluation", "person_id")
def person(request: HttpRequest, person_id: int) -> HttpResponse:
    me = require_person(request)
    subject, periods = _person_periods(request, person_id)
    chosen = periods[0] if periods else None
    if request.GET.get("ky", "").isdigit():
        chosen = next((e for e in periods if e.pk == int(request.GET["ky"])), None)
        if chosen is None:
            raise Http404
    record_read(me, periods, purpose="view")
    context: dict[str, Any] = {
        "subject": subject,
        "periods": periods,
        "e": chosen,
        "is_self": me.pk == subject.pk,
        "nav_active": "evaluation",
        "levels": shown_choices(Level.choices),
        "this_year": today().year,
    }
    if chosen is not None:
        superior = A.is_superior(me, chosen)
        context.update(_work_context(chosen, me, superior))
        context.update(
            superior=superior,
            sheet=_sheet_rows(chosen),
            criteria_rows=_criteria_rows(chosen),
            history=audit.history("evaluation", chosen.pk),
            findings=(
                confirmed_findings(chosen.person_id, chosen.start, chosen.end) if superior else []
            ),
            quota=A.quota_warnings([chosen]) if superior else [],
            can_self=me.pk == chosen.person_id and chosen.status in (S.DRAFT, S.SELF_ASSESSED),
            can_comment=superior and chosen.status in (S.SELF_ASSESSED, S.COMMENTED),
            can_propose=authority.may(me, chosen, authority.PROPOSE)
            and (
                chosen.status in (S.COMMENTED, S.PROPOSED)
                or (chosen.status == S.SELF_ASSESSED and chosen.kind != Evaluation.Kind.YEAR)
            ),
            can_decide=chosen.status in (S.PROPOSED, S.DECIDED)
            and authority.may(me, chosen, authority.DECIDE),
            can_finalise=chosen.status == S.DECIDED
            and authority.may(me, chosen, authority.FINALISE),
        )
    return render(request, "evaluation/person.html", context)


def _sheet_from(rows: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in rows.items():
        if value.strip():
            try:
                out[key] = float(Decimal(value.strip().replace(",", ".")))
            except InvalidOperation:
                out[key] = value
    return out


def _sheet_for(d: dict[str, Any], e: Evaluation) -> dict[str, Any]:
    if scheme_of(e.rule_set).sheet == "criteria":
        return _criteria_from(d["c_"])
    return _sheet_from(d["g_"])


def _self(c: PeriodCtx, d: dict[str, Any]) -> str:
    A.do_self_assess(
        c.evaluation,
        actor=c.actor,
        sheet=_sheet_for(d, c.evaluation),
        comment=d["comment"],
        level=d["level"],
    )
    return _("Đã ghi nhận bản tự đánh giá.")


def _comment(c: PeriodCtx, d: dict[str, Any]) -> str:
    A.do_record_collective_comments(c.evaluation, actor=c.actor, comments=d["comments"])
    return _("Đã ghi nhận ý kiến của tập thể.")


def _propose(c: PeriodCtx, d: dict[str, Any]) -> str:
    sheet = _sheet_for(d, c.evaluation)
    A.do_propose(c.evaluation, actor=c.actor, sheet=sheet, comment=d["comment"])
    return _("Đã đề xuất mức xếp loại.")


def _decide(c: PeriodCtx, d: dict[str, Any]) -> str:
    A.do_decide(c.evaluation, actor=c.actor, level=d["level"], reason=d["reason"])
    return _("Đã quyết định mức xếp loại.")


def _finalise(c: PeriodCtx, d: dict[str, Any]) -> str:
    A.do_finalise(
        [c.evaluation],
        actor=c.actor,
        quota_override_reason=d["quota_override_reason"],
        decision_ref=d["decision_ref"],
    )
    return _("Đã chốt kết quả đánh giá.")


# The steps of a period on the person's page, in the order of the procedure.
PERIOD_STEPS: dict[str, PeriodStep] = by_key(
    [
        PostedStep("self", ("g_", "c_", "comment", "level"), _self),
        PostedStep("comment", ("comments",), _comment),
        PostedStep("propose", ("g_", "c_", "comment"), _propose),
        PostedStep("decide", ("level", "reason"), _decide),
        PostedStep("finalise", ("quota_override_reason", "decision_ref"), _finalise),
    ]
)


@login_required
@require_POST
def person_act(request: HttpRequest, person_id: int) -> HttpResponse:
    if request.POST.get("action", "") != "open":
        return run_period_step(request, person_id, PERIOD_STEPS, "", field="action", redirect=302)
    me = require_person(request)
    subject, _periods = _person_periods(request, person_id)
    url = reverse("evaluation:person", args=[subject.pk])
    try:
        opened = A.do_open_evaluation(
            subject,
            request.POST.get("kind", Evaluation.Kind.MONTH),
            int(request.POST.get("year") or today().year),
            int(request.POST.get("number") or 0),
            actor=me,
        )
    except (ActionError, ValueError) as exc:
        messages.error(request, getattr(exc, "message", str(exc)))
        return HttpResponseRedirect(url, status=303)
    messages.success(request, _("Đã mở kỳ đánh giá."))
    return HttpResponseRedirect(f"{url}?ky={opened.pk}")


def _unit_for(request: HttpRequest, unit_id: int) -> Unit:
    unit = get_object_or_404(Unit, pk=unit_id)
    access = get_access(request)
    if not (access.can_see_evaluations_of(unit.pk) or access.can_act_on_unit(unit.pk)):
        raise PermissionDenied(_("Bạn không có quyền xem kết quả đánh giá của đơn vị này."))
    return unit


def _year(request: HttpRequest) -> int:
    raw = request.GET.get("nam", "") or request.POST.get("nam", "")
    return int(raw) if raw.isdigit() and 2000 <= int(raw) <= 2100 else today().year


@login_required
@require_GET
def unit(request: HttpRequest, unit_id: int) -> HttpResponse:
    me = require_person(request)
    u = _unit_for(request, unit_id)
    year = _year(request)
    rows = list(queries.unit_year(u, year, me, get_access(request)))
    record_read(me, rows, purpose="summary")
    # Only what this viewer may finalise (the head of the classifying agency, authority.py);
    # the organisation is read once for the whole page.
    with authority.cached_access():
        decided = [
            e for e in rows if e.status == S.DECIDED and authority.may(me, e, authority.FINALISE)
        ]
        warnings = A.finalisation_warnings(decided) if decided else []
    return render(
        request,
        "evaluation/unit.html",
        {
            "unit": u,
            "year": year,
            "rows": rows,
            "decided": decided,
            "warnings": warnings,
            "nav_active": "evaluation",
        },
    )


@login_required
@require_GET
def province(request: HttpRequest) -> HttpResponse:
    """The year across the province for Sở Nội vụ and the leaders: per department (the units
    under the scope's root), the year evaluations at each level and those not yet finalised.
    Counts only: the names are on each unit's summary, whose reads are logged."""
    require_person(request)
    access = get_access(request)
    if not (access.may(Role.HR) or access.may(Role.LEADER)):
        raise PermissionDenied(_("Chỉ Sở Nội vụ và lãnh đạo tỉnh xem tổng hợp toàn tỉnh."))
    year = _year(request)
    tree = tree_as_of(today())
    scope = {u for u in access.evaluation_unit_ids if u in tree}
    roots = [u for u in scope if tree.parent.get(u) not in scope]
    tops = [c for r in roots for c in tree.children.get(r, ())] if len(roots) == 1 else roots
    top_of = {u: top for top in tops for u in tree.scope(top)}
    levels = [code for code, _label in Level.choices]
    counts: dict[int, dict[str, int]] = {t: dict.fromkeys([*levels, "", "total"], 0) for t in tops}
    rows = (
        Evaluation.objects.years()
        .filter(year=year, unit_id__in=scope)
        .values_list("unit_id", "final_level")
    )
    for unit_id, level in rows:
        top = top_of.get(unit_id)
        if top is not None:
            counts[top][level] += 1
            counts[top]["total"] += 1
    names = dict(
        UnitVersion.objects.active_on(today())
        .filter(unit_id__in=tops)
        .values_list("unit_id", "name")
    )
    table = sorted(
        (
            (u, names.get(u, "?"), c["total"], [c[lv] for lv in levels], c[""])
            for u, c in counts.items()
        ),
        key=lambda r: (-r[2], r[1]),
    )
    return render(
        request,
        "evaluation/province.html",
        {
            "year": year,
            "levels": levels,
            "table": table,
            "totals": [sum(r[3][i] for r in table) for i in range(len(levels))],
            "total": sum(r[2] for r in table),
            "open_total": sum(r[4] for r in table),
            "nav_active": "evaluation",
        },
    )


@login_required
@require_POST
def unit_finalise(request: HttpRequest, unit_id: int) -> HttpResponse:
    me = require_person(request)
    u = _unit_for(request, unit_id)
    if not get_access(request).can_act_on_unit(u.pk):
        raise PermissionDenied(_("Chỉ cấp có thẩm quyền chốt kết quả đánh giá."))
    year = _year(request)
    decided = [
        e
        for e in queries.unit_year(u, year, me, get_access(request))
        if e.status == S.DECIDED and authority.may(me, e, authority.FINALISE)
    ]
    url = f"{reverse('evaluation:unit', args=[u.pk])}?nam={year}"
    try:
        A.do_finalise(
            decided,
            actor=me,
            quota_override_reason=request.POST.get("quota_override_reason", ""),
            decision_ref=request.POST.get("decision_ref", ""),
        )
    except ActionError as exc:
        show_refusal(request, exc)
        return HttpResponseRedirect(url, status=303)
    messages.success(request, _("Đã chốt kết quả đánh giá của đơn vị."))
    return HttpResponseRedirect(url, status=303)


CONTENT_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@login_required
@require_GET
def unit_document(request: HttpRequest, unit_id: int, fmt: str) -> HttpResponse:
    me = require_person(request)
    u = _unit_for(request, unit_id)
    if fmt not in CONTENT_TYPES:
        raise Http404
    year = _year(request)
    data = documents.unit_summary(u, year, fmt, viewer=me, access=get_access(request))
    response = HttpResponse(data, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="tong-hop-{u.code}-{year}.{fmt}"'
    return response


@login_required
@require_GET
@records_access("evaluation", "person_id")
def person_document(request: HttpRequest, person_id: int, fmt: str) -> HttpResponse:
    """The self-assessment sheet (mẫu phiếu) or the result notice of one period."""
    me = require_person(request)
    _subject, periods = _person_periods(request, person_id)
    raw = request.GET.get("ky", "")
    e = next((p for p in periods if raw.isdigit() and p.pk == int(raw)), None)
    if e is None or fmt not in CONTENT_TYPES:
        raise Http404
    access = get_access(request)
    if request.GET.get("loai") == "thong-bao":
        data, name = documents.notice(e, fmt, viewer=me, access=access), "thong-bao"
    else:
        data, name = documents.self_assessment(e, fmt, viewer=me, access=access), "phieu"
    response = HttpResponse(data, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{name}-{e.pk}.{fmt}"'
    return response


@login_required
@require_GET
def proposals(request: HttpRequest) -> HttpResponse:
    """Consequences proposed from results (reward, discipline, training, appointment
    eligibility...), grouped by kind, for HR (Sở Nội vụ) and the heads who decide them."""
    me = require_person(request)
    access = _proposal_access(request)
    kind = request.GET.get("loai", "")
    qs = queries.visible_proposals(me, access).exclude(person=me).order_by("-opened_on", "-id")
    if kind in Proposal.Kind.values:
        qs = qs.filter(kind=kind)
    rows = list(qs[:300])
    units = dict(
        Membership.objects.current()
        .filter(person_id__in={p.person_id for p in rows}, is_primary=True)
        .values_list("person_id", "unit_id")
    )
    groups: dict[str, list[tuple[Proposal, bool]]] = {}
    for p in rows:
        decidable = (
            p.status == Proposal.Status.OPEN
            and p.person_id in units
            and A.may_decide_proposal(me, p, access, units[p.person_id])
        )
        groups.setdefault(p.get_kind_display(), []).append((p, decidable))
    return render(
        request,
        "evaluation/proposals.html",
        {
            "groups": sorted(groups.items()),
            "kinds": shown_choices(Proposal.Kind.choices),
            "kind": kind,
            "nav_active": "evaluation",
        },
    )


def _proposal_access(request: HttpRequest) -> Access:
    access = get_access(request)
    if not (access.has_role(Role.HR) or access.act_unit_ids or access.has_role(Role.LEADER)):
        raise PermissionDenied(_("Trang này dành cho Sở Nội vụ và lãnh đạo."))
    return access


@login_required
@require_POST
def proposal_decide(request: HttpRequest) -> HttpResponse:
    """Accept or reject one consequence proposal, with a note (do_decide_proposal decides who
    is competent: a leader directing the person's unit, or HR; never the person)."""
    me = require_person(request)
    access = _proposal_access(request)
    raw = str(request.POST.get("proposal", ""))
    proposal = (
        queries.visible_proposals(me, access).exclude(person=me).filter(pk=int(raw)).first()
        if raw.isdigit()
        else None
    )
    if proposal is None:
        raise Http404
    kind = request.POST.get("loai", "")
    url = reverse("evaluation:proposals") + (
        f"?loai={kind}" if kind in Proposal.Kind.values else ""
    )
    decision = request.POST.get("decision", "")
    if decision not in ("accept", "reject"):
        messages.error(request, _("Chọn chấp nhận hoặc không chấp nhận đề xuất."))
        return HttpResponseRedirect(url, status=303)
    try:
        A.do_decide_proposal(
            proposal, actor=me, accept=decision == "accept", note=request.POST.get("note", "")
        )
    except ActionError as exc:
        show_refusal(request, exc)
        return HttpResponseRedirect(url, status=303)
    done = (
        _("Đã chấp nhận đề xuất đối với %(name)s.")
        if decision == "accept"
        else _("Đã không chấp nhận đề xuất đối với %(name)s.")
    )
    messages.success(request, done % {"name": proposal.person.full_name})
    return HttpResponseRedirect(url, status=303)
