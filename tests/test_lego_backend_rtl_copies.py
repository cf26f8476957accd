"""Copies of a control register per group of banks and FUs (lego.backend.rtl.copies): only in
arrays larger than the delay model was fitted on, each copy loaded from the register before it,
each group's ports and FUs wired to their own copy. (The 16x16 examples, which have copies,
verify on Verilator in tests/rtl/test_verify_examples.py and lint clean in
tests/test_lego_backend_generate.py.)"""

import re
from pathlib import Path

import pytest

import lego.backend.rtl.copies as copies
from lego.backend.generate import generate
from lego.frontend.passes import run_passes
from lego.spec import load_spec
from lego.toolchain import lint_verilog

SPECS = Path(__file__).resolve().parent.parent / "examples" / "specs"


def _verilog(name: str, period: float | None = None) -> str:
    return generate(run_passes(load_spec(SPECS / name)).adg, period).verilog


@pytest.mark.parametrize("count, size", [(16, 4), (64, 8), (65, 9), (144, 12), (256, 16)])
def test_a_group_is_about_a_row_of_a_square_array(count, size):
    assert copies.group_size(count) == size


def test_an_array_the_delay_model_was_fitted_on_has_no_copies():
    assert copies.COPY_BEYOND == 64
    assert "lego_copy_ff" not in _verilog("gemm_os_4x4.yaml", 5)


def test_each_group_of_banks_and_fus_takes_its_own_copy(monkeypatch):
    monkeypatch.setattr(copies, "COPY_BEYOND", 4)  # the 4x4's 16 FUs and C banks: 4 groups
    verilog = _verilog("gemm_os_4x4.yaml", 5)
    instances = re.findall(r"lego_copy_ff #\(\s*\.W\(32'd(\d+)\)\s*\)\s*(\S+)\s*\((.*?)\);",
                           verilog, re.S)
    assert instances
    for _width, label, ports in instances:
        # copy_<net>_d<r>_g<group>_ff loads from <net>_d<r-1> (d0: the net itself)
        net, regs, group = re.fullmatch(r"copy_(\w+)_d(\d+)_g(\d+)_ff", label).groups()
        source = net if regs == "1" else f"{net}_d{int(regs) - 1}"
        assert f".d({source})" in ports
        assert f".q(copy_{net}_d{regs}_g{group})" in ports
    groups = {re.fullmatch(r"\S+_g(\d+)_ff", label)[1] for _, label, _ in instances}
    assert groups == {"0", "1", "2", "3"}
    # C bank b is written with the enable of its group (b // 4), computed from its copies
    for bank in range(16):
        enable = re.search(rf"assign mem_C_{bank}__w_en = (\S+);", verilog)[1]
        assert enable.endswith(f"_g{bank // 4}"), (bank, enable)
        assert re.search(rf"assign {enable} = ", verilog)


def test_the_portable_copy_module_is_lint_clean(tmp_path):
    path = tmp_path / "copy.v"
    path.write_text(copies.verilog())
    assert "`ifdef LEGO_ECP5_DSP" in copies.verilog()  # the TRELLIS_FF form: lego synth
    assert lint_verilog(path, copies.NAME) == []
