"""The sim stage's spec_layers model: the spec as a template on a layers file, as ``lego sim
design SPEC --layers`` runs it, with one TileTimer per design and period in a worker."""

import json
import re

import pytest

from lego.cli import main
from lego.sweep import simmodels, stages
from lego.sweep.driver import RunOptions, run_sweep
from lego.sweep.export import read_table
from lego.sweep.points import expand_points
from lego.sweep.stages import evaluate_batch
from lego.sweep.sweepfile import load_sweep

LAYERS = """\
Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,
L1,10,10,3,3,4,8,1,
L2,8,8,1,1,8,12,1,
"""
SPEC = {"preset": "gemm-os", "name": "t", "size": {"M": 8, "N": 8, "K": 8}, "array": [4, 4]}


def _workload(tmp_path, **fields):
    layers = tmp_path / "two.csv"
    layers.write_text(LAYERS)
    return {"layers": str(layers), "input_type": "conv", "sram_kib": 1, "dram_bw": 16,
            "double_buffer": True, "word_bytes": "auto", "energy": None} | fields


def _sweep(tmp_path, stages="sim: {model: spec_layers}", sram="1"):
    (tmp_path / "two.csv").write_text(LAYERS)
    path = tmp_path / "s.yaml"
    path.write_text(f"""\
base: {json.dumps(SPEC)}
axes:
  preset: [gemm-os, [gemm-os, gemm-ws]]
  period: [null, 10]
workload: {{layers: two.csv, sram_kib: {sram}}}
stages:
  {stages}
objectives: {{cycles: min, energy_uj: min}}
""")
    return path


def test_sweep_numbers_equal_lego_sim_design_layers_for_each_point(tmp_path, capsys):
    path = _sweep(tmp_path)
    [summary] = run_sweep(load_sweep(path), tmp_path / "out", RunOptions(), stream=None)
    assert (summary.points, summary.evaluated) == (4, 4)
    table = read_table(tmp_path / "out")
    rows = {row[0]: dict(zip(table.columns, row, strict=True)) for row in table.rows}
    for point in expand_points(load_sweep(path)):
        spec = tmp_path / f"{point.key}.yaml"
        spec.write_text(json.dumps(point.payload["spec"]))
        period = point.payload["period"]
        argv = ["sim", "design", str(spec), "--layers", str(tmp_path / "two.csv"),
                "--sram", "A=1024,B=1024,C=1024", "--json"]
        assert main(argv + (["--period", str(period)] if period else [])) == 0
        total = json.loads(capsys.readouterr().out)["total"]
        row = rows[point.key]
        assert row["sim.status"] == "ok", row["sim.message"]
        assert (row["sim.cycles"], row["sim.compute_cycles"], row["sim.stall_cycles"],
                row["sim.dram_bytes"], row["sim.macs"]) == \
            (total["total_cycles"], total["compute_cycles"], total["stall_cycles"],
             total["dram_bytes"], total["macs"])
        assert row["sim.energy_uj"] == pytest.approx(total["energy_pj"] / 1e6, rel=1e-12)
        assert row["sim.utilisation"] == pytest.approx(100 * total["utilisation"], abs=1e-4)
    # the fused design at 10 ns drains longer than OS alone: the period reaches the tiles
    cycles = {(row[1], row[2]): row[table.columns.index("sim.cycles")] for row in table.rows}
    assert cycles['["gemm-os","gemm-ws"]', "10"] > cycles["gemm-os", "10"]


def test_one_tile_timer_per_design_and_period_in_a_worker(tmp_path):
    payload = {"spec": SPEC, "workload": _workload(tmp_path), "period": None}
    [first] = evaluate_batch("sim", {"model": "spec_layers"}, [("a", payload)])
    timer = simmodels._timer(stages._spec(payload), None)
    lowered = timer.lowered_shapes
    assert lowered >= 3  # the spec's own design and a tile per layer
    # another workload on the same design: the same timer, no tile lowered again
    again = payload | {"workload": _workload(tmp_path, dram_bw="inf")}
    [second] = evaluate_batch("sim", {"model": "spec_layers"}, [("b", again)])
    assert first.status == second.status == "ok"
    assert simmodels._timer(stages._spec(again), None) is timer
    assert timer.lowered_shapes == lowered
    assert second.metrics["compute_cycles"] == first.metrics["compute_cycles"]
    assert second.metrics["stall_cycles"] == 0 < first.metrics["stall_cycles"]


def test_sram_kib_design_and_inf(tmp_path):
    def run(sram_kib, model="spec_layers", size=SPEC["size"]):
        payload = {"spec": SPEC | {"size": size},
                   "workload": _workload(tmp_path, sram_kib=sram_kib), "period": None}
        return evaluate_batch("sim", {"model": model}, [("k", payload)])[0]

    unbounded, small = run("inf"), run(1)
    assert unbounded.status == small.status == "ok"
    # unbounded: one tile per layer (start, drain and done once, not per tile), but nothing
    # to overlap its loads with
    assert unbounded.metrics["compute_cycles"] < small.metrics["compute_cycles"]
    assert unbounded.metrics["stall_cycles"] > small.metrics["stall_cycles"]
    # design: the memories of the design generated at the spec's size (64 elements per tensor
    # at 8x8x8 cannot hold an OS tile of L1's 36-long reduction; 16x16x64's can)
    tiny = run("design")
    assert tiny.status == "invalid"
    assert re.match(r"layer L1: no tile fits the on-chip memory on dataflow os \(elements per "
                    r"tensor \{'A': 64, 'B': 64, 'C': 64\}", tiny.message)
    assert run("design", size={"M": 16, "N": 16, "K": 64}).status == "ok"
    refused = run("design", model="workload")
    assert refused.status == "invalid"
    assert re.fullmatch(r"the workload model needs workload.sram_kib in KiB, not 'design' "
                        r"\(that is for model: spec_layers\)", refused.message)


def test_spec_layers_needs_layers(tmp_path):
    payload = {"spec": SPEC, "workload": _workload(tmp_path, layers=None), "period": None}
    [result] = evaluate_batch("sim", {"model": "spec_layers"}, [("k", payload)])
    assert (result.status, result.message) == ("invalid",
                                               "the spec_layers model needs workload.layers")


def test_sweep_file_takes_the_model_and_refuses_a_bad_sram(tmp_path, capsys):
    assert load_sweep(_sweep(tmp_path, sram="design")).stage_options("sim") == \
        {"model": "spec_layers"}
    path = _sweep(tmp_path, sram="lots")
    assert main(["sweep", str(path), "-o", str(tmp_path / "out")]) == 2
    assert re.fullmatch(r"lego: error: .*s\.yaml:\d+: workload\.sram_kib: must be a positive "
                        r"integer \(KiB per operand buffer\), design or inf, not 'lots'\n",
                        capsys.readouterr().err)
    assert not (tmp_path / "out").exists()
