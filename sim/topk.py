"""Cycle models of top-k selection: the engine's exact count and SpAtten's reference model.

Measurement (used the same way by the cocotb test): cycles from the clock edge at which the
first input beat is accepted to the edge at which the last output beat is accepted, both
counted (a single cycle that did both would count 1), with the input always valid and the
output always ready.

Engine timing (``lego.spatten.topk``): one cycle per input beat; then per round one cycle to
pick the bucket, one cycle of read latency and one cycle per buffer row; the final round stops
at the row holding the k-th output element and its beat is accepted one cycle later.
"""

from __future__ import annotations

import random

from lego.spatten.topk_model import Plan, plan

__all__ = ["plan_cycles", "topk_cycles", "reference_cycles"]

DECIDE_CYCLES = 1      # histogram -> bucket, pointers rewound
READ_LATENCY = 1       # synchronous buffer read
OUTPUT_LATENCY = 1     # output register between the last row and its acceptance


def plan_cycles(engine_plan: Plan) -> int:
    """Cycles of a replayed engine run (see the module docstring for the measurement)."""
    cycles = engine_plan.load_beats
    for r in engine_plan.rounds:
        cycles += DECIDE_CYCLES + READ_LATENCY + r.rows
    return cycles + OUTPUT_LATENCY


def topk_cycles(scores: list[int], k: int, parallelism: int, score_width: int = 16) -> int:
    """Exactly the RTL's cycle count for ``scores`` (arrival order) and ``k``."""
    return plan_cycles(plan(list(scores), k, parallelism, score_width))


def reference_cycles(n: int, k: int, parallelism: int, rng: random.Random) -> int:
    """SpAtten's reference quick-select model: each round costs ceil(m/P) + 3 cycles for m
    remaining elements; the pivot is uniformly random among them (distinct scores assumed, so
    its rank is uniform); it ends when the pivot is the k-th largest."""
    remaining, need, cycles = n, k, 0
    while True:
        cycles += -(-remaining // parallelism) + 3
        greater = rng.randrange(remaining)   # elements above the pivot
        if need <= greater:
            remaining = greater
        elif need == greater + 1:
            return cycles
        else:
            need -= greater + 1
            remaining -= greater + 1
