"""Entry point of verify_log's worker processes.

Kept free of Django imports at module level: a spawned process imports this module to find
`run`, and only then may it configure Django (importing models first would fail).
"""

from __future__ import annotations

import os
from typing import Any


def run(url: str, snapshot: str, lo: int, hi: int, heads: dict[int, tuple[int, str, int]]) -> Any:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "congvu.settings")
    import django

    django.setup()
    from congvu.tasks.verify import verify_range

    return verify_range(snapshot, lo, hi, heads)
