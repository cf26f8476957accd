"""Reading the tools' reports: Yosys ``stat -json`` and ``ltp``, nextpnr's ``--report``."""

import json
from pathlib import Path

import pytest

from lego.synth.names import verilog_aliases
from lego.synth.report import (
    PathEnd,
    SynthReport,
    cells_from_stat,
    longest_path_from_ltp,
    port_bits_from_stat,
    timing_from_nextpnr,
)

DATA = Path(__file__).resolve().parent / "data" / "synth"


def _load(name: str):
    return json.loads((DATA / name).read_text())


def test_ecp5_cells_come_from_yosys_stat():
    stat = _load("gemm_os_4x4.ecp5.stat.json")
    cells = dict(cells_from_stat(stat))
    assert cells == {"CCU2C": 256, "L6MUX21": 168, "LUT4": 5252, "MULT18X18D": 16,
                     "PFUMX": 947, "TRELLIS_DPR16X4": 32, "TRELLIS_FF": 3223}
    assert port_bits_from_stat(stat) == 81


def test_the_report_names_the_ecp5_resources():
    stat = _load("gemm_os_4x4.ecp5.stat.json")
    report = SynthReport("gemm_os_4x4", "ecp5-25k", "LFE5U-25F", "CABGA381",
                         cells_from_stat(stat), port_bits_from_stat(stat))
    out = report.to_dict()
    assert {k: out[k] for k in ("lut4", "ff", "dsp", "bram", "dram", "carry")} == {
        "lut4": 5252, "ff": 3223, "dsp": 16, "bram": 0, "dram": 32, "carry": 256}
    assert out["cells"] == sum(out["cells_by_type"].values()) == 9894  # without $scopeinfo
    assert "fmax_mhz" not in out and "logic_depth" not in out


def test_logic_depth_and_its_path_come_from_ltp():
    depth, (start, end) = longest_path_from_ltp(
        (DATA / "gemm_os_4x4.generic.ltp.txt").read_text(), {})
    assert depth == 61
    assert start == PathEnd(None, "\\ctrl_d1 [5]", "ctrl_d1", "controller")
    assert end == PathEnd(None, "\\mem_C_13.write__data [31]", "mem_C_13.write__data",
                          "C memory bank 13")


def test_ltp_output_without_a_path_is_refused():
    with pytest.raises(ValueError, match="no 'Longest topological path'"):
        longest_path_from_ltp("3. Executing LTP pass (find longest path).\n", {})


def test_fmax_and_critical_path_come_from_the_nextpnr_report():
    report = _load("gemm_os_4x4.ecp5-25k.nextpnr-report.json")
    aliases = verilog_aliases((DATA / "gemm_os_4x4.excerpt.v").read_text())
    timing = timing_from_nextpnr(report, aliases, target_mhz=100.0)
    assert timing.clock == "$glbnet$clk$TRELLIS_IO_IN"
    assert timing.fmax_mhz == pytest.approx(73.126, abs=1e-3)
    # nextpnr's Fmax is the inverse of the path it reports as critical
    assert 1000 / timing.delay_ns == pytest.approx(timing.fmax_mhz, rel=1e-4)
    # the path starts at B bank 3's read register (anonymous _14_ in the Verilog) and ends in
    # a word of the C memory built from flip-flops
    assert timing.start == PathEnd("_14__TRELLIS_FF_Q_7", "_14_[7]", "mem_B_3",
                                   "B memory bank 3")
    assert timing.end == PathEnd("mem_C_11[3]_TRELLIS_FF_Q_22",
                                 "mem_C_11[3]_TRELLIS_FF_Q_22_DI", "mem_C_11", "C memory bank 11")
    assert timing.to_dict()["critical_path_start"]["term"] == "B memory bank 3"


def test_the_path_keeps_raw_names_when_they_say_nothing():
    report = _load("gemm_os_4x4.ecp5-25k.nextpnr-report.json")
    timing = timing_from_nextpnr(report, {})  # no Verilog: _14_ stays anonymous
    # not by the multiplier the register feeds: that is not where the path starts
    assert (timing.start.cell, timing.start.signal) == ("_14__TRELLIS_FF_Q_7", "_14_")
    assert timing.start.term is None


def test_a_design_without_a_clock_has_no_timing():
    assert timing_from_nextpnr({"fmax": {}, "critical_paths": []}, {}) is None


def test_an_engine_placed_out_of_context_has_its_clock_and_signal_names():
    report = _load("topk_p16_n1024.ecp5-85k-ooc.nextpnr-report.json")
    timing = timing_from_nextpnr(report, {})
    assert timing.clock == "clk"  # out of context: no global buffer, the port's own name
    assert timing.fmax_mhz == pytest.approx(17.234, abs=1e-3)
    # the engine's names are not the array's: no term, but the Verilog signals
    assert (timing.start.signal, timing.start.term) == ("suffix15", None)
    assert (timing.end.signal, timing.end.term) == ("buffer.bank9.0.0", None)
