"""Interconnect synthesis: candidate FU-to-FU edges per reuse vector, then the cheapest forest.

Candidates are enumerated by reuse vector (for each candidate offset ds, every FU s whose
partner s + ds is in the array: numpy slicing, linear in FUs). A memory root joins every FU.
Costs (scaled integers, from the brief): a delay edge costs its FIFO depth, a direct edge
1e-3 |ds|_1 (nearest neighbours, chains), a memory port 1e6; an edge the fused dataflows
already have gets a small discount so that a later dataflow reuses it (fewer muxes).
For the output the forest is built on reversed edges: each FU picks where its partial sum
goes (a neighbour's adder, or memory at the end of the reduction chain)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lego.frontend.arborescence import min_arborescence
from lego.frontend.reuse import Reuse, TensorReuse
from lego.ir import Dataflow, Spec

__all__ = ["MEMORY", "Forest", "Interconnect", "synthesize_interconnect", "feeding_forest",
           "fu_coords"]

MEMORY = -1  # the memory root in edge lists
_SCALE = 4000  # cost units per FIFO slot; direct edges cost 4 per |ds|_1 (1e-3 of a slot)
_MEMORY_COST = _SCALE * 10**6
_PREFERRED_BONUS = 2


@dataclass(frozen=True)
class Forest:
    """Chosen edges (src, dst, vector) in data direction; FUs are row-major flat indices,
    ``MEMORY`` is the memory; ``vector`` indexes ``TensorReuse.candidates`` (-1: memory)."""

    dataflow: str
    tensor: str
    role: str
    edges: tuple[tuple[int, int, int], ...]
    num_candidates: int
    solver: str  # "greedy" or "edmonds"

    @property
    def memory_fus(self) -> tuple[int, ...]:
        """Input: FUs fed by memory; output: FUs that write to memory."""
        return tuple(sorted(s if self.role == "output" else d for s, d, _ in self.edges
                            if MEMORY in (s, d)))

    def dump(self, coords) -> list[str]:
        def name(n):
            return "mem" if n == MEMORY else "fu" + "_".join(map(str, coords[n]))
        lines = [f"forest {self.dataflow}/{self.tensor}: {len(self.edges)} edges from "
                 f"{self.num_candidates} candidates ({self.solver})"]
        lines += [f"  {name(s)} -> {name(d)} v{v}" for s, d, v in self.edges]
        return lines


@dataclass(frozen=True)
class Interconnect:
    """The independently built forest of every (dataflow, tensor)."""

    forests: tuple[Forest, ...]
    coords: tuple[tuple[int, ...], ...]

    def get(self, dataflow: str, tensor: str) -> Forest:
        return next(f for f in self.forests if f.dataflow == dataflow and f.tensor == tensor)

    def dump(self) -> str:
        return "\n".join(line for f in self.forests for line in f.dump(self.coords))


def synthesize_interconnect(spec: Spec, reuse: Reuse) -> Interconnect:
    forests = tuple(feeding_forest(flow, reuse.get(flow.name, t.name))
                    for flow in spec.dataflows for t in spec.tensors)
    return Interconnect(forests, fu_coords(spec.dataflows[0].spatial_bounds))


def fu_coords(shape: tuple[int, ...]) -> tuple[tuple[int, ...], ...]:
    return tuple(tuple(int(x) for x in c) for c in np.ndindex(*shape))


def feeding_forest(flow: Dataflow, reuse: TensorReuse,
                   preferred: frozenset[tuple[int, int]] = frozenset()) -> Forest:
    """The cheapest forest for one tensor; ``preferred`` (src, dst) pairs get a discount."""
    n = flow.num_fus
    src, dst, vec, cost = _candidate_edges(flow, reuse)
    num_candidates = len(src)
    output = reuse.role == "output"
    fus, memory = np.arange(n), np.full(n, MEMORY)
    src = np.concatenate([src, fus if output else memory])
    dst = np.concatenate([dst, memory if output else fus])
    vec = np.concatenate([vec, np.full(n, -1)])
    cost = np.concatenate([cost, np.full(n, _MEMORY_COST)])
    if preferred:
        cost = cost - _PREFERRED_BONUS * _membership(src, dst, n, preferred)
    tail, head = (dst, src) if output else (src, dst)  # arborescence direction: from memory
    chosen, solver = min_arborescence(n, np.where(tail == MEMORY, n, tail), head, cost)
    edges = tuple(sorted((int(src[i]), int(dst[i]), int(vec[i])) for i in chosen))
    return Forest(flow.name, reuse.tensor, reuse.role, edges, num_candidates, solver)


def _candidate_edges(flow: Dataflow, reuse: TensorReuse):
    shape = flow.spatial_bounds
    flat = np.arange(flow.num_fus).reshape(shape)
    parts = []
    for index, vector in enumerate(reuse.candidates):
        src_slice = tuple(slice(max(0, -d), b - max(0, d)) for d, b in zip(vector.ds, shape,
                                                                           strict=True))
        dst_slice = tuple(slice(max(0, d), b - max(0, -d)) for d, b in zip(vector.ds, shape,
                                                                           strict=True))
        s, d = flat[src_slice].ravel(), flat[dst_slice].ravel()
        step = sum(map(abs, vector.ds))
        parts.append((s, d, np.full(len(s), index), np.full(len(s), _edge_cost(vector.delay,
                                                                               step))))
    if not parts:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty, empty
    return tuple(np.concatenate([p[k] for p in parts]).astype(np.int64) for k in range(4))


def _edge_cost(delay: int, step: int) -> int:
    return _SCALE * delay + 4 * step


def _membership(src: np.ndarray, dst: np.ndarray, n: int, pairs: frozenset) -> np.ndarray:
    """1 where (src, dst) is in ``pairs`` (memory encoded as -1), else 0; vectorised."""
    def code(s, d):
        return (np.asarray(s) + 1) * (n + 1) + np.asarray(d) + 1
    wanted = np.array(sorted(code(s, d) for s, d in pairs), dtype=np.int64)
    return np.isin(code(src, dst), wanted).astype(np.int64)
