"""Running an ordered pass list (the front end's and the back end's alike)."""

from __future__ import annotations

import time

__all__ = ["run_in_order"]


def run_in_order(passes, state, stop_after: str | None = None, timer=None):
    """Apply each ``(name, run)`` of ``passes`` to ``state`` in order, up to and including
    ``stop_after``; ``timer(name, seconds)`` is called after each pass when given."""
    for name, run in passes:
        start = time.perf_counter()
        state = run(state)
        if timer is not None:
            timer(name, time.perf_counter() - start)
        if name == stop_after:
            break
    return state
