"""The Architecture Description Graph: the one hand-off to the back end and the simulator.

Frozen records, nothing keyed by strings: the FUs with their coordinates; per tensor its element
type and, per dataflow, its memory (banks and the ports' address generators:
:class:`lego.frontend.memory.TensorMemory`); the edges (FU-to-FU and memory), each with its use
in every dataflow that has it (kind, FIFO depth, validity box); per dataflow its temporal loops
and each tensor's reuse flags; the muxes of fused dataflows with their per-dataflow select.
``adg.json`` and ``adg.dot`` are views of these records (:mod:`lego.frontend.adg_text`), and so
is the networkx graph (``to_networkx``) for code that wants one."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import networkx as nx

from lego.errors import LegoError
from lego.frontend.fusion import SELF, Fusion
from lego.frontend.interconnect import MEMORY, fu_coords
from lego.frontend.memory import MemorySystem, TensorMemory
from lego.frontend.reuse import Reuse, TensorReuse, temporal_weights
from lego.ir import Spec

__all__ = ["ADG", "AdgTensor", "FuNode", "EdgeUse", "Edge", "Loop", "TensorFlags", "FlowConfig",
           "MuxConfig", "build_adg", "fu_id", "mem_id"]

Vector = tuple[int, ...]
# an edge that is a delay line in any dataflow is a FIFO (depth 0 = a wire in the others)
_KIND_PRIORITY = ("delay", "reduction", "direct", "preload", "memory")


def fu_id(coord: tuple[int, ...]) -> str:
    return "fu_" + "_".join(map(str, coord))


def mem_id(tensor: str) -> str:
    return f"mem_{tensor}"


@dataclass(frozen=True)
class AdgTensor:
    name: str
    role: str  # "input" | "output"
    bits: int
    signed: bool
    shape: Vector


@dataclass(frozen=True)
class FuNode:
    id: str
    coord: Vector
    index: int  # row-major position in the array; memory ports name FUs by it


@dataclass(frozen=True)
class EdgeUse:
    """How one dataflow uses an edge: ``kind`` direct | delay | reduction | memory, the FIFO
    ``depth`` (steps), the temporal offset ``dt`` it bridges and, per limited temporal loop,
    the range [lo, hi) of steps where its source point exists (elsewhere: memory fallback)."""

    dataflow: str
    kind: str
    depth: int
    dt: Vector
    valid: tuple[tuple[str, int, int], ...]


@dataclass(frozen=True)
class Edge:
    """A connection ``src -> dst`` (FU or memory node ids) carrying ``tensor``; its hardware
    ``kind`` and ``depth`` serve every dataflow in ``uses``."""

    src: str
    dst: str
    tensor: str
    kind: str
    depth: int
    uses: tuple[EdgeUse, ...]  # dataflows in spec order

    def use(self, dataflow: str) -> EdgeUse | None:
        return next((u for u in self.uses if u.dataflow == dataflow), None)


@dataclass(frozen=True)
class Loop:
    name: str
    bound: int
    weight: int  # steps per increment (row-major step order); 0 for a spatial loop


@dataclass(frozen=True)
class TensorFlags:
    """One tensor's reuse in one dataflow, as the back end needs it."""

    tensor: str
    invariant_to: tuple[str, ...]  # inner temporal loops the element is held over
    accumulate_in_memory: bool  # the output is read, added to and written back
    reuse: tuple[str, ...]  # reuse kinds found
    revisits: tuple[Vector, ...]

    @property
    def stationary(self) -> bool:
        return bool(self.invariant_to)


@dataclass(frozen=True)
class FlowConfig:
    name: str
    temporal: tuple[Loop, ...]  # outermost first
    spatial: tuple[Loop, ...]
    num_steps: int
    tensors: tuple[TensorFlags, ...]  # spec order
    active_edges: tuple[tuple[str, str, str], ...]  # (src, dst, tensor), sorted
    # the loop bounds this dataflow runs at (spec order): the spec's, or its own smaller box
    loops: tuple[tuple[str, int], ...] = ()
    # a preloaded tensor (lego.ir.Dataflow.preload): (tensor, spatial index of the chain)
    preload: tuple[tuple[str, int], ...] = ()

    def flags(self, tensor: str) -> TensorFlags:
        return next(f for f in self.tensors if f.tensor == tensor)

    @property
    def bubbles(self) -> tuple[int, int]:
        """(bubbles before each tile, the tile's outermost loop) a preload needs: one step per
        FU of the chain but its first, which loads in the tile's first step; a tile is a sweep
        of the loops the preloaded element is invariant to (lego.backend.design.Flow)."""
        if not self.preload:
            return 0, 0
        (tensor, dim), = self.preload
        inner = self.flags(tensor).invariant_to
        return self.spatial[dim].bound - 1, self.loop_names.index(inner[0])

    @property
    def loop_names(self) -> tuple[str, ...]:
        return tuple(loop.name for loop in self.temporal)

    @property
    def bounds(self) -> Vector:
        return tuple(loop.bound for loop in self.temporal)


@dataclass(frozen=True)
class MuxConfig:
    """FU ``fu``'s ``tensor`` input picks ``sources[select of the running dataflow]``; a
    source is a tuple of node ids (``self``: the FU's own accumulator)."""

    fu: str
    tensor: str
    sources: tuple[tuple[str, ...], ...]
    select: tuple[tuple[str, int], ...]


@dataclass(frozen=True, eq=False)
class ADG:
    name: str
    array: Vector
    tensors: tuple[AdgTensor, ...]  # spec order; the host port numbers tensors by it
    fus: tuple[FuNode, ...]  # row-major
    flows: tuple[FlowConfig, ...]  # spec order
    memories: tuple[TensorMemory, ...]  # per dataflow and tensor
    edges: tuple[Edge, ...]  # sorted by (src, dst, tensor)
    muxes: tuple[MuxConfig, ...]
    naive_mux_count: int
    independent_mux_count: int

    def tensor(self, name: str) -> AdgTensor:
        return next(t for t in self.tensors if t.name == name)

    def flow(self, name: str) -> FlowConfig:
        return self._flow_of[name]

    def memory(self, dataflow: str, tensor: str) -> TensorMemory:
        return self._memory_of[dataflow, tensor]

    def edge(self, src: str, dst: str, tensor: str) -> Edge | None:
        return self._edge_of.get((src, dst, tensor))

    def in_edges(self, dst: str, tensor: str, dataflow: str) -> list[tuple[str, EdgeUse]]:
        """(source, use) of every edge into ``dst`` carrying ``tensor`` in ``dataflow``,
        sorted by source."""
        return list(self._uses_into.get((dst, tensor, dataflow), ()))

    # The back end looks these up per FU and primitive (thousands of times per design): each is
    # a dict built once, holding what the scan it replaces finds first.
    @cached_property
    def _flow_of(self) -> dict[str, FlowConfig]:
        return {f.name: f for f in reversed(self.flows)}

    @cached_property
    def _memory_of(self) -> dict[tuple[str, str], TensorMemory]:
        return {(m.dataflow, m.tensor): m for m in reversed(self.memories)}

    @cached_property
    def _uses_into(self) -> dict[tuple[str, str, str], list[tuple[str, EdgeUse]]]:
        """Per (destination, tensor, dataflow): ``in_edges``' list."""
        into: dict[tuple[str, str, str], list[tuple[str, EdgeUse]]] = {}
        for (dst, tensor), edges in self._edges_into.items():
            for e in edges:
                for flow in dict.fromkeys(u.dataflow for u in e.uses):
                    into.setdefault((dst, tensor, flow), []).append((e.src, e.use(flow)))
        return into

    @cached_property
    def _edges_into(self) -> dict[tuple[str, str], list[Edge]]:
        """Per (destination, tensor), its edges in ``edges`` order: the back end looks them up
        per FU, and a scan of all edges per look-up was quadratic in the FUs."""
        into: dict[tuple[str, str], list[Edge]] = {}
        for e in self.edges:
            into.setdefault((e.dst, e.tensor), []).append(e)
        return into

    @cached_property
    def _edge_of(self) -> dict[tuple[str, str, str], Edge]:
        of: dict[tuple[str, str, str], Edge] = {}
        for e in reversed(self.edges):  # the first of equal keys wins, as a scan finds it
            of[e.src, e.dst, e.tensor] = e
        return of

    def to_networkx(self) -> nx.MultiDiGraph:
        """A frozen graph view: nodes are FU and memory ids, edges keyed by tensor."""
        graph = nx.MultiDiGraph(name=self.name)
        graph.add_nodes_from((fu.id, {"kind": "fu", "coord": fu.coord}) for fu in self.fus)
        graph.add_nodes_from((mem_id(t.name), {"kind": "memory"}) for t in self.tensors)
        for e in self.edges:
            graph.add_edge(e.src, e.dst, key=e.tensor, edge=e)
        return nx.freeze(graph)

    def to_json(self) -> str:
        from lego.frontend.adg_text import adg_json
        return adg_json(self)

    def to_dot(self) -> str:
        from lego.frontend.adg_text import adg_dot
        return adg_dot(self)

    def dump(self) -> str:
        return self.to_json()


def build_adg(spec: Spec, reuse: Reuse, fusion: Fusion, memory: MemorySystem) -> ADG:
    coords = fu_coords(spec.dataflows[0].spatial_bounds)
    edges = _edges(spec, reuse, fusion, coords)
    _check_preloads(spec, edges)
    return ADG(
        name=spec.name, array=tuple(spec.dataflows[0].spatial_bounds),
        tensors=tuple(AdgTensor(t.name, t.role, t.dtype.bits, t.dtype.signed, tuple(t.shape))
                      for t in spec.tensors),
        fus=tuple(FuNode(fu_id(c), tuple(c), i) for i, c in enumerate(coords)),
        flows=tuple(_flow_config(spec, flow, reuse, edges) for flow in spec.dataflows),
        memories=tuple(memory.get(flow.name, t.name) for t in spec.tensors
                       for flow in spec.dataflows),
        edges=edges, muxes=tuple(_mux_config(m, coords) for m in fusion.muxes),
        naive_mux_count=fusion.naive_mux_count,
        independent_mux_count=fusion.independent_mux_count)


def _check_preloads(spec: Spec, edges: tuple[Edge, ...]) -> None:
    """A preloading dataflow has no FIFO edge: a FIFO's depth counts steps and its shift
    register moves every cycle, so the bubbles between a push and its pop would deliver the
    value early (a fuzz find: a strided convolution's input FIFO)."""
    for i, flow in enumerate(spec.dataflows):
        fifo = next((e.tensor for e in edges for use in e.uses
                     if use.dataflow == flow.name and use.kind == "delay"), None)
        if flow.preload and fifo is not None:
            (tensor, _), = flow.preload
            raise LegoError(f"{spec.source}: dataflows[{i}].preload.{tensor}: dataflow "
                            f"{flow.name!r} passes {fifo} through a FIFO, which the bubbles "
                            "a preload takes would deliver early; preload in a dataflow "
                            "without delay edges")


def _edges(spec: Spec, reuse: Reuse, fusion: Fusion, coords) -> tuple[Edge, ...]:
    uses: dict[tuple[str, str, str], list[EdgeUse]] = {}
    for forest in fusion.forests:
        info = reuse.get(forest.dataflow, forest.tensor)
        for src, dst, vec in forest.edges:
            u = mem_id(forest.tensor) if src == MEMORY else fu_id(coords[src])
            v = mem_id(forest.tensor) if dst == MEMORY else fu_id(coords[dst])
            vector = info.candidates[vec] if vec >= 0 else None
            use = (EdgeUse(forest.dataflow, "memory", 0, (), ()) if vector is None else
                   EdgeUse(forest.dataflow, vector.kind, vector.delay, tuple(vector.dt),
                           tuple(vector.valid)))
            uses.setdefault((u, v, forest.tensor), []).append(use)
    order = {flow.name: i for i, flow in enumerate(spec.dataflows)}
    edges = []
    for (u, v, tensor), found in sorted(uses.items()):
        found.sort(key=lambda use: order[use.dataflow])
        kinds = {use.kind for use in found}
        kind = next(k for k in _KIND_PRIORITY if k in kinds)
        edges.append(Edge(u, v, tensor, kind, max(use.depth for use in found), tuple(found)))
    return tuple(edges)


def _flow_config(spec: Spec, flow, reuse: Reuse, edges: tuple[Edge, ...]) -> FlowConfig:
    weights = temporal_weights(flow)
    return FlowConfig(
        name=flow.name,
        temporal=tuple(Loop(n, b, w) for (n, b), w in zip(flow.temporal, weights, strict=True)),
        spatial=tuple(Loop(n, b, 0) for n, b in flow.spatial),
        num_steps=flow.num_steps,
        tensors=tuple(_tensor_flags(reuse.get(flow.name, t.name)) for t in spec.tensors),
        active_edges=tuple(sorted((e.src, e.dst, e.tensor) for e in edges
                                  if e.use(flow.name) is not None)),
        loops=tuple(zip(spec.loop_names, spec.flow_bounds(flow), strict=True)),
        preload=tuple((t, flow.spatial_names.index(d)) for t, d in flow.preload))


def _tensor_flags(info: TensorReuse) -> TensorFlags:
    return TensorFlags(info.tensor, tuple(info.stationary), info.accumulate_in_memory,
                       tuple(info.kinds), tuple(tuple(r) for r in info.revisits))


def _mux_config(mux, coords) -> MuxConfig:
    def name(node: int) -> str:
        return {MEMORY: mem_id(mux.tensor), SELF: "self"}.get(node) or fu_id(coords[node])
    return MuxConfig(fu_id(coords[mux.fu]), mux.tensor,
                     tuple(tuple(name(n) for n in source) for source in mux.sources),
                     tuple(mux.select))
