"""A small design-space sweep of the workload model: array sizes x dataflows x SRAM sizes.

Workload: the first five conv layers of ResNet-18 (tests/data/scalesim/topologies/
resnet18_five.csv), DRAM at 16 bytes per cycle, double buffering on, 1-byte words, the
default (estimated) energy table. Per design point: total, compute and stall cycles, DRAM bytes
and energy summed over the layers, and whether the point is on the cycles/energy Pareto front.
Also the CPU time of the whole sweep (model only, in-process).

    nice -n 10 python benchmarks/workload_sweep.py

Writes benchmarks/results/workload_sweep.json, prints a table, and draws
benchmarks/results/workload_sweep.png when matplotlib can be imported (not a dependency).
"""

from __future__ import annotations

import json
import sys
import time
from fractions import Fraction
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lego.tables import format_table  # noqa: E402
from sim.scalesim import read_topology  # noqa: E402
from sim.workload import Accelerator, load_table, simulate  # noqa: E402
from sim.workload.report import totals  # noqa: E402

TOPOLOGY = ROOT / "tests" / "data" / "scalesim" / "topologies" / "resnet18_five.csv"
RESULTS = ROOT / "benchmarks" / "results" / "workload_sweep.json"
ARRAYS = (8, 16, 32)
DATAFLOWS = ("os", "ws", "is")
SRAM_KIB = (8, 32, 128)
DRAM_BW = 16


def sweep(layers, table) -> list[dict]:
    points = []
    for size in ARRAYS:
        for dataflow in DATAFLOWS:
            for kib in SRAM_KIB:
                acc = Accelerator(size, size, dataflow, sram_bytes=(kib * 1024,) * 3,
                                  dram_bw=Fraction(DRAM_BW))
                t = totals(simulate(layers, acc, table))
                points.append({"array": f"{size}x{size}", "dataflow": dataflow,
                               "sram_kib_each": kib, "total_cycles": t["total_cycles"],
                               "compute_cycles": t["compute_cycles"],
                               "stall_cycles": t["stall_cycles"], "dram_bytes": t["dram_bytes"],
                               "energy_uj": round(t["energy_pj"] / 1e6, 3)})
    for p in points:
        p["pareto"] = not any(q["total_cycles"] <= p["total_cycles"]
                              and q["energy_uj"] <= p["energy_uj"] and q is not p
                              and (q["total_cycles"], q["energy_uj"]) !=
                              (p["total_cycles"], p["energy_uj"]) for q in points)
    return points


def table(points: list[dict]) -> str:
    header = ("array", "df", "SRAM KiB", "total cycles", "compute", "stall", "DRAM bytes",
              "energy uJ", "pareto")
    rows = [header] + [(p["array"], p["dataflow"], p["sram_kib_each"], p["total_cycles"],
                        p["compute_cycles"], p["stall_cycles"], p["dram_bytes"],
                        f"{p['energy_uj']:.1f}", "*" if p["pareto"] else "") for p in points]
    return format_table(rows, "r" * len(header))


def plot(points: list[dict], path: Path) -> bool:
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    fig, ax = plt.subplots(figsize=(6, 4))
    for dataflow, marker in zip(DATAFLOWS, "os^", strict=True):
        chosen = [p for p in points if p["dataflow"] == dataflow]
        ax.scatter([p["total_cycles"] for p in chosen], [p["energy_uj"] for p in chosen],
                   marker=marker, label=dataflow)
    front = sorted((p["total_cycles"], p["energy_uj"]) for p in points if p["pareto"])
    ax.plot(*zip(*front, strict=True), "k--", linewidth=0.8, label="Pareto front")
    ax.set_xscale("log")
    ax.set_xlabel("total cycles (5 ResNet-18 layers)")
    ax.set_ylabel("energy (uJ, estimated)")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    return True


def main() -> int:
    layers = list(read_topology(TOPOLOGY))
    table_pj = load_table()
    start = time.process_time()
    points = sweep(layers, table_pj)
    cpu = time.process_time() - start
    record = {"workload": f"ResNet-18 conv layers 1-5 ({TOPOLOGY.name})", "dram_bw": DRAM_BW,
              "double_buffer": True, "word_bytes": 1, "points": points,
              "design_points": len(points), "layer_runs": len(points) * len(layers),
              "sweep_cpu_s": round(cpu, 3)}
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(record, indent=2, sort_keys=True) + "\n")
    print(table(points))
    print(f"{len(points)} design points x {len(layers)} layers in {cpu:.2f} s CPU")
    if plot(points, RESULTS.with_suffix(".png")):
        print(f"plot: {RESULTS.with_suffix('.png').relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
