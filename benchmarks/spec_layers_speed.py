"""Speed of ``lego sim design SPEC --layers`` (sim.spec_layers.simulate_network): 50 layers on
16x16 designs (bar: under 1 s).

Layers: ResNet-18's 20 conv layers (benchmarks/topologies/resnet18.csv) and the six GEMMs of a
GPT-2 small block (benchmarks/topologies/gpt2_small_block.csv) at sequence lengths 128, 256,
512, 1024 and 2048 (30): 50 layers. Designs: examples/specs/gemm_os_16x16.yaml and
benchmarks/specs/gemm_os_ws_fused_16x16.yaml, 256 KiB per tensor, DRAM 16 B/cycle.

Three timings per design, CPU seconds of this process and its children (checkouts before d232b6b
ran the LP solver, CBC, as a child process; the machine is shared, so wall time is printed too):
- cold: a new TileTimer on an empty on-disk tile cache (a fresh temporary folder): every
  distinct tile shape is timed for the first time (one tile per structure class lowered in full:
  front end, lower, LP pipelining; the others derived from it, sim.spec_layers.tile_derive);
  the modules that lowering needs (scipy.optimize, the back end) are imported before the clock
  starts, and their import time is printed on its own (a process pays it once, whatever it runs);
- warm: the same 50 layers again on the same TileTimer (what a sweep re-running a design, or
  a second network on it, pays): the model itself;
- disk: a new TileTimer on the cache the cold run filled (what a second process pays: a rerun
  of ``lego sim design --layers``, another sweep worker): every tile read from disk.

    nice -n 10 python benchmarks/spec_layers_speed.py [--out JSON]
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lego.outputs import stable_json  # noqa: E402
from lego.spec import load_spec  # noqa: E402
from lego.tables import format_table  # noqa: E402
from sim.scalesim import read_topology  # noqa: E402
from sim.spec_layers import TileTimer, analyse, simulate_network  # noqa: E402
from sim.workload.layer import gemm  # noqa: E402

DESIGNS = {"OS 16x16": ROOT / "examples/specs/gemm_os_16x16.yaml",
           "fused OS+WS 16x16": ROOT / "benchmarks/specs/gemm_os_ws_fused_16x16.yaml"}
SRAM = {"A": 256 * 1024, "B": 256 * 1024, "C": 256 * 1024}
SEQUENCES = (128, 256, 512, 1024, 2048)
BAR_SECONDS = 1.0
RESULTS = ROOT / "benchmarks/results/spec_layers_speed.json"


def layers() -> list:
    out = list(read_topology(ROOT / "benchmarks/topologies/resnet18.csv"))
    block = read_topology(ROOT / "benchmarks/topologies/gpt2_small_block.csv", gemm=True)
    for seq in SEQUENCES:
        for layer in block:  # the block's GEMMs at another sequence length
            m = seq
            n = seq if layer.name == "Scores_head" else layer.n
            k = seq if layer.name == "PV_head" else layer.k
            out.append(gemm(f"{layer.name}_s{seq}", m, n, k))
    return out


def _cpu() -> float:
    """CPU seconds of this process and its finished children (CBC ran as one before d232b6b)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def _timed(spec: Path, network: list, timer: TileTimer):
    cpu, wall = _cpu(), time.perf_counter()
    result = simulate_network(spec, network, sram=SRAM, timer=timer)
    return result, _cpu() - cpu, time.perf_counter() - wall


def _import_lowering() -> float:
    """CPU seconds to import what a first lowering imports (once per process)."""
    cpu = _cpu()
    import scipy.optimize  # noqa: F401
    import scipy.sparse.csgraph  # noqa: F401

    import lego.backend.passes  # noqa: F401
    import lego.frontend.passes  # noqa: F401
    return round(_cpu() - cpu, 3)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    network = layers()
    imports = _import_lowering()
    rows = {}
    with tempfile.TemporaryDirectory(prefix="lego-tiles-") as folder:
        for name, spec in DESIGNS.items():
            template = analyse(load_spec(spec))
            timer = TileTimer(template, cache=Path(folder))
            cold, cold_cpu, cold_wall = _timed(spec, network, timer)
            warm, warm_cpu, warm_wall = _timed(spec, network, timer)
            fresh = TileTimer(template, cache=Path(folder))
            disk, disk_cpu, disk_wall = _timed(spec, network, fresh)
            assert warm.layers == cold.layers == disk.layers and fresh.lowered_shapes == 0
            rows[name] = {"layers": len(network), "tile_designs_timed": cold.lowered_shapes,
                          "tile_designs_lowered": timer.lowered_in_full,
                          "tiles_derived": timer.derived,
                          "cold_cpu_s": round(cold_cpu, 3), "cold_wall_s": round(cold_wall, 3),
                          "warm_cpu_s": round(warm_cpu, 3), "warm_wall_s": round(warm_wall, 3),
                          "disk_cpu_s": round(disk_cpu, 3), "disk_wall_s": round(disk_wall, 3),
                          "tiles_read_from_disk": fresh.read_from_disk,
                          "cold_under_bar": cold_cpu < BAR_SECONDS,
                          "warm_under_bar": warm_cpu < BAR_SECONDS,
                          "disk_under_bar": disk_cpu < BAR_SECONDS,
                          "total_cycles": warm.total_cycles}
    print(format_table([("design", "layers", "tiles lowered", "tiles derived", "cold CPU s",
                         "cold wall s", "warm CPU s", "warm wall s", "disk CPU s", "disk wall s",
                         f"cold/warm/disk < {BAR_SECONDS:g} s")] + [
        (n, r["layers"], r["tile_designs_lowered"], r["tiles_derived"], r["cold_cpu_s"],
         r["cold_wall_s"],
         r["warm_cpu_s"], r["warm_wall_s"], r["disk_cpu_s"], r["disk_wall_s"],
         "/".join("yes" if r[k] else "NO" for k in ("cold_under_bar", "warm_under_bar",
                                                         "disk_under_bar")))
        for n, r in rows.items()], "l" + "r" * 10))
    print(f"importing the lowering's modules (before the clocks above): {imports} CPU s")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    temporary = args.out.with_name(args.out.name + ".tmp")
    temporary.write_text(stable_json({"sram_bytes_per_tensor": SRAM, "rows": rows,
                                      "import_cpu_s": imports}))
    os.replace(temporary, args.out)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
