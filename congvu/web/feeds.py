"""The data feed for upstream direction systems (hệ thống thông tin chỉ đạo, điều hành): a unit's
tasks and indicators with their states for a period, as one ZIP that another system can check.

    feed.json      tasks and indicators (UTF-8, keys sorted: the same data gives the same bytes)
    feed.xlsx      the same rows, Vietnamese headers, typed cells (dates, numbers)
    SHA256SUMS     the checksum of each file, in `sha256sum -c` form
    *.p7s          detached CMS signatures of feed.json and feed.xlsx with the agency's key,
                   when one is configured (congvu.lib.signing; `openssl cms -verify` checks them)

Scope: the unit, everything below it and the units it took over (the tree of the day the feed
is made), as its dashboard. Period: tasks assigned in it or due in it; indicators whose period
overlaps it. States are the dashboards' (congvu.web.metrics: on time, late, overdue, open) and
the indicators' own assessment (on track, at risk, late, done). docs/integration.md.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import Q

from congvu.indicators.models import Indicator
from congvu.indicators.models import State as IndicatorState
from congvu.lib import signing
from congvu.org.models import Unit
from congvu.org.tree import tree_as_of
from congvu.tasks.models import Status, Task
from congvu.web.exports import xlsx_bytes
from congvu.web.metrics import task_facts

FORMAT = "congvu-feed/1"
# The states of a task in the feed (web.metrics.TaskFacts.timeliness, plus cancelled).
TASK_STATES = {
    "on_time": "Hoàn thành đúng hạn",
    "late": "Hoàn thành trễ hạn",
    "overdue": "Quá hạn, chưa hoàn thành",
    "open": "Đang thực hiện, trong hạn",
    "cancelled": "Đã hủy",
}
TASK_COLUMNS = [
    ("id", "Mã nhiệm vụ"),
    ("title", "Tên nhiệm vụ"),
    ("source", "Văn bản chỉ đạo"),
    ("lead_unit", "Đơn vị chủ trì"),
    ("lead_person", "Người chủ trì"),
    ("assigned_on", "Ngày giao"),
    ("deadline", "Hạn xử lý"),
    ("done_on", "Ngày hoàn thành"),
    ("progress", "Tiến độ (%)"),
    ("status", "Trạng thái"),
    ("state", "Tình hình thực hiện"),
]
INDICATOR_COLUMNS = [
    ("code", "Mã chỉ tiêu"),
    ("name", "Chỉ tiêu"),
    ("goal", "Mục tiêu"),
    ("responsible_unit", "Đơn vị chịu trách nhiệm"),
    ("target", "Chỉ tiêu cần đạt"),
    ("measure", "Đơn vị tính"),
    ("actual", "Kết quả đạt được"),
    ("period_end", "Hạn hoàn thành"),
    ("state", "Tình trạng"),
    ("tasks_total", "Số nhiệm vụ"),
    ("tasks_done", "Số nhiệm vụ đã xong"),
    ("difficulties", "Khó khăn, vướng mắc và đề xuất"),
]


@dataclass(frozen=True)
class Feed:
    unit: Unit
    start: date
    end: date
    made_on: date
    tasks: list[dict[str, Any]]
    indicators: list[dict[str, Any]]

    def document(self, generated_at: datetime) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "unit": {"id": self.unit.pk, "code": self.unit.code, "name": self.unit.name},
            "period": {"from": self.start.isoformat(), "to": self.end.isoformat()},
            "as_of": self.made_on.isoformat(),
            "generated_at": generated_at.isoformat(),
            "task_states": TASK_STATES,
            "tasks": self.tasks,
            "indicators": self.indicators,
        }


def build_feed(unit: Unit, start: date, end: date, day: date) -> Feed:
    if end < start:
        raise ValueError("Ngày kết thúc kỳ báo cáo phải sau ngày bắt đầu.")
    tree = tree_as_of(day)
    scope = tree.reporting_scope(unit.pk)
    tasks = Task.objects.filter(lead_unit_id__in=scope).filter(
        Q(assigned_at__date__range=(start, end)) | Q(deadline__range=(start, end))
    )
    facts = {f.pk: f for f in task_facts(tasks)[0]}
    task_rows = []
    for t in tasks.select_related("lead_unit", "lead_person", "directive").order_by("pk"):
        f = facts[t.pk]
        state = "cancelled" if t.status == Status.CANCELLED else f.timeliness(day)
        task_rows.append(
            {
                "id": t.pk,
                "title": t.title,
                "source": t.directive.number if t.directive_id else t.source_number,
                "lead_unit": t.lead_unit.name,
                "lead_person": t.lead_person.full_name,
                "assigned_on": t.assigned_at.date().isoformat(),
                "deadline": t.deadline.isoformat(),
                "done_on": f.done_on.isoformat() if f.done_on else None,
                "progress": t.progress,
                "status": t.status,
                "state": state,
            }
        )
    indicators = (
        Indicator.objects.filter(responsible_unit_id__in=scope)
        .filter(period_start__lte=end, period_end__gte=start)
        .select_related("goal", "responsible_unit")
        .prefetch_related("tasks")
        .order_by("code")
    )
    indicator_rows = []
    for ind in indicators:
        a = ind.assess(day)
        indicator_rows.append(
            {
                "code": ind.code,
                "name": ind.name,
                "goal": ind.goal.title,
                "responsible_unit": ind.responsible_unit.name,
                "target": str(ind.target),
                "measure": ind.measure,
                "actual": str(ind.actual) if ind.actual is not None else None,
                "period_end": ind.period_end.isoformat(),
                "state": str(a.state),
                "reasons": [str(r) for r in a.reasons],
                "tasks_total": a.tasks_total,
                "tasks_done": a.tasks_done,
                "difficulties": ind.difficulties,
            }
        )
    return Feed(unit, start, end, day, task_rows, indicator_rows)


def feed_json(feed: Feed, generated_at: datetime) -> bytes:
    return json.dumps(
        feed.document(generated_at), ensure_ascii=False, sort_keys=True, indent=1
    ).encode()


def _cell(key: str, value: Any) -> Any:
    """Cells typed for the spreadsheet: ISO dates as dates, decimal strings as numbers, states
    as their labels (congvu.web.exports types them and never writes a formula)."""
    if value is None:
        return None
    if key in ("assigned_on", "deadline", "done_on", "period_end"):
        return date.fromisoformat(value)
    if key in ("target", "actual"):
        return float(value)
    if key == "state":
        return TASK_STATES.get(value) or IndicatorState(value).label
    if key == "status":
        return Status(value).label
    return value


def _sheet(
    title: str, columns: list[tuple[str, str]], rows: list[dict[str, Any]]
) -> tuple[str, list[str], list[list[Any]]]:
    return (
        title,
        [label for _k, label in columns],
        [[_cell(k, r[k]) for k, _l in columns] for r in rows],
    )


def feed_xlsx(feed: Feed) -> bytes:
    return xlsx_bytes(
        [
            _sheet("Nhiệm vụ", TASK_COLUMNS, feed.tasks),
            _sheet("Chỉ tiêu", INDICATOR_COLUMNS, feed.indicators),
        ]
    )


def feed_zip(feed: Feed, generated_at: datetime) -> bytes:
    files = {"feed.json": feed_json(feed, generated_at), "feed.xlsx": feed_xlsx(feed)}
    sums = "".join(f"{hashlib.sha256(b).hexdigest()}  {name}\n" for name, b in files.items())
    signatures = {}
    for name, data in files.items():
        sig = signing.sign_detached(data)
        if sig is not None:
            signatures[f"{name}.p7s"] = sig
    out = io.BytesIO()
    # Fixed entry times: the same feed gives the same archive bytes.
    stamp = (generated_at.year, generated_at.month, generated_at.day, 0, 0, 0)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in {**files, "SHA256SUMS": sums.encode(), **signatures}.items():
            z.writestr(zipfile.ZipInfo(name, date_time=stamp), data)
    return out.getvalue()
