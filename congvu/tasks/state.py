"""The state of a task, derived from its events and nothing else.

`replay(events)` folds the log into a TaskState; the actions validate every request against
the replayed state and then `apply()` the new event to it, so the cached columns on Task are
by construction what a replay yields (tests check it anyway). Status, overdue and
"early / on time / late" are therefore properties of the log, not stored opinions.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from congvu.tasks.events import TaskEventType as E
from congvu.tasks.models import CLOSED, Status, TaskEvent

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


@dataclass(slots=True)
class EventRow:
    """A stored event as replay reads it: a plain row, not a model instance (replay runs on
    every action, and verify_log replays the whole log). A TaskEvent is read the same way.
    The one list of these fields: the actions and verify_log fetch `EVENT_FIELDS`."""

    seq: int
    type: int
    at: Any  # a datetime; verify_log passes integer µs (apply only stores it)
    actor_id: int | None
    unit_id: int | None
    target_person_id: int | None
    target_unit_id: int | None
    reason_code: str
    payload: dict[str, Any]
    seal: str


EVENT_FIELDS: tuple[str, ...] = tuple(EventRow.__dataclass_fields__)


@dataclass
class TaskState:
    status: str = Status.ASSIGNED
    lead_unit_id: int | None = None
    lead_person_id: int | None = None
    deadline: date | None = None
    progress: int = 0
    seq: int = 0
    head_seal: str = ""
    last_at: datetime | None = None
    # (unit, person) that passed the task on, most recent last; "return to sender" pops it.
    senders: list[tuple[int, int]] = field(default_factory=list)
    pending_extension_seq: int | None = None
    pending_extension_deadline: date | None = None
    # seq of an opinion request -> the person asked
    pending_opinions: dict[int, int] = field(default_factory=dict)
    # seq of a coordination request -> (unit, due)
    open_coordinations: dict[int, tuple[int, date]] = field(default_factory=dict)
    unreviewed_pause_seq: int | None = None
    submitted_at: datetime | None = None
    finished_at: datetime | None = None
    extensions_granted: int = 0

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED

    def due_day(self) -> date | None:
        """The deadline, or the next working day when it falls on a day off (Civil Code
        Art. 148): work finished on that day is on time."""
        if self.deadline is None:
            return None
        from congvu.workdays.calendar import due_day

        return due_day(self.deadline)

    def is_overdue(self, day: date) -> bool:
        """Open past its deadline (an overdue open task counts as late)."""
        if self.is_closed or self.deadline is None or day <= self.deadline:
            return False
        due = self.due_day()
        return due is not None and day > due

    def timeliness(self, day: date | None = None) -> str | None:
        """early / on_time / late for completed work (judged on the date the approved result
        was submitted); late / in_time for open work as of `day`; None if cancelled. A deadline
        on a day off ends with the next working day."""
        if self.status == Status.CANCELLED or self.deadline is None:
            return None
        if self.status == Status.COMPLETED:
            done = self.finished_at or self.last_at
            assert done is not None
            done_day = done.astimezone(VN_TZ).date()
            if done_day < self.deadline:
                return "early"
            return "late" if self._past_due(done_day) else "on_time"
        if day is None:
            return None
        return "late" if self._past_due(day) else "in_time"

    def _past_due(self, day: date) -> bool:
        # The calendar is read only when the day is after the deadline itself.
        assert self.deadline is not None
        return day > self.deadline and day > (self.due_day() or self.deadline)


def _d(value: Any) -> date | None:
    return date.fromisoformat(value) if value else None


def apply(state: TaskState, ev: EventRow | TaskEvent) -> None:  # noqa: PLR0912, PLR0915 - a branch per type
    t = ev.type
    p = ev.payload
    state.seq = ev.seq
    state.head_seal = ev.seal
    state.last_at = ev.at
    if t == E.ASSIGNED:
        state.status = Status.ASSIGNED
        state.lead_unit_id, state.lead_person_id = ev.target_unit_id, ev.target_person_id
        state.deadline = _d(p["deadline"])
    elif t == E.ACCEPTED:
        state.status = Status.IN_PROGRESS
    elif t == E.DECLINED:
        state.status = Status.DECLINED
    elif t in (E.TRANSFERRED, E.LEAD_REASSIGNED):
        if t == E.TRANSFERRED:
            assert state.lead_unit_id is not None and state.lead_person_id is not None
            state.senders.append((state.lead_unit_id, state.lead_person_id))
        else:
            state.senders.clear()
        state.lead_unit_id, state.lead_person_id = ev.target_unit_id, ev.target_person_id
        state.status = Status.ASSIGNED
    elif t == E.RETURNED:
        if p.get("to_assigner"):
            state.status = Status.RETURNED
        else:
            state.senders.pop()
            state.lead_unit_id, state.lead_person_id = ev.target_unit_id, ev.target_person_id
            state.status = Status.ASSIGNED
    elif t == E.PROGRESS_REPORTED:
        state.progress = int(p["percent"])
    elif t == E.SUBMITTED:
        state.status = Status.SUBMITTED
        state.submitted_at = ev.at
    elif t == E.APPROVED:
        state.status = Status.APPROVED
        state.finished_at = state.submitted_at
    elif t == E.REWORK_REQUESTED:
        state.status = Status.IN_PROGRESS
        state.submitted_at = None
    elif t == E.COMPLETED:
        state.status = Status.COMPLETED
        state.progress = 100
        state.finished_at = state.finished_at or ev.at
    elif t == E.CANCELLED:
        state.status = Status.CANCELLED
    elif t == E.COORDINATION_REQUESTED:
        assert ev.target_unit_id is not None
        state.open_coordinations[ev.seq] = (ev.target_unit_id, date.fromisoformat(p["due"]))
    elif t in (E.COORDINATION_ANSWERED, E.COORDINATION_DEEMED_AGREED):
        state.open_coordinations.pop(int(p["request_seq"]), None)
    elif t == E.EXTENSION_REQUESTED:
        state.pending_extension_seq = ev.seq
        state.pending_extension_deadline = _d(p["requested_deadline"])
    elif t == E.EXTENSION_GRANTED:
        state.deadline = _d(p["new_deadline"])
        state.pending_extension_seq = state.pending_extension_deadline = None
        state.extensions_granted += 1
    elif t == E.EXTENSION_REFUSED:
        state.pending_extension_seq = state.pending_extension_deadline = None
    elif t == E.PAUSED:
        state.status = Status.PAUSED
        state.unreviewed_pause_seq = ev.seq
    elif t == E.PAUSE_REVIEWED:
        state.unreviewed_pause_seq = None
    elif t == E.RESUMED:
        state.status = Status.IN_PROGRESS
        state.unreviewed_pause_seq = None
    elif t == E.OPINION_REQUESTED:
        assert ev.target_person_id is not None
        state.pending_opinions[ev.seq] = ev.target_person_id
    elif t == E.OPINION_GIVEN:
        state.pending_opinions.pop(int(p["request_seq"]), None)
    # REMINDED, SUBTASK_CREATED and DOCUMENT_ATTACHED do not change the state.


def replay(events: Iterable[EventRow] | Iterable[TaskEvent]) -> TaskState:
    state = TaskState()
    for ev in events:
        apply(state, ev)
    return state
