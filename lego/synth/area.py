"""Where a synthesized design's cells go, in the design's own parts: its FUs, each tensor's
memory banks, the address logic, the links between FUs, the host port and the controller.

Yosys keeps the generated Verilog's signal names as prefixes of the cells it derives
(lego.synth.names); each cell of the flat netlist is charged to the part its name says, with
Amaranth's anonymous signals followed to a named one. A cell is charged where Yosys named it,
usually after the signal it drives: a LUT in front of a bank's read register counts for the
bank, the carry cells of an FU's adder for the FU. Cells no name places are "other"."""

from __future__ import annotations

import re
from collections import Counter, defaultdict

from lego.synth.names import design_term, verilog_signal

__all__ = ["area_by_part", "part_of"]

# the cell types counted, by the name the reports use
CELL_NAMES = {"LUT4": "LUT4", "TRELLIS_FF": "FF", "CCU2C": "CCU2C", "PFUMX": "PFUMX",
              "L6MUX21": "L6MUX21", "TRELLIS_DPR16X4": "DPR16X4", "MULT18X18D": "MULT18X18D",
              "ALU54B": "ALU54B", "DP16KD": "DP16KD"}

_PARTS = (  # (pattern on the design term, part); the first match wins
    (re.compile(r"FU \(.*\) \w+ address( mux)?$"), "addresses"),
    (re.compile(r"\w+ address generator$"), "addresses"),
    (re.compile(r"FU \("), "FUs"),
    (re.compile(r"(\w+) memory bank \d+$"), r"\1 memory"),
    (re.compile(r"\w+ (link|delay|FIFO) "), "links between FUs"),
    (re.compile(r"host port$"), "host port"),
    (re.compile(r"controller$"), "controller"),
)


def part_of(signal: str) -> str:
    """The design part a Verilog signal (or a cell named after one) belongs to."""
    term = design_term(signal)
    if term is None:
        return "other"
    for pattern, part in _PARTS:
        match = pattern.match(term)
        if match:
            return match.expand(part)
    return "other"


def area_by_part(netlist: dict, top: str, aliases: dict[str, str]
                 ) -> tuple[tuple[str, tuple[tuple[str, int], ...]], ...]:
    """Per part (sorted by name), its cells by type (sorted), from Yosys's JSON netlist of the
    flattened module ``top``."""
    cells = netlist["modules"][top]["cells"]
    parts: dict[str, Counter] = defaultdict(Counter)
    for name, cell in cells.items():
        kind = CELL_NAMES.get(cell["type"])
        if kind is not None:
            parts[part_of(verilog_signal(name, aliases))][kind] += 1
    return tuple((part, tuple(sorted(count.items()))) for part, count in sorted(parts.items()))
