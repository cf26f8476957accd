"""cocotb coroutines for the SpAtten top-k engine (driven by tests/rtl/test_spatten_topk.py).

Parameters come from the environment (TOPK_P, TOPK_SCORE_WIDTH, TOPK_INDEX_WIDTH, TOPK_MAX_N,
TOPK_RANDOM, TOPK_SEED). Each coroutine runs many cases back to back in one simulation. Every
case is checked beat by beat against ``lego.spatten.topk_model``; runs without bubbles or
backpressure also check the cycle count against ``sim.topk.topk_cycles``, measured as that
module defines it (first input accepted to last output accepted, both cycles counted).
"""

from __future__ import annotations

import os
import random
from dataclasses import dataclass

import cocotb
from cocotb.clock import Clock
from cocotb.triggers import ClockCycles, FallingEdge

from lego.spatten.topk_model import plan
from sim.topk import topk_cycles

P = int(os.environ.get("TOPK_P", "4"))
SCORE_WIDTH = int(os.environ.get("TOPK_SCORE_WIDTH", "8"))
INDEX_WIDTH = int(os.environ.get("TOPK_INDEX_WIDTH", "6"))
MAX_N = int(os.environ.get("TOPK_MAX_N", "64"))
RANDOM_CASES = int(os.environ.get("TOPK_RANDOM", "50"))
SEED = int(os.environ.get("TOPK_SEED", "1"))
LANE = SCORE_WIDTH + INDEX_WIDTH
LOW, HIGH = -(1 << (SCORE_WIDTH - 1)), (1 << (SCORE_WIDTH - 1)) - 1
HANG_LIMIT = 50 * MAX_N + 1000


@dataclass
class Outcome:
    beats: list[tuple[tuple[int, int], ...]]  # (index, score) per valid lane
    cycles: int


def corner_cases() -> list[tuple[list[int], int]]:
    n = MAX_N
    ramp = [LOW + (i * (HIGH - LOW)) // max(1, n - 1) for i in range(n)]
    odd = max(1, n - P // 2 - 1) if n > P else n
    rng = random.Random(SEED + 7)
    cases = [([rng.randint(LOW, HIGH)], 1), ([LOW] * n, 1), ([HIGH] * n, n), ([3] * n, n // 3 + 1),
             (ramp, 1), (ramp, n), (ramp[::-1], n // 2), (ramp, n // 2 + 1),
             ([rng.choice([LOW, -1, 0, 1, HIGH]) for _ in range(n)], n // 4 + 1),
             ([rng.randint(-2, 2) for _ in range(odd)], odd // 2 + 1),
             ([rng.randint(LOW, HIGH) for _ in range(odd)], odd),
             ([rng.randint(LOW, HIGH) for _ in range(odd)], 1)]
    # the benchmark's shape: full length, uniform scores, k in {n/32, n/5, n/2}
    cases += [([rng.randint(LOW, HIGH) for _ in range(n)], k) for k in (n // 32, n // 5, n // 2)
              if k >= 1]
    return cases


def random_cases(rng: random.Random, count: int) -> list[tuple[list[int], int]]:
    cases = []
    for _ in range(count):
        n = rng.randint(1, MAX_N)
        low = rng.choice([LOW, LOW // 2, -3, 0])
        high = rng.choice([HIGH, max(low, 3), max(low, HIGH // 4)])
        cases.append(([rng.randint(low, high) for _ in range(n)], rng.randint(1, n)))
    return cases


def _pack(scores: list[int], start: int) -> int:
    word = 0
    for lane in range(P):
        pos = start + lane
        if pos < len(scores):
            score = scores[pos] & ((1 << SCORE_WIDTH) - 1)
            index = pos & ((1 << INDEX_WIDTH) - 1)
            word |= (score | index << SCORE_WIDTH) << (lane * LANE)
    return word


def _unpack(payload: int) -> tuple[tuple[int, int], ...]:
    lanes = payload & ((1 << (P * LANE)) - 1)
    valid = (payload >> (P * LANE)) & ((1 << P) - 1)
    out = []
    for lane in range(P):
        if valid >> lane & 1:
            bits = lanes >> (lane * LANE)
            score = bits & ((1 << SCORE_WIDTH) - 1)
            score -= (score >> (SCORE_WIDTH - 1)) << SCORE_WIDTH
            out.append(((bits >> SCORE_WIDTH) & ((1 << INDEX_WIDTH) - 1), score))
    assert valid & (valid + 1) == 0, f"lane_valid {valid:b} is not a prefix mask"
    return tuple(out)


async def _reset(dut) -> None:
    cocotb.start_soon(Clock(dut.clk, 10, unit="ns").start())
    dut.rst.value = 1
    for name in ("start", "n", "k", "i__valid", "i__payload", "o__ready"):
        getattr(dut, name).value = 0
    await ClockCycles(dut.clk, 2)
    dut.rst.value = 0


async def _start(dut, n: int, k: int) -> None:
    await FallingEdge(dut.clk)
    dut.start.value, dut.n.value, dut.k.value = 1, n, k
    await FallingEdge(dut.clk)
    dut.start.value = 0


async def run_case(dut, scores: list[int], k: int, rng: random.Random | None) -> Outcome:
    """Drive one case; ``rng`` set means random input bubbles and output backpressure.
    Inputs change on the falling edge; valid/ready are registered in the engine, so the
    handshakes seen there are those taken at the next rising edge."""
    await _start(dut, len(scores), k)
    assert dut.busy.value == 1 and dut.error.value == 0
    sent, beats, cycle, first = 0, [], 0, None
    while True:
        valid = int(sent < len(scores) and (rng is None or rng.random() < 0.7))
        ready = int(rng is None or rng.random() < 0.6)
        dut.i__valid.value, dut.o__ready.value = valid, ready
        dut.i__payload.value = _pack(scores, sent)
        if valid and dut.i__ready.value:
            first = cycle if first is None else first
            sent += P
        if ready and dut.o__valid.value:
            beats.append(_unpack(dut.o__payload.value.to_unsigned()))
            if dut.o__payload.value.to_unsigned() >> (P * LANE + P) & 1:
                await FallingEdge(dut.clk)
                dut.i__valid.value = dut.o__ready.value = 0
                assert dut.o__valid.value == 0 and dut.busy.value == 0
                return Outcome(beats, cycle - first + 1)
        await FallingEdge(dut.clk)
        cycle += 1
        assert cycle < HANG_LIMIT, f"no last beat after {cycle} cycles (n={len(scores)}, k={k})"


def check(scores: list[int], k: int, outcome: Outcome, timed: bool) -> None:
    expected = [tuple((p & ((1 << INDEX_WIDTH) - 1), scores[p]) for p in beat)
                for beat in plan(scores, k, P, SCORE_WIDTH).output]
    assert outcome.beats == expected, f"n={len(scores)} k={k}: {outcome.beats} != {expected}"
    if timed:
        model = topk_cycles(scores, k, P, SCORE_WIDTH)
        assert outcome.cycles == model, f"n={len(scores)} k={k}: RTL {outcome.cycles} != {model}"


@cocotb.test()
async def corner_and_random_cases_timed(dut):
    await _reset(dut)
    cases = corner_cases() + random_cases(random.Random(SEED), RANDOM_CASES)
    for scores, k in cases:
        check(scores, k, await run_case(dut, scores, k, None), timed=True)
    dut._log.info("%d cases, outputs and cycles equal to the models", len(cases))


@cocotb.test()
async def bubbles_and_backpressure(dut):
    await _reset(dut)
    rng = random.Random(SEED + 1)
    cases = corner_cases() + random_cases(rng, RANDOM_CASES // 2)
    for scores, k in cases:
        check(scores, k, await run_case(dut, scores, k, rng), timed=False)


@cocotb.test()
async def bad_arguments_flag_error_and_stay_idle(dut):
    await _reset(dut)
    n_max_port = (1 << len(dut.n)) - 1
    bad = [(0, 0), (0, 1), (4, 0), (4, 5), (1, 2)]
    if n_max_port > MAX_N:
        bad.append((MAX_N + 1, 1))
    for n, k in bad:
        await _start(dut, n, k)
        assert dut.error.value == 1 and dut.busy.value == 0, (n, k)
        assert dut.i__ready.value == 0 and dut.o__valid.value == 0
        await ClockCycles(dut.clk, 3)
        assert dut.busy.value == 0, "a bad start must leave the engine idle"
        scores = [5, -1, 5, 2, 7]
        check(scores, 2, await run_case(dut, scores, 2, None), timed=True)
        assert dut.error.value == 0, "a good start clears the error flag"
