"""Throughput of ``lego sweep`` at the sim stage: points per second, store writes included
(one SQLite transaction per point), with 1 and 2 local worker processes, and the time of a
rerun of the finished sweep (zero evaluations).

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
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lego.sweep.driver import RunOptions, run_sweep  # noqa: E402
from lego.sweep.sweepfile import load_sweep  # noqa: E402
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


WORKLOADS = {"spec GEMM 64x64x64 (1 layer)": "", "ResNet-18 conv 1-5 (5 layers)":
             f"layers: {LAYERS}"}


def measure(folder: Path, workload: str, jobs: int) -> dict:
    sweep_file = folder / "sweep.yaml"
    sweep_file.write_text(SWEEP.replace("{WORKLOAD}", WORKLOADS[workload]))
    folder = folder / workload.split()[0]
    with open(os.devnull, "w") as stream:
        start = time.perf_counter()
        first = run_sweep(load_sweep(sweep_file), folder / f"out{jobs}", RunOptions(jobs=jobs),
                          stream=stream)[0]
        whole = time.perf_counter() - start
        start = time.perf_counter()
        rerun = run_sweep(load_sweep(sweep_file), folder / f"out{jobs}", RunOptions(jobs=jobs),
                          stream=stream)[0]
        again = time.perf_counter() - start
    assert first.evaluated == first.points and rerun.evaluated == 0
    return {"workload": workload, "jobs": jobs, "points": first.points,
            "stage_s": round(first.seconds, 3),
            "points_per_s": round(first.points / first.seconds, 1),
            "whole_run_s": round(whole, 3), "rerun_s": round(again, 3)}


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
    header = ("workload", "jobs", "points", "sim stage s", "points/s", "whole run s", "rerun s")
    print(format_table([header] + [(r["workload"], r["jobs"], r["points"], r["stage_s"],
                                    r["points_per_s"], r["whole_run_s"], r["rerun_s"])
                                   for r in rows], "l" + "r" * 6))
    print(f"load average (1 min) at the end: {record['load_average_1min']} on "
          f"{record['cpus']} CPUs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
