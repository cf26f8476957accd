"""SRAM reads and writes per tensor and bank of one run of a generated design, counted from the
lowered design the RTL is built from: each datapath memory port's enable and address are
evaluated over every temporal step of the dataflow at once (numpy), with the same primitive
meanings (:mod:`lego.backend.semantics`) the RTL is generated from.

``lego verify`` counts the same port enables in the RTL, cycle by cycle, and the two must agree
exactly. Pipeline stages only shift these values in time, so they do not change the counts."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np

from lego.backend.design import COUNTER, Design
from lego.backend.semantics import evaluate, port_hits

__all__ = ["TensorAccesses", "count_accesses", "StepValues"]


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
    values = StepValues(design, flow_index)
    graph = design.graph
    tally: Counter = Counter()
    for prim in graph.primitives():
        if prim.kind not in ("mem_read", "mem_write"):
            continue
        inputs = [c.src for c in graph.inputs(prim.name)]
        enable, address = (inputs[1], inputs[0]) if prim.kind == "mem_read" else inputs[:2]
        geo = design.tensor(prim.params.tensor)
        packed = values.net(address)
        _, bank = values.split(packed, graph.primitive(address).width - geo.bank_bits)
        for b, hits in port_hits(values, values.net(enable), bank, prim.params.banks):
            tally[prim.kind, geo.name, b] += int(np.count_nonzero(
                np.broadcast_to(hits, values.steps)))
    return tuple(TensorAccesses(t.name, t.bits,
                                tuple(tally["mem_read", t.name, b] for b in range(t.banks)),
                                tuple(tally["mem_write", t.name, b] for b in range(t.banks)))
                 for t in design.tensors)


class StepValues:
    """The value interface of :mod:`lego.backend.semantics` over numpy arrays: every net's
    value at every step of one dataflow (the other dataflows' step-valid bits are 0)."""

    def __init__(self, design: Design, flow_index: int):
        self.design, self.flow = design, flow_index
        bounds = design.flows[flow_index].bounds
        self.steps = (int(np.prod(bounds, dtype=np.int64)),)
        self.counters = list(np.indices(bounds, dtype=np.int64).reshape(len(bounds), -1))
        self.cache: dict[str, object] = {}

    def net(self, name: str):
        """The value of node ``name``: its meaning applied to its inputs' values. Control and
        address nets carry no delays, so every input is the same step's value."""
        if name not in self.cache:
            prim = self.design.graph.primitive(name)
            if name == COUNTER:
                value = None  # the packed counters: ``fields`` unpacks them
            else:
                inputs = []
                for conn in self.design.graph.inputs(name):
                    if conn.distance:
                        raise AssertionError(f"{name} depends on an earlier step's value")
                    inputs.append(self.net(conn.src))
                bank_bits = (self.design.tensor(prim.params.tensor).bank_bits
                             if prim.kind == "addr" else 0)
                value = evaluate(prim.params, self, inputs,
                                 [f.bounds for f in self.design.flows], prim.width, bank_bits)
            self.cache[name] = value
        return self.cache[name]

    def fields(self, packed):
        out = []
        for flow in self.design.flows:
            if flow.index == self.flow:
                out.append((np.ones(self.steps, dtype=bool), self.counters))
            else:
                zeros = np.zeros(self.steps, dtype=np.int64)
                out.append((np.zeros(self.steps, dtype=bool), [zeros] * len(flow.bounds)))
        return out

    def const(self, value: int, bits: int, signed: bool):
        return np.bool_(value) if bits == 1 and not signed else np.int64(value)

    def mux(self, select, if_true, if_false):
        return np.where(select, if_true, if_false)

    def pack(self, low, low_bits: int, high, high_bits: int):
        return self.low_bits(low, low_bits) | (self.low_bits(high, high_bits) << low_bits)

    def split(self, packed, low_bits: int):
        return self.low_bits(packed, low_bits), packed >> low_bits

    def low_bits(self, value, bits: int):
        return np.asarray(value, dtype=np.int64) & ((1 << bits) - 1)

    # The datapath (products, operand values) is the golden model's business, not the
    # simulator's: only control and address nets are evaluated here.
    def as_signed(self, value):
        raise NotImplementedError("sim evaluates control and address nets only")

    def as_unsigned(self, value):
        raise NotImplementedError("sim evaluates control and address nets only")

    def width(self, value) -> int:
        raise NotImplementedError("sim evaluates control and address nets only")
