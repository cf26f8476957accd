"""Render layer reports as a COMPUTE_REPORT-like table or as stable JSON."""

from __future__ import annotations

from lego.outputs import stable_json
from lego.tables import format_table
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


def table(config: ScaleSimConfig, reports: list[LayerReport]) -> str:
    """A fixed-width table, one line per layer, preceded by a one-line summary of the run."""
    header = ("LayerID", "Layer") + tuple(name for name, _ in COLUMNS)
    # format_table prints str() of each value: for a float its shortest round-trip form, as in
    # SCALE-Sim's CSV reports.
    rows = [header] + [(i, r.name) + tuple(getattr(r, f) for _, f in COLUMNS)
                       for i, r in enumerate(reports)]
    summary = (f"SCALE-Sim compatible run {config.run_name}: {config.rows}x{config.cols} array, "
               f"dataflow {config.dataflow}, {len(reports)} layers")
    return f"{summary}\n{format_table(rows, 'rl' + 'r' * len(COLUMNS))}\n"


def to_json(config: ScaleSimConfig, reports: list[LayerReport]) -> str:
    """Byte-identical JSON for equal inputs (sorted keys, no time stamps)."""
    return stable_json({
        "config": {"run_name": config.run_name, "rows": config.rows, "cols": config.cols,
                   "dataflow": config.dataflow},
        "layers": [report.as_dict() for report in reports],
    })
