"""DRAM traffic and stalls of a tiled layer, summed over classes of steps (no per-step loop).

A step is one iteration of the three tile loops: the array computes one tile (m, n, k). Before
it, the operand tiles that changed since the previous step are loaded; after it, the output
tile is written back if the next step moves to another output tile (at the end of its
reduction, or early as partial sums when k is an outer loop: those are read back on the next
visit). Whether an operand moves at a step depends only on whether each loop index is the
first, a middle or the last of its loop, and the tile sizes only on whether it is the last
(remainder) tile, so the steps fall into at most 3^3 classes with closed-form counts.

Timing, at ``dram_bw`` bytes per cycle, in exact rational arithmetic, rounded up once:
- without double buffering loads, compute and write-back serialize: every step costs
  its compute cycles plus its transfer time;
- with double buffering the transfer for one step overlaps the compute of another: the first
  load and the last write-back cannot overlap (the fill), and every step then costs
  max(compute, transfer). We pair each step's compute with its own transfer; for uniform tiles
  this is the exact double-buffered timeline, with remainder tiles the real pairing is shifted by
  one step.
Stall cycles = total - compute: the fill plus the waits where transfer exceeds compute. Both
totals are >= max(compute, bytes / bandwidth) and the double-buffered one is never larger
than the serial one for the same tiling.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

from sim.scalesim.mapping import cycles, demand
from sim.workload.arch import OPERANDS, Accelerator
from sim.workload.layer import Layer, ifmap_cols_read, touched
from sim.workload.tiling import LOOP_ORDER, RELEVANT, Tiling, extents, units

__all__ = ["StepClass", "Timing", "Traffic", "compute_cycles", "sram_array_accesses",
           "step_classes", "timing", "traffic"]


@dataclass(frozen=True)
class StepClass:
    """``count`` steps with the same tile sizes and the same DRAM transfers."""

    count: int
    compute: int                 # array cycles of one step
    tile: tuple[int, int, int]   # (tm, tn, tk) in GEMM elements
    loads: int                   # bytes read from DRAM before the step
    writes: int                  # bytes written to DRAM after the step
    dram: tuple[int, int, int, int]  # ifmap read, filter read, ofmap write, ofmap read (bytes)
    first: bool                  # the very first step
    last: bool                   # the very last step


@dataclass(frozen=True)
class Traffic:
    """DRAM bytes per tensor."""

    ifmap_read: int
    filter_read: int
    ofmap_write: int
    ofmap_read: int

    @property
    def total(self) -> int:
        return self.ifmap_read + self.filter_read + self.ofmap_write + self.ofmap_read

    def as_dict(self) -> dict:
        return {"ifmap_read": self.ifmap_read, "filter_read": self.filter_read,
                "ofmap_write": self.ofmap_write, "ofmap_read": self.ofmap_read,
                "total": self.total}


def _positions(trips: int) -> list[tuple[int, bool, bool]]:
    """(count, is first, is last) of the index positions of a loop."""
    if trips == 1:
        return [(1, True, True)]
    return [(1, True, False)] + ([(trips - 2, False, False)] if trips > 2 else []) \
        + [(1, False, True)]


def _inner_loops_at(order, relevant, trips, flags) -> bool:
    """Whether every loop inside the innermost loop an operand depends on (with more than one
    trip) has its flag set. With the "first index" flags: the operand's tile is (re)loaded
    before the step; with the "last index" flags: it leaves the buffer after the step."""
    inner = [i for i, loop in enumerate(order) if loop in relevant and trips[loop] > 1]
    start = inner[-1] + 1 if inner else 0
    return all(flags[order[i]] for i in range(start, len(order)))


def step_classes(layer: Layer, acc: Accelerator, tiling: Tiling) -> list[StepClass]:
    ext, unit, word = extents(layer), units(layer), acc.word_bytes
    tile = {"m": tiling.rows, "n": tiling.filters, "k": tiling.channels}
    trips = {loop: -(-ext[loop] // tile[loop]) for loop in ext}
    last_size = {loop: ext[loop] - (trips[loop] - 1) * tile[loop] for loop in ext}
    order = LOOP_ORDER[acc.dataflow]
    s, fh, ho, h = layer.stride, layer.filter_h, layer.ofmap_h, layer.ifmap_h
    cols = ifmap_cols_read(layer)
    classes = []
    for pm in _positions(trips["m"]):
        for pn in _positions(trips["n"]):
            for pk in _positions(trips["k"]):
                pos = {"m": pm, "n": pn, "k": pk}
                size = {loop: last_size[loop] if pos[loop][2] else tile[loop] for loop in ext}
                first = {loop: pos[loop][1] for loop in ext}
                last = {loop: pos[loop][2] for loop in ext}
                start = ho - size["m"] if last["m"] else 0
                a_rows = int(touched(start, start + size["m"], s, fh, h))
                a = a_rows * cols * size["k"] * word
                b = unit["k"] * size["k"] * size["n"] * word
                c = unit["m"] * size["m"] * size["n"] * word
                load_a = a if _inner_loops_at(order, RELEVANT["A"], trips, first) else 0
                load_b = b if _inner_loops_at(order, RELEVANT["B"], trips, first) else 0
                visit_c = _inner_loops_at(order, RELEVANT["C"], trips, first)
                read_c = c if visit_c and not first["k"] else 0
                write_c = c if _inner_loops_at(order, RELEVANT["C"], trips, last) else 0
                gemm_tile = (size["m"] * unit["m"], size["n"], size["k"] * unit["k"])
                classes.append(StepClass(
                    count=pm[0] * pn[0] * pk[0],
                    compute=cycles(acc.dataflow, acc.rows, acc.cols, *gemm_tile),
                    tile=gemm_tile, loads=load_a + load_b + read_c, writes=write_c,
                    dram=(load_a, load_b, write_c, read_c),
                    first=all(first.values()), last=all(last.values())))
    return classes


def traffic(classes: list[StepClass]) -> Traffic:
    totals = [sum(cls.count * cls.dram[i] for cls in classes) for i in range(4)]
    return Traffic(*totals)


def compute_cycles(classes: list[StepClass]) -> int:
    return sum(cls.count * cls.compute for cls in classes)


def sram_array_accesses(acc: Accelerator, classes: list[StepClass]) -> dict[str, int]:
    """Element accesses of the array to the buffers: A and B reads, C writes."""
    totals = dict.fromkeys(OPERANDS, 0)
    for cls in classes:
        tile = demand(acc.dataflow, acc.rows, acc.cols, *cls.tile)
        for operand, value in zip(OPERANDS, tile, strict=True):
            totals[operand] += cls.count * value
    return totals


@dataclass(frozen=True)
class Timing:
    compute_cycles: int
    total_cycles: int
    fill_cycles: int  # first load and last write-back (part of the stall cycles)

    @property
    def stall_cycles(self) -> int:
        return self.total_cycles - self.compute_cycles


def timing(acc: Accelerator, classes: list[StepClass]) -> Timing:
    compute = compute_cycles(classes)
    if acc.dram_bw is None:
        return Timing(compute, compute, 0)
    bw = acc.dram_bw
    fill = sum(Fraction(cls.loads) for cls in classes if cls.first) \
        + sum(Fraction(cls.writes) for cls in classes if cls.last)
    fill /= bw
    if not acc.double_buffer:
        moved = sum(cls.count * (cls.loads + cls.writes) for cls in classes)
        total = compute + Fraction(moved) / bw
    else:
        total = fill
        for cls in classes:
            overlapped = cls.loads * (not cls.first) + cls.writes * (not cls.last)
            total += cls.count * max(Fraction(cls.compute), Fraction(overlapped) / bw)
    return Timing(compute, math.ceil(total), math.ceil(fill))
