"""examples/sweeps/: every sweep file loads, and the workload sweep gives the numbers of
benchmarks/workload_sweep.py (benchmarks/results/workload_sweep.json) for its 27 points."""

import json
import os
from pathlib import Path

import pytest

from lego.sweep.driver import RunOptions, run_sweep
from lego.sweep.export import read_table
from lego.sweep.points import expand_points
from lego.sweep.sweepfile import load_sweep

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples" / "sweeps").glob("*.yaml"))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_every_example_loads_and_expands(path):
    assert expand_points(load_sweep(path))


def test_the_workload_sweep_gives_the_benchmark_numbers(tmp_path):
    with open(os.devnull, "w") as stream:
        run_sweep(load_sweep(ROOT / "examples" / "sweeps" / "workload_sweep.yaml"),
                  tmp_path / "out", RunOptions(jobs=2), stream=stream)
    table = read_table(tmp_path / "out")
    rows = {(r[1], r[2], r[3]): dict(zip(table.columns, r, strict=True)) for r in table.rows}
    expected = json.loads((ROOT / "benchmarks" / "results" / "workload_sweep.json").read_text())
    assert len(rows) == len(expected["points"]) == 27
    for point in expected["points"]:
        row = rows[point["array"], f"gemm-{point['dataflow']}", str(point["sram_kib_each"])]
        assert row["sim.status"] == "ok"
        assert (row["sim.cycles"], row["sim.compute_cycles"], row["sim.stall_cycles"],
                row["sim.dram_bytes"], round(row["sim.energy_uj"], 3), row["pareto"]) == (
            point["total_cycles"], point["compute_cycles"], point["stall_cycles"],
            point["dram_bytes"], point["energy_uj"], point["pareto"])
