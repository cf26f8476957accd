"""The output writes a generated design makes, cycle by cycle, predicted from its lowered design
and LP schedule: ``lego verify`` records the same trace from the RTL's own memory write ports
and requires the two to be equal, write for write.

A memory write primitive at stage ``s`` writes, for step ``t`` of the running dataflow, in cycle
``1 + t + s`` counted from the cycle ``start`` is high (the controller issues step 0 one cycle
after it samples ``start``), at the bank and address its nets give at step ``t``
(:class:`lego.backend.step_values.StepValues`: the RTL's own meanings over numpy)."""

from __future__ import annotations

import numpy as np

from lego.backend.design import Design
from lego.backend.schedule import Schedule
from lego.backend.step_values import StepValues

__all__ = ["predicted_writes", "first_difference"]


def predicted_writes(design: Design, schedule: Schedule, flow_index: int
                     ) -> list[tuple[int, str, int, int]]:
    """Every datapath memory write of one run of dataflow ``flow_index``: (cycle, tensor,
    bank, address), sorted."""
    values = StepValues(design, flow_index)
    stages = dict(schedule.stages)
    graph = design.graph
    out = []
    for prim in graph.primitives():
        if prim.kind != "mem_write":
            continue
        address_net = graph.inputs(prim.name)[1].src
        geo = design.tensor(prim.params.tensor)
        width = graph.primitive(address_net).width - geo.bank_bits
        address, _ = values.split(values.net(address_net), width)
        address = np.broadcast_to(address, values.steps)
        for bank, steps in values.accesses(prim.name):
            out += [(1 + int(t) + stages[prim.name], geo.name, bank, int(address[t]))
                    for t in steps]
    return sorted(out)


def first_difference(measured: list, predicted: list) -> str | None:
    """None when the traces are equal, else the first write that differs, in words."""
    measured = sorted(tuple(w) for w in measured)
    predicted = sorted(tuple(w) for w in predicted)
    for index, (got, want) in enumerate(zip(measured, predicted, strict=False)):
        if got != want:
            return f"write {index}: RTL {list(got)}, predicted {list(want)}"
    if len(measured) != len(predicted):
        extra = (measured if len(measured) > len(predicted) else predicted)[min(
            len(measured), len(predicted))]
        side = "RTL also wrote" if len(measured) > len(predicted) else "RTL never wrote"
        return (f"{side} {list(extra)} ({len(measured)} writes measured, "
                f"{len(predicted)} predicted)")
    return None
