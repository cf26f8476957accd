"""Net and cell names after synthesis, read in the design's terms."""

from pathlib import Path

import pytest

from lego.synth.names import base_name, describe, design_term, verilog_aliases, verilog_signal

DATA = Path(__file__).resolve().parent / "data" / "synth"


@pytest.mark.parametrize("name, term", [
    # cells and nets from the recorded nextpnr report and ltp output
    ("m_fu_2_3_MULT18X18D_P9", "FU (2,3) multiplier"),
    ("mem_C_11[3]_TRELLIS_FF_Q_22", "C memory bank 11"),
    ("mem_B_3._0__TRELLIS_FF_Q_6", "B memory bank 3"),
    ("\\mem_C_13.write__data [31]", "C memory bank 13"),
    ("host_bank_q[0]", "host port"),
    ("host_rdata_L6MUX21_Z_6_SD_PFUMX_Z_C0_LUT4_Z", "host port"),
    ("\\acc_fu_3_1_p_os_all_zero_2 [31]", "FU (3,1) accumulator"),
    ("r_A_fu_0_0_p", "FU (0,0) A memory read"),
    ("a_os_C_fu_0_1", "FU (0,1) C address"),
    # inside an address generator's instance (lego/backend/rtl/address.py), after flattening
    ("addr_C_0.$6_CCU2C_S0", "C address generator"),
    ("w_A_fu_0_0_fu_0_1", "A link FU (0,0) -> FU (0,1)"),
    ("wr_fu_0_0_os_en3", "FU (0,0) memory write"),
    ("g_fu_1_1_p_os_all_zero_0", "FU (1,1) accumulator gate"),
    ("\\ctrl_d1 [5]", "controller"),
    ("os_valid", "controller"),
    ("copy_counters_d3_g4_ff.bits[2].ff", "controller (a copy for some banks or FUs)"),
    ("fu_1_2.acc", "FU (1,2)"),
    # anonymous: nothing to say without the Verilog
    ("_14__TRELLIS_FF_Q_7", None),
    ("\\$174_LUT4_C_3_Z", None),
])
def test_design_terms(name, term):
    assert design_term(name) == term


@pytest.mark.parametrize("name, base", [
    ("_14__TRELLIS_FF_Q_7", "_14_"), ("_14_[7]", "_14_"), ("\\ctrl_d1 [5]", "ctrl_d1"),
    ("mem_C_11[3]_TRELLIS_FF_Q_22", "mem_C_11"), ("\\$174_LUT4_C_3_Z", "$174"),
])
def test_base_names(name, base):
    assert base_name(name) == base


def test_anonymous_registers_are_followed_to_the_memory_they_read():
    aliases = verilog_aliases((DATA / "gemm_os_4x4.excerpt.v").read_text())
    assert aliases["_14_"] == "mem_B_3"  # the read register, rather than what it feeds
    assert describe(["_14__TRELLIS_FF_Q_7", "_14_[7]"], aliases) == "B memory bank 3"
    assert describe(["_99__TRELLIS_FF_Q"], aliases) is None


@pytest.mark.parametrize("name, signal", [
    # from the SpAtten top-k engine's critical path (nextpnr, out of context)
    ("suffix15_TRELLIS_FF_Q", "suffix15"),
    ("buffer.bank9.0.0_ADA8_TRELLIS_FF_Q", "buffer.bank9.0.0"),
    ("quota_TRELLIS_FF_Q_10_DI_CCU2C_S0_B1", "quota"),
    ("mem_C_11.ram.0.6$DPRAM_COMB1", "mem_C_11.ram.0.6"),
    ("m_fu_2_3_MULT18X18D_P9", "m_fu_2_3"),
    ("_14__TRELLIS_FF_Q_7", "mem_B_3"),  # through the alias
    ("$nextpnr_CCU2C_215$CIN", "$nextpnr_CCU2C_215$CIN"),  # nothing to cut it to
])
def test_the_verilog_signal_behind_a_cell_or_net(name, signal):
    assert verilog_signal(name, {"_14_": "mem_B_3"}) == signal
