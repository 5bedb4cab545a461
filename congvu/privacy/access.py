"""The access log: who viewed whose findings, evaluations and explanations (sealed).

    seal(n) = HMAC(LOG_SEAL_KEY, seal(n-1) ‖ canonical(entry n))        one chain per UTC day

`canonical()` holds keyed hashes of the viewer and the subject (`person_digest`), not their
ids, so that erasing the identities when their retention period ends (Law 91/2025: data kept
no longer than its purpose needs) leaves every seal valid. While the identities are present
`verify()` also checks that they still hash to the sealed digests, so swapping a name in the
log is caught as before.

Views write the log through one decorator, `records_access(kind, id_kwarg)`: after a
successful response (the view has already refused anyone not allowed to see the page) it
appends one entry. The subject of each kind is found here, by model label, so this app needs
no import of the apps above it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import wraps
from typing import Any

from django.apps import apps
from django.db import transaction
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils import timezone

from congvu.org.models import Person
from congvu.privacy.models import AccessEntry, ChainHead
from congvu.tasks.seal import compute_seal, micros, seal_key

FORMAT_VERSION = "pa1"

# kind → (model label, field holding the person the data is about). The explanation of a
# finding (and its attached document) is about the finding's subject.
SUBJECTS: dict[str, tuple[str, str]] = {
    "finding": ("detection.Finding", "subject_person_id"),
    "explanation": ("detection.Finding", "subject_person_id"),
    "evaluation": ("org.Person", "pk"),
}
KIND_LABELS = {
    "finding": "Phát hiện",
    "explanation": "Giải trình và tài liệu kèm theo",
    "evaluation": "Kết quả đánh giá",
}


def keyed_hash(value: str, context: str) -> str:
    """HMAC-SHA256 under LOG_SEAL_KEY: stable for one context, irreversible without the key."""
    return hmac.new(seal_key(), f"{context}:{value}".encode(), hashlib.sha256).hexdigest()


def person_digest(person_id: int | None, context: str = "access") -> str:
    """A keyed hash of a person: the same person gives the same digest (so the log can be
    searched), but it cannot be reversed without LOG_SEAL_KEY."""
    return keyed_hash(str(person_id) if person_id is not None else "-", context)


def canonical(
    *,
    chain: date,
    seq: int,
    at_us: int,
    kind: str,
    object_id: int,
    viewer_digest: str,
    subject_digest: str,
) -> bytes:
    row = [
        FORMAT_VERSION,
        chain.isoformat(),
        seq,
        at_us,
        kind,
        object_id,
        viewer_digest,
        subject_digest,
    ]
    return json.dumps(row, ensure_ascii=False, separators=(",", ":")).encode()


def _body(e: AccessEntry) -> bytes:
    return canonical(
        chain=e.chain,
        seq=e.seq,
        at_us=micros(e.at),
        kind=e.kind,
        object_id=e.object_id,
        viewer_digest=e.viewer_digest,
        subject_digest=e.subject_digest,
    )


def subject_of(kind: str, object_id: int) -> int | None:
    label, field = SUBJECTS[kind]
    model = apps.get_model(label)
    return model.objects.filter(pk=object_id).values_list(field, flat=True).first()  # type: ignore[no-any-return]


@transaction.atomic
def record(
    viewer: Person | None,
    kind: str,
    object_id: int,
    *,
    subject_id: int | None = None,
    at: datetime | None = None,
) -> AccessEntry:
    if kind not in SUBJECTS:
        raise ValueError(f"unknown access kind {kind!r}")
    if subject_id is None:
        # A kind whose object is the person needs no lookup.
        subject_id = object_id if SUBJECTS[kind][1] == "pk" else subject_of(kind, object_id)
    at = at or timezone.now()
    chain = at.astimezone(UTC).date()
    head = ChainHead.objects.select_for_update().filter(chain=chain).first()
    if head is None:  # the day's first entry; get_or_create because two views may race here
        ChainHead.objects.get_or_create(chain=chain)
        head = ChainHead.objects.select_for_update().get(chain=chain)
    entry = AccessEntry(
        chain=chain,
        seq=head.seq + 1,
        at=at,
        kind=kind,
        object_id=object_id,
        viewer_digest=person_digest(viewer.pk if viewer else None),
        subject_digest=person_digest(subject_id),
        viewer=viewer,
        subject_id=subject_id,
    )
    entry.seal = compute_seal(seal_key(), head.seal, _body(entry))
    entry.save(force_insert=True)
    head.seq, head.seal = entry.seq, entry.seal
    head.save(update_fields=["seq", "seal"])
    return entry


def records_access(kind: str, id_kwarg: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorate a view that shows `kind` data of the object named by the URL's `id_kwarg`:
    each successful response appends one sealed entry (a refused or failed one does not)."""

    def decorate(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            response = view(request, *args, **kwargs)
            if 200 <= response.status_code < 300 and request.user.is_authenticated:
                from congvu.org.models import person_for_user

                viewer = person_for_user(request.user)
                record(viewer, kind, int(kwargs[id_kwarg]))
            return response

        return wrapper

    return decorate


@dataclass(frozen=True)
class Break:
    chain: date
    seq: int
    problem: str


def verify() -> list[Break]:
    """Every day's chain: sequence, seal, present identities against their digests, and the
    head row. Empty when intact (erased identities are not a break)."""
    key = seal_key()
    out: list[Break] = []
    heads = dict(ChainHead.objects.values_list("chain", "seq"))
    last: dict[date, int] = {}
    previous, current, expected = "", None, 1
    for e in AccessEntry.objects.order_by("chain", "seq").iterator():
        if e.chain != current:
            previous, current, expected = "", e.chain, 1
        if e.seq != expected:
            out.append(Break(e.chain, e.seq, f"thiếu mục số {expected}"))
        if compute_seal(key, previous, _body(e)) != e.seal:
            out.append(Break(e.chain, e.seq, "dấu niêm phong không khớp"))
        if e.erased_at is None and person_digest(e.viewer_id) != e.viewer_digest:
            out.append(Break(e.chain, e.seq, "người xem không khớp với dấu băm đã niêm phong"))
        if e.erased_at is None and person_digest(e.subject_id) != e.subject_digest:
            out.append(Break(e.chain, e.seq, "chủ thể không khớp với dấu băm đã niêm phong"))
        previous, expected = e.seal, e.seq + 1
        last[e.chain] = e.seq
    for chain, seq in heads.items():
        if last.get(chain, 0) != seq:
            out.append(
                Break(chain, seq, f"đầu chuỗi ghi {seq} mục, nhật ký có {last.get(chain, 0)}")
            )
    return out


def erase_identities(before: date, *, at: datetime | None = None) -> int:
    """Erase viewer and subject of every entry of the days before `before` (the seal stays)."""
    return AccessEntry.objects.filter(chain__lt=before, erased_at__isnull=True).update(
        viewer=None, subject=None, erased_at=at or timezone.now()
    )
