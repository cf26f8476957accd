"""What synthesis and place and route measured, read from the tools' own reports: Yosys's
``stat -json`` and ``ltp``, nextpnr's ``--report`` JSON. Nothing here is estimated."""

from __future__ import annotations

import re
from dataclasses import dataclass

from lego.synth.names import describe, verilog_signal

__all__ = ["PathEnd", "Timing", "SynthReport", "cells_from_stat", "port_bits_from_stat",
           "longest_path_from_ltp", "timing_from_nextpnr"]

# synth.json's name for each ECP5 primitive it counts
ECP5_RESOURCES = (("lut4", "LUT4"), ("ff", "TRELLIS_FF"), ("dsp", "MULT18X18D"),
                  ("bram", "DP16KD"), ("dram", "TRELLIS_DPR16X4"), ("carry", "CCU2C"))


@dataclass(frozen=True)
class PathEnd:
    """One end of a timing path: the raw cell and net names, the generated Verilog's signal
    they derive from, and what that is in the design (None when the names do not say)."""

    cell: str | None
    net: str | None
    signal: str
    term: str | None

    def to_dict(self) -> dict:
        return {"cell": self.cell, "net": self.net, "signal": self.signal, "term": self.term}


@dataclass(frozen=True)
class Timing:
    fmax_mhz: float
    clock: str
    target_mhz: float | None  # the --freq nextpnr placed and routed for (None: its default)
    delay_ns: float  # the critical path's total delay
    start: PathEnd
    end: PathEnd

    def to_dict(self) -> dict:
        return {"fmax_mhz": round(self.fmax_mhz, 2), "clock": self.clock,
                "target_mhz": self.target_mhz, "critical_path_ns": round(self.delay_ns, 3),
                "critical_path_start": self.start.to_dict(),
                "critical_path_end": self.end.to_dict()}


@dataclass(frozen=True)
class SynthReport:
    """One design synthesized (and, with ``timing``, placed and routed) for one target."""

    design: str  # the top module
    target: str
    device: str
    package: str
    cells: tuple[tuple[str, int], ...]  # Yosys cell type -> count, sorted by type
    port_bits: int
    does_not_fit: str | None = None  # "needs N LUT4, ecp5-85k has 83,640", when not checked
    logic_depth: int | None = None  # generic target: longest path in cells (Yosys ltp)
    logic_path: tuple[PathEnd, PathEnd] | None = None  # its first and last signal
    placement: str | None = None  # "in context" or "out of context" when placed and routed
    seed: int | None = None
    router: str | None = None  # nextpnr's router, when placed and routed
    timing: Timing | None = None
    tools: tuple[tuple[str, str], ...] = ()  # PyPI package -> version
    seconds: tuple[tuple[str, float], ...] = ()  # tool -> wall-clock seconds
    cpu_seconds: tuple[tuple[str, float], ...] = ()  # tool -> CPU seconds (user + system)
    # ECP5: per design part (FUs, a tensor's memory, host port, ...) its cells by type
    # (lego.synth.area: charged by the names Yosys gives them)
    area_by_part: tuple[tuple[str, tuple[tuple[str, int], ...]], ...] = ()

    def count(self, cell: str) -> int:
        return dict(self.cells).get(cell, 0)

    def to_dict(self) -> dict:
        out = {"design": self.design, "target": self.target, "device": self.device,
               "package": self.package, "port_bits": self.port_bits,
               "cells": sum(n for _, n in self.cells), "cells_by_type": dict(self.cells),
               "tools": dict(self.tools),
               "seconds": {tool: round(s, 2) for tool, s in self.seconds},
               "cpu_seconds": {tool: round(s, 2) for tool, s in self.cpu_seconds}}
        if self.does_not_fit is not None:
            out["does_not_fit"] = self.does_not_fit
        if self.logic_depth is not None:
            out["logic_depth"] = self.logic_depth
            if self.logic_path is not None:
                out["logic_path_start"] = self.logic_path[0].to_dict()
                out["logic_path_end"] = self.logic_path[1].to_dict()
        else:
            out.update({key: self.count(cell) for key, cell in ECP5_RESOURCES})
        if self.area_by_part:
            out["area_by_part"] = {part: dict(cells) for part, cells in self.area_by_part}
        if self.placement is not None:  # placed and routed
            out.update(placement=self.placement, seed=self.seed, router=self.router,
                       fmax_mhz=None)
            if self.timing is not None:  # else no path from a register to a register
                out.update(self.timing.to_dict())
        return out


def cells_from_stat(stat: dict) -> tuple[tuple[str, int], ...]:
    """Cell type -> count of the whole design, from Yosys ``stat -json`` (``$scopeinfo``,
    which is bookkeeping and no hardware, left out)."""
    by_type = stat["design"].get("num_cells_by_type", {})
    return tuple(sorted((cell, n) for cell, n in by_type.items() if cell != "$scopeinfo"))


def port_bits_from_stat(stat: dict) -> int:
    return int(stat["design"].get("num_port_bits", 0))


_LTP = re.compile(r"Longest topological path in \S+ \(length=(\d+)\)")
_LTP_NODE = re.compile(r"^\s*\d+: (.+?)(?: \(via .*\))?$", re.MULTILINE)


def longest_path_from_ltp(text: str, aliases: dict[str, str]
                          ) -> tuple[int, tuple[PathEnd, PathEnd]]:
    """The length of the longest topological path Yosys's ``ltp -noff`` printed, and its
    first and last signal."""
    match = _LTP.search(text)
    nodes = _LTP_NODE.findall(text[match.end():]) if match else []
    if match is None or not nodes:
        raise ValueError("no 'Longest topological path' in the ltp output")
    return int(match.group(1)), tuple(
        PathEnd(None, node, verilog_signal(node, aliases), describe([node], aliases))
        for node in (nodes[0], nodes[-1]))


def timing_from_nextpnr(report: dict, aliases: dict[str, str],
                        target_mhz: float | None = None) -> Timing | None:
    """Fmax of the slowest clock and its critical path (register to register in that clock),
    from nextpnr's ``--report`` JSON; None for a design without a clock."""
    if not report.get("fmax"):
        return None
    clock, figures = min(report["fmax"].items(), key=lambda item: item[1]["achieved"])
    own = [p for p in report.get("critical_paths", [])
           if p["from"] == p["to"] and p["from"].endswith(" " + clock)]
    if not own:
        raise ValueError(f"nextpnr reports Fmax for {clock!r} but no critical path in it")
    steps = own[0]["path"]
    nets = [step["net"] for step in steps if step.get("net")]
    first, last = steps[0]["from"]["cell"], steps[-1]["to"]["cell"]
    # each end is named by its own cell only: Yosys names a net after any signal it was
    # derived from (``start_LUT4_A_Z..`` leaves a register ``wr__addr``), and a cell further
    # along the path would put the end somewhere it is not
    start = PathEnd(first, nets[0] if nets else None, verilog_signal(first, aliases),
                    describe([first], aliases))
    end = PathEnd(last, nets[-1] if nets else None, verilog_signal(last, aliases),
                  describe([last], aliases))
    return Timing(figures["achieved"], clock, target_mhz,
                  sum(step["delay"] for step in steps), start, end)
