"""``lego verify`` is safe under concurrency and interruption: two runs of one spec at once both
pass (they once collided on a shared stimuli file), and a run killed while it builds leaves the
previous output folder as it was."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.rtl

ROOT = Path(__file__).resolve().parent.parent.parent
SPEC = str(ROOT / "examples" / "specs" / "gemm_os_4x4.yaml")


def _verify(cwd: Path, *argv: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "lego.cli", "verify", SPEC, "--seeds", "1",
                             *argv], cwd=cwd, env=dict(os.environ, PYTHONPATH=str(ROOT)),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def test_two_runs_at_once_both_pass_and_a_killed_run_keeps_the_output(tmp_path):
    runs = [_verify(tmp_path), _verify(tmp_path), _verify(tmp_path, "-o", "other")]
    for run in runs:
        out, _ = run.communicate(timeout=900)
        assert run.returncode == 0, out[-2000:]
        assert "lego verify: passed" in out
    folder = tmp_path / "rtl_out" / "gemm_os_4x4"
    for done in (folder, tmp_path / "other"):
        assert json.loads((done / "verify.json").read_text())["passed"]
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    killed = _verify(tmp_path)
    time.sleep(4)  # generating or building
    killed.send_signal(signal.SIGKILL)
    killed.communicate()
    assert {p.name: p.read_bytes() for p in folder.iterdir()}.keys() == before.keys()
    assert (folder / "verify.json").read_bytes() == before["verify.json"]
