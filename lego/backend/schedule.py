"""The pipelining LP's answer and what follows from it: a stage per primitive, the registers on
every connection, and the cycles the design takes to drain. The RTL is built from it and the
simulator reads it; neither recomputes any of it."""

from __future__ import annotations

from dataclasses import dataclass

from lego.backend.design import Design
from lego.backend.semantics import WriteEnable

__all__ = ["Schedule", "drain_cycles"]


@dataclass(frozen=True)
class Schedule:
    """A stage per primitive and the registers it implies."""

    design: str
    period_ns: float
    stages: tuple[tuple[str, int], ...]          # sorted by name
    edge_registers: tuple[tuple[str, str, int, int], ...]  # (src, dst, distance, registers)
    register_bits: int                           # with fanout sharing (the LP objective)
    per_primitive_bits: int  # a register after every primitive: an upper bound
    timing_constraints: int
    solve_seconds: float
    # the shortest period the LP accepts for this graph (lego.backend.pipeline.shortest_period):
    # its slowest primitive alone, a floor no period's datapath gets below
    tightest_period_ns: float = 0.0

    def stage(self, name: str) -> int:
        return dict(self.stages)[name]

    def dump(self) -> str:
        """Stable text: the stages, then every connection's registers, then the totals."""
        lines = [f"schedule {self.design} at {self.period_ns} ns: {self.register_bits} register "
                 f"bits (per primitive {self.per_primitive_bits}), "
                 f"{self.timing_constraints} timing constraints"]
        lines += [f"  stage {stage} {name}" for name, stage in self.stages]
        lines += [f"  regs {registers} {src} -> {dst} (distance {distance})"
                  for src, dst, distance, registers in self.edge_registers]
        return "\n".join(lines)


def drain_cycles(design: Design, schedule: Schedule) -> tuple[int, ...]:
    """Per dataflow, the cycles from its last step to its last memory write: the latest stage
    of the memory writes its steps enable (a fused design's other dataflows may write later;
    waiting for them would leave this one idle). ``done`` rises right after that write."""
    stages = dict(schedule.stages)
    drains = [0] * len(design.flows)
    for prim in design.graph.primitives():
        if prim.kind != "mem_write":
            continue
        enable = design.graph.primitive(design.graph.inputs(prim.name)[0].src).params
        flows = [enable.flow] if isinstance(enable, WriteEnable) else range(len(drains))
        for flow in flows:
            drains[flow] = max(drains[flow], stages[prim.name])
    return tuple(drains)
