"""Reuse analysis: which space-time points touch the same tensor element, and how to serve it.

For tensor T in dataflow D, K = A_T M = [K_t | K_s]. Points (t, s) and (t + dt, s + ds) touch
the same element iff K_t dt + K_s ds = 0. The integer kernel of K (exact arithmetic) gives the
reuse vectors; each is oriented so that its delay w . dt (w: row-major weights of the temporal
indices) is >= 0 and classified as direct (dt = 0), delay (dt, ds != 0), stationary (dt only on
an inner suffix of the temporal indices) or a revisit (dt elsewhere, ds = 0: a memory re-read,
or for the output a read-modify-write accumulation)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lego.errors import LegoError
from lego.frontend.lattice import integer_kernel, small_combinations
from lego.ir import Dataflow, Spec, Tensor

__all__ = ["ReuseVector", "TensorReuse", "Reuse", "analyze_reuse", "temporal_weights",
           "stationary_suffix"]

Vector = tuple[int, ...]


@dataclass(frozen=True)
class ReuseVector:
    """FU s + ds at step t + dt touches what FU s touched at step t. ``valid`` lists, per
    restricted temporal index, the half-open range [lo, hi) of steps where the source point
    t - dt lies inside the temporal box (elsewhere the FU reads memory)."""

    dt: Vector
    ds: Vector
    delay: int
    kind: str  # "direct" | "delay" | "reduction" | "preload" (lego.ir.Dataflow.preload)
    valid: tuple[tuple[str, int, int], ...]


@dataclass(frozen=True)
class TensorReuse:
    dataflow: str
    tensor: str
    role: str
    kt: tuple[Vector, ...]  # K_t rows (tensor dims x temporal indices)
    ks: tuple[Vector, ...]  # K_s rows (tensor dims x spatial indices)
    kernel: tuple[Vector, ...]  # integer basis of the kernel of [K_t | K_s]
    candidates: tuple[ReuseVector, ...]  # one per spatial offset ds, the smallest delay
    stationary: tuple[str, ...]  # inner temporal indices the element is invariant to
    revisits: tuple[Vector, ...]  # dt of later non-contiguous reuse by the same or another FU
    accumulate_in_memory: bool  # output recurs at a non-contiguous step: read-modify-write

    @property
    def kinds(self) -> tuple[str, ...]:
        kinds = sorted({v.kind for v in self.candidates})
        if self.stationary:
            kinds.append("stationary")
        return tuple(kinds)

    def dump(self) -> list[str]:
        lines = [f"reuse {self.dataflow}/{self.tensor} ({self.role}): "
                 f"kinds {','.join(self.kinds) or 'none'}",
                 f"  kernel {list(map(list, self.kernel))}",
                 f"  stationary over {list(self.stationary)}",
                 f"  revisits {list(map(list, self.revisits))}"
                 + ("  (accumulate in memory)" if self.accumulate_in_memory else "")]
        for v in self.candidates:
            valid = " ".join(f"{n}in[{lo},{hi})" for n, lo, hi in v.valid) or "always"
            lines.append(f"  {v.kind} ds={list(v.ds)} dt={list(v.dt)} delay={v.delay} "
                         f"valid {valid}")
        return lines


@dataclass(frozen=True)
class Reuse:
    tensors: tuple[TensorReuse, ...]  # dataflows in spec order, tensors in spec order

    def get(self, dataflow: str, tensor: str) -> TensorReuse:
        return next(r for r in self.tensors if r.dataflow == dataflow and r.tensor == tensor)

    def dump(self) -> str:
        return "\n".join(line for r in self.tensors for line in r.dump())


def analyze_reuse(spec: Spec) -> Reuse:
    """The reuse of every tensor in every dataflow."""
    return Reuse(tuple(_tensor_reuse(flow, tensor) for flow in spec.dataflows
                       for tensor in spec.tensors))


def temporal_weights(flow: Dataflow) -> Vector:
    """w_i = product of the bounds of the temporal indices inside i (row-major step order)."""
    weights, running = [], 1
    for bound in reversed(flow.temporal_bounds):
        weights.append(running)
        running *= bound
    return tuple(reversed(weights))


def _tensor_reuse(flow: Dataflow, tensor: Tensor) -> TensorReuse:
    k = tensor.A @ flow.M
    nt = len(flow.temporal)
    kt, ks = k[:, :nt], k[:, nt:]
    kernel = integer_kernel(k.tolist(), k.shape[1])
    weights = temporal_weights(flow)
    stationary = stationary_suffix(flow, kt)
    output = tensor.role == "output"
    vectors = _in_box(flow, small_combinations(kernel) + _direct_combinations(ks, nt))
    candidates, revisits = [], set()
    for dt, ds in vectors:
        if any(ds) and (not any(dt) or (not output and _moves_element(ks, ds))):
            candidates.append(_oriented(flow, dt, ds, weights, output))
        elif any(dt) and not _only_inner(dt, nt - len(stationary)):
            revisits.add(_oriented(flow, dt, ds, weights, output).dt)
    candidates = _best_per_offset(candidates)
    along = dict(flow.preload).get(tensor.name)
    if along is not None:
        candidates = _with_preload(flow, tensor, ks, stationary, candidates, along)
    return TensorReuse(
        dataflow=flow.name, tensor=tensor.name, role=tensor.role,
        kt=_rows(kt), ks=_rows(ks), kernel=kernel, candidates=candidates,
        stationary=stationary, revisits=tuple(sorted(revisits)),
        accumulate_in_memory=output and bool(revisits))


def _with_preload(flow: Dataflow, tensor: Tensor, ks: np.ndarray, stationary, candidates,
                  along: str) -> tuple[ReuseVector, ...]:
    """The candidates plus the preload chain along spatial index ``along``: FU s + e hands
    what it loaded to FU s + 2e... during the bubbles before each tile, so only the chain's
    first FU reads memory; each FU keeps its own element over the tile (stationary)."""
    d = flow.spatial_names.index(along)
    step = tuple(int(i == d) for i in range(len(flow.spatial)))
    where = f"dataflow {flow.name}: preload {tensor.name} along {along}"
    if tensor.role != "input":
        raise LegoError(f"{where}: {tensor.name} is not an input")
    if not stationary:
        raise LegoError(f"{where}: {tensor.name} is not stationary in it (no inner loop "
                        "it is invariant to)")
    if not ks[:, d].any() or any(v.ds == step and v.kind == "direct" for v in candidates):
        raise LegoError(f"{where}: every FU along {along} holds the same element already")
    if flow.spatial_bounds[d] < 2:
        raise LegoError(f"{where}: {along} has one FU, no chain")
    chain = ReuseVector(dt=(0,) * len(flow.temporal), ds=step, delay=0, kind="preload",
                        valid=())
    return tuple(v for v in candidates if v.ds != step) + (chain,)


def _rows(matrix: np.ndarray) -> tuple[Vector, ...]:
    return tuple(tuple(int(x) for x in row) for row in matrix)


def _direct_combinations(ks: np.ndarray, nt: int) -> list[Vector]:
    """Same-step reuse (dt = 0) from the kernel of K_s alone: the full kernel's small
    combinations can miss short spatial vectors when its basis mixes time and space."""
    return [(0,) * nt + v for v in small_combinations(integer_kernel(ks.tolist(), ks.shape[1]))]


def _in_box(flow: Dataflow, vectors: list[Vector]) -> list[tuple[Vector, Vector]]:
    nt = len(flow.temporal)
    bounds = flow.temporal_bounds + flow.spatial_bounds
    return [(v[:nt], v[nt:]) for v in sorted(set(vectors))
            if all(abs(x) < b for x, b in zip(v, bounds, strict=True))]


def _moves_element(ks: np.ndarray, ds: Vector) -> bool:
    """A delay vector whose spatial part alone already shares the element is a direct edge
    plus a same-FU revisit; revisits are memory re-reads, so such a vector is no FIFO edge."""
    return bool((ks @ np.array(ds, dtype=np.int64)).any())


def stationary_suffix(flow: Dataflow, kt: np.ndarray) -> tuple[str, ...]:
    """The innermost temporal loops the element does not change over: those it does not
    depend on, and those of bound 1 (they never change; counting them as moving once made an
    output that stays put read, add and write memory every step, through a pipeline that
    reads before the previous step's write has landed)."""
    names, bounds = flow.temporal_names, flow.temporal_bounds
    count = 0
    while count < len(names) and (not kt[:, len(names) - 1 - count].any()
                                  or bounds[len(names) - 1 - count] == 1):
        count += 1
    return names[len(names) - count:]


def _only_inner(dt: Vector, first_inner: int) -> bool:
    return not any(dt[:first_inner])


def _oriented(flow: Dataflow, dt: Vector, ds: Vector, weights: Vector, output: bool
              ) -> ReuseVector:
    delay = sum(a * w for a, w in zip(dt, weights, strict=True))
    if delay < 0 or (delay == 0 and ds and _lex_negative(ds)):
        dt, ds, delay = tuple(-x for x in dt), tuple(-x for x in ds), -delay
    kind = ("reduction" if output else "direct") if delay == 0 else "delay"
    return ReuseVector(dt=dt, ds=ds, delay=delay, kind=kind, valid=_validity(flow, dt))


def _lex_negative(v: Vector) -> bool:
    return next((x for x in v if x != 0), 0) < 0


def _validity(flow: Dataflow, dt: Vector) -> tuple[tuple[str, int, int], ...]:
    """Steps t where t - dt is inside the temporal box:
    t_i in [max(0, dt_i), b_i + min(0, dt_i))."""
    return tuple((name, max(0, d), bound + min(0, d))
                 for (name, bound), d in zip(flow.temporal, dt, strict=True) if d != 0)


def _best_per_offset(candidates: list[ReuseVector]) -> tuple[ReuseVector, ...]:
    """For each spatial offset keep the smallest delay (then the shortest dt)."""
    best: dict[Vector, ReuseVector] = {}
    for v in candidates:
        key = (v.delay, sum(map(abs, v.dt)), v.dt)
        old = best.get(v.ds)
        if old is None or key < (old.delay, sum(map(abs, old.dt)), old.dt):
            best[v.ds] = v
    return tuple(best[ds] for ds in sorted(best))
