"""benchmarks/dsp_routes.py: how it sorts nextpnr's per-sink route delays (a hand-made report
in nextpnr's --detailed-timing-report form; no tool is run)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

import dsp_routes  # noqa: E402


def _net(driver: str, port: str, *sinks: tuple[str, str, float]) -> dict:
    return {"driver": driver, "port": port, "net": f"{driver}.{port}",
            "endpoints": [{"cell": cell, "port": pin, "delay": [delay - 0.1, delay]}
                          for cell, pin, delay in sinks]}


def test_operand_routes_are_sorted_by_fu_distance_and_products_by_sink_kind():
    report = {"detailed_net_timings": [
        # FU (2,3)'s B register into its own DSP, the next row's and the one after
        _net("fu_2_3.w_B_rel_m1_0_self_TRELLIS_FF_Q_7", "Q",
             ("fu_2_3.m_self_dsp.dsp", "B7", 3.0), ("fu_3_3.m_self_dsp.dsp", "B7", 4.0),
             ("fu_4_3.m_self_dsp.dsp", "B8", 5.0),
             ("fu_3_3.w_B_TRELLIS_FF_Q_7", "DI", 9.0)),  # not a DSP pin: left out
        _net("mem_A_4.r_data__0_TRELLIS_FF_Q_1", "Q", ("fu_4_0.m_self_dsp.dsp", "A1", 2.5)),
        _net("fu_1_1.m_self_dsp.dsp", "P0", ("fu_1_1.acc_CCU2C_S0$CCU2_COMB0", "B", 3.5),
             ("fu_1_1.p_TRELLIS_FF_Q", "DI", 2.0)),
    ]}
    assert dsp_routes.routes(report) == {
        "into hops=0": [3.0], "into hops=1": [4.0], "into hops=2": [5.0], "into bank": [2.5],
        "out to carry chain": [3.5], "out to flip-flop": [2.0]}


def test_summary_and_order():
    assert dsp_routes.summary([1.0, 2.0, 3.0]) == {"count": 3, "mean_ns": 2.0, "p90_ns": 2.8,
                                                   "max_ns": 3.0}
    names = ["into hops=10", "into bank", "into hops=2", "out to flip-flop"]
    assert sorted(names, key=dsp_routes._key) == ["into bank", "into hops=2", "into hops=10",
                                                  "out to flip-flop"]


def _step(kind: str, delay: float, to: str, port: str, source: str = "x") -> dict:
    return {"type": kind, "delay": delay, "from": {"cell": source, "port": "Q"},
            "to": {"cell": to, "port": port}}


def test_a_critical_path_counts_each_adder_it_enters():
    """A path ripples through an adder's carry pins and enters the next adder through a data
    pin: two sums in a row (a partial sum into a read-modify-write) are two carry entries."""
    chain = "s_DI_CCU2C_S0$CCU2_COMB0", "s_DI_CCU2C_S0$CCU2_COMB1"
    path = [_step("clk-to-q", 0.5, "fu_7_1.s_TRELLIS_FF_Q", "Q", "fu_7_1.s_TRELLIS_FF_Q"),
            _step("routing", 1.2, chain[0], "A"), _step("logic", 0.4, chain[0], "FCO"),
            _step("routing", 0.0, chain[1], "FCI", chain[0]),
            _step("routing", 1.3, "rmw_CCU2C_S0$CCU2_COMB0", "B", chain[1]),
            _step("routing", 1.2, "w_LUT4_Z", "D"), _step("routing", 1.1, "m$RAMW_SLICE", "A1"),
            _step("setup", 0.0, "m$DPRAM_COMB1", "WD")]
    report = {"critical_paths": [{"from": "posedge clk", "to": "posedge clk", "path": path}]}
    found = dsp_routes.critical_path(report)
    assert found["through"] == ["carry", "carry", "lut", "dram"]
    assert found["delay_ns"] == 5.7 and found["first_route_ns"] == 1.2
    assert found["start"] == ["fu_7_1.s_TRELLIS_FF_Q", "Q"]
    assert found["end"] == ["m$DPRAM_COMB1", "WD"]
