"""`lego sim SPEC`: the design's cycle model, read from the lowered design and its schedule."""

import json
from pathlib import Path

from lego.cli import main
from sim.design import simulate_spec

SPECS = Path(__file__).resolve().parent.parent / "examples" / "specs"


def test_cycles_are_start_steps_drain_and_done():
    (run,) = simulate_spec(str(SPECS / "gemm_os_4x4.yaml"))
    assert (run.steps, run.fus) == (2 * 2 * 8, 16)
    assert run.cycles == 1 + run.steps + run.drain + 1
    assert abs(run.utilization - run.steps / run.cycles) < 1e-12


def test_a_tighter_clock_deepens_the_drain():
    relaxed = simulate_spec(str(SPECS / "gemm_os_ws_fused_4x4.yaml"))
    tight = simulate_spec(str(SPECS / "gemm_os_ws_fused_4x4.yaml"), period_ns=4.0)
    assert [r.dataflow for r in relaxed] == ["os", "ws"]
    assert all(t.cycles > r.cycles for t, r in zip(tight, relaxed, strict=True))


def test_cli_json_for_one_dataflow(capsys):
    spec = str(SPECS / "gemm_os_ws_fused_4x4.yaml")
    assert main(["sim", spec, "--dataflow", "ws", "--json"]) == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert row["dataflow"] == "ws" and row["cycles"] == row["steps"] + row["drain"] + 2


def test_cli_errors_are_one_line(capsys):
    spec = str(SPECS / "gemm_os_4x4.yaml")
    assert main(["sim", spec, "--dataflow", "zz"]) == 2
    assert capsys.readouterr().err == (f"lego: error: {spec}: --dataflow 'zz' is not a dataflow "
                                       "of the spec (os)\n")
    assert main(["sim", spec, "--layer", "gemm:M=4,N=4,K=4"]) == 2
    assert "takes no --scalesim-*/--layer/--layers options" in capsys.readouterr().err
    assert main(["sim", "--period", "2"]) == 2
    assert capsys.readouterr().err == "lego: error: --period needs a SPEC\n"
