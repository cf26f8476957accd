"""The top-k component: a quick Amaranth-simulator run against the models (the full
cocotb/Verilator verification is tests/rtl/test_spatten_topk.py; parameter checks are in
tests/test_lego_spatten_topk_params.py)."""

from __future__ import annotations

import random

from amaranth.sim import Simulator

from lego.spatten.topk import TopK
from lego.spatten.topk_model import plan
from lego.spatten.topk_params import TopKParams
from sim.topk import topk_cycles

P, WIDTH, INDEX, MAX_N = 4, 8, 5, 32


async def _run(ctx, dut, scores, k):
    ctx.set(dut.start, 1)
    ctx.set(dut.n, len(scores))
    ctx.set(dut.k, k)
    await ctx.tick()
    ctx.set(dut.start, 0)
    ctx.set(dut.o.ready, 1)
    sent, beats, cycle, first = 0, [], 0, None
    while True:
        ctx.set(dut.i.valid, sent < len(scores))
        for j in range(P):
            pos = sent + j
            ctx.set(dut.i.payload[j].score, scores[pos] if pos < len(scores) else 0)
            ctx.set(dut.i.payload[j].index, pos % (1 << INDEX))
        if ctx.get(dut.i.valid) and ctx.get(dut.i.ready):
            first = cycle if first is None else first
            sent += P
        if ctx.get(dut.o.valid):
            valid = ctx.get(dut.o.payload.lane_valid)
            beats.append(tuple((ctx.get(dut.o.payload.lanes[j].index),
                                ctx.get(dut.o.payload.lanes[j].score))
                               for j in range(P) if valid >> j & 1))
            if ctx.get(dut.o.payload.last):
                await ctx.tick()
                return beats, cycle - first + 1
        await ctx.tick()
        cycle += 1
        assert cycle < 500


def test_amaranth_simulation_matches_the_models():
    dut = TopK(TopKParams(parallelism=P, score_width=WIDTH, index_width=INDEX, max_n=MAX_N))
    rng = random.Random(4)
    cases = [([7], 1), ([2] * 9, 4), (list(range(-16, 16)), 32)]
    for _ in range(8):
        n = rng.randint(1, MAX_N)
        cases.append(([rng.randint(-128, 127) for _ in range(n)], rng.randint(1, n)))

    async def bench(ctx):
        for scores, k in cases:
            beats, cycles = await _run(ctx, dut, scores, k)
            expected = [tuple((p, scores[p]) for p in beat)
                        for beat in plan(scores, k, P, WIDTH).output]
            assert beats == expected
            assert cycles == topk_cycles(scores, k, P, WIDTH)

    sim = Simulator(dut)
    sim.add_clock(1e-6)
    sim.add_testbench(bench)
    sim.run()
