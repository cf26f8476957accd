"""examples/cocotb, what a user writes, passes as pytest runs it: in the repository, and copied
into a folder outside it (it needs only the installed lego, cocotb and Verilator)."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from lego.toolchain import fst_supported

pytestmark = pytest.mark.rtl

ROOT = Path(__file__).resolve().parent.parent.parent
EXAMPLE = ROOT / "examples" / "cocotb"


def _pytest(target: Path, cwd: Path, env: dict[str, str] | None = None) -> str:
    result = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q",
                             str(target)], cwd=cwd, capture_output=True, text=True, check=False,
                            env=dict(os.environ, **(env or {})))
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    return result.stdout


def test_example_specs_are_the_examples():
    for spec in EXAMPLE.glob("*.yaml"):
        assert spec.read_text() == (ROOT / "examples" / "specs" / spec.name).read_text()


def test_example_passes_in_the_repository(tmp_path):
    out = _pytest(EXAMPLE, tmp_path)
    assert "2 passed" in out
    assert (tmp_path / "rtl_out" / "gemm_os_ws_fused_4x4" / "interface.md").is_file()


def test_example_passes_copied_outside_the_repository_and_writes_waves(tmp_path):
    mine = tmp_path / "my_tests"
    shutil.copytree(EXAMPLE, mine, ignore=shutil.ignore_patterns("rtl_out", "__pycache__"))
    # waves need the LZ4 C headers (a system package, Debian liblz4-dev): without them the
    # copy still runs, without waves
    waves = fst_supported()
    assert "2 passed" in _pytest(mine, mine, {"WAVES": "1"} if waves else {})
    for name in ("gemm_os_ws_fused_4x4", "conv2d_os_4x4"):
        if waves:
            assert (mine / "rtl_out" / f"{name}.sim" / "dump.fst").read_bytes()[:1] == b"\0"
