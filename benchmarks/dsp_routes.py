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

Also each placement's critical path (its ends, total, and the route out of its first cell): the
whole-array paths benchmarks/calibrate_delays.py fits the array terms to. Placement varies
with nextpnr's seed, so ``--seeds`` places each design several times.

    python benchmarks/dsp_routes.py [--only gemm_os_8x8] [--periods 10,6.3] [--seeds 1]

Prints one table per placement (route delay in ns: count, mean, 90th percentile, largest)
and writes
benchmarks/results/dsp_routes.json, rewritten whole after each design (through a temporary
file); a placement is named by its row, period, seed and Verilog hash, and is kept (so a design
the delay model changes adds placements). Each design's tool logs and nextpnr's detailed report
go to rtl_out/dsp_routes/ (a placement found there is not run again).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import sys
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import fpga_quality  # noqa: E402

from lego.synth import tools  # noqa: E402
from lego.synth.tools import ToolError, run_tool  # noqa: E402
from lego.tables import format_table  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "dsp_routes.json"
LOGS = ROOT / "rtl_out" / "dsp_routes"
FU = re.compile(r"fu_(\d+)_(\d+)\.")
OPERAND_PIN = re.compile(r"[AB]\d+$")


def placement_name(row: str, period: float, seed: int, verilog: str) -> str:
    """A placement's name: the design's Verilog hash in it, so that a design the delay model
    changes is a placement of its own (both stay measurements of the model's paths)."""
    return f"{row}@{period:g} seed {seed} {hashlib.sha256(verilog.encode()).hexdigest()[:8]}"


def place(row: str, period: float, seed: int) -> tuple[str, dict]:
    """Generate, synthesize, place and route one row: its name and nextpnr's report
    (detailed), the report kept from before for the same Verilog and seed."""
    verilog, top = fpga_quality._generate(fpga_quality.lego_rows()[row], period)
    name = placement_name(row, period, seed, verilog)
    work = LOGS / name.replace(" ", "_")
    report = work / "report.json"
    if report.is_file():
        return name, json.loads(report.read_text())
    work.mkdir(parents=True, exist_ok=True)
    (work / "design.v").write_text(verilog)
    try:  # logs in the folder, <tool>.log
        run_tool(tools.YOSYS, ["-q", "-p", "read_verilog -DLEGO_ECP5_DSP design.v; "
                               f"synth_ecp5 -top {top} -json netlist.json"], work)
        run_tool(tools.NEXTPNR, ["--85k", "--package", "CABGA381", "--seed", str(seed),
                                 "--json", "netlist.json", "--report", "report.json",
                                 "--detailed-timing-report", "--timing-allow-fail",
                                 "--lpf-allow-unconstrained"], work)
    except ToolError as error:
        raise SystemExit(f"dsp_routes: {name}: {error}") from None
    return name, json.loads(report.read_text())


def critical_path(report: dict) -> dict:
    """nextpnr's clocked critical path: its ends (cell, port), total and first route (ns), and
    the kinds of cell it passes (``through``, named as the flattened netlist names them: a
    carry chain, a LUT, a distributed RAM, a flip-flop): one entry per run of a kind, except
    that each adder is an entry (a path enters a carry chain through a data pin and ripples
    on through its carry pins, so a data pin starts the next adder)."""
    path = next(p["path"] for p in report["critical_paths"]
                if p["from"].startswith("posedge") and p["to"].startswith("posedge"))
    first_route = next((s["delay"] for s in path if s["type"] == "routing"), 0.0)
    through = []
    for step in path:
        if step["type"] == "routing" and step["to"]["cell"] != step["from"]["cell"]:
            kind = cell_kind(step["to"]["cell"])
            new_adder = kind == "carry" and not step["to"]["port"].startswith("FCI")
            if not through or through[-1] != kind or new_adder:
                through.append(kind)
    return {"start": [path[0]["from"]["cell"], path[0]["from"]["port"]],
            "end": [path[-1]["to"]["cell"], path[-1]["to"]["port"]],
            "delay_ns": round(sum(s["delay"] for s in path), 3),
            "first_route_ns": round(first_route, 3), "through": through}


CELL_KINDS = ((re.compile(r"\$CCU2_COMB\d$"), "carry"), (re.compile(r"\$(DPRAM|RAMW)"), "dram"),
              (re.compile(r"(LUT4|PFUMX|L6MUX21)(_\d+)?(_[A-DZ]\d?)?$"), "lut"),
              (re.compile(r"TRELLIS_FF_Q(_\d+)?$"), "ff"), (re.compile(r"\.dsp$"), "dsp"))


SINK_NAMES = {"carry": "carry chain", "ff": "flip-flop"}


def cell_kind(cell: str) -> str:
    """What a placed cell is, from the name Yosys and nextpnr give it (a LUT is named after
    the net it drives, so its name can hold a carry chain's or a flip-flop's: the end tells)."""
    return next((kind for pattern, kind in CELL_KINDS if pattern.search(cell)), "other")


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
                kind = cell_kind(sink["cell"])
                out[f"out to {SINK_NAMES.get(kind, kind)}"].append(delay)
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
    parser.add_argument("--seeds", default="1", help="nextpnr seeds, comma separated")
    parser.add_argument("--jobs", type=int, default=1, help="placements run at once")
    parser.add_argument("--reread", action="store_true",
                        help="only read every placement kept under rtl_out/dsp_routes/ again "
                             "(after a change to how a report is read); nothing is placed")
    args = parser.parse_args()
    results = json.loads(RESULTS.read_text()) if RESULTS.is_file() else {}
    if args.reread:
        for report in sorted(LOGS.glob("*/report.json")):
            row, rest = report.parent.name.split("@")  # placement_name's, spaces as _
            period, _, seed, digest = rest.split("_")
            results[f"{row}@{period} seed {seed} {digest}"] = _result(
                json.loads(report.read_text()))
        _write(results)
        return 0
    unknown = sorted(set(args.only.split(",")) - set(fpga_quality.lego_rows()))
    if unknown:
        parser.error(f"--only: unknown rows: {', '.join(unknown)}")
    try:
        periods = [float(p) for p in args.periods.split(",")]
        seeds = [int(s) for s in args.seeds.split(",")]
    except ValueError as error:
        parser.error(f"--periods / --seeds: {error}")
    todo = [(row, p, s) for row in args.only.split(",") for p in periods for s in seeds]
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:  # the tools run as processes
        running = {pool.submit(place, *job): job for job in todo}
        for done in as_completed(running):
            name, report = done.result()
            results[name] = _result(report)
            _write(results)
            print(_table(name, results[name]), flush=True)
    return 0


def _result(report: dict) -> dict:
    (fmax,) = report["fmax"].values()
    return {"fmax_mhz": round(fmax["achieved"], 2), "critical_path": critical_path(report),
            "routes": {k: summary(v) for k, v in
                       sorted(routes(report).items(), key=lambda i: _key(i[0]))}}


def _write(results: dict) -> None:
    temporary = RESULTS.with_suffix(".json.tmp")
    temporary.write_text(json.dumps(results, indent=1, sort_keys=True) + "\n")
    os.replace(temporary, RESULTS)


def _table(name: str, result: dict) -> str:
    path = result["critical_path"]
    lines = [("design", "route", "count", "mean", "p90", "max")]
    lines += [(f"{name} ({result['fmax_mhz']} MHz)", k, s["count"], s["mean_ns"], s["p90_ns"],
               s["max_ns"]) for k, s in result["routes"].items()]
    return (format_table(lines, "llrrrr") + f"\ncritical path {path['delay_ns']} ns: "
            f"{'.'.join(path['start'])} -> {'.'.join(path['end'])} "
            f"(first route {path['first_route_ns']} ns)")


if __name__ == "__main__":
    sys.exit(main())
