"""Công Vụ analytics: pure event-log analysis (Polars). Never imports Django."""

from __future__ import annotations

import os

__version__ = "0.1.0"

# Whether the user configured Polars' allocator (read here, before this package imports Polars,
# which rewrites the variable): the worker processes then keep it as it is (workers.py).
ALLOCATOR_SET_BY_USER = "_RJEM_MALLOC_CONF" in os.environ
