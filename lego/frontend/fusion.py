"""Dataflow fusion: one FU array for every dataflow, muxes only where an FU input's source
differs between dataflows.

The forests are rebuilt in dataflow order; each one prefers the edges (and memory ports) that
the dataflows fused before it already have, so chains are shared instead of duplicated (the
paper's reuse-existing-chains heuristic, done through the arborescence costs). The mux count is
reported against two baselines: the naive union (every FU input that is driven in more than one
dataflow gets a mux, as if each dataflow had its own wiring) and the union of independently built
forests (a mux only where sources differ, but without preferring shared chains)."""

from __future__ import annotations

from dataclasses import dataclass

from lego.frontend.interconnect import MEMORY, Forest, Interconnect, feeding_forest
from lego.frontend.reuse import Reuse
from lego.ir import Spec

__all__ = ["Mux", "Fusion", "fuse_dataflows", "input_sources"]


@dataclass(frozen=True)
class Mux:
    """FU input ``fu`` of ``tensor`` picks ``sources[select[d]]`` in dataflow d. A source is
    a tuple of feeding nodes (FU index or MEMORY; ``SELF`` = the FU's own accumulator)."""

    tensor: str
    fu: int
    sources: tuple[tuple[int, ...], ...]
    select: tuple[tuple[str, int], ...]


SELF = -2  # the output accumulates into the FU's own register (stationary output)


@dataclass(frozen=True)
class Fusion:
    forests: tuple[Forest, ...]  # the fused forests, dataflows in spec order
    muxes: tuple[Mux, ...]
    naive_mux_count: int  # a mux on every FU input driven in more than one dataflow
    independent_mux_count: int  # muxes where the independently built forests differ

    def get(self, dataflow: str, tensor: str) -> Forest:
        return next(f for f in self.forests if f.dataflow == dataflow and f.tensor == tensor)

    def dump(self) -> str:
        lines = [f"fusion: {len(self.muxes)} muxes (naive union {self.naive_mux_count}, "
                 f"independent forests {self.independent_mux_count})"]
        for mux in self.muxes:
            sources = " | ".join(",".join(map(str, s)) or "none" for s in mux.sources)
            select = " ".join(f"{d}={i}" for d, i in mux.select)
            lines.append(f"  mux {mux.tensor} fu{mux.fu}: [{sources}] select {select}")
        for forest in self.forests:
            lines.append(f"  forest {forest.dataflow}/{forest.tensor}: {len(forest.edges)} "
                         f"edges, memory FUs {list(forest.memory_fus)}")
        return "\n".join(lines)


def fuse_dataflows(spec: Spec, reuse: Reuse, interconnect: Interconnect) -> Fusion:
    forests = []
    for tensor in spec.tensors:
        used: set[tuple[int, int]] = set()
        for flow in spec.dataflows:
            forest = feeding_forest(flow, reuse.get(flow.name, tensor.name), frozenset(used))
            used.update((s, d) for s, d, _ in forest.edges)
            forests.append(forest)
    order = {(f.dataflow, f.tensor): i for i, f in enumerate(interconnect.forests)}
    forests.sort(key=lambda f: order[(f.dataflow, f.tensor)])
    return Fusion(tuple(forests), _muxes(spec, reuse, forests),
                  _naive_mux_count(spec, reuse, interconnect.forests),
                  len(_muxes(spec, reuse, interconnect.forests)))


def input_sources(forest: Forest, stationary: bool, num_fus: int) -> list[tuple[int, ...]]:
    """Per FU, what drives its input for this tensor: the parent (inputs), or the partial sums
    arriving from other FUs plus SELF when the output stays in place (outputs)."""
    sources: list[list[int]] = [[] for _ in range(num_fus)]
    for src, dst, _ in forest.edges:
        if forest.role == "output":
            if dst != MEMORY:
                sources[dst].append(src)
        else:
            sources[dst].append(src)
    if forest.role == "output" and stationary:
        for fu_sources in sources:
            fu_sources.append(SELF)
    return [tuple(sorted(s)) for s in sources]


def _per_flow_sources(spec: Spec, reuse: Reuse, forests, tensor) -> list[list[tuple[int, ...]]]:
    num_fus = spec.dataflows[0].num_fus
    out = []
    for flow in spec.dataflows:
        forest = next(f for f in forests if f.dataflow == flow.name and f.tensor == tensor.name)
        stationary = bool(reuse.get(flow.name, tensor.name).stationary)
        out.append(input_sources(forest, stationary, num_fus))
    return out


def _naive_mux_count(spec: Spec, reuse: Reuse, forests) -> int:
    """FU inputs that more than one dataflow drives: the naive union muxes every one of them,
    even where the dataflows' sources coincide."""
    count = 0
    for tensor in spec.tensors:
        per_flow = _per_flow_sources(spec, reuse, forests, tensor)
        for fu in range(spec.dataflows[0].num_fus):
            count += sum(1 for sources in per_flow if sources[fu]) > 1
    return count


def _muxes(spec: Spec, reuse: Reuse, forests) -> tuple[Mux, ...]:
    names = [flow.name for flow in spec.dataflows]
    muxes = []
    for tensor in spec.tensors:
        per_flow = list(zip(names, _per_flow_sources(spec, reuse, forests, tensor), strict=True))
        for fu in range(spec.dataflows[0].num_fus):
            distinct = sorted({sources[fu] for _, sources in per_flow})
            if len(distinct) > 1:
                select = tuple((name, distinct.index(sources[fu])) for name, sources in per_flow)
                muxes.append(Mux(tensor.name, fu, tuple(distinct), select))
    return tuple(muxes)
