"""The buckets of a log on every core: one process per core, results in bucket order.

Most of the per-bucket work (validating a bucket, the detectors' per-case plans) runs on one
core: Polars parallelises within an operation, and the plans on one bucket are mostly chains of
small dependent steps. Two buckets are independent (every case is whole in one), so they run in
separate processes, each with its own memory; the parent reduces the results in bucket order, so
the outcome is the same as one bucket after another, whatever the number of processes.

Processes are started with ``spawn``: forking a process that runs Polars' thread pool may
deadlock. ``CONGVU_WORKERS`` sets the number of processes (1: everything in this process).
Each process gets its share of the cores for Polars' own threads (``POLARS_MAX_THREADS``, unless
set): with one thread per core per process, no thread waits for a core another process holds.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import pickle
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sized
from concurrent.futures import Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from functools import partial
from multiprocessing import context as mp_context
from typing import Any, TypeVar

from congvu_analytics import ALLOCATOR_SET_BY_USER

Item = TypeVar("Item")
Result = TypeVar("Result")

# Each process holds one bucket's working set (~0.4-0.8 GB for 0.5-1M events) beside the
# parent's reduce, so the memory grows with the processes: at most this many by default.
MAX_WORKERS = 2

_context: Any = None

# Inside kept_workers(): the pools that serve every stage, by number of processes (parent side),
# and the context of the stage a process last ran (worker side: a token and the context).
_kept: dict[int, ProcessPoolExecutor] | None = None
_tokens = itertools.count()
_stage: tuple[int, Any] = (-1, None)

THREADS = "POLARS_MAX_THREADS"  # read once, when Polars is imported in a process

# Polars' allocator (jemalloc, configured by this variable when Polars is imported) hands freed
# pages back to the system after half a second. A worker frees and takes back hundreds of MB
# bucket after bucket, so each step faulted its pages in again: 7 million page faults, ~25 s of
# system time for a 16M-event CSV.gz. jemalloc's own default, 10 s, lets a step reuse what the
# last one freed (docs/scale.md, "alloc10": 129-136 -> 104-124 CPU s). Only in the workers: in
# the parent the per-subject phase held ~0.3 GB more with it, for no measurable time. Later
# values win, so it is appended to what the parent's Polars wrote, unless the user set one.
ALLOCATOR = "_RJEM_MALLOC_CONF"
WORKER_ALLOCATOR = "dirty_decay_ms:10000,muzzy_decay_ms:10000"


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


def _call_kept(fn: Callable[[Any, Any], Result], token: int, blob: bytes, item: Any) -> Result:
    """:func:`_call` in a kept process: the stage's context unpickled once per process."""
    global _stage  # noqa: PLW0603 - the stage this process serves, replaced by the next one
    if _stage[0] != token:
        _stage = (token, None)  # the previous stage's context released first
        _stage = (token, pickle.loads(blob))  # noqa: S301 - pickled by this program's parent
    return fn(item, _stage[1])


@contextlib.contextmanager
def kept_workers() -> Iterator[None]:
    """Within, :func:`in_workers` starts its processes once and every stage reuses them (the
    split of a CSV, the loading of its buckets, their per-case phase): each stage spawned two
    processes of its own, each ~0.7 CPU s and a second or two of waiting to start and import
    Polars and PyArrow (docs/scale.md, csv60). A stage's context travels pickled with each item
    and is unpickled once per process."""
    global _kept  # noqa: PLW0603 - one analysis at a time in a process
    if _kept is not None:  # nested: the outer one keeps them
        yield
        return
    _kept = {}
    try:
        yield
    finally:
        release_workers()
        _kept = None


def release_workers() -> None:
    """Stop the kept processes (the memory they hold goes back) until a stage needs some."""
    if _kept is None:
        return
    for pool in _kept.values():
        pool.shutdown(wait=True, cancel_futures=True)
    _kept.clear()


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
    calendar and the organisation) is sent once to each process, each item and result once
    (inside :func:`kept_workers`: pickled once, its bytes with each item, unpickled once per
    process).
    ``items`` is read as the work goes, one item ahead of the processes, so a stream of large
    items (record batches of a file) is never in memory all at once."""
    count = default_workers() if workers is None else workers
    if isinstance(items, Sized):
        count = min(count, len(items))
    if count <= 1:
        for item in items:
            yield fn(item, context)
        return
    pool, call = _pool(fn, context, count)
    kept = _kept is not None
    pending: deque[Future[Result]] = deque()
    try:
        for item in items:
            pending.append(pool.submit(call, item))
            while len(pending) > count:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    except BrokenProcessPool:
        if _kept is not None:
            _kept.pop(count, None)
        kept = False  # shut down below
        raise
    finally:
        if kept:
            # Stopped early (an error, a consumer that gave up): nothing of this stage may
            # still run when the caller cleans up after it.
            for future in pending:
                future.cancel()
            wait(pending)
        else:
            pool.shutdown(wait=True, cancel_futures=True)


def _pool(
    fn: Callable[[Item, Any], Result], context: Any, count: int
) -> tuple[ProcessPoolExecutor, Callable[[Item], Result]]:
    """The processes for a stage (the kept ones inside :func:`kept_workers`, else new ones
    given the context as they start) and how each item is called there."""
    threads = max(1, len(os.sched_getaffinity(0)) // count)
    if _kept is None:
        pool = ProcessPoolExecutor(
            count, mp_context=_spawn_with_threads(threads), initializer=_set_context,
            initargs=(context,),
        )  # fmt: skip
        return pool, partial(_call, fn)
    if count not in _kept:
        _kept[count] = ProcessPoolExecutor(count, mp_context=_spawn_with_threads(threads))
    blob = pickle.dumps(context, protocol=pickle.HIGHEST_PROTOCOL)
    return _kept[count], partial(_call_kept, fn, next(_tokens), blob)


class _ThreadedProcess(mp_context.SpawnProcess):
    """A spawned process started with ``threads`` Polars threads (set by :class:`_Spawn`; 0:
    as the environment says) and the workers' allocator setting (``WORKER_ALLOCATOR``)."""

    threads = 0

    @staticmethod
    def _Popen(process_obj: Any) -> Any:
        # In the environment only while the process starts: the parent's pool is sized already.
        saved = {name: os.environ.get(name) for name in (THREADS, ALLOCATOR)}
        if process_obj.threads:
            os.environ[THREADS] = str(process_obj.threads)
        if not ALLOCATOR_SET_BY_USER:
            os.environ[ALLOCATOR] = ",".join(filter(None, [saved[ALLOCATOR], WORKER_ALLOCATOR]))
        try:
            return mp_context.SpawnProcess._Popen(process_obj)
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value


class _Spawn(mp_context.SpawnContext):
    """The ``spawn`` start method, its processes with ``threads`` Polars threads each.

    Two processes on two cores need no more threads than that; more only compete for the
    cores (measured on a 0.5M-event bucket's per-case phase, one process on a loaded machine:
    1.43 CPU s with one thread, 1.59 with two). The variable must be in the environment the
    process starts with: Polars reads it when imported, before any of our code runs there."""

    def __init__(self, threads: int) -> None:
        super().__init__()
        self.threads = threads

    def Process(self, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        process = _ThreadedProcess(*args, **kwargs)
        process.threads = self.threads
        return process


def _spawn_with_threads(threads: int) -> Any:
    """:class:`_Spawn` with ``threads`` Polars threads a process, or as many as
    ``POLARS_MAX_THREADS`` says where it is set already."""
    return _Spawn(0 if THREADS in os.environ else threads)
