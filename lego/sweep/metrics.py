"""The stages of a sweep, cheapest first, the options each one takes and the metrics each one
records (the names objectives, promotion rules and exports use)."""

from __future__ import annotations

__all__ = ["STAGES", "STAGE_OPTIONS", "METRICS", "STATUSES", "DIRECTIONS", "stage_of_metric"]

STAGES = ("sim", "gen", "synth", "pnr", "verify")

# options every stage takes: `promote` (which points of the stages before go on to this one),
# `timeout` (seconds per point) and `batch` (points per task sent to a worker)
_COMMON = ("promote", "timeout", "batch")
STAGE_OPTIONS = {
    "sim": _COMMON + ("model",),
    "gen": _COMMON + ("keep",),
    "synth": _COMMON + ("target", "keep"),
    "pnr": _COMMON + ("target", "seed", "freq_mhz", "keep"),
    "verify": _COMMON + ("seeds",),
}

# the sim stage's models each record a subset of these
METRICS = {
    "sim": ("cycles", "compute_cycles", "stall_cycles", "utilisation", "dram_bytes",
            "sram_accesses", "energy_uj", "macs", "fus"),
    "gen": ("fus", "register_bits", "hand_register_bits", "pipeline_depth", "ports", "banks",
            "muxes", "primitives", "verilog_lines"),
    "synth": ("lut4", "ff", "dsp", "bram", "carry", "cells"),
    "pnr": ("lut4", "ff", "dsp", "bram", "carry", "cells", "fmax_mhz"),
    "verify": ("passed", "rtl_cycles"),
}

# ok: measured; invalid: the point cannot exist (lego's error); unfit: does not fit the device;
# timeout: ran past the stage's timeout; failed: crashed (its message kept)
STATUSES = ("ok", "invalid", "unfit", "timeout", "failed")
DIRECTIONS = ("min", "max")


def stage_of_metric(name: str, stages) -> str | None:
    """The first of ``stages`` recording metric ``name`` (None if none does)."""
    return next((stage for stage in stages if name in METRICS[stage]), None)
