"""Lowering the ADG to the primitive graph, and the shared tensor layout (no Verilator)."""

import itertools
from pathlib import Path

import networkx as nx
import numpy as np
import pytest

from lego.backend.design import COUNTER
from lego.backend.layout import geometry, placement
from lego.backend.lower import lower
from lego.backend.pipeline import pipeline
from lego.backend.semantics import FlowMux, ReadEnable, ReadTerm
from lego.frontend.memory import bank_address, bank_of
from lego.frontend.passes import run_passes
from lego.spec import load_spec

SPECS = Path(__file__).resolve().parent.parent / "examples" / "specs"
REGRESSIONS = Path(__file__).resolve().parent / "regressions"
SMALL = sorted(p.name for p in SPECS.glob("*.yaml") if "16x16" not in p.name)


def _adg(name):
    return run_passes(load_spec(SPECS / name)).adg


@pytest.mark.parametrize("name", SMALL)
def test_layout_gives_every_element_its_own_word(name):
    adg = _adg(name)
    geo = {t.name: t for t in geometry(adg)}
    for flow in adg.flows:
        for tensor, g in geo.items():
            banks, addresses = placement(adg, flow.name, tensor)
            assert banks.max() < g.banks and addresses.max() < g.depth
            depths = np.array(g.bank_depths)
            assert (addresses < depths[banks]).all()  # each bank is deep enough for its words
            pairs = set(zip(banks.ravel().tolist(), addresses.ravel().tolist(), strict=True))
            assert len(pairs) == banks.size


@pytest.mark.parametrize("name", ["gemm_os_4x4.yaml", "gemm_ws_4x4.yaml", "mttkrp_4x4.yaml"])
def test_fixed_bank_ports_step_by_the_address_strides(name):
    """Where a port stays in its bank, the bank and address of the coordinate it touches at
    step t are its own bank and base address plus the address strides times t."""
    adg = _adg(name)
    for flow in adg.flows:
        for tensor in adg.tensors:
            mem = adg.memory(flow.name, tensor.name)
            assert mem.fixed_bank
            for port in mem.ports:
                for t in itertools.islice(itertools.product(*map(range, flow.bounds)), 40):
                    coord = tuple(b + sum(s[d] * x for s, x in zip(mem.coord_strides, t,
                                                                   strict=True))
                                  for d, b in enumerate(port.base))
                    assert bank_of(coord, mem.bank_dims, mem.bank_gcd) == port.bank
                    assert bank_address(coord, mem.bank_dims, mem.bank_gcd,
                                        mem.bank_shape) == port.address + sum(
                        s * x for s, x in zip(mem.address_strides, t, strict=True))


def test_conv_fallback_ports_change_bank():
    assert not _adg("conv2d_os_4x4.yaml").memory("os", "I").fixed_bank


def test_gemm_os_lowering_has_one_mac_per_fu_and_shared_control():
    design = lower(_adg("gemm_os_4x4.yaml"))
    kinds = [p.kind for p in design.graph.primitives()]
    assert kinds.count("mul") == 16 and kinds.count("mem_write") == 16
    assert kinds.count("counter") == 1
    # first and last of the stationary k loop, and the read enable, each shared by all FUs
    assert kinds.count("cmp") == 3
    accumulators = [p.name for p in design.graph.primitives() if p.name.startswith("acc.")]
    assert len(accumulators) == 16
    for acc in accumulators:
        gate = next(c.src for c in design.graph.inputs(acc) if c.src.startswith("g."))
        assert any(c.src == acc and c.distance == 1 for c in design.graph.inputs(gate))


def test_delay_edges_become_fifo_distances_with_memory_fallback():
    design = lower(_adg("conv2d_os_4x4.yaml"))
    fallback = [p for p in design.graph.primitives() if p.name.startswith("f.I.")]
    assert len(fallback) == 15
    for prim in fallback:
        valid, fifo, memory = design.graph.inputs(prim.name)
        assert design.graph.primitive(valid.src).kind == "cmp"
        assert fifo.distance in (1, 2)
        assert design.graph.primitive(memory.src).kind == "mem_read"


def test_fused_design_muxes_by_dataflow():
    design = lower(_adg("gemm_os_ws_fused_4x4.yaml"))
    flow_muxes = [p for p in design.graph.primitives() if isinstance(p.params, FlowMux)]
    assert flow_muxes
    assert [f.name for f in design.flows] == ["os", "ws"]


def test_fused_banks_are_as_deep_as_the_dataflows_using_them():
    # OS keeps C in 16 banks of 4 words, WS in 4 banks of 16: only banks 0-3 need 16 words;
    # B, an input, takes OS's 4 banks of 16 words in both dataflows (one layout)
    geo = {t.name: t for t in geometry(_adg("gemm_os_ws_fused_4x4.yaml"))}
    assert geo["C"].bank_depths == (16,) * 4 + (4,) * 12
    assert geo["B"].bank_depths == (16,) * 4


def test_fused_fus_share_one_adder_across_dataflows():
    # OS accumulates, WS adds the partial sum from the FU above: one adder picks its term
    design = lower(_adg("gemm_os_ws_fused_4x4.yaml"))
    adds = [p for p in design.graph.primitives() if p.kind == "add"]
    shared = [p for p in adds if p.name.startswith("acc.")]
    assert len(shared) == 16
    assert sorted(p.name for p in adds if p not in shared) == [
        f"rmw.fu_3_{q}.ws" for q in range(4)]  # the bottom row adds the old C word (WS)
    for prim in shared:
        term = design.graph.primitive(design.graph.inputs(prim.name)[1].src)
        assert isinstance(term.params, FlowMux)


def test_dataflows_passing_an_operand_in_opposite_directions_lower_to_a_registered_cycle():
    # issue 11: this recursed until Python gave up
    spec = load_spec(REGRESSIONS / "conv2d_stride2_loop_orders.yaml")
    graph = lower(run_passes(spec).adg).graph.graph
    cycles = list(nx.simple_cycles(graph))
    assert cycles  # image words go both ways between neighbouring FUs
    combinational = nx.DiGraph([(u, v) for u, v, c in graph.edges(data="conn")
                                if c.distance == 0])
    assert nx.is_directed_acyclic_graph(combinational)


def test_relaxed_period_keeps_the_datapath_combinational_and_tight_period_pipelines():
    design = lower(_adg("gemm_ws_4x4.yaml"))
    relaxed = pipeline(design.graph, 100.0)
    tight = pipeline(design.graph, 4.0)
    assert relaxed.timing_constraints == 0 and tight.timing_constraints > 0
    assert max(s for _, s in tight.stages) > max(s for _, s in relaxed.stages)
    assert tight.register_bits > relaxed.register_bits
    assert dict(relaxed.stages)[COUNTER] == 0 and dict(tight.stages)[COUNTER] == 0


def test_placement_matches_a_direct_bank_computation():
    adg = _adg("gemm_os_4x4.yaml")
    banks, addresses = placement(adg, "os", "A")
    rows = np.arange(8)[:, None]
    cols = np.arange(8)[None, :]
    assert (banks == rows % 4).all() and (addresses == (rows // 4) * 8 + cols).all()


def test_memory_reads_are_enabled_only_at_the_steps_whose_word_is_used():
    design = lower(_adg("gemm_ws_4x4.yaml"))
    reads = [p for p in design.graph.primitives() if p.kind == "mem_read"]
    enables = {design.graph.inputs(p.name)[1].src for p in reads}
    params = {design.graph.primitive(e).params for e in enables}
    i = design.flows[0].names.index("ti")
    # A streams and the partial sums are read where they are written back: every step; B is
    # held in the array over i: read at i = 0 only
    assert params == {ReadEnable((ReadTerm(0, (), ()),)),
                      ReadEnable((ReadTerm(0, ((i, 0),), ()),))}


@pytest.mark.parametrize("name", ["gemm_os_4x4.yaml", "gemm_ws_4x4.yaml"])
def test_a_dsp_product_keeps_a_fabric_register_where_it_cannot_reach_its_adder(name):
    """Every adder fed by a DSP multiply asks for a register on that input exactly when the
    array's DSP-to-adder path (overhead + the product's route out of a DSP in a 4x4 array +
    add) exceeds the period."""
    from lego.backend.delay_table import ecp5_delays

    delays = ecp5_delays()
    path = delays.reg_overhead_ns + delays.product_out(16) + delays.delay("add", 32)
    for period, wanted in ((path - 0.01, 1), (path + 0.01, 0), (None, 0)):
        graph = lower(_adg(name), delays, period).graph
        edges = [c for c in graph.connections() if graph.primitive(c.src).kind == "mul"]
        assert edges and all(graph.primitive(c.dst).kind == "add" for c in edges)
        assert {c.min_registers for c in edges} == {wanted}


def test_a_stationary_operand_read_from_one_bank_is_held_in_the_rams_read_register():
    # WS holds B over i: each FU's read of its own bank fires at i = 0 only, so the RAM's read
    # register keeps the word and the FU has no hold mux (nor its register)
    design = lower(_adg("gemm_ws_4x4.yaml"))
    reads = {p.name: p for p in design.graph.primitives() if p.kind == "mem_read"}
    assert not [p for p in design.graph.primitives() if p.name.startswith("h.")]
    held = sorted(n for n, p in reads.items() if p.params.holds)
    assert held == sorted(f"r.B.fu_{r}_{c}.p" for r in range(4) for c in range(4))
    i = design.flows[0].names.index("ti")
    for name in held:
        enable = design.graph.primitive(design.graph.inputs(name)[1].src).params
        assert enable == ReadEnable((ReadTerm(0, ((i, 0),), ()),))
        assert len(reads[name].params.banks) == 1
    # MTTKRP holds B too, but only the first row reads it: the rows below take it from the FU
    # above and keep their hold mux
    design = lower(_adg("mttkrp_4x4.yaml"))
    held = [p.name for p in design.graph.primitives() if p.kind == "mem_read" and p.params.holds]
    muxes = [p.name for p in design.graph.primitives() if p.name.startswith("h.")]
    assert sorted(held) == [f"r.B.fu_0_{c}.p" for c in range(4)]
    assert len(muxes) == 12 and all(".w.B." in name for name in muxes)


@pytest.mark.parametrize("name, rmw", [("gemm_ws_4x4.yaml", True), ("gemm_os_4x4.yaml", False)])
def test_only_a_read_modify_write_pays_the_write_route_across_the_array(name, rmw):
    """WS adds each tile's sums to the bank's old words (rmw.<fu>.<flow> before its write): the
    write's setup has the array's route; OS writes its accumulators' sums as they are."""
    from lego.backend.delay_table import ecp5_delays

    delays = ecp5_delays()
    graph = lower(_adg(name), delays, 7.0).graph
    writes = [p for p in graph.primitives() if p.kind == "mem_write"]
    assert writes
    for p in writes:
        assert ("rmw" + p.name[2:] in graph.graph) == rmw
        assert p.delay_ns == delays.write(16, 16, rmw)
