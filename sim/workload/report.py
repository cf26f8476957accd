"""Render workload results as a fixed-width table or as stable JSON."""

from __future__ import annotations

from lego.outputs import stable_json
from lego.tables import format_table
from sim.workload.arch import Accelerator
from sim.workload.simulate import LayerResult

__all__ = ["COLUMNS", "table", "to_json", "totals"]

# (header, function of a result): one table line per layer.
COLUMNS = (
    ("Tile r/f/c", lambda r: f"{r.tiling.rows}/{r.tiling.filters}/{r.tiling.channels}"),
    ("Total cycles", lambda r: r.timing.total_cycles),
    ("Compute", lambda r: r.timing.compute_cycles),
    ("Stall", lambda r: r.timing.stall_cycles),
    ("Util %", lambda r: f"{r.utilisation:.2f}"),
    ("DRAM ifmap B", lambda r: r.dram.ifmap_read),
    ("DRAM filter B", lambda r: r.dram.filter_read),
    ("DRAM ofmap wr B", lambda r: r.dram.ofmap_write),
    ("DRAM psum rd B", lambda r: r.dram.ofmap_read),
    ("Energy uJ", lambda r: f"{r.energy_pj['total'] / 1e6:.3f}"),
)


def totals(results: list[LayerResult]) -> dict:
    """Sums over layers of cycles, DRAM bytes and energy."""
    def total(get):
        return sum(get(r) for r in results)

    return {
        "compute_cycles": total(lambda r: r.timing.compute_cycles),
        "stall_cycles": total(lambda r: r.timing.stall_cycles),
        "total_cycles": total(lambda r: r.timing.total_cycles),
        "dram_bytes": total(lambda r: r.dram.total),
        "energy_pj": total(lambda r: r.energy_pj["total"]),
        "macs": total(lambda r: r.layer.macs),
    }


def table(acc: Accelerator, results: list[LayerResult]) -> str:
    header = ("LayerID", "Layer") + tuple(name for name, _ in COLUMNS)
    rows = [header] + [(i, r.layer.name) + tuple(get(r) for _, get in COLUMNS)
                       for i, r in enumerate(results)]
    bw = "unlimited" if acc.dram_bw is None else f"{float(acc.dram_bw):g} B/cycle"
    sram = ", ".join(f"{op}={size}" for op, size in zip("ABC", acc.sram_bytes, strict=True))
    lines = [f"workload: {len(results)} layers on {acc.rows}x{acc.cols} {acc.dataflow}, "
             f"SRAM bytes {sram}, DRAM {bw}, double buffering "
             f"{'on' if acc.double_buffer else 'off'}",
             format_table(rows, "rl" + "r" * len(COLUMNS))]
    t = totals(results)
    lines.append(f"total: {t['total_cycles']} cycles ({t['compute_cycles']} compute, "
                 f"{t['stall_cycles']} stall), {t['dram_bytes']} DRAM bytes, "
                 f"{t['energy_pj'] / 1e6:.3f} uJ (energy: estimates, see --energy)")
    return "\n".join(lines) + "\n"


def to_json(acc: Accelerator, energy_table: dict, results: list[LayerResult]) -> str:
    """Byte-identical JSON for equal inputs."""
    return stable_json({
        "accelerator": acc.as_dict(),
        "energy_table_pj": energy_table,
        "energy_note": "per-access energies are estimates (Horowitz ISSCC 2014, 45 nm)",
        "layers": [r.as_dict() for r in results],
        "total": totals(results),
    })
