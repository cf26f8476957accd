"""Delay lines (register chain and memory ring) against a Python deque, with stalls."""

import random

import pytest
from amaranth import Module, Signal
from amaranth.sim import Simulator

from lego.backend.rtl.delay_line import SHIFT_REGISTER_MAX_DEPTH, DelayLine


@pytest.mark.parametrize("depth", [0, 1, 3, SHIFT_REGISTER_MAX_DEPTH, SHIFT_REGISTER_MAX_DEPTH + 5])
def test_output_is_the_input_of_depth_steps_ago(depth):
    dut = DelayLine(8, depth)
    rng = random.Random(depth)
    pushed, checked = [], []

    async def bench(ctx):
        for _ in range(3 * depth + 20):
            value, en = rng.randrange(256), rng.random() < 0.7
            ctx.set(dut.i, value)
            ctx.set(dut.en, en)
            if en:
                if len(pushed) >= depth:
                    expected = pushed[len(pushed) - depth] if depth else value
                    checked.append((ctx.get(dut.o), expected))
                pushed.append(value)
            await ctx.tick()

    top = Module()  # depth 0 is pure wiring: give the bench a clock domain anyway
    top.submodules.dut = dut
    tick = Signal()
    top.d.sync += tick.eq(~tick)
    sim = Simulator(top)
    sim.add_clock(1e-8)
    sim.add_testbench(bench)
    sim.run()
    assert checked and all(got == want for got, want in checked)


def test_bad_parameters_name_the_value():
    with pytest.raises(ValueError, match="Depth must be a non-negative integer, not -1"):
        DelayLine(8, -1)
    with pytest.raises(ValueError, match="Width must be a positive integer, not 0"):
        DelayLine(0, 2)
