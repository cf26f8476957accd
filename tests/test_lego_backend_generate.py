"""RTL generation: byte-identical output, lint-clean Verilog, report contents, CLI."""

import json
from pathlib import Path

import pytest

from lego.backend.generate import generate, hand_style_register_bits
from lego.cli import main
from lego.frontend.passes import run_passes
from lego.spec import load_spec

SPECS = Path(__file__).resolve().parent.parent / "examples" / "specs"


def _adg(name):
    return run_passes(load_spec(SPECS / name)).adg


def test_same_spec_gives_byte_identical_verilog_and_report(tmp_path):
    outs = []
    for run in ("a", "b"):
        out = tmp_path / run
        assert main(["gen", str(SPECS / "gemm_os_ws_fused_4x4.yaml"), "-o", str(out)]) == 0
        outs.append(out)
    for name in ("gemm_os_ws_fused_4x4.v", "report.json", "manifest.json",
                 "gemm_os_ws_fused_4x4.core"):
        assert (outs[0] / name).read_bytes() == (outs[1] / name).read_bytes()
    report = json.loads((outs[0] / "report.json").read_text())
    assert report["fus"] == 16 and report["dataflows"] == ["os", "ws"]
    assert report["lp_register_bits"] > 0 and report["hand_register_bits"] > 0
    timings = json.loads((outs[0] / "timings.json").read_text())
    assert "lp_seconds" in timings
    assert list(timings["pass_seconds"]) == ["lower", "pipeline", "ports", "rtl"]


def test_bad_period_is_one_line_error(tmp_path, capsys):
    code = main(["gen", str(SPECS / "gemm_os_4x4.yaml"), "--period", "-1", "-o",
                 str(tmp_path / "x")])
    assert code == 2
    assert "--period must be a positive number of ns, not -1.0" in capsys.readouterr().err


def test_too_short_period_names_the_design(tmp_path, capsys):
    code = main(["gen", str(SPECS / "gemm_os_4x4.yaml"), "--period", "1", "-o",
                 str(tmp_path / "x")])
    assert code == 2
    assert "design gemm_os_4x4: clock period 1.0 ns is too short" in capsys.readouterr().err


@pytest.mark.rtl
@pytest.mark.parametrize("name", ["conv2d_stride2_4x4.yaml", "gemm_os_16x16.yaml",
                                  "gemm_ws_16x16.yaml"])
def test_generated_verilog_is_lint_clean(tmp_path, name):
    from lego.toolchain import lint_verilog

    gen = generate(_adg(name))
    path = tmp_path / f"{gen.design.name}.v"
    path.write_text(gen.verilog)
    assert lint_verilog(path, gen.design.name) == []


def test_hand_style_registers_are_one_per_fu_edge_and_fu_output():
    """gemm_os_4x4: A and B each hop along 12 direct FU-to-FU edges (8 bits), and each of the
    16 FUs keeps an accumulator in its partial-sum bits (19, lego.backend.partial_sums; the
    32-bit word's upper bits copy its sign, no flip-flops): 24 * 8 + 16 * 19. The LP needs
    fewer on a relaxed clock (no hop registers; the multiplies' registers are inside the
    DSPs); at 5 ns, near the tightest the ECP5 table accepts, it adds a fabric register on
    every product (the route out of a DSP in an array into its adder does not fit:
    DelayModel.product_out) and registers on control, and beyond the products it still needs
    fewer than the hand style."""
    adg = _adg("gemm_os_4x4.yaml")
    assert hand_style_register_bits(adg) == 24 * 8 + 16 * 19
    relaxed, tight = generate(adg).schedule, generate(adg, 5.0).schedule
    products = {(s, d): r for s, d, _, r in tight.edge_registers if s.startswith("m.")}
    assert len(products) == 16 and set(products.values()) == {1}
    assert relaxed.register_bits < tight.register_bits - 16 * 16 < 24 * 8 + 16 * 19
    assert relaxed.timing_constraints == 0 < tight.timing_constraints
