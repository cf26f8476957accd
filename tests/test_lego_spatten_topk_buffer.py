"""The top-k candidate buffer in Amaranth's simulator: kept lanes are packed in arrival order
across rows and banks (the zero eliminator), and a row reads back one cycle after rd_en."""

from __future__ import annotations

import random

from amaranth.sim import Simulator

from lego.spatten.topk_buffer import CandidateBuffer
from lego.spatten.topk_params import TopKParams

P = 4
PARAMS = TopKParams(parallelism=P, score_width=8, index_width=5, max_n=32)


def test_kept_lanes_are_packed_in_order_and_read_back_by_row():
    dut = CandidateBuffer(PARAMS)
    rng = random.Random(3)
    rows = [[(rng.randint(-128, 127), rng.randrange(32)) for _ in range(P)] for _ in range(8)]
    masks = [rng.randrange(1 << P) for _ in rows]
    kept = [lane for row, mask in zip(rows, masks, strict=True)
            for j, lane in enumerate(row) if mask >> j & 1]
    got = []

    async def bench(ctx):
        wp = 0
        ctx.set(dut.write, 1)
        for row, mask in zip(rows, masks, strict=True):
            for j, (score, index) in enumerate(row):
                ctx.set(dut.row[j].score, score)
                ctx.set(dut.row[j].index, index)
            ctx.set(dut.keep, mask)
            ctx.set(dut.wp, wp)
            await ctx.tick()
            wp += bin(mask).count("1")
        ctx.set(dut.write, 0)
        ctx.set(dut.rd_en, 1)
        for r in range(-(-len(kept) // P)):
            ctx.set(dut.rd_addr, r)
            await ctx.tick()
            got.extend((ctx.get(dut.rd_data[j].score), ctx.get(dut.rd_data[j].index))
                       for j in range(P))

    sim = Simulator(dut)
    sim.add_clock(1e-6)
    sim.add_testbench(bench)
    sim.run()
    assert got[:len(kept)] == kept
