"""search: {nsga2: ...}: a seeded NSGA-II search over the grid (optuna, lego[search])."""

import os
from pathlib import Path

import pytest

from lego.sweep.driver import RunOptions, run_sweep
from lego.sweep.export import read_table, to_csv
from lego.sweep.sweepfile import load_sweep

ROOT = Path(__file__).resolve().parent.parent
FIVE = ROOT / "tests" / "data" / "scalesim" / "topologies" / "resnet18_five.csv"
SWEEP = f"""\
base: {{preset: gemm-os, name: t, size: {{M: 64, N: 64, K: 64}}, array: [4, 4]}}
axes:
  array: [[4, 4], [4, 8], [8, 4], [8, 8], [16, 8], [8, 16], [16, 16], [32, 32]]
  preset: [gemm-os, gemm-ws, gemm-is]
  workload.sram_kib: [8, 16, 32, 64, 128]
  workload.dram_bw: [4, 8, 16, 32]
where: "array[0] * array[1] <= 256"
workload: {{layers: {FIVE}}}
search: {{nsga2: {{generations: 3, population: 8, seed: 7}}}}
stages:
  sim: {{}}
  gen: {{promote: {{top: 1, by: cycles}}}}
objectives: {{cycles: min, energy_uj: min}}
"""


def _run(path, out, **options):
    with open(os.devnull, "w") as stream:
        return run_sweep(load_sweep(path), out, RunOptions(upto="sim", **options),
                         stream=stream)


def test_the_search_is_seeded_resumable_and_keeps_to_where(tmp_path):
    pytest.importorskip("optuna", reason="the search is the optional extra lego[search]")
    path = tmp_path / "s.yaml"
    path.write_text(SWEEP)
    first = _run(path, tmp_path / "one")[0]
    assert 0 < first.points <= 24 and first.evaluated == first.points
    assert _run(path, tmp_path / "one")[0].evaluated == 0  # resumed: the store answers
    _run(path, tmp_path / "two", jobs=2)
    table = read_table(tmp_path / "one")
    assert to_csv(table) == to_csv(read_table(tmp_path / "two"))
    arrays = {row[1] for row in table.rows}
    assert "32x32" not in arrays  # the where: filter holds for searched points too
    path.write_text(SWEEP.replace("seed: 7", "seed: 8"))
    _run(path, tmp_path / "other")
    assert to_csv(read_table(tmp_path / "other")) != to_csv(table)
