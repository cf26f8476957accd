"""Request-level pipeline scheduling: operations on stage units, each starting when its unit is
free and its input is ready, and the critical path through them.

Two kinds of unit:
- a ``Timeline`` (DRAM, Q x K, top-k engines, prob x V) takes operations in the order they are
  offered but may slot one into an earlier idle gap, so a request's late V fetch does not hold up
  the next request's key fetch (the units serve independent heads);
- an ``InOrderUnits`` pool (the softmax / PQ engines) gives each request one engine for all of its
  passes: a re-fetch keeps its engine (which holds the scores) until the second pass ends.

Every operation records the operation that fixed its start (its input or the unit's previous
operation), so the critical path is followed back from the last one to finish; its durations add
up to the total cycles, because every start is some operation's end.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

__all__ = ["Op", "Schedule", "Timeline", "InOrderUnits"]


@dataclass(frozen=True)
class Op:
    stage: str
    start: int
    end: int
    cause: int   # index of the operation that fixed the start, -1 for none (time 0)


@dataclass
class Schedule:
    ops: list[Op] = field(default_factory=list)

    def add(self, stage: str, start: int, duration: int, cause: int) -> int:
        self.ops.append(Op(stage, start, start + duration, cause))
        return len(self.ops) - 1

    def end(self, index: int) -> int:
        return self.ops[index].end if index >= 0 else 0

    def critical_path(self) -> dict[str, int]:
        """Cycles per stage on the chain of operations that ends last."""
        cycles: dict[str, int] = {}
        if not self.ops:
            return cycles
        index = max(range(len(self.ops)), key=lambda i: (self.ops[i].end, -i))
        while index >= 0:
            op = self.ops[index]
            cycles[op.stage] = cycles.get(op.stage, 0) + op.end - op.start
            index = op.cause
        return cycles


class Timeline:
    """One unit whose operations may fill earlier idle gaps."""

    def __init__(self, schedule: Schedule, stage: str):
        self.schedule, self.stage = schedule, stage
        self.starts: list[int] = []
        self.busy: list[tuple[int, int, int]] = []  # (start, end, op index), by start

    def place(self, ready: int, ready_op: int, duration: int) -> int:
        """Schedule ``duration`` cycles no earlier than ``ready``; returns the operation."""
        position = bisect.bisect_right(self.starts, ready)
        start, cause = ready, ready_op
        if position and self.busy[position - 1][1] > ready:
            start, cause = self.busy[position - 1][1], self.busy[position - 1][2]
        while position < len(self.busy) and start + duration > self.busy[position][0]:
            start, cause = self.busy[position][1], self.busy[position][2]
            position += 1
        op = self.schedule.add(self.stage, start, duration, cause)
        self.starts.insert(position, start)
        self.busy.insert(position, (start, start + duration, op))
        return op


class InOrderUnits:
    """A pool of identical units, each serving its requests in order; a request takes the unit
    that frees first (the lowest-numbered among equals)."""

    def __init__(self, schedule: Schedule, stage: str, units: int):
        self.schedule, self.stage = schedule, stage
        self.free = [(0, -1)] * units  # (free at, last op) per unit

    def pick(self) -> int:
        return min(range(len(self.free)), key=lambda u: (self.free[u][0], u))

    def place(self, unit: int, ready: int, ready_op: int, duration: int) -> int:
        free_at, last = self.free[unit]
        start, cause = (ready, ready_op) if ready >= free_at else (free_at, last)
        op = self.schedule.add(self.stage, start, duration, cause)
        self.free[unit] = (start + duration, op)
        return op
