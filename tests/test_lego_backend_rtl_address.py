"""Address generators in modules of their own: one module per shape (so the count does not
grow with the array), shared instances, and every module's address (its base tied to the
primitive's constant, a fixed port's bank appended as the top does) equal at every step to
the meaning lego.backend.semantics gives the primitive (lego.backend.step_values)."""

from pathlib import Path

import numpy as np
import pytest
from amaranth.sim import Simulator

from lego.backend.design import counter_width
from lego.backend.passes import run_backend
from lego.backend.rtl.address import AddressGenerator, address_uses
from lego.backend.step_values import StepValues
from lego.frontend.passes import run_passes
from lego.spec import load_spec

SPECS = Path(__file__).resolve().parent.parent / "examples" / "specs"


def _design(name):
    return run_backend(run_passes(load_spec(SPECS / name)).adg, stop_after="lower").design


def test_one_module_per_shape_not_per_port():
    small, large = _design("gemm_os_4x4.yaml"), _design("gemm_os_16x16.yaml")
    for design in (small, large):
        uses = address_uses(design)
        modules = {u.module for u in uses.values()}
        assert len(modules) == 3  # A, B and C: every port of a tensor has the same shape
        assert all(u.bank is not None and u.base == (0,) for u in uses.values())
    assert len(address_uses(large)) > 10 * len(address_uses(small))


def test_moving_ports_take_their_base_as_inputs():
    uses = address_uses(_design("conv2d_stride2_4x4.yaml"))
    moving = [u for u in uses.values() if u.bank is None]
    assert moving and len({u.base for u in moving}) == len(moving) > 1
    assert len({u.module for u in moving}) == 1  # one module, a base per instance
    assert all(u.width == u.address_bits + u.bank_bits for u in moving)


def _packed(design, flow, values):
    """The packed counters at one step of ``flow`` (the others' valid bits 0)."""
    packed, offset = 0, 0
    for f in design.flows:
        if f.index == flow:
            packed |= 1 << offset
        offset += 1
        for bound, value in zip(f.bounds, values if f.index == flow else [0] * len(f.bounds),
                                strict=True):
            packed |= value << offset
            offset += counter_width(bound)
    return packed


@pytest.mark.parametrize("spec", ["gemm_os_ws_fused_4x4.yaml", "conv2d_stride2_4x4.yaml"])
def test_every_module_computes_its_primitives_addresses(spec):
    design = _design(spec)
    uses = address_uses(design)
    picked = {}  # a few primitives per module, with different bases and banks
    for name, use in uses.items():
        picked.setdefault(use.module, [])
        if len(picked[use.module]) < 3:
            picked[use.module].append(name)
    for names in picked.values():
        use = uses[names[0]]
        dut = AddressGenerator(design, use)
        flow = design.graph.primitive(names[0]).params.flow
        steps = StepValues(design, flow)
        expected = {n: np.broadcast_to(steps.net(n), steps.steps) for n in names}
        got = {n: [] for n in names}

        async def bench(ctx, names=names, dut=dut, steps=steps, flow=flow, got=got):
            for step in range(steps.steps[0]):
                values = [int(c[step]) for c in steps.counters]
                ctx.set(dut.counters, _packed(design, flow, values))
                for n in names:
                    for d, base in enumerate(uses[n].base):
                        ctx.set(getattr(dut, f"base{d}"), base)
                    address = ctx.get(dut.address)
                    bank = uses[n].bank
                    got[n].append(address if bank is None
                                  else address | bank << uses[n].address_bits)

        sim = Simulator(dut)
        sim.add_testbench(bench)
        sim.run()
        for n in names:
            assert got[n] == [int(v) for v in expected[n]], n
