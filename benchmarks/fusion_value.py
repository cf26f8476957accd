"""Is fusion worth it on real networks? ResNet-18's conv layers and a GPT-2 small block on three
16x16 GEMM designs lego generates: OS only (examples/specs/gemm_os_16x16.yaml), WS only
(examples/specs/gemm_ws_16x16.yaml) and fused OS+WS (benchmarks/specs/gemm_os_ws_fused_16x16.yaml),
each timed by ``lego sim design SPEC --layers`` (sim.spec_layers.simulate_network): tiles cut to
the same memories, cycles per tile from each design's own lowered tile designs, DRAM at 16 B/cycle
with double buffering, the fused design picking OS or WS per layer by cycles.

Networks (benchmarks/topologies/): ResNet-18's 20 conv layers (SCALE-Sim's form: no padding,
1x1 shortcut convs included) and one GPT-2 small block at sequence 1024 (d 768, 12 heads of 64):
QKV, attention scores and PV (per head, counted 12 times), output projection, MLP up and down.
Memories: 256 KiB per tensor (A, B int8; C int32), the same for all three designs (their own
64x64x64-sized memories cannot hold an OS tile of ResNet's K = 4608 reduction, which an OS
design never splits).

Per layer: each design's cycles, the fused design's pick and its difference from the better
single-dataflow design, and the allowance the issue states (tiles x the fused design's extra
drain per tile). Energy: estimates (sim/workload/energy_defaults.yaml).

    nice -n 10 python benchmarks/fusion_value.py [--period NS] [--out JSON]

Writes benchmarks/results/fusion_value.json, or fusion_value_<NS>ns.json with --period (whole,
through a temporary file). At a tight period the designs drain in more cycles (each dataflow of
the fused one in its own, at least its single design's): the allowance column shows what that
costs per layer.

Tiles an earlier run timed come from the on-disk tile cache (sim/spec_layers/tile_store.py):
"tile designs lowered" counts only the others, and the seconds shrink to the model's own
(LEGO_TILE_CACHE=off lowers every tile again). The numbers of cycles do not depend on it.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lego.outputs import stable_json  # noqa: E402
from lego.spec import load_spec  # noqa: E402
from lego.tables import format_table  # noqa: E402
from sim.scalesim import read_topology  # noqa: E402
from sim.spec_layers import analyse, simulate_network  # noqa: E402

DESIGNS = {"OS only": ROOT / "examples/specs/gemm_os_16x16.yaml",
           "WS only": ROOT / "examples/specs/gemm_ws_16x16.yaml",
           "fused OS+WS": ROOT / "benchmarks/specs/gemm_os_ws_fused_16x16.yaml"}
NETWORKS = {"ResNet-18 conv": (ROOT / "benchmarks/topologies/resnet18.csv", False),
            "GPT-2 small block (seq 1024)": (ROOT / "benchmarks/topologies/gpt2_small_block.csv",
                                             True)}
HEADS = 12  # rows ending in _head run once per attention head
SRAM = {"A": 256 * 1024, "B": 256 * 1024, "C": 256 * 1024}
RESULTS = ROOT / "benchmarks/results/fusion_value.json"


def _count(name: str) -> int:
    return HEADS if name.endswith("_head") else 1


def _cause(best, fused_grain: dict) -> str:
    """Why the fused design is slower than the allowance: the better single design's tile is
    not at the fused design's granularity for that dataflow (each dataflow of the fused design
    runs at its own loop bounds, so this names a loop only if that dataflow's own map differs),
    or the tile policy picked another tile."""
    grain = fused_grain[best.dataflow]
    coarse = [loop for loop, size in best.tile if loop in grain and size % grain[loop]]
    return f"granularity ({', '.join(coarse)})" if coarse else "tile choice"


def _network(path: Path, gemm: bool, period: float | None) -> dict:
    layers = read_topology(path, gemm=gemm)
    template = analyse(load_spec(DESIGNS["fused OS+WS"]))
    grain = {flow.name: template.grain_of(index)
             for index, flow in enumerate(template.spec.dataflows)}
    runs, seconds = {}, {}
    for design, spec in DESIGNS.items():
        start = time.perf_counter()
        runs[design] = simulate_network(spec, layers, sram=SRAM, period_ns=period)
        seconds[design] = round(time.perf_counter() - start, 2)
    rows = []
    for i, layer in enumerate(layers):
        single = {d: runs[d].layers[i].chosen for d in ("OS only", "WS only")}
        best_name = min(single, key=lambda d: single[d].total_cycles)
        best, fused = single[best_name], runs["fused OS+WS"].layers[i].chosen
        allowance = fused.tiles * max(0, fused.tile_drain - best.tile_drain)
        rows.append({"layer": layer.name, "count": _count(layer.name),
                     "cycles": {d: runs[d].layers[i].chosen.total_cycles for d in DESIGNS},
                     "energy_uj": {d: runs[d].layers[i].chosen.energy / 1e6 for d in DESIGNS},
                     "tile_drain": {d: runs[d].layers[i].chosen.tile_drain for d in DESIGNS},
                     "tiles": {d: runs[d].layers[i].chosen.tiles for d in DESIGNS},
                     "fused_pick": fused.dataflow, "fused_tile": dict(fused.tile),
                     "better_single": best_name,
                     "fused_minus_better": fused.total_cycles - best.total_cycles,
                     "allowance": allowance,
                     "bound_holds": fused.total_cycles <= best.total_cycles + allowance,
                     "better_tile": dict(best.tile)})
        if not rows[-1]["bound_holds"]:
            rows[-1]["cause"] = _cause(best, grain)
    totals = {d: {"cycles": sum(r["count"] * r["cycles"][d] for r in rows),
                  "energy_uj": sum(r["count"] * r["energy_uj"][d] for r in rows),
                  "dram_bytes": sum(_count(x.layer.name) * x.chosen.dram_bytes
                                    for x in runs[d].layers),
                  "macs": sum(_count(x.layer.name) * x.layer.macs for x in runs[d].layers),
                  "tile_designs_lowered": runs[d].lowered_shapes, "seconds": seconds[d]}
              for d in DESIGNS}
    for d in DESIGNS:
        totals[d]["utilisation"] = totals[d]["macs"] / (256 * totals[d]["cycles"])
    return {"layers": rows, "totals": totals}


def _print(name: str, result: dict) -> None:
    print(f"\n{name}: per layer (cycles; x12 = once per head)")
    head = ("layer", *DESIGNS, "fused pick", "fused - better", "allowance", "bound holds")
    print(format_table([head] + [
        (r["layer"] + (f" x{r['count']}" if r["count"] > 1 else ""),
         *(r["cycles"][d] for d in DESIGNS), r["fused_pick"], r["fused_minus_better"],
         r["allowance"], "yes" if r["bound_holds"] else f"no: {r['cause']}")
        for r in result["layers"]],
        "l" + "r" * 3 + "lrrl"))
    print(f"\n{name}: totals")
    print(format_table([("design", "cycles", "utilisation %", "DRAM MB", "energy uJ",
                         "tile designs lowered", "seconds")] + [
        (d, t["cycles"], f"{100 * t['utilisation']:.1f}", f"{t['dram_bytes'] / 1e6:.2f}",
         f"{t['energy_uj']:.1f}", t["tile_designs_lowered"], t["seconds"])
        for d, t in result["totals"].items()], "l" + "r" * 6))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--period", type=float, metavar="NS",
                        help="clock period every design is pipelined for (default: lego's "
                             "relaxed 100 ns; results then go to fusion_value_<NS>ns.json)")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    out = args.out or (RESULTS if args.period is None else
                       RESULTS.with_name(f"fusion_value_{args.period:g}ns.json"))
    results = {}
    for name, (path, gemm) in NETWORKS.items():
        results[name] = _network(path, gemm, args.period)
        _print(name, results[name])
    data = {"designs": {d: str(p.relative_to(ROOT)) for d, p in DESIGNS.items()},
            "sram_bytes_per_tensor": SRAM, "dram_bytes_per_cycle": 16, "double_buffer": True,
            "objective": "cycles", "energy": "estimates (sim/workload/energy_defaults.yaml)",
            "period_ns": args.period,
            "networks": results}
    out.parent.mkdir(parents=True, exist_ok=True)
    temporary = out.with_name(out.name + ".tmp")
    temporary.write_text(stable_json(data))
    os.replace(temporary, out)
    print(f"\nwrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
