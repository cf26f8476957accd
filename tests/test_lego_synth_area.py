"""lego.synth.area: a synthesized design's cells charged to the parts of the design."""

import pytest

from lego.synth.area import area_by_part, part_of


@pytest.mark.parametrize("signal, part", [
    ("fu_3_3.acc_self_flows_r1", "FUs"),
    ("m_fu_2_3", "FUs"),
    ("mem_B_3._1_", "B memory"),
    ("mem_C_11", "C memory"),
    ("a_os_C_fu_3_3", "addresses"),
    ("addr_A_0", "addresses"),
    ("w_A_fu_0_0_fu_0_1", "links between FUs"),
    ("host_chunk_3_q", "host port"),
    ("ctrl_d1", "controller"),
    ("suffix15", "other"),
])
def test_parts(signal, part):
    assert part_of(signal) == part


def test_cells_by_part_from_a_netlist():
    netlist = {"modules": {"top": {"cells": {
        "fu_0_1.m_self_dsp.dsp": {"type": "MULT18X18D"},
        "fu_0_1.acc_TRELLIS_FF_Q_3": {"type": "TRELLIS_FF"},
        "mem_A_0.ram.0.0": {"type": "TRELLIS_DPR16X4"},
        "_14__TRELLIS_FF_Q_7": {"type": "TRELLIS_FF"},  # a bank's read register, by alias
        "host_chunk_0_q_TRELLIS_FF_Q_DI_LUT4_Z": {"type": "LUT4"},
        "$abc$123$auto": {"type": "LUT4"},
        "VCC": {"type": "VCC"},  # not a resource: not counted
    }}}}
    parts = dict(area_by_part(netlist, "top", {"_14_": "mem_B_3"}))
    assert parts == {"FUs": (("FF", 1), ("MULT18X18D", 1)), "A memory": (("DPR16X4", 1),),
                     "B memory": (("FF", 1),), "host port": (("LUT4", 1),),
                     "other": (("LUT4", 1),)}
