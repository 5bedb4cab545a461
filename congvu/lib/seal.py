"""The seal every append-only log shares (the task log, and congvu.audit for the rest):

    seal(n) = HMAC-SHA256(LOG_SEAL_KEY, seal(n-1) ‖ 0x1E ‖ canonical(event n))

Here, below every app, so that a low layer (org, workdays) can write a sealed event too.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta

from django.conf import settings

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
ONE_US = timedelta(microseconds=1)


def seal_key() -> bytes:
    key = settings.LOG_SEAL_KEY
    if not key:
        raise RuntimeError("LOG_SEAL_KEY is not configured")
    return str(key).encode()


def micros(at: datetime) -> int:
    """Integer microseconds since the epoch (exact; floats would round)."""
    return (at - EPOCH) // ONE_US


def compute_seal(key: bytes, previous: str, body: bytes) -> str:
    return hmac.new(key, previous.encode() + b"\x1e" + body, hashlib.sha256).hexdigest()
