"""Memory ports, banks and address generators; banking verified by enumerating every step."""

import itertools
from pathlib import Path

import numpy as np
import pytest

from lego.frontend.memory import bank_address, bank_of
from lego.frontend.passes import run_passes
from lego.spec import load_spec

SPECS = Path(__file__).parent.parent / "examples" / "specs"
MOVING_BANKS = ("conv2d_os_4x4", "conv2d_stride2_4x4", "depthwise_conv2d_4x4")
SMALL = [p for p in sorted(SPECS.glob("*.yaml")) if "16x16" not in p.stem]


def memory(name):
    state = run_passes(load_spec(SPECS / f"{name}.yaml"), stop_after="memory")
    return state.memory


def test_gemm_os_ports_banks_and_strides():
    m = memory("gemm_os_4x4")
    a = m.get("os", "A")
    # Ports (p, 0) read A[4 ti + p, tk]: rows 0..3 at once, spread 3, gcd 1 -> 4 banks x 1.
    assert (a.num_ports, a.bank_dims, a.banks, a.concurrent) == (4, (4, 1), 4, 4)
    # Bank (row mod 4) holds rows r, r + 4 of 8 columns: bank shape 2 x 8. Stepping ti moves
    # 4 rows = one bank row (address + 8); tj does nothing; tk moves one column (+1).
    assert a.bank_shape == (2, 8) and a.address_strides == (8, 0, 1)
    assert [(p.fu, p.base, p.bank, p.address) for p in a.ports] == [
        (0, (0, 0), 0, 0), (4, (1, 0), 1, 0), (8, (2, 0), 2, 0), (12, (3, 0), 3, 0)]
    b = m.get("os", "B")
    assert (b.num_ports, b.bank_dims, b.banks) == (4, (1, 4), 4)
    c = m.get("os", "C")  # every FU writes its own C[4 ti + p, 4 tj + q]: 4 x 4 banks
    assert (c.num_ports, c.bank_dims, c.banks, c.read_modify_write) == (16, (4, 4), 16, False)


def test_gemm_ws_output_read_modify_write():
    c = memory("gemm_ws_4x4").get("ws", "C")
    # Write ports (3, q) at the chain ends write C[ti, 4 tj + q]: 4 banks along columns; the
    # same element comes back for every tk, so the port reads, adds and writes.
    assert (c.num_ports, c.bank_dims, c.read_modify_write) == (4, (1, 4), True)
    assert memory("gemm_ws_4x4").get("ws", "B").banks == 16


def test_gcd_reduces_banks():
    # Stride-2 conv: FU (p, q) reads I[c, 2 p + r, 2 q + s]: offsets 0, 2, 4, 6 per dimension,
    # gcd 2 -> 4 banks per dimension instead of 7.
    i = memory("conv2d_stride2_4x4").get("os", "I")
    assert i.bank_gcd == (1, 2, 2) and i.bank_dims == (1, 4, 4)


def test_conv_os_fallback_readers():
    i = memory("conv2d_os_4x4").get("os", "I")
    # One FU is fed from memory; the 15 delay-fed FUs read memory when their edge is not
    # valid (ts = 0 for the depth-1 edges): then all 16 read in the same step.
    assert (i.num_ports, len(i.ports), i.concurrent, i.banks) == (1, 16, 16, 16)


def _readers(state, flow, tensor, t):
    """FUs accessing memory at step t: the ports plus fallback FUs whose edge is invalid."""
    forest = state.fusion.get(flow.name, tensor.name)
    info = state.reuse.get(flow.name, tensor.name)
    step = dict(zip(flow.temporal_names, t, strict=True))
    readers = set(forest.memory_fus)
    for _, d, v in forest.edges:
        if v >= 0 and tensor.role == "input":
            if not all(lo <= step[n] < hi for n, lo, hi in info.candidates[v].valid):
                readers.add(d)
    return readers


@pytest.mark.parametrize("path", SMALL, ids=lambda p: p.stem)
def test_concurrent_accesses_never_share_a_bank(path):
    spec = load_spec(path)
    state = run_passes(spec, stop_after="memory")
    coords = list(np.ndindex(*spec.dataflows[0].spatial_bounds))
    for flow in spec.dataflows:
        for tensor in spec.tensors:
            mem = state.memory.get(flow.name, tensor.name)
            most = 0
            for t in itertools.product(*(range(b) for b in flow.temporal_bounds)):
                readers = _readers(state, flow, tensor, t)
                most = max(most, len(readers))
                banks = {}
                for fu in readers:
                    point = flow.M @ np.array(t + coords[fu]) + flow.c
                    x = tuple(int(v) for v in tensor.A @ point + tensor.b)
                    bank = bank_of(x, mem.bank_dims, mem.bank_gcd)
                    if not mem.shared_layout:  # there each reader has a RAM port of its own
                        assert banks.setdefault(bank, x) == x, (flow.name, tensor.name, t,
                                                                bank)
            assert most == mem.concurrent


@pytest.mark.parametrize("path", SMALL, ids=lambda p: p.stem)
def test_bank_layout_is_a_bijection_and_address_generators_agree(path):
    spec = load_spec(path)
    state = run_passes(spec, stop_after="memory")
    for mem in state.memory.tensors:
        tensor, flow = spec.tensor(mem.tensor), spec.dataflow(mem.dataflow)
        size = int(np.prod(mem.bank_shape))
        slots = {(bank_of(x, mem.bank_dims, mem.bank_gcd),
                  bank_address(x, mem.bank_dims, mem.bank_gcd, mem.bank_shape))
                 for x in np.ndindex(*tensor.shape)}
        assert len(slots) == int(np.prod(tensor.shape))
        assert all(0 <= a < size and 0 <= b < mem.banks for b, a in slots)
        coords = list(np.ndindex(*flow.spatial_bounds))
        for port in mem.ports:  # affine generator: base + sum t_i * stride_i, every port
            for t in itertools.product(*(range(b) for b in flow.temporal_bounds)):
                x = tuple(b + sum(ti * s[d] for ti, s in zip(t, mem.coord_strides, strict=True))
                          for d, b in enumerate(port.base))
                # the generator's coordinate is the one the FU's iteration point touches
                point = flow.M @ np.array(t + coords[port.fu]) + flow.c
                assert x == tuple(int(v) for v in tensor.A @ point + tensor.b)
                if mem.fixed_bank:
                    address = port.address + sum(
                        ti * s for ti, s in zip(t, mem.address_strides, strict=True))
                    assert bank_of(x, mem.bank_dims, mem.bank_gcd) == port.bank
                    assert bank_address(x, mem.bank_dims, mem.bank_gcd, mem.bank_shape) \
                        == address
                elif all(0 <= v < n for v, n in zip(x, tensor.shape, strict=True)):
                    # a moving bank: where the coordinate exists, its word is in range
                    assert 0 <= bank_of(x, mem.bank_dims, mem.bank_gcd) < mem.banks
                    assert 0 <= bank_address(x, mem.bank_dims, mem.bank_gcd,
                                             mem.bank_shape) < size
    moving = [m.tensor for m in state.memory.tensors if not m.fixed_bank]
    assert moving == (["I"] if path.stem in MOVING_BANKS else [])  # both branches are run


def test_fused_input_takes_one_layout_for_every_dataflow():
    """The OS+WS array reads B down columns (OS, 4 banks by column) and one word per FU (WS,
    16 banks by row and column): one layout of 4 banks serves both, the WS rows of a column
    reading its bank through ports of their own; A moves banks under the other's layout and
    keeps one per dataflow."""
    mem = memory("gemm_os_ws_fused_4x4")
    os_b, ws_b = mem.get("os", "B"), mem.get("ws", "B")
    assert os_b.shared_layout and ws_b.shared_layout
    assert (ws_b.bank_dims, ws_b.bank_gcd, ws_b.bank_shape) == \
        (os_b.bank_dims, os_b.bank_gcd, os_b.bank_shape) == ((1, 4), (1, 1), (8, 2))
    assert ws_b.fixed_bank and sorted({p.bank for p in ws_b.ports}) == [0, 1, 2, 3]
    assert not mem.get("ws", "A").shared_layout and not mem.get("os", "C").shared_layout
    # a single dataflow keeps its own banking
    assert memory("gemm_ws_4x4").get("ws", "B").banks == 16

