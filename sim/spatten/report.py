"""What ``lego spatten sim`` reports, as one JSON-ready dict: totals, per iteration and layer,
per stage, the energy estimate, the DRAM ladder and the comparison with a baseline run.

Speedup bounds against a baseline (both runs on the same hardware): a run takes at least its
busiest stage's busy cycles per unit. If both runs were limited by DRAM alone, the speedup would
be the ratio of their DRAM busy cycles (``dram_bound``); if both were limited by their busiest
compute stage (Q x K, softmax, top-k, prob x V, per unit), the ratio of those
(``compute_bound``). Pruning shrinks the bytes more than the compute (quantization only shrinks
bytes), so a dense, DRAM-bound baseline against a compute-bound pruned run lands in between.
"""

from __future__ import annotations

from sim.spatten.hardware import Hardware
from sim.spatten.ladder import ladder
from sim.spatten.simulate import STAGES, Run
from sim.spatten.trace import Trace
from sim.workload.energy import REGISTER_ACCESSES_PER_MAC, energy_pj

__all__ = ["report", "compare"]

_COMPUTE = tuple(s for s in STAGES if s != "dram")
_LAYER_COUNTS = ("requests", "tokens", "keys", "values", "refetches")


def _bytes(bits: int) -> int:
    return -(-bits // 8)


def _traffic(layers) -> dict:
    parts = {"k_msb": sum(x.k_msb_bits for x in layers), "k_lsb": sum(x.k_lsb_bits for x in layers),
             "v": sum(x.v_bits for x in layers)}
    out = {name: _bytes(bits) for name, bits in parts.items()}
    out["total"] = _bytes(sum(parts.values()))
    return out


def _summary(layers, cycles: int) -> dict:
    return {"cycles": cycles, **{c: sum(getattr(x, c) for x in layers) for c in _LAYER_COUNTS},
            "bytes": _traffic(layers)}


def _stages(run: Run) -> tuple[dict, str]:
    stages = {s: {"units": run.units[s], "busy": run.busy[s],
                  "utilisation": run.busy[s] / (run.units[s] * run.cycles) if run.cycles else 0,
                  "critical_path": run.critical[s]} for s in STAGES}
    bottleneck = max(STAGES, key=lambda s: (stages[s]["utilisation"], -STAGES.index(s)))
    return stages, bottleneck


def _energy(run: Run, total_bytes: int, table: dict) -> dict:
    words = -(-total_bytes * 8 // table["sram_bank_width_bits"])
    counts = {"mac": run.macs, "register": REGISTER_ACCESSES_PER_MAC * run.macs,
              "sram_read": words, "sram_write": words, "dram_byte": total_bytes}
    return {"estimate": True, "counts": counts, "pj": energy_pj(counts, table),
            "note": "per-access table of sim/workload/energy_defaults.yaml (45 nm estimates) "
                    "or --energy; sram: every fetched byte written once and read once"}


def report(trace: Trace, hw: Hardware, run: Run, options: dict, energy_table: dict) -> dict:
    totals = _summary(run.layers, run.cycles)
    totals["time_us"] = run.cycles / (hw.frequency_ghz * 1e3)
    totals["topk_requests"] = run.topk_runs  # local-V, token and head top-k runs that drop some
    stages, bottleneck = _stages(run)
    iterations = []
    for it in sorted({x.iteration for x in run.layers}):
        layers = [x for x in run.layers if x.iteration == it]
        cycles = layers[-1].start + layers[-1].cycles - layers[0].start
        iterations.append({"iteration": it, **_summary(layers, cycles)})
    return {
        "trace": trace.path,
        "model": {"layers": trace.layers, "heads": trace.heads, "head_dim": trace.head_dim,
                  "iterations": trace.iterations, "requests": len(trace.requests)},
        "hardware": hw.to_dict(), **options,
        "totals": totals, "stages": stages, "bottleneck": bottleneck,
        "energy": _energy(run, totals["bytes"]["total"], energy_table),
        "ladder": ladder(trace, options["dense_bits"]),
        "iterations": iterations,
        "layers": [{"iteration": x.iteration, "layer": x.layer, "start": x.start,
                    **_summary([x], x.cycles)} for x in run.layers],
    }


def _per_unit_peak(run: Run, stages) -> int:
    return max(-(-run.busy[s] // run.units[s]) for s in stages)


def compare(result: dict, run: Run, base_path: str, base: Run) -> dict:
    """The ``baseline`` entry: speedup, DRAM reduction and the two bounds."""
    base_bytes = _traffic(base.layers)["total"]
    return {"trace": base_path, "cycles": base.cycles, "bytes": base_bytes,
            "speedup": base.cycles / run.cycles,
            "dram_reduction": base_bytes / result["totals"]["bytes"]["total"],
            "dram_bound_speedup": base.busy["dram"] / run.busy["dram"],
            "compute_bound_speedup": _per_unit_peak(base, _COMPUTE) / _per_unit_peak(run, _COMPUTE)}
