"""Throughput of ``lego sweep`` at the sim stage: points per second, store writes included
(one SQLite transaction per point), with 1 and 2 local worker processes, and the time of a
rerun of the finished sweep (zero evaluations), each a ``lego sweep`` command of its own.
CPU ms/point is the CPU time of the whole command and its workers over the points (on a
loaded machine the wall-clock rate shows the share of the CPUs the sweep got, this the cost).
Each figure is the best of three runs (the machine is shared). Points/s is over the sim stage's
wall-clock time; the command's whole time adds Python's start,
imports and the expansion of the grid.

The sweep: arrays 4..32 x 4..32 (16 shapes) x OS/WS/IS x 5 SRAM sizes x 3 DRAM bandwidths =
720 points through the workload model, on two workloads: the spec's own GEMM (64x64x64, one
layer per point) and the first five ResNet-18 conv layers (tests/data/scalesim/topologies/
resnet18_five.csv, five layers per point). The model's cost is per layer (its tiling search).

    nice -n 10 python benchmarks/sweep_throughput.py

Writes benchmarks/results/sweep_throughput.json and prints a table.
"""

from __future__ import annotations

import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lego.tables import format_table  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "sweep_throughput.json"
LAYERS = ROOT / "tests" / "data" / "scalesim" / "topologies" / "resnet18_five.csv"
SWEEP = f"""\
name: throughput
base: {{preset: gemm-os, name: t, size: {{M: 64, N: 64, K: 64}}, array: [4, 4]}}
axes:
  array: [{", ".join(f"[{r}, {c}]" for r in (4, 8, 16, 32) for c in (4, 8, 16, 32))}]
  preset: [gemm-os, gemm-ws, gemm-is]
  workload.sram_kib: [8, 16, 32, 64, 128]
  workload.dram_bw: [8, 16, 32]
workload: {{{{WORKLOAD}}}}
stages: {{sim: {{}}}}
objectives: {{cycles: min, energy_uj: min}}
"""


REPEATS = 3
WORKLOADS = {"spec GEMM 64x64x64 (1 layer)": "", "ResNet-18 conv 1-5 (5 layers)":
             f"layers: {LAYERS}"}


def _sweep(sweep_file: Path, out: Path, jobs: int) -> tuple[int, int, float, float, float]:
    """(points, evaluated, stage seconds, whole command seconds, CPU seconds of the command
    and its workers) of one ``lego sweep`` run in a fresh process (a worker forked from a
    process that ran the sweep before would start with its caches warm)."""
    cpu = _children_cpu()
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "lego.cli", "sweep", str(sweep_file), "-o",
                             str(out), "--jobs", str(jobs)], capture_output=True, text=True,
                            cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT)), check=True)
    whole = time.perf_counter() - start
    match = re.match(r"sim: (\d+) points, (\d+) evaluated.*, ([\d.]+) s$",
                     result.stdout.splitlines()[0])
    return int(match[1]), int(match[2]), float(match[3]), whole, _children_cpu() - cpu


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(folder: Path, workload: str, jobs: int) -> dict:
    sweep_file = folder / "sweep.yaml"
    sweep_file.write_text(SWEEP.replace("{WORKLOAD}", WORKLOADS[workload]))
    runs = []
    for attempt in range(REPEATS):  # the best of a few: the machine is shared
        out = folder / f"{workload.split()[0]}-{jobs}-{attempt}"
        points, evaluated, stage, whole, cpu = _sweep(sweep_file, out, jobs)
        _, again, _, rerun, _ = _sweep(sweep_file, out, jobs)
        assert evaluated == points and again == 0
        runs.append((stage, whole, rerun, cpu))
    stage, whole, rerun, cpu = (min(column) for column in zip(*runs, strict=True))
    return {"workload": workload, "jobs": jobs, "points": points, "stage_s": stage,
            "points_per_s": round(points / stage, 1), "whole_run_s": round(whole, 3),
            "rerun_s": round(rerun, 3), "cpu_ms_per_point": round(1e3 * cpu / points, 2)}


def main() -> int:
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for workload in WORKLOADS:
            for jobs in (1, 2):
                rows.append(measure(Path(folder), workload, jobs))
    record = {"cpus": os.cpu_count(), "load_average_1min": round(os.getloadavg()[0], 2),
              "runs": rows}
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(record, indent=2, sort_keys=True) + "\n")
    header = ("workload", "jobs", "points", "sim stage s", "points/s", "whole run s", "rerun s",
              "CPU ms/point")
    print(format_table([header] + [(r["workload"], r["jobs"], r["points"], r["stage_s"],
                                    r["points_per_s"], r["whole_run_s"], r["rerun_s"],
                                    r["cpu_ms_per_point"]) for r in rows], "l" + "r" * 7))
    print(f"load average (1 min) at the end: {record['load_average_1min']} on "
          f"{record['cpus']} CPUs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
