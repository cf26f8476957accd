"""Progress of a stage: a bar on a terminal (done / failed / left, rate, ETA), else nothing
until the one-line summary."""

from __future__ import annotations

import time

__all__ = ["Progress"]

_WIDTH = 24
_REDRAW_S = 0.1  # at most ten redraws a second: a fast stage must not wait on its terminal


class Progress:
    def __init__(self, stream, stage: str, total: int):
        self.stream, self.stage, self.total = stream, stage, total
        self.done = self.failed = 0
        self.start = self._drawn = time.monotonic()
        self.tty = total > 0 and stream.isatty()

    def update(self, status: str) -> None:
        self.done += 1
        self.failed += status != "ok"
        now = time.monotonic()
        if self.tty and (now - self._drawn >= _REDRAW_S or self.done == self.total):
            self._drawn = now
            self._draw(now)

    def _draw(self, now: float) -> None:
        elapsed = max(now - self.start, 1e-9)
        rate = self.done / elapsed
        left = self.total - self.done
        eta = left / rate if rate > 0 else 0
        filled = _WIDTH * self.done // self.total
        self.stream.write(f"\r{self.stage} [{'#' * filled}{'.' * (_WIDTH - filled)}] "
                          f"{self.done} done, {self.failed} not ok, {left} left, "
                          f"{rate:.1f}/s, ETA {int(eta) // 60}:{int(eta) % 60:02d}  ")
        if left == 0:
            self.stream.write("\n")
        self.stream.flush()

    @property
    def seconds(self) -> float:
        return time.monotonic() - self.start
