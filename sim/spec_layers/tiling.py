"""The tile a layer is cut into on one dataflow of a design: the largest-reuse tile that fits the
design's on-chip memory, chosen in closed form over all candidates at once (numpy).

Per loop: a loop the dataflow maps to space alone keeps its spec size; otherwise tile sizes are
multiples of the loop's granularity in this dataflow (a fused design runs each dataflow at its
own loop bounds, so another dataflow's granularity does not constrain it). One loop per GEMM
role (the first growable one: the primary) is searched, over the smallest multiple of the
granularity for each trip count; the other loops of the role (conv's x, r, s when y and c are
searched) take their whole padded extent. A dataflow whose datapath never reads the output
memory (OS: sums stay in the FUs and are written once) cannot add to an earlier tile's partial
sums, so its reduction loops are never split. Every tile of a layer has the same shape: the last
tile along a loop is padded.

Fit: per tensor, the elements one tile touches <= the capacity (banks x depth of the design,
or ``--sram``), halved with double buffering (the next tile is loaded beside the current one).

Policy (as ``lego sim layer``): least DRAM traffic, then fewest estimated cycles
(tiles x (1 + steps + the spec design's drain of that dataflow), as :mod:`sim.design` counts a
run), then fewest tiles. DRAM traffic is the GEMM view's: an operand's tile moves again
whenever a loop it does not depend on advances outside the innermost loop it does depend on
(``sim.workload.tiling.fetch_factor``)."""

from __future__ import annotations

import math

import numpy as np

from lego.errors import LegoError
from sim.conv_gemm import ceil_div
from sim.spec_layers.template import ROLES, Template
from sim.workload.tiling import LOOP_ORDER, RELEVANT, candidates, fetch_factor

__all__ = ["choose_tile", "gemm_view"]


def _sizes(template: Template, flow: int, extents: dict[str, int],
           split_reduction: bool) -> dict[str, object]:
    """Per loop: one tile size, or a numpy array of candidates for the primary loops."""
    fixed, grain = template.fixed_of(flow), template.grain_of(flow)
    sizes: dict[str, object] = {}
    for role in ROLES:
        searched = role == "k" and not split_reduction
        for loop in template.role_loops(role):
            if loop in fixed:
                sizes[loop] = fixed[loop]
                continue
            g = grain[loop]
            if searched:
                sizes[loop] = g * ceil_div(extents[loop], g)
            else:
                sizes[loop] = g * candidates(ceil_div(extents[loop], g))
                searched = True
    return sizes


def gemm_view(template: Template, extents: dict, tile: dict) -> dict[str, tuple]:
    """Per GEMM role: (tile elements, trips) of the tile grid (ints or numpy arrays)."""
    out = {}
    for role in ROLES:
        size, trips = 1, 1
        for loop in template.role_loops(role):
            size = size * tile[loop]
            trips = trips * ceil_div(extents[loop], tile[loop])
        out[role] = (size, trips)
    return out


def dram_elements(template: Template, dataflow: str, view: dict) -> dict[str, object]:
    """DRAM element transfers per operand: A, B read, C written and C read back."""
    order = LOOP_ORDER[dict(template.order)[dataflow]]
    trips = {role: view[role][1] for role in ROLES}
    whole = {role: view[role][0] * view[role][1] for role in ROLES}
    fetch = {op: fetch_factor(order, RELEVANT[op], trips) for op in RELEVANT}
    return {"A": whole["m"] * whole["k"] * fetch["A"],
            "B": whole["k"] * whole["n"] * fetch["B"],
            "C_write": whole["m"] * whole["n"] * fetch["C"],
            "C_read": whole["m"] * whole["n"] * (fetch["C"] - 1)}


def _bytes(template: Template, tensor: str) -> int:
    return math.ceil(template.spec.tensor(tensor).dtype.bits / 8)


def dram_bytes(template: Template, elements: dict) -> object:
    a, b, c = (_bytes(template, template.tensor_of(op)) for op in "ABC")
    return (elements["A"] * a + elements["B"] * b
            + (elements["C_write"] + elements["C_read"]) * c)


def choose_tile(template: Template, flow: int, extents: dict[str, int],
                capacity: dict[str, int] | None, double_buffer: bool, drain: int,
                layer_name: str, split_reduction: bool = True) -> dict[str, int]:
    """The tile of the policy above; a LegoError when not even the smallest tile fits.
    ``split_reduction=False`` keeps the whole reduction in one tile (for a dataflow that
    never reads its output memory, so it cannot add a tile's sums to an earlier tile's)."""
    sizes = _sizes(template, flow, extents, split_reduction)
    names = [loop for loop, s in sizes.items() if isinstance(s, np.ndarray)]
    grids = dict(zip(names, np.meshgrid(*(sizes[n] for n in names), indexing="ij",
                                        sparse=True), strict=True))
    tile = {loop: grids.get(loop, sizes[loop]) for loop in sizes}
    shape = np.broadcast_shapes(*(np.shape(g) for g in grids.values())) if grids else ()
    fits = np.ones(shape, dtype=bool)
    if capacity is not None:
        share = 2 if double_buffer else 1
        for tensor, elements in capacity.items():
            fits &= np.asarray(template.footprint(tensor, tile)) * share <= elements
    if not fits.any():
        raise LegoError(f"layer {layer_name}: no tile fits the on-chip memory on dataflow "
                        f"{template.spec.dataflows[flow].name} (elements per tensor "
                        f"{capacity}{', halved by double buffering' if double_buffer else ''}"
                        f"{'' if split_reduction else '; its reduction is not split'}); "
                        "give more with --sram")
    view = gemm_view(template, extents, tile)
    name = template.spec.dataflows[flow].name
    dram = dram_bytes(template, dram_elements(template, name, view))
    tiles = view["m"][1] * view["n"][1] * view["k"][1]
    cycles = tiles * (1 + template.steps(flow, tile) + drain)
    best = _first_least([np.broadcast_to(k, shape)[fits] for k in (dram, cycles, tiles)])
    return {loop: int(np.broadcast_to(value, shape)[fits][best]) for loop, value in tile.items()}


def _first_least(keys: list[np.ndarray]) -> int:
    """The first index whose keys are least, the first key first (``np.lexsort(keys[::-1])[0]``
    without sorting: a layer's tile grid has up to ~25,000 fitting candidates)."""
    chosen = np.arange(keys[0].size)
    for key in keys:
        values = key[chosen]
        if not values.size:
            return 0
        chosen = chosen[values == values.min()]
    return int(chosen[0])
