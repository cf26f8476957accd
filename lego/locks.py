"""An exclusive lock between processes on a lock file (``fcntl.flock``): released on exit from
the ``with`` block and by the kernel when the process dies, so a killed run never leaves a
stale lock behind."""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["held"]


@contextmanager
def held(lock_file: Path) -> Iterator[None]:
    """Hold the exclusive lock on ``lock_file`` (created if missing; never deleted, since
    deleting a lock file another process waits on would let a third one in)."""
    lock_file = Path(lock_file)
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_file, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
