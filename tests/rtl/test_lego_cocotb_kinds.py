"""lego.cocotb.Accelerator, the same driver, runs a GEMM, a convolution, an MTTKRP and the fused
OS/WS GEMM on Verilator and reads back the golden model's outputs (one build per design)."""

from pathlib import Path

import pytest

from lego.frontend.cli import design_folder_files
from lego.frontend.passes import run_passes
from lego.outputs import write_design
from lego.spec import load_spec
from lego.toolchain import cocotb_outcomes, run_cocotb

pytestmark = pytest.mark.rtl

SPECS = Path(__file__).resolve().parent.parent.parent / "examples" / "specs"


@pytest.mark.parametrize("name", ["gemm_os_4x4", "conv2d_os_4x4", "mttkrp_4x4",
                                  "gemm_os_ws_fused_4x4"])
def test_driver_runs_every_kind(tmp_path, name):
    spec = SPECS / f"{name}.yaml"
    folder = write_design(tmp_path / name, design_folder_files(
        run_passes(load_spec(str(spec))), spec.read_text(), None))
    results = run_cocotb(verilog=folder / f"{name}.v", toplevel=name,
                         test_module="tests.rtl.driver_cocotb", build_dir=tmp_path / "build",
                         extra_env={"LEGO_SPEC": str(spec), "LEGO_DESIGN": str(folder)})
    assert cocotb_outcomes(results) == {"every_dataflow_matches_golden": "passed"}
