"""Choose the tiles a layer is cut into so that each fits its buffer.

Tiles. The layer's three loops are tiled: m in whole output rows (tr rows of Wo pixels; a GEMM
has Wo = 1, so any number of rows of M), n in filters (tn), k in input channels (tc, i.e.
Fh * Fw * tc elements of K). Whole output rows keep the input footprint of an m-tile a closed
form: tr output rows read (tr - 1) * min(S, Fh) + Fh input rows (fewer at the clipped bottom
edge), all Wi' input columns that any window reads, and tc channels. Neighbouring m-tiles re-read
their overlapping halo rows from DRAM. The smallest tile is one output row, one filter, one
channel; a buffer that cannot hold it is an error.

Loop order per dataflow (outer to inner), fixed: the loops of the operand the array keeps
stationary outside, the loop it streams inside, and among the outer two the reduction (k) inner
so that partial sums stay on chip as long as possible:

    OS: m, n, k      WS: n, k, m      IS: m, k, n

Reuse rule: a buffer holds one tile per operand (two with double buffering, see arch), so an
operand's tile is fetched again whenever a loop it does not depend on advances outside the
innermost loop it does depend on. Its DRAM traffic is its footprint times the product of the
trip counts of those loops. An output tile evicted before its reduction is complete is written
to DRAM and read back later (partial sums).

Policy. Among all tilings whose tiles fit (per operand, tile bytes <= buffer bytes, halved
with double buffering), take the one with the least DRAM traffic, then the fewest compute cycles,
then the fewest steps (larger tiles). Least traffic first makes traffic monotone: a smaller
buffer only removes candidates, so it can never decrease DRAM bytes. Candidates per loop are
the smallest tile for each trip count (a bigger tile with the same trip count moves the same
data in the same number of steps) plus, for a loop mapped to the array, the smallest multiple
of the array size for each trip count in array-size units (so that tiles cut on fold
boundaries and cost no extra folds). All candidates are evaluated at once with numpy.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import isqrt

import numpy as np

from lego.errors import LegoError
from sim.scalesim.mapping import cycles, spatio_temporal
from sim.workload.arch import TENSORS, Accelerator
from sim.workload.layer import Layer, ifmap_cols_read, touched

__all__ = ["LOOP_ORDER", "RELEVANT", "Tiling", "candidates", "choose_tiling", "fetch_factor",
           "evaluate"]

LOOP_ORDER = {"os": ("m", "n", "k"), "ws": ("n", "k", "m"), "is": ("m", "k", "n")}
RELEVANT = {"A": ("m", "k"), "B": ("k", "n"), "C": ("m", "n")}


@dataclass(frozen=True)
class Tiling:
    """Tile sizes in loop units: output rows (m), filters (n), input channels (k)."""

    rows: int
    filters: int
    channels: int

    def as_dict(self) -> dict:
        return {"rows": self.rows, "filters": self.filters, "channels": self.channels}


def extents(layer: Layer) -> dict[str, int]:
    """Loop extents in loop units."""
    return {"m": layer.ofmap_h, "n": layer.filters, "k": layer.channels}


def units(layer: Layer) -> dict[str, int]:
    """GEMM elements per loop unit: pixels per output row, elements of K per channel."""
    return {"m": layer.ofmap_w, "n": 1, "k": layer.filter_h * layer.filter_w}


def _smallest_per_trip_count(size: int) -> np.ndarray:
    """For every achievable trip count q, the smallest tile t with ceil(size / t) = q."""
    root = isqrt(size) + 1
    small = np.arange(1, min(root, size) + 1)
    big = -(-size // np.arange(1, root + 1))
    tiles = np.concatenate([big, small])
    trips = -(-size // tiles)
    return np.unique(-(-size // trips))


def candidates(size: int, align: int | None = None) -> np.ndarray:
    """Sorted candidate tile sizes for a loop of ``size`` units (see the module docstring)."""
    tiles = _smallest_per_trip_count(size)
    if align is not None and align > 1:
        aligned = np.minimum(size, align * _smallest_per_trip_count(-(-size // align)))
        tiles = np.union1d(tiles, aligned)
    return tiles


def fetch_factor(order, relevant, trips: dict):
    """How many times an operand's whole footprint moves: the product of the trip counts of
    the loops it does not depend on that enclose a loop it does depend on (trip count > 1)."""
    factor, inside = 1, False
    for loop in reversed(order):
        if loop in relevant:
            inside = inside | (trips[loop] > 1)
        else:
            factor = factor * np.where(inside, trips[loop], 1)
    return factor


def _split(size: int, tile):
    """(trips, size of the last tile) of a loop of ``size`` cut into ``tile``-sized pieces."""
    trips = -(-size // tile)
    return trips, size - (trips - 1) * tile


def evaluate(layer: Layer, acc: Accelerator, rows, filters, channels) -> dict:
    """Tile bytes per operand, DRAM bytes per tensor, compute cycles and steps of tilings
    (numpy arrays broadcast together, or ints)."""
    ext, unit, word = extents(layer), units(layer), acc.word_bytes
    tiles = {"m": rows, "n": filters, "k": channels}
    trips, last = {}, {}
    for loop in ("m", "n", "k"):
        trips[loop], last[loop] = _split(ext[loop], tiles[loop])
    s, fh, ho = layer.stride, layer.filter_h, layer.ofmap_h
    full_rows = touched(0, rows, s, fh, layer.ifmap_h)
    last_rows = touched(ho - last["m"], ho, s, fh, layer.ifmap_h)
    cols = ifmap_cols_read(layer)
    tile_bytes = {
        "A": np.where(trips["m"] > 1, np.maximum(full_rows, last_rows), last_rows)
        * cols * channels * word,
        "B": unit["k"] * channels * filters * word,
        "C": unit["m"] * rows * filters * word,
    }
    order = LOOP_ORDER[acc.dataflow]
    refetch = {op: fetch_factor(order, RELEVANT[op], trips) for op in RELEVANT}
    rows_read = (trips["m"] - 1) * full_rows + last_rows
    dram = {
        "ifmap_read": refetch["A"] * rows_read * cols * layer.channels * word,
        "filter_read": refetch["B"] * layer.filter_elems * word,
        "ofmap_write": refetch["C"] * layer.ofmap_elems * word,
        "ofmap_read": (refetch["C"] - 1) * layer.ofmap_elems * word,
    }
    return {"tile_bytes": tile_bytes, "dram": dram, "trips": trips,
            "compute_cycles": _compute_cycles(layer, acc, tiles, trips, last),
            "steps": trips["m"] * trips["n"] * trips["k"]}


def _compute_cycles(layer, acc, tiles, trips, last):
    """Sum of tile cycles over the (full, last) size classes of the three loops."""
    unit = units(layer)
    total = 0
    for m_full in (True, False):
        for n_full in (True, False):
            for k_full in (True, False):
                count, size = 1, {}
                for loop, full in (("m", m_full), ("n", n_full), ("k", k_full)):
                    count = count * (trips[loop] - 1 if full else 1)
                    size[loop] = (tiles[loop] if full else last[loop]) * unit[loop]
                total = total + count * cycles(acc.dataflow, acc.rows, acc.cols,
                                               size["m"], size["n"], size["k"])
    return total


def _alignments(layer: Layer, acc: Accelerator) -> dict[str, int | None]:
    """Array size along which each loop is mapped, for loops of one element per unit."""
    sr, sc, _ = spatio_temporal(acc.dataflow, "m", "n", "k")
    unit = units(layer)
    spatial = {sr: acc.rows, sc: acc.cols}
    return {loop: spatial.get(loop) if unit[loop] == 1 else None for loop in ("m", "n", "k")}


def _check_smallest_fits(layer: Layer, acc: Accelerator) -> None:
    smallest = evaluate(layer, acc, 1, 1, 1)["tile_bytes"]
    for operand in ("A", "B", "C"):
        need, have = int(smallest[operand]), acc.tile_capacity(operand)
        if need > have:
            halved = " (half the buffer: double buffering)" if acc.double_buffer else ""
            raise LegoError(
                f"layer {layer.name}: sram {operand} ({TENSORS[operand]}) "
                f"{acc.sram_bytes['ABC'.index(operand)]} bytes cannot hold the smallest "
                f"{TENSORS[operand]} tile (1 output row, 1 filter, 1 channel): {need} bytes "
                f"needed, {have} available{halved}")


def _fitting_alone(layer: Layer, acc: Accelerator, cands: dict) -> list[np.ndarray]:
    """Per loop, the candidates that fit with the other two loops at one unit (the others
    cannot fit with anything), to keep the broadcast search small."""
    kept = []
    for loop in ("m", "n", "k"):
        tiles = {other: cands[loop] if other == loop else 1 for other in ("m", "n", "k")}
        sizes = evaluate(layer, acc, tiles["m"], tiles["n"], tiles["k"])["tile_bytes"]
        fits = np.ones(len(cands[loop]), dtype=bool)
        for operand, size in sizes.items():
            fits &= np.broadcast_to(size <= acc.tile_capacity(operand), fits.shape)
        kept.append(cands[loop][fits])
    return kept


def choose_tiling(layer: Layer, acc: Accelerator) -> Tiling:
    """The tiling of the policy above; raise LegoError when not even the smallest fits."""
    _check_smallest_fits(layer, acc)
    ext, align = extents(layer), _alignments(layer, acc)
    grids = np.meshgrid(*_fitting_alone(layer, acc, {loop: candidates(ext[loop], align[loop])
                                                     for loop in ("m", "n", "k")}),
                        indexing="ij", sparse=True)
    result = evaluate(layer, acc, *grids)
    fits = np.ones(np.broadcast_shapes(*(g.shape for g in grids)), dtype=bool)
    for operand, size in result["tile_bytes"].items():
        fits &= size <= acc.tile_capacity(operand)
    dram = sum(result["dram"].values())
    keys = [np.broadcast_to(key, fits.shape)[fits]
            for key in (result["steps"], result["compute_cycles"], dram)]
    best = np.lexsort(keys)[0]  # last key is primary: DRAM bytes, then cycles, then steps
    index = [np.broadcast_to(g, fits.shape)[fits][best] for g in grids]
    return Tiling(*(int(i) for i in index))
