"""Speed and memory of our SCALE-Sim compatible model against SCALE-Sim itself, in one run.

Workload: the first five conv layers of ResNet-18 (SCALE-Sim's own Resnet18.csv) on a 32x32
array, CALC bandwidth (no stalls), traces off. SCALE-Sim runs in its own virtual environment
as a child process; so does ``lego sim`` (the whole command: interpreter start-up, imports,
parsing, model, output). Each child's CPU time and peak RSS come from ``os.wait4``. The
results of the two are compared field by field.

    nice -n 10 python benchmarks/scalesim_speed.py [--scalesim-python /tmp/ssenv/bin/python]
                                                    [--quick] [--dataflow os]

``--quick`` keeps only the first two layers (for a quick check; the table says so).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "scalesim"
RESULTS = ROOT / "benchmarks" / "results" / "scalesim_speed.json"
TOPOLOGY = DATA / "topologies" / "resnet18_five.csv"
COMPARED = {"total_cycles": "total_cycles", "stall_cycles": "stall_cycles",
            "overall_util": "overall_util", "mapping_efficiency": "mapping_efficiency",
            "compute_util": "compute_util", "sram_ifmap_accesses": "sram_ifmap_reads",
            "sram_filter_accesses": "sram_filter_reads",
            "sram_ofmap_accesses": "sram_ofmap_writes"}


def run_measured(argv: list[str], stdout=None) -> tuple[float, float, float]:
    """Run a child to completion: (CPU seconds, wall seconds, peak RSS in MB)."""
    start = time.perf_counter()
    child = subprocess.Popen(argv, cwd=ROOT, stdout=stdout)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"{argv[0]} exited with {child.returncode}")
    # ru_maxrss is in KiB on Linux.
    return usage.ru_utime + usage.ru_stime, wall, usage.ru_maxrss / 1024


def write_inputs(work: Path, dataflow: str, layers: int) -> tuple[Path, Path]:
    config = DATA / "configs" / f"{dataflow}_32x32.cfg"
    lines = TOPOLOGY.read_text().splitlines(keepends=True)
    topology = work / "resnet18_layers.csv"
    topology.write_text("".join(lines[:1 + layers]))
    return config, topology


def compare(theirs: list[dict], ours: list[dict]) -> list[str]:
    """Differences as 'layer field: scalesim != ours' lines (empty when identical)."""
    if len(theirs) != len(ours):
        return [f"layer count: {len(theirs)} != {len(ours)}"]
    return [f"{t['name']} {key}: {t[key]!r} != {o[mine]!r}"
            for t, o in zip(theirs, ours, strict=True)
            for key, mine in COMPARED.items() if t[key] != o[mine]]


def table(record: dict) -> str:
    rows = [("", "SCALE-Sim 3.0.0", "lego sim"),
            ("CPU time (s)", f"{record['scalesim']['cpu_s']:.2f}",
             f"{record['lego']['cpu_s']:.3f}"),
            ("wall time (s)", f"{record['scalesim']['wall_s']:.2f}",
             f"{record['lego']['wall_s']:.3f}"),
            ("peak RSS (MB)", f"{record['scalesim']['peak_rss_mb']:.0f}",
             f"{record['lego']['peak_rss_mb']:.0f}"),
            ("model only, in-process (s)", "", f"{record['lego']['model_cpu_s']:.5f}")]
    lines = [f"{a:<28}{b:>16}{c:>12}" for a, b, c in rows]
    lines.append(f"speedup (CPU, whole process): {record['speedup_cpu']:.0f}x")
    lines.append(f"results identical: {'yes' if record['identical'] else 'NO'}"
                 f" ({record['layers']} layers, dataflow {record['dataflow']},"
                 f" 32x32 array{', --quick' if record['quick'] else ''})")
    return "\n".join(lines)


def model_cpu_seconds(config: Path, topology: Path, repeats: int = 20) -> float:
    """CPU time of the model alone (parsing and simulation, no start-up), best of repeats."""
    sys.path.insert(0, str(ROOT))
    from sim.scalesim import read_config, read_topology, simulate

    best = float("inf")
    for _ in range(repeats):
        start = time.process_time()
        simulate(read_topology(topology), read_config(config))
        best = min(best, time.process_time() - start)
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scalesim-python", default="/tmp/ssenv/bin/python",
                        help="interpreter of the venv holding scalesim 3.0.0")
    parser.add_argument("--dataflow", choices=("os", "ws", "is"), default="os")
    parser.add_argument("--quick", action="store_true", help="first two layers only")
    args = parser.parse_args(argv)
    layers = 2 if args.quick else 5
    with tempfile.TemporaryDirectory(prefix="scalesim_speed_") as tmp:
        work = Path(tmp)
        config, topology = write_inputs(work, args.dataflow, layers)
        theirs_json, ours_json = work / "scalesim.json", work / "lego.json"
        scalesim = run_measured([args.scalesim_python, "benchmarks/scalesim_reference.py",
                                 "--one", str(config), str(topology), "--out", str(theirs_json)])
        lego_cmd = [sys.executable, "-c", "import sys; from lego.cli import main; "
                    "sys.exit(main(sys.argv[1:]))", "sim", "--scalesim-config", str(config),
                    "--scalesim-topology", str(topology), "--json"]
        with ours_json.open("w") as out:
            lego = run_measured(lego_cmd, stdout=out)
        differences = compare(json.loads(theirs_json.read_text()),
                              json.loads(ours_json.read_text())["layers"])
        model_cpu = model_cpu_seconds(config, topology)
    record = {
        "workload": f"ResNet-18 conv layers 1-{layers} ({TOPOLOGY.name}), 32x32, CALC",
        "layers": layers, "dataflow": args.dataflow, "quick": args.quick,
        "scalesim": {"cpu_s": scalesim[0], "wall_s": scalesim[1], "peak_rss_mb": scalesim[2]},
        "lego": {"cpu_s": lego[0], "wall_s": lego[1], "peak_rss_mb": lego[2],
                 "model_cpu_s": model_cpu},
        "speedup_cpu": scalesim[0] / lego[0],
        "identical": not differences, "differences": differences,
        "bar": {"speedup_at_least": 100, "lego_peak_rss_mb_below": 200},
    }
    record["bar_met"] = (record["speedup_cpu"] >= 100 and lego[2] < 200 and not differences)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(record, indent=2, sort_keys=True) + "\n")
    print(table(record))
    for line in differences[:20]:
        print("  " + line)
    return 0 if record["bar_met"] else 1


if __name__ == "__main__":
    sys.exit(main())
