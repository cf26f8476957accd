"""A shared adder's accumulator clear: which readers would need the sum's register in the
clearing dataflow, what the LP makes of that, and the RTL that results (the clear as the
register's reset, the dataflow mux in the adder's carry chain)."""

import re
from pathlib import Path

from lego.backend.generate import generate
from lego.backend.rtl.fu_kinds import folded_gate, folded_mux, registers, shares_register
from lego.backend.shared_clear import clearing_flow, same_flow_readers
from lego.frontend.passes import run_passes
from lego.spec import load_spec

SPECS = Path(__file__).resolve().parent.parent / "examples" / "specs"


def _generated(name: str, period: float | None = None):
    return generate(run_passes(load_spec(SPECS / name)).adg, period_ns=period)


def test_the_clear_belongs_to_the_stationary_dataflow_and_only_its_write_reads_the_sum():
    graph = _generated("gemm_os_ws_fused_4x4.yaml").design.graph
    gates = [n for n in graph.graph.nodes if clearing_flow(graph, n) is not None]
    assert len(gates) == 16 and {clearing_flow(graph, g) for g in gates} == {0}
    for gate in gates:
        fu = graph.primitive(gate).unit
        # WS's partial sum into the FU below and WS's read-modify-write may read through the
        # register; OS's write of the finished sum may not
        assert [c.dst for c in same_flow_readers(graph, gate)] == [f"wr.{fu}.os"]


def test_a_single_dataflow_accumulator_has_no_shared_clear():
    graph = _generated("gemm_os_4x4.yaml").design.graph
    assert not any(clearing_flow(graph, n) is not None for n in graph.graph.nodes)


def test_at_the_relaxed_period_every_gate_is_the_sums_register_and_every_mux_is_in_a_carry():
    gen = _generated("gemm_os_ws_fused_4x4.yaml")
    design, stages = gen.design, dict(gen.schedule.stages)
    gates = [n for n in design.graph.graph.nodes if clearing_flow(design.graph, n) is not None]
    assert gates and all(shares_register(design, stages, g) for g in gates)
    adds = [n for n in design.graph.graph.nodes if folded_mux(design, stages, n)]
    assert len(adds) == 16
    # one instance per FU kind's module, and the module itself with its carry cells
    assert "module lego_add_mux_w" in gen.verilog and "16'h596A" in gen.verilog
    assert "t_self" not in gen.verilog  # no dataflow mux left outside the adders


def _late_and_shared(period: float) -> tuple[int, int]:
    """(gates a same-dataflow reader taps after a register, gates built as the register)."""
    gen = _generated("gemm_os_ws_fused_4x4.yaml", period)
    design, stages = gen.design, dict(gen.schedule.stages)
    late = shared = 0
    for gate in (n for n in design.graph.graph.nodes if clearing_flow(design.graph, n) is not None):
        tapped_late = any(registers(design, stages, c.src, c.dst, c.distance)
                          for c in same_flow_readers(design.graph, gate))
        assert shares_register(design, stages, gate) is not tapped_late
        late, shared = late + tapped_late, shared + (not tapped_late)
    return late, shared


def test_the_lp_prices_a_late_tap_of_a_shared_sum_as_the_gates_luts():
    # where timing lets the write tap the sum itself, the LP staggers the rows' adders one
    # stage apart so it does (OS's writes at 7, 8, 10 ns), rather than pair two rows' adders in
    # a stage and leave the second row's gate a LUT per bit (before: 4 of 16 shared at 8 ns)
    for period in (7.0, 8.0, 10.0):
        assert _late_and_shared(period) == (0, 16)


def test_a_gate_whose_sum_its_own_dataflow_reads_after_a_register_stays_a_lut():
    # at 6.5 ns adder and write do not fit one cycle: every write taps the sum's register
    assert _late_and_shared(6.5) == (16, 0)


def test_a_gate_against_zero_joins_the_select_of_the_carry_chain_mux():
    """Row 0 starts WS's reduction chain (adds 0 in WS): where its clear stays a gate, the
    pick is own sum or 0, so the clear joins the select, one LUT for the FU (inside the adder
    module, lego.backend.rtl.add_mux: an instantiated LUT4 Yosys does not share between FUs)."""
    gen = _generated("gemm_os_ws_fused_4x4.yaml", 5.5)
    design, stages = gen.design, dict(gen.schedule.stages)
    gate = "g.fu_0_0.p.os.running_first.2"
    assert not shares_register(design, stages, gate)
    assert folded_gate(design, stages, "t.fu_0_0") == gate
    assert folded_gate(design, stages, "t.fu_1_0") is None  # it adds the FU above's sum in WS
    assert re.search(r"lego_add_mux_w\d+_or acc_self_flows_sum_add \(\s*\.a\([^)]*\),\s*"
                     r"\.g\(p_os_running_first_2_r\d\),\s*\.s\(flow\),", gen.verilog)
    assert "assign sel = s | g;" in gen.verilog and "16'hEEEE" in gen.verilog
