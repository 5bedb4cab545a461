"""Accent-insensitive text for Vietnamese search: "né tránh" and "ne tranh" fold alike."""

from __future__ import annotations

import unicodedata

_EXTRA = str.maketrans({"đ": "d", "Đ": "d"})


def fold(text: str) -> str:
    """Lower-case, strip diacritics (đ → d) and collapse whitespace.

    >>> fold("Sở Nội vụ  ĐÀ NẴNG")
    'so noi vu da nang'
    """
    decomposed = unicodedata.normalize("NFD", text.translate(_EXTRA))
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return " ".join(stripped.lower().split())
