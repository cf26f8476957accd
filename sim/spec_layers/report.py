"""``lego sim design SPEC --layers``'s output: a table per layer (the chosen dataflow and every
dataflow's cycles), network totals, or stable JSON."""

from __future__ import annotations

from lego.outputs import stable_json
from lego.tables import format_table
from sim.spec_layers.network import NetworkResult

__all__ = ["table", "to_json"]

ENERGY_NOTE = ("estimates: access counts x per-access energies (Horowitz ISSCC 2014, 45 nm; "
               "sim/workload/energy_defaults.yaml, override with --energy)")


def _memory(result: NetworkResult) -> str:
    sram = "unbounded" if result.capacity is None else \
        ", ".join(f"{t}={n}" for t, n in result.capacity)
    bw = "unlimited" if result.dram_bw is None else f"{float(result.dram_bw):g} B/cycle"
    return (f"SRAM elements {sram}, DRAM {bw}, double buffering "
            f"{'on' if result.double_buffer else 'off'}")


def table(result: NetworkResult) -> str:
    flows = [r.dataflow for r in result.layers[0].runs] if result.layers else []
    header = ("#", "layer", "dataflow", "tile", "tiles", "tile cycles", "cycles", "stall",
              "util %", "DRAM B", "energy uJ") + tuple(f"{f} cycles" for f in flows)
    rows = [header]
    for i, layer in enumerate(result.layers):
        c = layer.chosen
        rows.append((i, layer.layer.name, c.dataflow, "x".join(str(s) for _, s in c.tile),
                     c.tiles, c.tile_cycles, c.total_cycles, c.stall_cycles,
                     f"{100 * c.utilisation:.1f}", c.dram_bytes, f"{c.energy / 1e6:.3f}")
                    + tuple(r.total_cycles for r in layer.runs))
    sram = [("#", "layer", "tensor", "SRAM reads", "SRAM writes", "DRAM read B",
             "DRAM write B")]
    sram += [(i, layer.layer.name, t.tensor, t.sram_reads, t.sram_writes, t.dram_read_bytes,
              t.dram_write_bytes)
             for i, layer in enumerate(result.layers) for t in layer.chosen.tensors]
    t = result.totals()
    loops = "x".join(name for name, _ in result.layers[0].chosen.tile) if result.layers else ""
    return "\n".join([
        f"{result.spec}: {len(result.layers)} layers, {result.fus} FUs, choice by "
        f"{result.objective}; {_memory(result)}; tile = {loops}",
        format_table(rows, "rll" + "r" * (len(header) - 3)), "",
        format_table(sram, "rll" + "r" * 4), "",
        f"total: {t['total_cycles']} cycles ({t['compute_cycles']} compute, "
        f"{t['stall_cycles']} stall), utilisation {100 * t['utilisation']:.1f} %, "
        f"{t['dram_bytes']} DRAM bytes, {t['energy_pj'] / 1e6:.3f} uJ",
        f"energy: {ENERGY_NOTE}"]) + "\n"


def to_json(result: NetworkResult) -> str:
    """Byte-identical JSON for equal inputs."""
    return stable_json({
        "spec": result.spec, "fus": result.fus, "objective": result.objective,
        "sram_elements": None if result.capacity is None else dict(result.capacity),
        "dram_bw": None if result.dram_bw is None else float(result.dram_bw),
        "double_buffer": result.double_buffer, "energy_note": ENERGY_NOTE,
        "layers": [layer.to_dict() for layer in result.layers], "total": result.totals()})
