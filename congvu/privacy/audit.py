"""The one place this app reaches the generic sealed log (congvu.audit)."""

from __future__ import annotations

import hashlib
import hmac

from congvu.audit.log import _normalise as normalise
from congvu.audit.log import record, register
from congvu.tasks.seal import seal_key

__all__ = ["normalise", "record", "sealed_text"]

register("privacy_request", "Yêu cầu của chủ thể dữ liệu", ("filed", "open", "answered", "refused"))
register("privacy_retention", "Xóa, khử nhận dạng theo thời hạn lưu trữ", ("applied",))


def sealed_text(text: str) -> dict[str, object]:
    """What a sealed event keeps of a personal free text that may later be erased lawfully:
    a keyed hash and the length, never the text (the row keeps the text until erasure)."""
    digest = hmac.new(seal_key(), b"text:" + text.encode(), hashlib.sha256).hexdigest()
    return {"text_hmac": digest, "chars": len(text)}
