"""PqEngine in Amaranth's simulator (no Verilator): outputs bit-exact with the Python model, and
the exp unit and the divider on their own. The cocotb tests cover Verilog, bubbles and ready."""

from dataclasses import replace

import numpy as np
import pytest
from amaranth.sim import Simulator

from lego.spatten.pq import PqEngine
from lego.spatten.pq_divider import PqDivider
from lego.spatten.pq_exp import PqExp
from lego.spatten.pq_model import exp_fixed, run_pq
from lego.spatten.pq_params import PqParams

TINY = PqParams(head_dim=8, lanes=4, msb_bits=4, lsb_bits=3, query_bits=6, max_len=16,
                threshold=0.3, logit_scale=4e-4, prob_bits=10, exp_lut_bits=4)


def _pack(values, bits):
    return sum((int(v) & ((1 << bits) - 1)) << (i * bits) for i, v in enumerate(values))


def _beats(params, rows, bits):
    lanes = params.lanes
    return [_pack(row[b * lanes:(b + 1) * lanes], bits)
            for row in rows for b in range(params.beats_per_key)]


def simulate(params, requests):
    """Run (query, msb, lsb) requests back to back with no bubbles; per request returns
    (scores, probs, refetched, bytes, p_max, cycles from first MSB accept to done, inclusive)."""
    dut = PqEngine(params)
    seen = []

    async def bench(ctx):
        ctx.set(dut.out.ready, 1)
        for query, msb, lsb in requests:
            ctx.set(dut.length, len(msb))
            ctx.set(dut.query.as_value(), _pack(query, params.query_bits))
            ctx.set(dut.start, 1)
            await ctx.tick()
            ctx.set(dut.start, 0)
            msb_beats = _beats(params, msb, params.msb_bits)
            lsb_beats = _beats(params, lsb, params.lsb_bits)
            outs, first, cycle = [], None, 0
            while True:
                ctx.set(dut.msb.valid, bool(msb_beats))
                ctx.set(dut.msb.payload.as_value(), msb_beats[0] if msb_beats else 0)
                ctx.set(dut.lsb.valid, bool(lsb_beats))
                ctx.set(dut.lsb.payload.as_value(), lsb_beats[0] if lsb_beats else 0)
                if ctx.get(dut.msb.valid) and ctx.get(dut.msb.ready):
                    first = cycle if first is None else first
                    msb_beats.pop(0)
                if ctx.get(dut.lsb.valid) and ctx.get(dut.lsb.ready):
                    lsb_beats.pop(0)
                if ctx.get(dut.out.valid):
                    outs.append((ctx.get(dut.out.payload.score), ctx.get(dut.out.payload.prob)))
                if ctx.get(dut.done):
                    break
                await ctx.tick()
                cycle += 1
            seen.append((tuple(s for s, _ in outs), tuple(p for _, p in outs),
                         bool(ctx.get(dut.refetched)), ctx.get(dut.bytes_fetched),
                         ctx.get(dut.p_max), cycle - first + 1))
            await ctx.tick()

    sim = Simulator(dut)
    sim.add_clock(1e-6)
    sim.add_testbench(bench)
    sim.run()
    return seen


def random_requests(params, seed, count):
    rng = np.random.default_rng(seed)
    lo, hi = -(1 << (params.msb_bits - 1)), 1 << (params.msb_bits - 1)
    qmax = 1 << (params.query_bits - 1)
    out = []
    for _ in range(count):
        length = int(rng.integers(1, params.max_len + 1))
        out.append((rng.integers(-qmax, qmax, params.head_dim),
                    rng.integers(lo, hi, (length, params.head_dim)),
                    rng.integers(0, 1 << params.lsb_bits, (length, params.head_dim))))
    return out


@pytest.mark.parametrize("params", [TINY, replace(TINY, exp_units=3)])
def test_engine_is_bit_exact_with_the_model_in_amaranth_sim(params):
    requests = random_requests(params, 3, 12)
    for (query, msb, lsb), got in zip(requests, simulate(params, requests), strict=True):
        want = run_pq(params, query, msb, lsb)
        assert got[:5] == (want.scores, want.probs, want.refetched, want.bytes_fetched,
                           want.p_max)
    decisions = {run_pq(params, *r).refetched for r in requests}
    assert decisions == {True, False}


def _comb_values(dut, inputs, outputs):
    got = []

    async def bench(ctx):
        for values in inputs:
            for port, value in values.items():
                ctx.set(getattr(dut, port), value)
            await ctx.delay(1e-9)
            got.append(tuple(ctx.get(getattr(dut, o)) for o in outputs))

    sim = Simulator(dut)
    sim.add_testbench(bench)
    sim.run()
    return got


# The third config has a logit scale so large that scale_frac_bits < exp_lut_bits (left shift).
@pytest.mark.parametrize("params", [TINY, PqParams(exp_lut_bits=3, prob_bits=8),
                                    PqParams(head_dim=4, lanes=2, msb_bits=3, lsb_bits=2,
                                             query_bits=4, logit_scale=1000.0)])
def test_exp_unit_matches_the_model_over_its_whole_useful_range(params):
    # Every difference up to where the exp has underflowed to 0, then a few huge ones.
    reach = ((params.prob_bits + 2) << params.scale_frac_bits) // params.scale_const + 2
    diffs = list(range(0, reach, max(1, reach // 3000))) + [(1 << params.diff_width) - 1]
    got = _comb_values(PqExp(params), [{"diff": d} for d in diffs], ["exp"])
    scores = -np.array(diffs, dtype=np.int64)
    want = exp_fixed(params, np.concatenate([[0], scores]))[1:]
    assert [g[0] for g in got] == [int(w) for w in want]
    assert got[0] == (1 << params.prob_bits,) and got[-1] == (0,)


def test_divider_gives_the_floor_of_two_to_the_2p_over_z():
    params = TINY
    p = params.prob_bits
    totals = [1 << p, (1 << p) + 1, 3 << p, 16 << p, (1 << params.sum_width) - 1, 12345]
    dut = PqDivider(params)
    results = []

    async def bench(ctx):
        for total in totals:
            ctx.set(dut.total, total)
            ctx.set(dut.start, 1)
            await ctx.tick()
            ctx.set(dut.start, 0)
            steps = 0
            while not ctx.get(dut.last):
                await ctx.tick()
                steps += 1
            results.append((ctx.get(dut.result), steps + 1))
            await ctx.tick()

    sim = Simulator(dut)
    sim.add_clock(1e-6)
    sim.add_testbench(bench)
    sim.run()
    assert results == [((1 << 2 * p) // t, p + 1) for t in totals]

