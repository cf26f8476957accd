"""Speed and memory of our SCALE-Sim compatible model against SCALE-Sim itself, in one run.

Workloads (issue 6, item 4), all with CALC bandwidth (no stalls) and traces off:

- the first five conv layers of ResNet-18 (SCALE-Sim's own Resnet18.csv) on a 32x32 array,
  under OS, WS and IS;
- a 1024 x 1024 x 1024 GEMM (SCALE-Sim's GEMM topology form) on a 128x128 array, OS, WS, IS.

ResNet-18 under IS is not in the default set: SCALE-Sim needed 2985 MB peak RSS (and 420 s of
CPU) for it here, over our 2.5 GB allowance for a default run. ``--all`` or ``--only`` runs it.

SCALE-Sim 3.0.0 runs in its own virtual environment as a child process (through
``scalesim_reference.py --one``); so does ``lego sim scalesim --config CFG --topology
CSV --json`` (the whole command: interpreter start-up, imports, parsing, model, output). Each
child's CPU time (user + system) and peak RSS come from ``os.wait4``. SCALE-Sim runs once per
row; ``lego sim`` runs three times and the run with the median CPU time is kept. Every number
our model reports is compared with SCALE-Sim's, per layer, with ``==``.

    nice -n 10 python benchmarks/scalesim_speed.py [--scalesim-python /tmp/ssenv/bin/python]
                                                    [--quick] [--all | --only ROW] [--out JSON]

``--quick`` runs smaller workloads (two ResNet-18 layers; a 256^3 GEMM) and the table says so.
A full run (the default set or ``--all``) writes benchmarks/results/scalesim_speed.json;
``--quick`` and ``--only`` write only where ``--out`` says.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from scalesim_reference import write_config

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "scalesim"
RESULTS = ROOT / "benchmarks" / "results" / "scalesim_speed.json"
RESNET = DATA / "topologies" / "resnet18_five.csv"
LEGO_RUNS = 3
BAR_SPEEDUP, BAR_RSS_MB = 100, 200
# SCALE-Sim report field -> our JSON field: every quantity our model reports.
COMPARED = {"total_cycles": "total_cycles", "stall_cycles": "stall_cycles",
            "overall_util": "overall_util", "mapping_efficiency": "mapping_efficiency",
            "compute_util": "compute_util", "sram_ifmap_accesses": "sram_ifmap_reads",
            "sram_filter_accesses": "sram_filter_reads",
            "sram_ofmap_accesses": "sram_ofmap_writes"}


@dataclass(frozen=True)
class Row:
    """One benchmark row: a workload on an array under a dataflow."""

    name: str
    gemm: bool
    dataflow: str
    array: int  # square array: rows = cols
    default: bool = True  # False: SCALE-Sim needs more than 2.5 GB for it

    def topology(self, quick: bool) -> tuple[str, str]:
        """(description, topology file text) of the workload."""
        if self.gemm:
            size = 256 if quick else 1024
            return (f"GEMM {size}^3", f"Layer, M, N, K,\nGEMM_{size}, {size}, {size}, {size},\n")
        layers = 2 if quick else 5
        lines = RESNET.read_text().splitlines(keepends=True)
        return f"ResNet-18 conv x{layers}", "".join(lines[:1 + layers])


# Measured SCALE-Sim peak RSS: resnet18 OS 1425 MB, WS 1473 MB, IS 2985 MB; GEMM rows < 1 GB.
ROWS = tuple(Row(f"{kind}_{df}", kind == "gemm1024", df, 128 if kind == "gemm1024" else 32,
                 default=(kind, df) != ("resnet18", "is"))
             for kind in ("resnet18", "gemm1024") for df in ("os", "ws", "is"))


def run_measured(argv: list[str], stdout=None) -> dict:
    """Run a child to completion: its CPU seconds, wall seconds and peak RSS in MB."""
    start = time.perf_counter()
    child = subprocess.Popen(argv, cwd=ROOT, stdout=stdout)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise SystemExit(f"{' '.join(argv[:3])} ... exited with {code}")
    # ru_maxrss is in KiB on Linux.
    return {"cpu_s": usage.ru_utime + usage.ru_stime, "wall_s": wall,
            "peak_rss_mb": usage.ru_maxrss / 1024}


def compare(theirs: list[dict], ours: list[dict]) -> list[str]:
    """Differences as 'layer field: scalesim != ours' lines (empty when identical)."""
    if [t["name"] for t in theirs] != [o["name"] for o in ours]:
        return [f"layers: {[t['name'] for t in theirs]} != {[o['name'] for o in ours]}"]
    return [f"{t['name']} {key}: {t[key]!r} != {o[mine]!r}"
            for t, o in zip(theirs, ours, strict=True)
            for key, mine in COMPARED.items() if t[key] != o[mine]]


def model_cpu_seconds(config: Path, topology: Path, gemm: bool, repeats: int = 20) -> float:
    """CPU time of the model alone (parsing and simulation, no start-up), best of repeats."""
    sys.path.insert(0, str(ROOT))
    from sim.scalesim import read_config, read_topology, simulate

    best = float("inf")
    for _ in range(repeats):
        start = time.process_time()
        simulate(read_topology(topology, gemm=gemm), read_config(config))
        best = min(best, time.process_time() - start)
    return best


def run_lego(config: Path, topology: Path, gemm: bool, out: Path) -> dict:
    """``lego sim`` as a user runs it, LEGO_RUNS times; the run with the median CPU time."""
    argv = [sys.executable, "-c", "import sys; from lego.cli import main; "
            "sys.exit(main(sys.argv[1:]))", "sim", "scalesim", "--config", str(config),
            "--topology", str(topology), "--json"]
    if gemm:
        argv += ["--scalesim-input-type", "gemm"]
    runs = []
    for _ in range(LEGO_RUNS):
        with out.open("w") as handle:
            runs.append(run_measured(argv, stdout=handle))
    return sorted(runs, key=lambda run: run["cpu_s"])[LEGO_RUNS // 2]


def measure(row: Row, args: argparse.Namespace, work: Path) -> dict:
    """Both simulators on one row, compared."""
    config = write_config(row.dataflow, row.array, row.array, work)
    workload, text = row.topology(args.quick)
    topology = work / f"{row.name}.csv"
    topology.write_text(text)
    theirs_json, ours_json = work / f"{row.name}_scalesim.json", work / f"{row.name}_lego.json"
    scalesim_argv = [args.scalesim_python, "benchmarks/scalesim_reference.py", "--one",
                     str(config), str(topology), "--out", str(theirs_json)]
    print(f"{row.name}: SCALE-Sim ...", file=sys.stderr, flush=True)
    scalesim = run_measured(scalesim_argv + (["--gemm"] if row.gemm else []))
    print(f"{row.name}: lego sim ...", file=sys.stderr, flush=True)
    lego = run_lego(config, topology, row.gemm, ours_json)
    lego["model_cpu_s"] = model_cpu_seconds(config, topology, row.gemm)
    ours = json.loads(ours_json.read_text())["layers"]
    differences = compare(json.loads(theirs_json.read_text()), ours)
    speedup = scalesim["cpu_s"] / lego["cpu_s"]
    return {
        "name": row.name, "workload": workload, "layers": len(ours),
        "array": f"{row.array}x{row.array}", "dataflow": row.dataflow, "quick": args.quick,
        "scalesim": scalesim, "lego": lego, "speedup_cpu": speedup,
        "identical": not differences, "differences": differences,
        "bar_met": speedup >= BAR_SPEEDUP and lego["peak_rss_mb"] < BAR_RSS_MB
        and not differences,
    }


def table(records: list[dict]) -> str:
    """One line per row; SCALE-Sim and lego sim side by side."""
    head = (f"{'row':<12}{'workload':<21}{'array':>6}{'df':>4} |"
            f"{'SCALE-Sim 3.0.0: CPU s':>23}{'wall s':>8}{'RSS MB':>8} |"
            f"{'lego sim: CPU s':>16}{'wall s':>8}{'RSS MB':>8} |"
            f"{'speedup':>9}{'identical':>10}{'bar':>5}")
    lines = [head, "-" * len(head)]
    for r in records:
        ss, lg = r["scalesim"], r["lego"]
        lines.append(
            f"{r['name']:<12}{r['workload']:<21}{r['array']:>6}{r['dataflow'].upper():>4} |"
            f"{ss['cpu_s']:>23.2f}{ss['wall_s']:>8.2f}{ss['peak_rss_mb']:>8.0f} |"
            f"{lg['cpu_s']:>16.3f}{lg['wall_s']:>8.3f}{lg['peak_rss_mb']:>8.0f} |"
            f"{r['speedup_cpu']:>8.0f}x{'yes' if r['identical'] else 'NO':>10}"
            f"{'yes' if r['bar_met'] else 'NO':>5}")
    lines.append(f"bar: speedup (CPU, whole process) >= {BAR_SPEEDUP}x, lego peak RSS < "
                 f"{BAR_RSS_MB} MB, every reported number identical"
                 f"{'; --quick (smaller workloads)' if records and records[0]['quick'] else ''}")
    lines.append("model alone, in-process (s): " + ", ".join(
        f"{r['name']} {r['lego']['model_cpu_s']:.5f}" for r in records))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scalesim-python", default="/tmp/ssenv/bin/python",
                        help="interpreter of the venv holding scalesim 3.0.0")
    parser.add_argument("--quick", action="store_true",
                        help="smaller workloads: two ResNet-18 layers, a 256^3 GEMM")
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--only", choices=[row.name for row in ROWS], help="run one row")
    which.add_argument("--all", action="store_true",
                       help="also the rows SCALE-Sim needs more than 2.5 GB for")
    parser.add_argument("--out", type=Path, help=f"results JSON (default for a full run: "
                                                  f"{RESULTS.relative_to(ROOT)})")
    args = parser.parse_args(argv)
    rows = [row for row in ROWS
            if row.name == args.only or (args.only is None and (row.default or args.all))]
    with tempfile.TemporaryDirectory(prefix="scalesim_speed_") as tmp:
        records = [measure(row, args, Path(tmp)) for row in rows]
    out = args.out or (RESULTS if not (args.quick or args.only) else None)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps({"rows": records, "lego_runs_per_row": LEGO_RUNS,
                                   "bar": {"speedup_at_least": BAR_SPEEDUP,
                                           "lego_peak_rss_mb_below": BAR_RSS_MB}},
                                  indent=2, sort_keys=True) + "\n")
    print(table(records))
    for record in records:
        for line in record["differences"][:20]:
            print(f"  {record['name']}: {line}")
    return 0 if all(record["bar_met"] for record in records) else 1


if __name__ == "__main__":
    sys.exit(main())
