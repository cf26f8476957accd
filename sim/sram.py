"""SRAM reads and writes per tensor and bank of one run of a generated design, counted from the
lowered design the RTL is built from: each datapath memory port's enable predicate and address
generator are evaluated over every temporal step of the dataflow (numpy, all steps at once).

This is an independent model of the ``cmp``/``addr``/``mux`` node semantics that
lego/backend/rtl/netlist.py turns into hardware; ``lego verify`` counts the same port enables
in the RTL, cycle by cycle, and the two must agree exactly."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np

from lego.backend.lower import Design, coord_strides
from lego.frontend.memory import bank_of

__all__ = ["TensorAccesses", "count_accesses"]


@dataclass(frozen=True)
class TensorAccesses:
    tensor: str
    bits: int  # element width = bank word width
    reads: tuple[int, ...]  # per bank
    writes: tuple[int, ...]  # per bank

    def to_dict(self) -> dict:
        return {"reads": sum(self.reads), "writes": sum(self.writes),
                "bank_reads": list(self.reads), "bank_writes": list(self.writes)}


def count_accesses(design: Design, flow_index: int) -> tuple[TensorAccesses, ...]:
    """Per tensor of the design (in design order), the datapath's SRAM accesses in one run of
    dataflow ``flow_index``. Host-port loads and read-back are not counted."""
    flow = design.flows[flow_index]
    counters = np.indices(flow.bounds, dtype=np.int64).reshape(len(flow.bounds), -1)
    graph = design.graph
    reads: Counter = Counter()
    writes: Counter = Counter()
    for prim in graph.primitives():
        if prim.kind not in ("mem_read", "mem_write"):
            continue
        tensor, banks = prim.params
        inputs = [c.src for c in graph.inputs(prim.name)]
        if prim.kind == "mem_read":
            address, enable, tally = inputs[0], inputs[1], reads
        else:
            enable, address, tally = inputs[0], inputs[1], writes
        mask = _predicate(graph.primitive(enable).params, flow_index, flow.bounds, counters)
        if not mask.any():
            continue
        params = graph.primitive(_select(graph, address, flow_index)).params
        if params[0] != flow_index:
            raise AssertionError(f"{prim.name} enabled in a dataflow it has no address for")
        bank = _bank(params, counters)[mask]
        if len(banks) == 1:  # a single-bank port is enabled without a bank compare
            tally[tensor, banks[0]] += int(mask.sum())
            continue
        hits = np.bincount(bank, minlength=max(banks) + 1)
        for b in banks:
            tally[tensor, b] += int(hits[b])
    return tuple(TensorAccesses(t.name, t.bits,
                                tuple(reads[t.name, b] for b in range(t.banks)),
                                tuple(writes[t.name, b] for b in range(t.banks)))
                 for t in design.tensors)


def _predicate(params: tuple, flow_index: int, bounds, counters: np.ndarray) -> np.ndarray:
    """The steps of this dataflow at which a ``cmp`` node (a port enable) is high."""
    flow, op, args = params
    steps = counters.shape[1]
    if op == "write":
        if flow != flow_index:
            return np.zeros(steps, dtype=bool)
        mask = np.ones(steps, dtype=bool)
        for i in args:
            mask &= counters[i] == bounds[i] - 1
        return mask
    if op != "read":
        raise AssertionError(f"a memory port enabled by a {op!r} predicate")
    mask = np.zeros(steps, dtype=bool)
    for term_flow, equalities, box in args:
        if term_flow != flow_index:
            continue
        term = np.ones(steps, dtype=bool)
        for i, want in equalities:
            term &= counters[i] == want
        if box:
            inside = np.ones(steps, dtype=bool)
            for i, lo, hi in box:
                inside &= (counters[i] >= lo) & (counters[i] < hi)
            term &= ~inside
        mask |= term
    return mask


def _select(graph, name: str, flow_index: int) -> str:
    """Follow dataflow muxes to the address generator the running dataflow selects."""
    prim = graph.primitive(name)
    while prim.kind == "mux":
        mode, selects = prim.params
        if mode != "flow":
            raise AssertionError(f"address of a memory port through a {mode!r} mux")
        prim = graph.primitive(graph.inputs(prim.name)[selects[flow_index]].src)
    if prim.kind != "addr":
        raise AssertionError(f"memory port addressed by a {prim.kind!r} node")
    return prim.name


def _bank(params: tuple, counters: np.ndarray) -> np.ndarray:
    """The bank an ``addr`` node points at, per step."""
    if params[2] == "fixed":
        return np.full(counters.shape[1], params[3], dtype=np.int64)
    base, strides_key, dims, gcds, _local = params[3:]
    strides = np.array(coord_strides(strides_key, counters.shape[0], len(base)),
                       dtype=np.int64).reshape(counters.shape[0], len(base))
    coord = np.array(base, dtype=np.int64)[:, None] + strides.T @ counters  # (rank, steps)
    return bank_of(tuple(coord), dims, gcds)  # numpy's // and % floor, as the hardware does
