"""Cycle model of a generated design, read from the same lowered design and LP schedule the RTL
is built from (never from the spec).

The controller (lego/backend/rtl/controller.py) samples ``start`` on one clock edge, issues one
temporal step per cycle, then waits out the drain (the dataflow's latest memory-write stage of
the schedule) and raises ``done`` with the last write. Counting from the cycle ``start`` is high
to the cycle ``done`` is seen high, as ``lego verify`` measures it: 1 (start) + steps + drain;
the last write is in the cycle before (:mod:`sim.write_trace` predicts every write).
Every FU computes in every step but the bubbles a dataflow may issue before its tiles
(lego.backend.design.Flow: counted in the cycles, not in the steps), so utilisation is steps /
cycles. SRAM reads and writes per
tensor and bank come from the memory ports' enables (:mod:`sim.sram`)."""

from __future__ import annotations

from dataclasses import dataclass

from lego.backend.design import Design
from lego.backend.schedule import Schedule, drain_cycles
from sim.sram import TensorAccesses, count_accesses

__all__ = ["DesignRun", "simulate_design"]


@dataclass(frozen=True)
class DesignRun:
    dataflow: str
    steps: int
    drain: int
    cycles: int
    fus: int
    utilization: float  # busy FU-cycles / (FUs x cycles)
    sram: tuple[TensorAccesses, ...]  # per tensor, in design order

    def to_dict(self) -> dict:
        return {"dataflow": self.dataflow, "steps": self.steps, "drain": self.drain,
                "cycles": self.cycles, "fus": self.fus,
                "utilization": round(self.utilization, 6),
                "sram": {a.tensor: a.to_dict() for a in self.sram}}


def simulate_design(design: Design, schedule: Schedule) -> tuple[DesignRun, ...]:
    """One run per dataflow of the design, in the design's dataflow order."""
    drains = drain_cycles(design, schedule)
    runs = []
    for flow in design.flows:
        drain = drains[flow.index]
        cycles = 1 + flow.issued_steps + drain
        runs.append(DesignRun(flow.name, flow.num_steps, drain, cycles, design.num_fus,
                              flow.num_steps / cycles, count_accesses(design, flow.index)))
    return tuple(runs)


def simulate_spec(spec_path: str, period_ns: float | None = None) -> tuple[DesignRun, ...]:
    """Generate the design of a spec up to its schedule (no Verilog) and simulate it."""
    from lego.backend.passes import run_backend
    from lego.frontend.passes import run_passes
    from lego.spec import load_spec

    state = run_backend(run_passes(load_spec(spec_path)).adg, period_ns, stop_after="pipeline")
    return simulate_design(state.design, state.schedule)
