"""How long the routes into and out of an array's DSPs are, placed and routed whole: the
evidence behind the delay model's DSP terms (benchmarks/calibrate_delays.py fits them to probes
and single critical paths; this looks at every route of the array at once).

For each lego row and period asked for, the design is generated (the shipped ECP5 delay table),
synthesized (synth_ecp5) and placed and routed (nextpnr-ecp5 --85k CABGA381, router1, the
seed given, nextpnr's default target) with ``--detailed-timing-report``, which gives every
net's delay to every sink. From it:

- into a DSP operand pin (a MULT18X18D A or B input), by how many FUs apart the register
  driving it sits in the array (|row| + |column| between the FU names; "bank" for a memory's
  read register): the FU-to-FU hop the LP times with ``wire_ns``;
- out of a DSP product pin, by the kind of cell it reaches (a carry chain, a flip-flop, a LUT),
  where nextpnr lists those nets (its detailed report leaves some nets out: the 8x8 OS at
  10 ns has no product net in it, at 6.3 ns all 1,024 product-to-register routes).

    python benchmarks/dsp_routes.py [--only gemm_os_8x8] [--periods 10,6.3] [--seed 1]

Prints one table (route delay in ns: count, mean, 90th percentile, largest) and writes
benchmarks/results/dsp_routes.json, rewritten whole after each design (through a temporary
file). Each design's tool logs and nextpnr's detailed report go to rtl_out/dsp_routes/.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import fpga_quality  # noqa: E402

from lego.synth import tools  # noqa: E402
from lego.synth.lock import ensure_compiled  # noqa: E402
from lego.tables import format_table  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "dsp_routes.json"
LOGS = ROOT / "rtl_out" / "dsp_routes"
FU = re.compile(r"fu_(\d+)_(\d+)\.")
OPERAND_PIN = re.compile(r"[AB]\d+$")


def _run(tool, args: list[str], work: Path, log: str) -> None:
    ensure_compiled(tool.package, tool.wasm, tool.runner)  # a cold cache compiles once, locked
    result = subprocess.run([sys.executable, "-c", tool.runner, *args], cwd=work,
                            capture_output=True, text=True, check=False)
    (work / log).write_text(result.stdout + result.stderr)
    if result.returncode != 0:
        raise SystemExit(f"dsp_routes: {work / log}: exit {result.returncode}")


def place(row: str, period: float, seed: int) -> dict:
    """Generate, synthesize, place and route one row; nextpnr's report (detailed)."""
    verilog, top = fpga_quality._generate(fpga_quality.lego_rows()[row], period)
    work = LOGS / f"{row}@{period:g}_seed{seed}"
    work.mkdir(parents=True, exist_ok=True)
    (work / "design.v").write_text(verilog)
    _run(tools.YOSYS, ["-q", "-p", "read_verilog -DLEGO_ECP5_DSP design.v; "
                       f"synth_ecp5 -top {top} -json netlist.json"], work, "yosys.log")
    _run(tools.NEXTPNR, ["--85k", "--package", "CABGA381", "--seed", str(seed), "--json",
                         "netlist.json", "--report", "report.json", "--detailed-timing-report",
                         "--timing-allow-fail", "--lpf-allow-unconstrained"],
         work, "nextpnr.log")
    return json.loads((work / "report.json").read_text())


def routes(report: dict) -> dict[str, list[float]]:
    """Route delays (ns, nextpnr's max) per class: ``into hops=k`` / ``into bank`` for DSP
    operand pins, ``out to KIND`` for DSP product pins."""
    out = defaultdict(list)
    for net in report["detailed_net_timings"]:
        driver = FU.match(net["driver"])
        from_dsp = net["driver"].endswith(".dsp") and net["port"].startswith("P")
        for sink in net["endpoints"]:
            delay = round(max(sink["delay"]), 3)
            if from_dsp:
                kind = ("carry chain" if "CCU2" in sink["cell"] else
                        "flip-flop" if "TRELLIS_FF" in sink["cell"] else "other")
                out[f"out to {kind}"].append(delay)
            elif sink["cell"].endswith(".dsp") and OPERAND_PIN.match(sink["port"]):
                at = FU.match(sink["cell"])
                if driver:
                    hops = sum(abs(int(driver[i]) - int(at[i])) for i in (1, 2))
                    out[f"into hops={hops}"].append(delay)
                else:
                    out["into bank" if net["driver"].startswith("mem_") else "into other"
                        ].append(delay)
    return dict(out)


def summary(delays: list[float]) -> dict:
    d = np.array(delays)
    return {"count": int(d.size), "mean_ns": round(float(d.mean()), 2),
            "p90_ns": round(float(np.percentile(d, 90)), 2), "max_ns": round(float(d.max()), 2)}


def _key(name: str):
    number = re.search(r"\d+$", name)
    return (name.split("=")[0], int(number.group()) if number else -1, name)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", default="gemm_os_8x8", help="lego rows, comma separated")
    parser.add_argument("--periods", default="10,6.3", help="periods in ns, comma separated")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    results = json.loads(RESULTS.read_text()) if RESULTS.is_file() else {}
    for row in args.only.split(","):
        for period in (float(p) for p in args.periods.split(",")):
            report = place(row, period, args.seed)
            (clock, fmax), = report["fmax"].items()
            name = f"{row}@{period:g} seed {args.seed}"
            results[name] = {"fmax_mhz": round(fmax["achieved"], 2),
                             "routes": {k: summary(v) for k, v in
                                        sorted(routes(report).items(), key=lambda i: _key(i[0]))}}
            temporary = RESULTS.with_suffix(".json.tmp")
            temporary.write_text(json.dumps(results, indent=1, sort_keys=True) + "\n")
            os.replace(temporary, RESULTS)
            lines = [("design", "route", "count", "mean", "p90", "max")]
            lines += [(f"{name} ({results[name]['fmax_mhz']} MHz)", k, s["count"],
                       s["mean_ns"], s["p90_ns"], s["max_ns"])
                      for k, s in results[name]["routes"].items()]
            print(format_table(lines, "llrrrr"), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
