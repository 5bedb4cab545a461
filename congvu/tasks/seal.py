"""Sealing the event log: one HMAC-SHA256 chain per task, keyed by settings.LOG_SEAL_KEY.

    seal(n) = HMAC(key, seal(n-1) ‖ canonical_body(event n))      seal(0) = ""

`canonical_body()` is a compact JSON array of every stored field of the event, the task id and
the sequence number included, so an event cannot be edited, moved to another task or
reordered without breaking its seal and every later one. The key never enters the database:
someone who can write the tables but does not hold the key cannot produce a valid seal.

The chain is per task on purpose: the action that appends an event already holds the task's
row lock, so sealing needs no global lock and writers on different tasks never wait for each
other. Deleting a whole chain or cutting its tail is caught by the signed checkpoints
(congvu.tasks.verify).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable
from typing import Any

from congvu.lib.seal import EPOCH, ONE_US, compute_seal, micros, seal_key

__all__ = ["EPOCH", "ONE_US", "compute_seal", "micros", "seal_key"]

FORMAT_VERSION = "v1"


_enc = json.encoder.encode_basestring  # what json.dumps(ensure_ascii=False) uses for str
_payload_dumps = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode


def _n(value: int | None) -> str:
    return "null" if value is None else str(value)


def canonical_body(  # noqa: PLR0917 - positional: the verify loop calls it millions of times
    task_id: int,
    seq: int,
    type_code: int,
    at_us: int,
    actor_id: int | None,
    unit_id: int | None,
    target_person_id: int | None,
    target_unit_id: int | None,
    reason_code: str,
    reason_text: str,
    payload: dict[str, Any],
) -> bytes:
    """The bytes that are sealed: exactly ``json.dumps([...], ensure_ascii=False,
    sort_keys=True, separators=(",", ":"))`` of the fields in this order, written out by hand
    because verify_log runs it millions of times (tests check the equivalence). The appending
    action passes the fields by name, so none can be given in the wrong place."""
    return (
        f'["{FORMAT_VERSION}",{task_id},{seq},{type_code},{at_us},{_n(actor_id)},{_n(unit_id)},'
        f"{_n(target_person_id)},{_n(target_unit_id)},{_enc(reason_code)},{_enc(reason_text)},"
        f"{_payload_dumps(payload) if payload else '{}'}]"
    ).encode()


def hmac_pads(key: bytes) -> tuple[Any, Any]:
    """SHA-256 states after absorbing key ⊕ ipad and key ⊕ opad (RFC 2104)."""
    block = 64
    k = hashlib.sha256(key).digest() if len(key) > block else key
    k = k.ljust(block, b"\0")
    return hashlib.sha256(bytes(b ^ 0x36 for b in k)), hashlib.sha256(bytes(b ^ 0x5C for b in k))


def fast_sealer(key: bytes) -> Callable[[bytes], str]:
    """HMAC-SHA256 with the key schedule done once (RFC 2104 inner/outer pads): half the cost
    of hmac.digest per call, which matters over millions of events. Same result as
    compute_seal given `previous ‖ 0x1e ‖ body` (tests check it)."""
    inner, outer = hmac_pads(key)

    def seal(message: bytes) -> str:
        i = inner.copy()
        i.update(message)
        o = outer.copy()
        o.update(i.digest())
        return str(o.hexdigest())

    return seal


def merkle_root(leaves: list[bytes]) -> str:
    """Root of a binary SHA-256 Merkle tree (odd nodes are promoted); "" for no leaves."""
    if not leaves:
        return ""
    level = [hashlib.sha256(b"\x00" + leaf).digest() for leaf in leaves]
    while len(level) > 1:
        nxt = [
            hashlib.sha256(b"\x01" + level[i] + level[i + 1]).digest()
            for i in range(0, len(level) - 1, 2)
        ]
        if len(level) % 2:
            nxt.append(level[-1])
        level = nxt
    return level[0].hex()


def head_leaf(task_id: int, seq: int, seal: str) -> bytes:
    return f"{task_id}:{seq}:{seal}".encode()


def sign_checkpoint(
    key: bytes,
    *,
    previous_signature: str,
    root: str,
    max_event_id: int,
    total_events: int,
    total_tasks: int,
    head_count: int,
    created_us: int,
) -> str:
    body = json.dumps(
        [
            "ckpt-v1",
            previous_signature,
            root,
            max_event_id,
            total_events,
            total_tasks,
            head_count,
            created_us,
        ],
        separators=(",", ":"),
    ).encode()
    return hmac.new(key, body, hashlib.sha256).hexdigest()
