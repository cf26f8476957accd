"""``lego sim layer --layer/--layers``: table, JSON, errors (exit 2, one line), the old form
``lego sim --layer ...``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lego.cli import main
from sim.workload_cli import run

RESNET = Path(__file__).parent / "data" / "scalesim" / "topologies" / "resnet18_five.csv"


def test_table_for_one_gemm(capsys):
    assert main(["sim", "layer", "--layer", "gemm:M=64,N=64,K=64", "--array", "16x16",
                 "--dataflow", "os", "--dram-bw", "inf"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == ("workload: 1 layers on 16x16 os, SRAM bytes A=65536, B=65536, C=65536, "
                      "DRAM unlimited, double buffering on")
    cells = out[2].split()
    # 16 folds of 16 + 16 - 2 + 64 cycles, no stall, 64^3 MACs / (1504 * 256 PE-cycles),
    # every tensor read or written once.
    assert cells[1:7] == ["gemm_64x64x64", "64/64/64", "1504", "1504", "0", "68.09"]
    assert cells[7:11] == ["4096", "4096", "4096", "0"]
    assert out[-1].startswith("total: 1504 cycles (1504 compute, 0 stall), 12288 DRAM bytes")


def test_json_is_stable_and_complete(capsys, tmp_path):
    energy = tmp_path / "e.yaml"
    energy.write_text("dram_pj_per_byte: 80\n")
    argv = ["sim", "layer", "--layers", str(RESNET), "--array", "8x8", "--dataflow", "ws",
            "--sram", "A=8192,B=4096,C=8192", "--dram-bw", "6.5", "--no-double-buffer",
            "--energy", str(energy), "--layer", "conv:H=14,W=14,C=8,K=8,Fh=3,Fw=3,S=2", "--json"]
    assert main(argv) == 0
    first = capsys.readouterr().out
    assert main(argv) == 0
    assert capsys.readouterr().out == first
    data = json.loads(first)
    assert data["accelerator"] == {"array": "8x8", "dataflow": "ws", "dram_bw": 6.5,
                                   "double_buffer": False, "word_bytes": 1,
                                   "sram_bytes": {"A": 8192, "B": 4096, "C": 8192}}
    assert data["energy_table_pj"]["dram_pj_per_byte"] == 80
    names = [layer["name"] for layer in data["layers"]]
    assert names == ["conv_14x14x8_k8_3x3s2", "Conv1", "Conv2_1a", "Conv2_1b", "Conv2_2a",
                     "Conv2_2b"]
    for layer in data["layers"]:
        assert layer["total_cycles"] == layer["compute_cycles"] + layer["stall_cycles"]
    assert data["total"]["total_cycles"] == sum(la["total_cycles"] for la in data["layers"])


@pytest.mark.parametrize("argv,message", [
    (["--layer", "gemm:M=4,N=4,K=0"],
     "--layer 'gemm:M=4,N=4,K=0': field K must be a positive integer, got '0'"),
    (["--layer", "gemm:M=4,N=4"], "--layer 'gemm:M=4,N=4': missing field K"),
    (["--layer", "matmul"], "--layer 'matmul': expected gemm:M=..,N=..,K=.. or conv:"),
    (["--layer", "gemm:M=4,N=4,K=4", "--dataflow", "rs"],
     "dataflow must be one of os, ws, is, got 'rs'"),
    (["--layer", "gemm:M=4,N=4,K=4", "--dram-bw", "0"],
     "--dram-bw must be a positive number of bytes per cycle or 'inf', got '0'"),
    (["--layer", "gemm:M=4,N=4,K=4", "--array", "4by4"],
     "--array must be ROWSxCOLS with positive integers, got '4by4'"),
    (["--layer", "gemm:M=4,N=4,K=4", "--sram", "A=0"],
     "--sram A must be a positive number of bytes, got '0'"),
    (["--layer", "gemm:M=4,N=4,K=4", "--word-bytes", "-1"],
     "--word-bytes must be a positive integer, got '-1'"),
    (["--layer", "conv:H=8,W=64,C=1,K=1,Fh=3,Fw=3", "--sram", "A=200,B=200,C=200"],
     "layer conv_8x64x1_k1_3x3s1: sram A (ifmap) 200 bytes cannot hold the smallest ifmap tile "
     "(1 output row, 1 filter, 1 channel): 192 bytes needed, 100 available"),
    (["--layers", "missing.csv"], "missing.csv: SCALE-Sim topology file not found"),
    (["--array", "8x8"], "lego sim layer needs --layer SPEC or --layers CSV"),
])
def test_bad_input_exits_2_with_one_line(capsys, argv, message):
    assert main(["sim", "layer", *argv]) == 2
    err = capsys.readouterr().err
    assert err == f"lego: error: {message}\n" or (err.startswith("lego: error: ")
                                                   and message in err and err.count("\n") == 1)


@pytest.mark.parametrize("argv,message", [
    (["--layer", "gemm:M=4,N=4,K=4", "--config", "x.cfg"], "unrecognized arguments: --config"),
    (["--layer", "gemm:M=4,N=4,K=4", "--period", "2"], "unrecognized arguments: --period"),
])
def test_options_of_other_modes_are_usage_errors(capsys, argv, message):
    with pytest.raises(SystemExit) as exit_:
        main(["sim", "layer", *argv])
    assert exit_.value.code == 2
    assert message in capsys.readouterr().err


def test_old_form_prints_one_note_and_the_same_output(capsys):
    options = ["--layer", "gemm:M=64,N=64,K=64", "--layers", str(RESNET), "--array", "8x8"]
    assert main(["sim", "layer", *options]) == 0
    new = capsys.readouterr()
    assert main(["sim", *options]) == 0
    old = capsys.readouterr()
    assert (old.out, new.err) == (new.out, "")
    assert old.err == ('lego: note: "lego sim --layer/--layers" is now '
                       '"lego sim layer --layer/--layers"\n')


@pytest.mark.parametrize("argv,message", [
    (["--layer", "gemm:M=4,N=4,K=4", "--scalesim-config", "x.cfg"],
     "use either --layer/--layers (workload mode) or --scalesim-config with "
     "--scalesim-topology, not both"),
    (["--layer", "gemm:M=4,N=4,K=0"],
     "--layer 'gemm:M=4,N=4,K=0': field K must be a positive integer, got '0'"),
    (["--array", "8x8"], "lego sim needs a SPEC, --layer/--layers, or both --scalesim-config "
     "and --scalesim-topology"),
])
def test_old_form_errors_stay_one_line_without_a_note(capsys, argv, message):
    assert main(["sim", *argv]) == 2
    assert capsys.readouterr().err == f"lego: error: {message}\n"


def test_fifty_layers_are_all_reported(tmp_path):
    # speed is measured by benchmarks/workload_sweep.py, not asserted here
    rows = RESNET.read_text().splitlines()
    csv = tmp_path / "fifty.csv"
    csv.write_text("\n".join([rows[0]] + [rows[1 + i % 5] for i in range(50)]) + "\n")

    class Args:
        layer, layers, array, dataflow, sram = None, str(csv), "32x32", "ws", "A=32768"
        dram_bw, double_buffer, word_bytes, energy, json = "16", True, "1", None, True
        input_type = "conv"

    layers = json.loads(run(Args))["layers"]
    assert len(layers) == 50
    assert [layer["name"] for layer in layers[:5]] == [layer["name"] for layer in layers[5:10]]


def test_progress_is_reported_per_layer():
    from sim.workload import Accelerator, gemm, load_table, simulate

    calls = []
    layers = [gemm(f"g{i}", 8, 8, 8) for i in range(3)]
    simulate(layers, Accelerator(4, 4, "is"), load_table(),
             progress=lambda done, total: calls.append((done, total)))
    assert calls == [(1, 3), (2, 3), (3, 3)]
