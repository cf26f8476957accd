"""`lego sim design SPEC`: the cycle model read from the lowered design and its schedule."""

import json
from pathlib import Path

from lego.cli import main
from sim.design import simulate_spec

SPECS = Path(__file__).resolve().parent.parent / "examples" / "specs"


def test_cycles_are_start_steps_drain_and_done():
    (run,) = simulate_spec(str(SPECS / "gemm_os_4x4.yaml"))
    assert (run.steps, run.fus) == (2 * 2 * 8, 16)
    assert run.cycles == 1 + run.steps + run.drain
    assert abs(run.utilization - run.steps / run.cycles) < 1e-12


def test_a_tighter_clock_deepens_the_drain():
    relaxed = simulate_spec(str(SPECS / "gemm_os_ws_fused_4x4.yaml"))
    tight = simulate_spec(str(SPECS / "gemm_os_ws_fused_4x4.yaml"), period_ns=5.0)
    assert [r.dataflow for r in relaxed] == ["os", "ws"]
    assert all(t.cycles > r.cycles for t, r in zip(tight, relaxed, strict=True))


def test_cli_json_for_one_dataflow(capsys):
    spec = str(SPECS / "gemm_os_ws_fused_4x4.yaml")
    assert main(["sim", "design", spec, "--dataflow", "ws", "--json"]) == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert row["dataflow"] == "ws" and row["cycles"] == row["steps"] + row["drain"] + 1


def test_cli_errors_are_one_line(capsys):
    spec = str(SPECS / "gemm_os_4x4.yaml")
    assert main(["sim", "design", spec, "--dataflow", "zz"]) == 2
    assert capsys.readouterr().err == (f"lego: error: {spec}: --dataflow 'zz' is not a dataflow "
                                       "of the spec (os)\n")



def test_old_form_mode_checks_still_hold(capsys):
    """``lego sim SPEC`` (before the sub-commands) keeps refusing other modes' options."""
    spec = str(SPECS / "gemm_os_4x4.yaml")
    assert main(["sim", spec, "--layer", "gemm:M=4,N=4,K=4"]) == 2
    assert "takes no --scalesim-*/--layer/--layers options" in capsys.readouterr().err
    assert main(["sim", "--period", "2"]) == 2
    assert capsys.readouterr().err == "lego: error: --period needs a SPEC\n"


def test_workload_options_are_refused_not_ignored(capsys):
    spec = str(SPECS / "gemm_os_4x4.yaml")
    assert main(["sim", spec, "--array", "8x8", "--no-double-buffer"]) == 2
    assert capsys.readouterr().err.endswith("(got --array, --double-buffer)\n")
    cfg = str(Path(__file__).resolve().parent / "data" / "scalesim" / "configs" / "os_8x8.cfg")
    assert main(["sim", "--scalesim-config", cfg, "--scalesim-topology", cfg,
                 "--dataflow", "ws", "--dram-bw", "4"]) == 2
    assert capsys.readouterr().err == ("lego: error: --dram-bw, --dataflow: not an option of "
                                       "SCALE-Sim mode (the array and dataflow come from "
                                       "--scalesim-config)\n")


def test_energy_prices_the_exact_counts(tmp_path, capsys):
    table = tmp_path / "energy.yaml"
    table.write_text("mac_pj: 1.0\nregister_pj: 0.0\nsram_read_pj: 64.0\nsram_write_pj: 0.0\n"
                     "sram_bank_width_bits: 8\n")
    spec = str(SPECS / "gemm_ws_4x4.yaml")
    assert main(["sim", "design", spec, "--energy", str(table), "--json"]) == 0
    (row,) = json.loads(capsys.readouterr().out)
    # 512 MACs at 1 pJ; 8-bit reads of A (128) and B (64) and 32-bit reads of the partial sums
    # (128) in 8-bit words of 64 pJ
    assert row["energy_pj"]["mac"] == 32 * 16
    assert row["energy_pj"]["sram_read"] == (128 * 8 + 64 * 8 + 128 * 32) / 8 * 64
    assert row["energy_pj"]["total"] == 32 * 16 + (128 + 64 + 128 * 4) * 64
    assert row["energy_note"].startswith("estimates")


def test_bubbles_add_cycles_but_no_steps_and_no_sram_access(monkeypatch):
    import lego.backend.preload as lower

    spec = str(SPECS / "gemm_os_ws_fused_4x4.yaml")
    plain = simulate_spec(spec, period_ns=6.0)
    monkeypatch.setitem(lower.BUBBLES, "ws", (3, 2))  # 3 before each of WS's 2 x 2 tiles
    bubbly = simulate_spec(spec, period_ns=6.0)
    assert plain[0] == bubbly[0]  # OS issues none
    ws, ws_bubbly = plain[1], bubbly[1]
    assert (ws_bubbly.steps, ws_bubbly.drain) == (ws.steps, ws.drain)
    assert ws_bubbly.cycles == ws.cycles + 3 * 4
    assert ws_bubbly.sram == ws.sram
    assert abs(ws_bubbly.utilization - ws.steps / ws_bubbly.cycles) < 1e-12
