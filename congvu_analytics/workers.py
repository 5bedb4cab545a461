"""The buckets of a log on every core: one process per core, results in bucket order.

Most of the per-bucket work (validating a bucket, the detectors' per-case plans) runs on one
core: Polars parallelises within an operation, and the plans on one bucket are mostly chains of
small dependent steps. Two buckets are independent (every case is whole in one), so they run in
separate processes, each with its own memory; the parent reduces the results in bucket order, so
the outcome is the same as one bucket after another, whatever the number of processes.

Processes are started with ``spawn``: forking a process that runs Polars' thread pool may
deadlock. ``CONGVU_WORKERS`` sets the number of processes (1: everything in this process).
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sized
from concurrent.futures import Future, ProcessPoolExecutor
from functools import partial
from multiprocessing import get_context
from typing import Any, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

# Each process holds one bucket's working set (~0.4-0.8 GB for 0.5-1M events) beside the
# parent's reduce, so the memory grows with the processes: at most this many by default.
MAX_WORKERS = 2

_context: Any = None


def default_workers() -> int:
    """``CONGVU_WORKERS`` if set, else the cores this process may use (at most MAX_WORKERS)."""
    text = os.environ.get("CONGVU_WORKERS", "").strip()
    if text:
        return max(1, int(text))
    return max(1, min(len(os.sched_getaffinity(0)), MAX_WORKERS))


def _set_context(context: Any) -> None:
    global _context  # noqa: PLW0603 - one per worker process, set once when it starts
    _context = context


def _call(fn: Callable[[Any, Any], Result], item: Any) -> Result:
    return fn(item, _context)


def in_workers(
    fn: Callable[[Item, Any], Result],
    items: Iterable[Item],
    context: Any,
    *,
    workers: int | None = None,
) -> Iterator[Result]:
    """``fn(item, context)`` for each item, in the order of ``items``, in up to ``workers``
    processes (default :func:`default_workers`); in this process if one is enough.

    ``fn`` must be a module-level function; ``context`` (what every item shares, e.g. the
    calendar and the organisation) is sent once to each process, each item and result once.
    ``items`` is read as the work goes, one item ahead of the processes, so a stream of large
    items (record batches of a file) is never in memory all at once."""
    count = default_workers() if workers is None else workers
    if isinstance(items, Sized):
        count = min(count, len(items))
    if count <= 1:
        for item in items:
            yield fn(item, context)
        return
    pool = ProcessPoolExecutor(
        count, mp_context=get_context("spawn"), initializer=_set_context, initargs=(context,)
    )
    call = partial(_call, fn)
    pending: deque[Future[Result]] = deque()
    try:
        for item in items:
            pending.append(pool.submit(call, item))
            while len(pending) > count:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
