"""A tile's run derived from another tile of the same structure, without lowering it.

Tiles of one template differ only in loop bounds. A tile design is lowered and scheduled in
full once per *structure class* (its representative); every other tile of the class gets:

- steps: the product of its own temporal bounds (``lego.backend.design.Flow.num_steps``);
- drain: the representative's (the latest memory-write stage of the schedule);
- SRAM reads and writes per tensor and bank: every memory port of the representative, its
  enable evaluated at the tile's own bounds with the very meanings the RTL is built from
  (:mod:`lego.backend.semantics`), counted exactly over a compressed step grid.

Why the counts are exact: a class is derived only where every memory port touches one bank and
its enable is an ``AllZero``, ``WriteEnable`` or ``ReadEnable`` without an ``outside`` box.
Those compare single counters with ``==`` against 0 or the counter's last value (``bound -
1``; a constant of the representative that is neither refuses the class), so on each of the
cells {0}, {bound - 1} and [1, bound - 2] of every counter the enable is constant: the count of
enabled steps is the sum over the product of cells of (enable x cell sizes).

What makes two tiles one class (the structure key): the reuse analysis of the tile's spec with
each validity box taken relative to its bound (which reuse vectors exist, which loops are
stationary, which outputs accumulate in memory: the front end's only bound-dependent choices
that shape the graph; a temporal bound of 1 and a fused design's dataflow running its own
smaller box enter through them), the read-after-write distance of each revisit up to
``_NEAR`` steps (the pipelining LP keeps a read that many steps after a write behind it),
and, at a clock period other than lego's default (where timing constraints exist), which
memories are block RAM and the partial sums' width (the only delays that bounds change).
``tests/test_sim_spec_layers_tile_derive.py`` lowers every tile of the benchmark networks and
of random layers in full and checks that each derived run equals it; the argument
for the drain and its limits are in the module's tests and the issue-15 note."""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, replace

import numpy as np

from lego.backend.design import Design, Flow
from lego.backend.semantics import AllZero, ReadEnable, WriteEnable, evaluate
from lego.backend.step_values import running_fields
from lego.frontend.reuse import analyze_reuse, temporal_weights
from lego.ir import Spec
from sim.design import DesignRun
from sim.sram import TensorAccesses

__all__ = ["Representative", "represent", "structure_key", "derive"]

_NEAR = 64  # read-after-write distances at or beyond this many steps are alike


def structure_key(spec: Spec, period_ns: float | None) -> tuple:
    """What decides a tile design's graph and schedule, except the bound values themselves."""
    reuse = []
    for item, flow in zip(analyze_reuse(spec).tensors,
                          [f for f in spec.dataflows for _ in spec.tensors], strict=True):
        bounds = dict(flow.temporal)
        weights = temporal_weights(flow)
        near = tuple(min(_NEAR, abs(sum(a * w for a, w in zip(dt, weights, strict=True))))
                     for dt in item.revisits) if item.accumulate_in_memory else ()
        vectors = tuple((v.dt, v.ds, v.kind, tuple((n, lo, hi - bounds[n]) for n, lo, hi
                                                   in v.valid))
                        for v in item.candidates)
        # an input's revisits are memory re-reads the back end never reads back: only an
        # output's, which make it read-modify-write, shape the graph
        revisits = item.revisits if item.accumulate_in_memory else ()
        reuse.append((item.dataflow, item.tensor, vectors, item.stationary, revisits,
                      item.accumulate_in_memory, near))
    delays = None
    if period_ns is not None:  # timing constraints may exist: the delays must be the same
        delays = _delay_inputs(spec)
    return tuple(reuse), delays, period_ns


def _delay_inputs(spec: Spec) -> tuple:
    """What of a tile design's delays its bounds change (lego.backend.primitives.DelayModel):
    per tensor, whether its memory is block RAM (a RAM port's delays depend on its depth),
    and the partial sums' width (an add's delay grows with its width; the reduction length
    sets it). The other widths that bounds change, the counters' and the addresses', are of
    kinds whose delay is a constant."""
    from lego.backend.delay_table import ecp5_delays
    from lego.backend.layout import geometry
    from lego.backend.partial_sums import partial_sum_bits
    from lego.frontend.passes import run_passes

    adg = run_passes(spec).adg
    limit = ecp5_delays().distributed_max_words
    return tuple((t.name, t.depth > limit) for t in geometry(adg)), partial_sum_bits(adg)


@dataclass(frozen=True, eq=False)
class Representative:
    """What a class's tiles take from its lowered representative."""

    flows: tuple[Flow, ...]  # the representative's dataflows (its temporal bounds)
    drains: tuple[int, ...]
    num_fus: int
    tensors: tuple[tuple[str, int, int], ...]  # (name, bits, banks)
    enables: tuple[object, ...]  # the distinct enables of the memory ports
    # per memory port: its enable (index into ``enables``) and its slot in the per-tensor
    # [reads per bank, writes per bank] counts, tensors in design order
    port_enable: np.ndarray
    port_slot: np.ndarray
    # (dataflow, counter) compared with 0 where the representative's bound is 1: that 0 is
    # also its last value, so only tiles of bound 1 there are derived from it
    ambiguous: tuple[tuple[int, int], ...]

    @property
    def bounds(self) -> tuple[tuple[int, ...], ...]:
        return tuple(f.bounds for f in self.flows)

    def serves(self, bounds: tuple[tuple[int, ...], ...]) -> bool:
        return all(bounds[flow][i] == 1 for flow, i in self.ambiguous)


def represent(design: Design, drains: tuple[int, ...]) -> Representative | None:
    """The representative of ``design``'s class, or None when its ports are not countable
    this way (a port that may touch several banks, an enable with a box, a dataflow with
    bubbles: a preload's tiles are each lowered)."""
    graph = design.graph
    if any(f.bubbles for f in design.flows):
        return None
    bounds = tuple(f.bounds for f in design.flows)
    first, offset = {}, 0
    for t in design.tensors:
        first[t.name], offset = offset, offset + 2 * t.banks
    enables: dict = {}
    port_enable, port_slot = [], []
    for prim in graph.primitives():
        if prim.kind not in ("mem_read", "mem_write"):
            continue
        inputs = [c.src for c in graph.inputs(prim.name)]
        enable = graph.primitive(inputs[1] if prim.kind == "mem_read" else inputs[0]).params
        if len(prim.params.banks) != 1 or not _countable(enable, bounds):
            return None
        tensor = design.tensor(prim.params.tensor)
        port_enable.append(enables.setdefault(enable, len(enables)))
        port_slot.append(first[tensor.name] + (tensor.banks if prim.kind == "mem_write" else 0)
                         + prim.params.banks[0])
    ambiguous = sorted({(t.flow, i) for e in enables if isinstance(e, ReadEnable)
                        for t in e.terms for i, _ in t.equalities if bounds[t.flow][i] == 1})
    return Representative(design.flows, drains, design.num_fus,
                          tuple((t.name, t.bits, t.banks) for t in design.tensors),
                          tuple(enables), np.array(port_enable, dtype=np.int64),
                          np.array(port_slot, dtype=np.int64), tuple(ambiguous))


def _countable(enable, bounds) -> bool:
    if isinstance(enable, (AllZero, WriteEnable)):
        return True
    if not isinstance(enable, ReadEnable):
        return False
    for term in enable.terms:
        if term.outside:
            return False
        for i, want in term.equalities:
            if want not in (0, bounds[term.flow][i] - 1):
                return False
    return True


def _relative(enable, new: tuple):
    """``enable`` with each ``counter == bound - 1`` of the representative moved to the tile's
    last value (lego.backend.lower writes only 0 and bound - 1; where the representative's
    bound is 1 the two coincide, and ``Representative.serves`` keeps those tiles at 1)."""
    if not isinstance(enable, ReadEnable):
        return enable
    terms = tuple(replace(t, equalities=tuple(
        (i, want if want == 0 else new[t.flow][i] - 1) for i, want in t.equalities))
        for t in enable.terms)
    return ReadEnable(terms)


class _Grid:
    """The value interface over a compressed step grid of one dataflow: per counter the cells
    {0}, {bound - 1}, [1, bound - 2] (each present when non-empty), with their sizes."""

    def __init__(self, flows: tuple[Flow, ...], flow: int):
        cells = [_cells(b) for b in flows[flow].bounds]
        points = list(itertools.product(*cells)) if cells else [()]
        self.flows, self.flow = flows, flow
        self.weight = np.array([math.prod(size for _, size in p) for p in points],
                               dtype=np.int64)
        n = len(points)
        self.counters = [np.array([p[i][0] for p in points], dtype=np.int64)
                         for i in range(len(cells))]
        self.shape = (n,)

    def fields(self, packed):
        return running_fields(self.flows, self.flow, self.counters, self.shape)

    def bubbles_left(self, packed, flow: int):
        raise NotImplementedError("tiles of a dataflow with bubbles are not derived yet")

    def const(self, value: int, bits: int, signed: bool):
        return np.bool_(value) if bits == 1 and not signed else np.int64(value)

    def count(self, enable, bounds) -> int:
        hit = np.broadcast_to(evaluate(enable, self, [None], bounds, 1), self.shape)
        return int(self.weight[hit].sum())


def _cells(bound: int) -> list[tuple[int, int]]:
    """(a value, how many counter values behave like it) for a counter of ``bound``."""
    cells = [(0, 1)]
    if bound > 1:
        cells.append((bound - 1, 1))
    if bound > 2:
        cells.append((1, bound - 2))
    return cells


def derive(rep: Representative, bounds: tuple[tuple[int, ...], ...],
           names: tuple[str, ...]) -> tuple[DesignRun, ...]:
    """The runs of the tile whose dataflows have temporal ``bounds`` (same class as ``rep``)."""
    if any(f.bubbles for f in rep.flows):  # a tile's own count would move every step
        raise NotImplementedError("tiles of a dataflow with bubbles are not derived yet")
    flows = tuple(Flow(f.name, f.index, tuple(b), f.names)
                  for f, b in zip(rep.flows, bounds, strict=True))
    if tuple(f.name for f in flows) != names:
        raise AssertionError(f"dataflows {names} are not the representative's")
    enables = [_relative(e, bounds) for e in rep.enables]
    slots = sum(2 * banks for _, _, banks in rep.tensors)
    runs = []
    for flow in flows:
        grid = _Grid(flows, flow.index)
        counted = np.array([grid.count(e, bounds) for e in enables], dtype=np.int64)
        tally = np.zeros(slots, dtype=np.int64)  # per slot the sum of its ports' counts
        np.add.at(tally, rep.port_slot, counted[rep.port_enable])
        tally = tally.tolist()
        sram, at = [], 0
        for name, bits, banks in rep.tensors:
            sram.append(TensorAccesses(name, bits, tuple(tally[at:at + banks]),
                                       tuple(tally[at + banks:at + 2 * banks])))
            at += 2 * banks
        steps, drain = flow.num_steps, rep.drains[flow.index]
        cycles = 1 + steps + drain
        runs.append(DesignRun(flow.name, steps, drain, cycles, rep.num_fus, steps / cycles,
                              tuple(sram)))
    return tuple(runs)
