"""SRAM reads and writes per tensor and bank of one run of a generated design, counted from the
lowered design the RTL is built from: each datapath memory port's enable and address are
evaluated over every temporal step of the dataflow at once (numpy), with the same primitive
meanings (:mod:`lego.backend.semantics`) the RTL is generated from.

``lego verify`` counts the same port enables in the RTL, cycle by cycle, and the two must agree
exactly. Pipeline stages only shift these values in time, so they do not change the counts."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from lego.backend.design import Design
from lego.backend.step_values import StepValues

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
    values = StepValues(design, flow_index)
    tally: Counter = Counter()
    for prim in design.graph.primitives():
        if prim.kind in ("mem_read", "mem_write"):
            for b, steps in values.accesses(prim.name):
                tally[prim.kind, prim.params.tensor, b] += len(steps)
    return tuple(TensorAccesses(t.name, t.bits,
                                tuple(tally["mem_read", t.name, b] for b in range(t.banks)),
                                tuple(tally["mem_write", t.name, b] for b in range(t.banks)))
                 for t in design.tensors)
