"""Innovation proposals (Decree 73/2023) as pages: register a plan, the leadership vote (only
eligible voters; the deadline in working days), the head's written approval after a failed
vote, the implementing tasks, the report, the evaluation and the protection outcome.

Who sees a proposal: its proposer, the leaders of its agency and anyone who may see the
agency's work (provincial leaders, HR, inspectors in scope). Every step is an action of
congvu.evaluation.actions; a refusal is shown as a message.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from congvu.audit import log as audit
from congvu.evaluation import actions as A
from congvu.evaluation.models import InnovationProposal
from congvu.evaluation.views import take_step
from congvu.lib.choices import shown_choices
from congvu.lib.errors import ActionError
from congvu.lib.http import login_required
from congvu.lib.steps import PostedStep, by_key
from congvu.org.http import get_access, require_person
from congvu.org.models import Person, today
from congvu.org.permissions import Access
from congvu.tasks.models import Task
from congvu.workdays.calendar import working_days_between

IP = InnovationProposal
PLAN_FIELDS = [
    ("title", gettext_lazy("Tên đề xuất")),
    ("necessity", gettext_lazy("Sự cần thiết, điểm nghẽn cần tháo gỡ")),
    ("content", gettext_lazy("Nội dung, nhiệm vụ, giải pháp")),
    ("scope", gettext_lazy("Phạm vi")),
    ("timeline", gettext_lazy("Thời gian thực hiện")),
    ("resources", gettext_lazy("Nguồn lực, tính khả thi")),
    ("expected_effect", gettext_lazy("Đánh giá tác động, hiệu quả dự kiến")),
]


def _visible(me: Person, access: Access) -> Q:
    if access.sees_everything:
        return Q()
    return Q(proposer=me) | Q(agency_id__in=access.read_unit_ids)


@login_required
@require_http_methods(["GET", "POST"])
def innovation_list(request: HttpRequest) -> HttpResponse:
    me = require_person(request)
    access = get_access(request)
    values = {k: request.POST.get(k, "") for k, _label in PLAN_FIELDS}
    if request.method == "POST":
        try:
            proposal = A.do_register_innovation(
                proposer=me,
                title=values["title"],
                necessity=values["necessity"],
                content=values["content"],
                scope=values["scope"],
                timeline=values["timeline"],
                resources=values["resources"],
                expected_effect=values["expected_effect"],
            )
        except ActionError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Đã đăng ký kế hoạch đề xuất đổi mới, sáng tạo."))
            return HttpResponseRedirect(f"{reverse('innovation:detail')}?so={proposal.pk}")
    rows = list(
        IP.objects.filter(_visible(me, access))
        .select_related("proposer", "agency")
        .order_by("-received_on", "-id")[:200]
    )
    return render(
        request,
        "evaluation/innovations.html",
        {
            "rows": rows,
            "fields": [(k, label, values[k]) for k, label in PLAN_FIELDS],
            "nav_active": "evaluation",
        },
        status=422 if request.method == "POST" else 200,
    )


def _proposal(request: HttpRequest, raw: str) -> InnovationProposal:
    me = require_person(request)
    if not raw.isdigit():
        raise Http404
    proposal = (
        IP.objects.filter(_visible(me, get_access(request)), pk=int(raw))
        .select_related("proposer", "agency")
        .first()
    )
    if proposal is None:
        raise Http404
    return proposal


def _working_days_left(due: date | None, day: date) -> int | None:
    return None if due is None else working_days_between(day, due)


@login_required
@require_http_methods(["GET"])
def innovation_detail(request: HttpRequest) -> HttpResponse:
    me = require_person(request)
    p = _proposal(request, request.GET.get("so", ""))
    day = today()
    voters = A.innovation_voters(p, day)
    votes = {v.voter_id: v for v in p.votes.all()}
    people = Person.objects.in_bulk(list(voters))
    is_head = voters.get(me.pk, False)
    return render(
        request,
        "evaluation/innovation.html",
        {
            "p": p,
            "plan": [(label, getattr(p, k)) for k, label in PLAN_FIELDS[1:]],
            "voters": [(people[pid], is_h, votes.get(pid)) for pid, is_h in voters.items()],
            "can_vote": p.status == IP.Status.REGISTERED and me.pk in voters and me.pk not in votes,
            "is_head": is_head,
            "is_proposer": me.pk == p.proposer_id,
            "vote_days_left": _working_days_left(p.vote_due_on, day),
            "report_days_left": _working_days_left(p.report_due_on, day),
            "evaluation_days_left": _working_days_left(p.evaluation_due_on, day),
            "tasks": list(p.tasks.all()),
            "outcomes": shown_choices(IP.Outcome.choices),
            "history": audit.history("innovation", p.pk),
            "nav_active": "evaluation",
        },
    )


@dataclass(frozen=True)
class ProposalCtx:
    proposal: InnovationProposal
    actor: Person


def _vote(c: ProposalCtx, d: dict[str, Any]) -> str:
    p, me = c.proposal, c.actor
    A.do_cast_innovation_vote(p, voter=me, in_favour=d["in_favour"] == "1")
    return _("Đã ghi nhận biểu quyết.")


def _close(c: ProposalCtx, d: dict[str, Any]) -> str:
    p, me = c.proposal, c.actor
    result = A.do_close_innovation_vote(p, actor=me)
    if result.status == IP.Status.APPROVED:
        return _("Biểu quyết: đề xuất được thông qua.")
    return _("Biểu quyết: đề xuất không được thông qua.")


def _approve(c: ProposalCtx, d: dict[str, Any]) -> str:
    p, me = c.proposal, c.actor
    A.do_head_approve_innovation(p, actor=me, written_decision=d["written_decision"])
    return _("Người đứng đầu đã phê duyệt bằng văn bản.")


def _link(c: ProposalCtx, d: dict[str, Any]) -> str:
    p, me = c.proposal, c.actor
    ids = [int(x) for x in d["tasks"].replace(",", " ").split() if x.isdigit()]
    tasks = list(Task.objects.filter(pk__in=ids))
    if len(tasks) != len(set(ids)):
        raise ActionError("unknown_task", "Có số nhiệm vụ không tồn tại.", field="tasks")
    refs = [r for r in d["task_refs"].splitlines() if r.strip()]
    A.do_link_innovation_tasks(p, actor=me, tasks=tasks, task_refs=refs)
    return _("Đã gắn nhiệm vụ triển khai.")


def _finish(c: ProposalCtx, d: dict[str, Any]) -> str:
    p, me = c.proposal, c.actor
    try:
        finished = date.fromisoformat(d["finished_on"])
    except ValueError as exc:
        raise ActionError("invalid_date", "Ngày kết thúc không hợp lệ.") from exc
    A.do_finish_innovation(p, actor=me, finished_on=finished)
    return _("Đã ghi nhận ngày kết thúc.")


def _report(c: ProposalCtx, d: dict[str, Any]) -> str:
    p, me = c.proposal, c.actor
    A.do_report_innovation(p, actor=me, report=d["report"])
    return _("Đã gửi báo cáo kết quả.")


def _evaluate(c: ProposalCtx, d: dict[str, Any]) -> str:
    p, me = c.proposal, c.actor
    A.do_evaluate_innovation(p, actor=me, outcome=d["outcome"], note=d["note"])
    return _("Đã ghi nhận kết quả đánh giá và bảo vệ.")


STEPS: dict[str, PostedStep[ProposalCtx]] = by_key(
    [
        PostedStep("vote", ("in_favour",), _vote),
        PostedStep("close", (), _close),
        PostedStep("approve", ("written_decision",), _approve),
        PostedStep("link", ("tasks", "task_refs"), _link),
        PostedStep("finish", ("finished_on",), _finish),
        PostedStep("report", ("report",), _report),
        PostedStep("evaluate", ("outcome", "note"), _evaluate),
    ]
)


@login_required
@require_POST
def innovation_act(request: HttpRequest) -> HttpResponse:
    me = require_person(request)
    p = _proposal(request, request.POST.get("proposal", ""))
    step = STEPS.get(request.POST.get("step", ""))
    if step is None:
        return HttpResponse(_("Yêu cầu không hợp lệ."), status=400)
    take_step(request, step, ProposalCtx(p, me))
    return HttpResponseRedirect(f"{reverse('innovation:detail')}?so={p.pk}")
