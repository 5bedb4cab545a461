"""Scratch directories that do not outlive their process (issue #12, break 7).

``congvu analyze`` writes its outputs into a hidden directory beside ``--out`` and renames it
into place; ``manage.py backup`` builds its archive (a full database dump) in a directory
under ``--out``. Killed, they left those directories behind for good. Now:

* each scratch directory holds a ``.owner`` file with the process id that made it;
* SIGTERM, SIGINT and SIGHUP remove it before the process ends (and exit as the signal would);
* SIGKILL cannot be caught, so the next run first removes every scratch directory of the same
  prefix whose owner process is gone (`sweep`).

Used by the app too (congvu.ops.backup); no Django here.
"""

from __future__ import annotations

import os
import shutil
import signal
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Any

OWNER = ".owner"
_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)


def process_alive(pid: int) -> bool:
    """Whether a process with this id exists on this machine."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's live process
        return True
    return True


def sweep(parent: Path, prefix: str) -> list[Path]:
    """Remove the scratch directories ``parent/prefix*`` left by dead processes; returns them.
    A directory without a readable owner file is left alone unless it is ours by prefix and
    its owner file never got written (a kill between mkdtemp and the write): those are removed
    too once older than a minute."""
    removed: list[Path] = []
    if not parent.is_dir():
        return removed
    import time

    for path in parent.glob(f"{prefix}*"):
        if not path.is_dir() or path.is_symlink():
            continue
        try:
            pid = int((path / OWNER).read_text().strip())
        except (OSError, ValueError):
            try:
                stale = time.time() - path.stat().st_mtime > 60
            except OSError:
                continue
            if not stale:
                continue
            pid = -1
        if pid == -1 or not process_alive(pid):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed


@contextmanager
def scratch_dir(parent: Path, prefix: str) -> Iterator[Path]:
    """A fresh directory ``parent/prefix…`` removed on exit, on error and on SIGTERM/SIGINT/
    SIGHUP; stale ones of dead processes are swept first. The caller may rename it away (then
    nothing is left to remove)."""
    parent.mkdir(parents=True, exist_ok=True)
    sweep(parent, prefix)
    path = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
    (path / OWNER).write_text(str(os.getpid()))
    previous: dict[int, Any] = {}

    def on_signal(signum: int, frame: FrameType | None) -> None:
        shutil.rmtree(path, ignore_errors=True)
        handler = previous.get(signum)
        if callable(handler):
            handler(signum, frame)
        raise SystemExit(128 + signum)

    in_main = _main_thread()
    if in_main:  # signal handlers can only be set from the main thread
        for sig in _SIGNALS:
            previous[sig] = signal.signal(sig, on_signal)
    try:
        yield path
    finally:
        if in_main:
            for signum, handler in previous.items():
                signal.signal(signum, handler)
        shutil.rmtree(path, ignore_errors=True)


def _main_thread() -> bool:
    import threading

    return threading.current_thread() is threading.main_thread()
