"""Render layer reports as a COMPUTE_REPORT-like table or as stable JSON."""

from __future__ import annotations

from lego.outputs import stable_json
from sim.scalesim.compute import LayerReport
from sim.scalesim.config import ScaleSimConfig

__all__ = ["COLUMNS", "table", "to_json"]

# (header, LayerReport field): SCALE-Sim's COMPUTE_REPORT columns (without the DRAM-prefetch
# total, which depends on its memory model) and the SRAM counts of its DETAILED_ACCESS_REPORT.
COLUMNS = (
    ("Total Cycles", "total_cycles"),
    ("Stall Cycles", "stall_cycles"),
    ("Overall Util %", "overall_util"),
    ("Mapping Efficiency %", "mapping_efficiency"),
    ("Compute Util %", "compute_util"),
    ("SRAM IFMAP Reads", "sram_ifmap_reads"),
    ("SRAM Filter Reads", "sram_filter_reads"),
    ("SRAM OFMAP Writes", "sram_ofmap_writes"),
)


def _cell(value) -> str:
    # str() of a float is its shortest round-trip form, as in SCALE-Sim's CSV reports.
    return str(value)


def table(config: ScaleSimConfig, reports: list[LayerReport]) -> str:
    """A fixed-width table, one line per layer, preceded by a one-line summary of the run."""
    header = ("LayerID", "Layer") + tuple(name for name, _ in COLUMNS)
    rows = [header] + [(str(i), r.name) + tuple(_cell(getattr(r, f)) for _, f in COLUMNS)
                       for i, r in enumerate(reports)]
    widths = [max(len(row[c]) for row in rows) for c in range(len(header))]
    lines = [f"SCALE-Sim compatible run {config.run_name}: {config.rows}x{config.cols} array, "
             f"dataflow {config.dataflow}, {len(reports)} layers"]
    for row in rows:
        cells = [row[0].rjust(widths[0]), row[1].ljust(widths[1])]
        cells += [cell.rjust(width) for cell, width in zip(row[2:], widths[2:], strict=True)]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines) + "\n"


def to_json(config: ScaleSimConfig, reports: list[LayerReport]) -> str:
    """Byte-identical JSON for equal inputs (sorted keys, no time stamps)."""
    return stable_json({
        "config": {"run_name": config.run_name, "rows": config.rows, "cols": config.cols,
                   "dataflow": config.dataflow},
        "layers": [report.as_dict() for report in reports],
    })
