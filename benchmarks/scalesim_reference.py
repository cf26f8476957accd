"""Run the real SCALE-Sim (PyPI ``scalesim`` 3.0.0) and record its reports as test data.

SCALE-Sim is not a dependency of lego: run this script with the interpreter of a separate
virtual environment, e.g.::

    python -m venv /tmp/ssenv && /tmp/ssenv/bin/pip install scalesim==3.0.0 "numpy<2.4"
    nice -n 10 /tmp/ssenv/bin/python benchmarks/scalesim_reference.py

It writes one config per (dataflow, array) under tests/data/scalesim/configs/ (derived from
SCALE-Sim's own sample ``scale.cfg``, CALC bandwidth, traces off) and the per-layer numbers of
COMPUTE_REPORT.csv and DETAILED_ACCESS_REPORT.csv to tests/data/scalesim/reference.json.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "scalesim"
DATAFLOWS = ("os", "ws", "is")

DEGENERATE_ARRAYS = ((1, 1), (1, 4), (4, 1))

# (topology, GEMM form?, arrays (rows, cols)). Small enough for a few minutes in total:
# SCALE-Sim steps its memory model once per demand row in Python (~6k rows/s here).
CASES = (
    ("conv_test.csv", False, ((32, 32),)),
    ("conv_mixed.csv", False, ((8, 8), (16, 4), (3, 5))),
    ("conv_test_gemm1.csv", False, ((8, 8), (16, 4))),
    ("gemm_mixed.csv", True, ((8, 8), (16, 4), (3, 5))),
    ("gemm_test_mnk.csv", True, ((32, 32),)),
    # Degenerate shapes: 1x1, 1xN and Nx1 arrays; M, N or K of 1. gemm_one.csv (M = N = K = 1)
    # is alone in its file because SCALE-Sim crashes on it under OS on 1x1 (see run_or_error).
    ("gemm_degenerate.csv", True, DEGENERATE_ARRAYS),
    ("conv_degenerate.csv", False, DEGENERATE_ARRAYS),
    ("gemm_one.csv", True, DEGENERATE_ARRAYS),
)

COMPUTE_FIELDS = ("total_cycles_incl_prefetch", "total_cycles", "stall_cycles",
                  "overall_util", "mapping_efficiency", "compute_util")
DETAIL_FIELDS = tuple(f"{level}_{operand}_{what}"
                      for level in ("sram", "dram")
                      for operand in ("ifmap", "filter", "ofmap")
                      for what in ("start_cycle", "stop_cycle", "accesses"))


def write_config(dataflow: str, rows: int, cols: int, directory: Path = DATA / "configs") -> Path:
    """A copy of SCALE-Sim's sample scale.cfg with only the array and the dataflow changed."""
    text = (DATA / "base_scale.cfg").read_text()
    name = f"{dataflow}_{rows}x{cols}"
    for key, value in (("ArrayHeight", rows), ("ArrayWidth", cols), ("Dataflow", dataflow)):
        text = re.sub(rf"^{key}\s*:.*$", f"{key}: {value}", text, count=1, flags=re.M)
    text = re.sub(r"^run_name\s*=.*$", f"run_name = {name}", text, count=1, flags=re.M)
    path = directory / f"{name}.cfg"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def write_layout(topology: Path, gemm: bool, out: Path) -> Path:
    """SCALE-Sim 3.0.0 opens a layout file even when custom layouts are off: give it one row
    per topology row (same names, so depthwise 'DP' rows expand identically)."""
    header = "Layer name," + ",".join(f"f{i}" for i in range(20)) + ",\n"
    rows = [header]
    for line in topology.read_text().splitlines()[1:]:
        if not line.strip():
            continue
        fields = line.split(",")
        channels = "1" if gemm else fields[5].strip()
        rows.append(f"{fields[0].strip()}, 1, 1, 1, 1, {channels}, 1" + ", 0" * 14 + ",\n")
    out.write_text("".join(rows))
    return out


def parse_report(path: Path, names: tuple[str, ...]) -> list[dict]:
    """Rows of a SCALE-Sim report (header line, then 'LayerID, v1, v2, ...,' lines)."""
    layers = []
    with path.open() as handle:
        for row in list(csv.reader(handle))[1:]:
            values = [v.strip() for v in row if v.strip()]
            numbers = [float(v) if re.search(r"[.eE]", v) else int(v) for v in values[1:]]
            layers.append(dict(zip(names, numbers, strict=True)))
    return layers


def run_case(config: Path, topology: Path, gemm: bool, work: Path) -> list[dict]:
    from scalesim.scale_sim import scalesim

    layout = write_layout(topology, gemm, work / f"layout_{topology.stem}.csv")
    sim = scalesim(save_disk_space=True, verbose=False, config=str(config),
                   topology=str(topology), layout=str(layout), input_type_gemm=gemm)
    sim.run_scale(top_path=str(work))
    run_dir = work / sim.config.get_run_name()
    compute = parse_report(run_dir / "COMPUTE_REPORT.csv", COMPUTE_FIELDS)
    detail = parse_report(run_dir / "DETAILED_ACCESS_REPORT.csv", DETAIL_FIELDS)
    names = sim.topo.get_layer_names()
    return [{"name": name, **c, **d} for name, c, d in zip(names, compute, detail, strict=True)]


def run_or_error(config: Path, topology: Path, gemm: bool, work: Path) -> dict:
    """A run's record: its layers, or the error SCALE-Sim stopped with. SCALE-Sim 3.0.0 divides
    by the index of the last cycle for the overall utilisation, which is 0 when a layer takes
    one cycle (OS, 1x1 array, M = N = K = 1): a ZeroDivisionError that ends the whole run."""
    try:
        return {"layers": run_case(config, topology, gemm, work)}
    except ZeroDivisionError as error:
        return {"layers": [], "error": f"ZeroDivisionError: {error}"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DATA / "reference.json")
    parser.add_argument("--one", nargs=2, metavar=("CFG", "CSV"),
                        help="run only this config and topology and write its layers to --out "
                             "(used by benchmarks/scalesim_speed.py)")
    parser.add_argument("--gemm", action="store_true", help="with --one: GEMM topology")
    args = parser.parse_args(argv)
    if args.one:
        with tempfile.TemporaryDirectory(prefix="scalesim_one_") as tmp:
            layers = run_case(Path(args.one[0]), Path(args.one[1]), args.gemm, Path(tmp))
        args.out.write_text(json.dumps(layers, indent=1, sort_keys=True) + "\n")
        return 0
    runs = []
    with tempfile.TemporaryDirectory(prefix="scalesim_ref_") as tmp:
        for topo_name, gemm, arrays in CASES:
            for rows, cols in arrays:
                for dataflow in DATAFLOWS:
                    config = write_config(dataflow, rows, cols)
                    topology = DATA / "topologies" / topo_name
                    start = time.process_time()
                    run = run_or_error(config, topology, gemm, Path(tmp))
                    seconds = time.process_time() - start
                    print(f"{config.name:>14} {topo_name:<22} {len(run['layers'])} layers "
                          f"{seconds:7.2f} s {run.get('error', '')}", file=sys.stderr)
                    runs.append({"config": f"configs/{config.name}",
                                 "topology": f"topologies/{topo_name}", "gemm": gemm, **run})
    record = {"scalesim_version": metadata.version("scalesim"),
              "python": f"{sys.version_info.major}.{sys.version_info.minor}",
              "runs": runs}
    args.out.write_text(json.dumps(record, indent=1, sort_keys=True) + "\n")
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
