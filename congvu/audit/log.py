"""The sealed log of every event that is not a step on a task (evaluation, findings, legal,
org, calendar, access).

Each subject (an evaluation, a proposal, an innovation proposal, a rule set, a person's
conduct record, the catalogue, a finding's review, a legal obstacle, a unit, a membership,
a calendar day) has its own HMAC-SHA256 chain, with the task log's key and seal function
(congvu.lib.seal):

    seal(n) = HMAC(LOG_SEAL_KEY, seal(n-1) ‖ canonical(event n))      seal(0) = ""

Why not TaskEvent itself: TaskEvent rows belong to one task (task_id NOT NULL, per-task chain)
and their types are a closed IntEnum owned by the tasks app. The database refuses
UPDATE/DELETE here too (evaluation migration 0003). `verify()` recomputes every chain.

Kinds are registered by the app that writes them (`register(subject, label, kinds)`, at the
top of its actions module); `record` refuses anything else.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Model
from django.utils import timezone
from django.utils.functional import Promise

from congvu.audit.models import AuditEvent
from congvu.lib.seal import compute_seal, micros, seal_key


@dataclass(frozen=True)
class Subject:
    name: str
    label: str | Promise
    kinds: frozenset[str]


SUBJECTS: dict[str, Subject] = {}


def register(name: str, label: str | Promise, kinds: Iterable[str]) -> Subject:
    """Declare a subject and the kinds of event written on it (idempotent; kinds add up)."""
    before = SUBJECTS.get(name)
    subject = Subject(name, label, frozenset(kinds) | (before.kinds if before else frozenset()))
    SUBJECTS[name] = subject
    return subject


FORMAT_VERSION = "ev1"


def _normalise(payload: dict[str, Any]) -> dict[str, Any]:
    """What the JSON column will give back (dates, Decimals → strings), so the seal computed
    now matches the one recomputed from the stored row."""
    result: dict[str, Any] = json.loads(json.dumps(payload, cls=DjangoJSONEncoder))
    return result


def canonical(
    *,
    subject: str,
    subject_id: int,
    seq: int,
    kind: str,
    at_us: int,
    actor_id: int | None,
    evaluation_id: int | None,
    payload: dict[str, Any],
) -> bytes:
    row = [FORMAT_VERSION, subject, subject_id, seq, kind, at_us, actor_id, evaluation_id, payload]
    return json.dumps(row, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def _body(ev: AuditEvent) -> bytes:
    return canonical(
        subject=ev.subject,
        subject_id=ev.subject_id,
        seq=ev.seq,
        kind=ev.kind,
        at_us=micros(ev.at),
        actor_id=ev.actor_id,
        evaluation_id=ev.evaluation_id,
        payload=ev.payload,
    )


def record(
    subject: str,
    subject_id: int,
    kind: str,
    actor: Model | None,
    payload: dict[str, Any] | None = None,
    *,
    evaluation: Model | None = None,
) -> AuditEvent:
    """Append one sealed event. Call inside the action's transaction, after locking the subject
    row where there is one (the unique (subject, subject_id, seq) catches any race). The
    subject and its kind must be registered (`register`): a misspelt kind fails here, at the
    writer, instead of leaving an event nobody reads."""
    registered = SUBJECTS.get(subject)
    if registered is None or kind not in registered.kinds:
        raise ValueError(f"Audit event not registered: {subject}/{kind}")
    last = (
        AuditEvent.objects.filter(subject=subject, subject_id=subject_id)
        .order_by("-seq")
        .values_list("seq", "seal")
        .first()
    )
    seq, previous = (last[0] + 1, last[1]) if last else (1, "")
    # Microsecond precision is what both databases store; the seal covers the stored value.
    ev = AuditEvent(
        subject=subject,
        subject_id=subject_id,
        seq=seq,
        # Ids, not objects: the person and the period belong to apps above this one.
        evaluation_id=evaluation.pk if evaluation is not None else None,
        kind=kind,
        actor_id=actor.pk if actor is not None else None,
        at=timezone.now(),
        payload=_normalise(payload or {}),
    )
    ev.seal = compute_seal(seal_key(), previous, _body(ev))
    ev.save(force_insert=True)
    return ev


def history(subject: str, subject_id: int) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(subject=subject, subject_id=subject_id)
        .select_related("actor")
        .order_by("seq")
    )


@dataclass(frozen=True)
class Break:
    subject: str
    subject_id: int
    seq: int
    problem: str


def verify_chain(events: Iterable[AuditEvent]) -> list[Break]:
    """Recompute one chain's seals (events of one subject in seq order)."""
    key = seal_key()
    previous = ""
    expected_seq = 1
    out: list[Break] = []
    for ev in events:
        if ev.seq != expected_seq:
            out.append(Break(ev.subject, ev.subject_id, ev.seq, f"thiếu sự kiện số {expected_seq}"))
        if compute_seal(key, previous, _body(ev)) != ev.seal:
            out.append(Break(ev.subject, ev.subject_id, ev.seq, "dấu niêm phong không khớp"))
        previous = ev.seal
        expected_seq = ev.seq + 1
    return out


def verify() -> list[Break]:
    """Every chain of the audit log; empty when intact."""
    out: list[Break] = []
    chain: list[AuditEvent] = []
    current: tuple[str, int] | None = None
    for ev in AuditEvent.objects.order_by("subject", "subject_id", "seq").iterator():
        if (ev.subject, ev.subject_id) != current:
            out += verify_chain(chain)
            chain, current = [], (ev.subject, ev.subject_id)
        chain.append(ev)
    out += verify_chain(chain)
    return out
