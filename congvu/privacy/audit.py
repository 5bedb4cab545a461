"""The one place this app reaches the generic sealed log (congvu.evaluation.eventlog today; an
audit app after issue #14's split): repoint these names and nothing else changes."""

from __future__ import annotations

import hashlib
import hmac

from congvu.evaluation.eventlog import _normalise as normalise
from congvu.evaluation.eventlog import record
from congvu.tasks.seal import seal_key

__all__ = ["normalise", "record", "sealed_text"]


def sealed_text(text: str) -> dict[str, object]:
    """What a sealed event keeps of a personal free text that may later be erased lawfully:
    a keyed hash and the length, never the text (the row keeps the text until erasure)."""
    digest = hmac.new(seal_key(), b"text:" + text.encode(), hashlib.sha256).hexdigest()
    return {"text_hmac": digest, "chars": len(text)}
