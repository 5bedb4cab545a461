"""Work spread over processes comes back in the order of the items, read as it goes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from congvu_analytics.workers import in_workers, kept_workers, release_workers


def _scaled(item: int, factor: int) -> tuple[int, int]:
    import os

    return item * factor, os.getpid()


def test_results_come_back_in_order_from_two_processes() -> None:
    out = list(in_workers(_scaled, range(9), 10, workers=2))
    assert [v for v, _ in out] == [i * 10 for i in range(9)]
    assert len({pid for _, pid in out}) >= 1


def test_one_worker_runs_here_and_a_stream_is_read_as_it_goes() -> None:
    import os

    read: list[int] = []

    def items() -> Iterator[int]:
        for i in range(5):
            read.append(i)
            yield i

    stream = in_workers(_scaled, items(), 2, workers=1)
    assert next(stream) == (0, os.getpid())
    assert read == [0]  # the rest not read yet
    assert [v for v, _ in stream] == [2, 4, 6, 8]


def _threads(item: int, context: None) -> int:
    import polars as pl

    return pl.thread_pool_size()


def test_each_process_gets_its_share_of_the_cores_for_polars(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import os

    monkeypatch.delenv("POLARS_MAX_THREADS", raising=False)
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {0, 1, 2, 3})
    assert set(in_workers(_threads, range(4), None, workers=2)) == {2}
    assert "POLARS_MAX_THREADS" not in os.environ  # only while the processes started


def _allocator(item: int, context: None) -> tuple[str, int]:
    import os

    import polars as pl

    return os.environ.get("_RJEM_MALLOC_CONF", ""), pl.thread_pool_size()


def test_workers_keep_freed_memory_for_reuse_and_the_parent_is_left_as_it_was(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import os

    from congvu_analytics import workers

    before = os.environ.get("_RJEM_MALLOC_CONF")
    monkeypatch.setattr(workers, "ALLOCATOR_SET_BY_USER", False)
    # POLARS_MAX_THREADS set by the user: the workers keep it, and still get the allocator's.
    monkeypatch.setenv("POLARS_MAX_THREADS", "1")
    seen = set(in_workers(_allocator, range(2), None, workers=2))
    assert {threads for _conf, threads in seen} == {1}
    for conf, _threads in seen:
        # Later values win: the workers' decay comes after Polars' own 500 / 1000 ms.
        assert conf.endswith("dirty_decay_ms:10000,muzzy_decay_ms:10000")
    assert os.environ.get("_RJEM_MALLOC_CONF") == before
    assert os.environ["POLARS_MAX_THREADS"] == "1"


def test_an_allocator_setting_of_the_users_own_is_left_to_the_workers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from congvu_analytics import workers

    monkeypatch.setattr(workers, "ALLOCATOR_SET_BY_USER", True)
    monkeypatch.setenv("_RJEM_MALLOC_CONF", "dirty_decay_ms:0")
    for conf, _threads in set(in_workers(_allocator, range(2), None, workers=2)):
        assert conf.endswith("dirty_decay_ms:0")


def _failing(item: int, context: int) -> int:
    if item == 3:
        raise ValueError("item 3")
    return item + context


def test_kept_processes_serve_every_stage_with_its_own_context() -> None:
    """Inside kept_workers the stages run in the same processes, each with its context, in
    order; a stage that fails leaves them to the next; release_workers stops them."""
    with kept_workers():
        first = list(in_workers(_scaled, range(6), 10, workers=2))
        second = list(in_workers(_scaled, range(6), 100, workers=2))
        assert [v for v, _ in first] == [i * 10 for i in range(6)]
        assert [v for v, _ in second] == [i * 100 for i in range(6)]
        assert {pid for _, pid in second} <= {pid for _, pid in first}  # not started again
        with pytest.raises(ValueError, match="item 3"):
            list(in_workers(_failing, range(6), 1, workers=2))
        third = list(in_workers(_scaled, range(4), 3, workers=2))
        assert [v for v, _ in third] == [0, 3, 6, 9]
        assert {pid for _, pid in third} <= {pid for _, pid in first}
        release_workers()
        fourth = list(in_workers(_scaled, range(4), 1, workers=2))
        assert not {pid for _, pid in fourth} & {pid for _, pid in first}  # new ones
