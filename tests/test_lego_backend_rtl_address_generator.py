"""The incremental address generator against its closed form, in Amaranth's simulator."""

import itertools

import pytest
from amaranth.sim import Simulator

from lego.backend.rtl.address_generator import AddressGenerator, addresses


def _closed_form(bounds, strides, base):
    return [base + sum(s * t for s, t in zip(strides, point, strict=True))
            for point in itertools.product(*(range(b) for b in bounds))]


@pytest.mark.parametrize("bounds,strides,base", [
    ((2, 2, 8), (32, 4, 1), 0),
    ((3, 4), (1, 3), 5),          # column-major walk
    ((2, 3, 3), (0, 7, -2), 4),   # a reused (zero-stride) loop and a negative stride
    ((5,), (3,), 0),
])
def test_model_matches_closed_form(bounds, strides, base):
    assert addresses(bounds, strides, base) == _closed_form(bounds, strides, base)


@pytest.mark.parametrize("bounds,strides,base", [((2, 3, 4), (12, -4, 1), 8), ((4, 2), (1, 4), 0)])
def test_rtl_matches_model_with_stalls(bounds, strides, base):
    dut = AddressGenerator(bounds, strides, base)
    expected = addresses(bounds, strides, base)
    seen = []

    async def bench(ctx):
        ctx.set(dut.start, 1)
        await ctx.tick()
        ctx.set(dut.start, 0)
        cycle = 0
        while len(seen) < len(expected):
            stall = cycle % 3 == 1  # the consumer is not ready every third cycle
            ctx.set(dut.step, 0 if stall else 1)
            if not stall:
                seen.append((ctx.get(dut.address), ctx.get(dut.last)))
            await ctx.tick()
            cycle += 1

    sim = Simulator(dut)
    sim.add_clock(1e-8)
    sim.add_testbench(bench)
    sim.run()
    assert [a for a, _ in seen] == expected
    assert [last for _, last in seen] == [0] * (len(expected) - 1) + [1]


def test_bad_parameters_are_rejected_with_the_value():
    with pytest.raises(ValueError, match=r"Loop bounds must be positive integers, not \(0,\)"):
        AddressGenerator((0,), (1,))
    with pytest.raises(ValueError, match="goes negative"):
        AddressGenerator((4,), (-1,), 0)
