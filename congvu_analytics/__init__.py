"""Công Vụ analytics: pure event-log analysis (Polars). Never imports Django."""

from __future__ import annotations

import os

__version__ = "0.1.0"

# Polars' allocator (jemalloc, configured by this variable when Polars is first imported) hands
# freed pages back to the system after half a second; the engine frees and takes back hundreds
# of MB step after step, so each step faulted its pages in again (7 million page faults, ~25 s
# of system time for a 16M-event CSV.gz). jemalloc's own default, 10 s, lets a step reuse what
# the last one freed: measured 129-134 -> 104-112 CPU s, peak 2.1 -> 2.6 GB (docs/scale.md,
# "alloc10"). Set here, before Polars loads, and inherited by the worker processes; a value
# the user set is kept. Importing Polars before this package leaves Polars' own setting.
os.environ.setdefault("_RJEM_MALLOC_CONF", "dirty_decay_ms:10000,muzzy_decay_ms:10000")
