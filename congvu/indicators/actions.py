"""The only writers of goals, indicators and their warnings; each change leaves a sealed audit
event (subject "indicator", one chain per indicator; "goal" for goals)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.db import transaction

from congvu.audit import log as audit
from congvu.indicators.models import Goal, Indicator, IndicatorWarning, State
from congvu.lib.errors import ActionError, ActionPermissionError
from congvu.org.models import Membership, Person, Unit
from congvu.org.permissions import Access
from congvu.tasks.models import Task

audit.register("goal", "Mục tiêu", ("goal_created",))
audit.register(
    "indicator",
    "Chỉ tiêu",
    ("indicator_created", "task_linked", "task_unlinked", "result_reported", "warning_sent"),
)


def may_direct(access: Access, unit: Unit | int) -> bool:
    return access.can_act_on_unit(unit)


def may_report(access: Access, indicator: Indicator) -> bool:
    """The responsible unit's leaders report the result and the difficulties; whoever directs
    the unit may too."""
    if access.can_act_on_unit(indicator.responsible_unit_id):
        return True
    return (
        access.person_id is not None
        and Membership.objects.current()
        .leaders()
        .filter(person_id=access.person_id, unit_id=indicator.responsible_unit_id)
        .exists()
    )


@transaction.atomic
def do_create_goal(
    *,
    code: str,
    title: str,
    owner_unit: Unit,
    start: date,
    end: date,
    actor: Person,
    access: Access,
) -> Goal:
    if not may_direct(access, owner_unit):
        raise ActionPermissionError("Bạn không chỉ đạo đơn vị này nên không đặt mục tiêu cho nó.")
    if end < start:
        raise ActionError("bad_period", "Ngày kết thúc trước ngày bắt đầu.", field="period_end")
    if Goal.objects.filter(code=code.strip()).exists():
        raise ActionError("duplicate", f"Đã có mục tiêu mã {code}.", field="code")
    goal = Goal.objects.create(
        code=code.strip(),
        title=title.strip(),
        owner_unit=owner_unit,
        period_start=start,
        period_end=end,
    )
    audit.record("goal", goal.pk, "goal_created", actor, {"code": goal.code, "title": goal.title})
    return goal


@transaction.atomic
def do_create_indicator(
    *,
    goal: Goal,
    code: str,
    name: str,
    target: Decimal,
    measure: str,
    start: date,
    end: date,
    responsible_unit: Unit,
    actor: Person,
    access: Access,
) -> Indicator:
    if not may_direct(access, responsible_unit):
        raise ActionPermissionError("Bạn không chỉ đạo đơn vị chịu trách nhiệm chỉ tiêu này.")
    if end < start:
        raise ActionError("bad_period", "Hạn hoàn thành trước ngày bắt đầu.", field="period_end")
    if Indicator.objects.filter(code=code.strip()).exists():
        raise ActionError("duplicate", f"Đã có chỉ tiêu mã {code}.", field="code")
    ind = Indicator.objects.create(
        goal=goal,
        code=code.strip(),
        name=name.strip(),
        target=target,
        measure=measure.strip(),
        period_start=start,
        period_end=end,
        responsible_unit=responsible_unit,
    )
    audit.record(
        "indicator",
        ind.pk,
        "indicator_created",
        actor,
        {
            "code": ind.code,
            "target": target,
            "measure": ind.measure,
            "end": end,
            "unit": responsible_unit.pk,
        },
    )
    return ind


@transaction.atomic
def do_link_task(indicator: Indicator, task: Task, *, actor: Person, access: Access) -> None:
    if not may_direct(access, indicator.responsible_unit_id):
        raise ActionPermissionError("Bạn không chỉ đạo đơn vị chịu trách nhiệm chỉ tiêu này.")
    if indicator.tasks.filter(pk=task.pk).exists():
        return
    indicator.tasks.add(task)
    audit.record("indicator", indicator.pk, "task_linked", actor, {"task": task.pk})


@transaction.atomic
def do_report(
    indicator: Indicator,
    *,
    actual: Decimal | None,
    difficulties: str,
    actor: Person,
    access: Access,
) -> None:
    if not may_report(access, indicator):
        raise ActionPermissionError("Chỉ lãnh đạo đơn vị chịu trách nhiệm báo cáo chỉ tiêu này.")
    ind = Indicator.objects.select_for_update().get(pk=indicator.pk)
    ind.actual = actual
    ind.difficulties = difficulties.strip()
    ind.save(update_fields=["actual", "difficulties"])
    audit.record(
        "indicator",
        ind.pk,
        "result_reported",
        actor,
        {"actual": actual, "difficulties": ind.difficulties},
    )


def warning_text(ind: Indicator, state: State, reasons: list[str]) -> str:
    return (
        f"Cảnh báo sớm: chỉ tiêu {ind.code} “{ind.name}” (hạn {ind.period_end:%d/%m/%Y}) "
        f"{state.label.lower()}: " + "; ".join(reasons) + "."
    )


def send_warnings(today: date, now: datetime) -> int:
    """Warn the head of each responsible unit about indicators at risk or late that end within
    settings.INDICATOR_WARNING_DAYS (or have ended): once per indicator, head and state."""
    from datetime import timedelta

    horizon = today + timedelta(days=settings.INDICATOR_WARNING_DAYS)
    sent = 0
    indicators = Indicator.objects.filter(period_end__lte=horizon).prefetch_related("tasks")
    for ind in indicators:
        a = ind.assess(today, list(ind.tasks.all()))
        if a.state not in (State.AT_RISK, State.LATE):
            continue
        heads = Membership.objects.current().heads().filter(unit_id=ind.responsible_unit_id)
        for person_id in heads.values_list("person_id", flat=True):
            with transaction.atomic():
                _, created = IndicatorWarning.objects.get_or_create(
                    indicator=ind,
                    person_id=person_id,
                    state=a.state,
                    defaults={"text": warning_text(ind, a.state, a.reasons), "created_at": now},
                )
                if created:
                    audit.record(
                        "indicator",
                        ind.pk,
                        "warning_sent",
                        None,
                        {"person": person_id, "state": str(a.state)},
                    )
                    sent += 1
    return sent


def email_warnings(now: datetime) -> int:
    """E-mail warnings not yet e-mailed; a failure leaves the row for the next run."""
    from django.core.mail import send_mail

    if not settings.EMAIL_ENABLED:
        return 0
    done = 0
    for w in IndicatorWarning.objects.filter(emailed_at__isnull=True).select_related(
        "person", "indicator"
    ):
        if not w.person.email:
            continue
        try:
            send_mail(
                f"[Công Vụ] Cảnh báo chỉ tiêu {w.indicator.code}",
                w.text,
                None,
                [w.person.email],
            )
        except OSError:
            continue
        IndicatorWarning.objects.filter(pk=w.pk, emailed_at__isnull=True).update(emailed_at=now)
        done += 1
    return done
