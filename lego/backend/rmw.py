"""Read-after-write distances of an output accumulated in memory: a step that reads a word back
must issue its read after an earlier step's write of that word has landed. For each (read port,
write port) pair of the output, the fewest steps between a write of a word and a later read of
it; the pipelining LP keeps ``stage(read) + distance > stage(write)`` (lego.backend.pipeline).
Word addresses per step do not depend on the stages, so this is known before the LP runs."""

from __future__ import annotations

import bisect

import numpy as np

from lego.backend.design import Design
from lego.backend.step_values import StepValues

__all__ = ["read_after_write"]


def _accesses(design: Design, values: StepValues, prim) -> list[tuple[int, int, int]]:
    """(step, bank, address) of every access of memory port ``prim`` in one dataflow."""
    graph = design.graph
    inputs = [c.src for c in graph.inputs(prim.name)]
    address_net = inputs[0] if prim.kind == "mem_read" else inputs[1]
    width = graph.primitive(address_net).width - design.tensor(prim.params.tensor).bank_bits
    address = np.broadcast_to(values.split(values.net(address_net), width)[0], values.steps)
    return [(int(t), bank, int(address[t]))
            for bank, steps in values.accesses(prim.name) for t in steps]


def read_after_write(design: Design) -> list[tuple[str, str, int]]:
    """(write port, read port, steps): the fewest steps from a write of an output word to a
    later read of the same word, over every dataflow; pairs that never meet are left out."""
    outputs = {t.name for t in design.tensors if t.role == "output"}
    ports = [p for p in design.graph.primitives()
             if p.kind in ("mem_read", "mem_write") and p.params.tensor in outputs]
    reads = [p for p in ports if p.kind == "mem_read"]
    if not reads:
        return []
    nearest: dict[tuple[str, str], int] = {}
    for flow in design.flows:
        values = StepValues(design, flow.index)
        written = _write_steps(design, values, [p for p in ports if p.kind == "mem_write"])
        for prim in reads:
            for step, bank, address in _accesses(design, values, prim):
                for wname, wsteps in written.get((bank, address), {}).items():
                    # the latest write of this port before the read: the nearest of them all
                    before = bisect.bisect_left(wsteps, step)
                    if before:
                        key, gap = (wname, prim.name), step - wsteps[before - 1]
                        nearest[key] = min(nearest.get(key, gap), gap)
    return sorted((w, r, d) for (w, r), d in nearest.items())


def _write_steps(design: Design, values: StepValues, writes) -> dict:
    """Per word (bank, address), per write port, the sorted steps that write it."""
    written: dict[tuple[int, int], dict[str, list[int]]] = {}
    for prim in writes:
        for step, bank, address in _accesses(design, values, prim):
            written.setdefault((bank, address), {}).setdefault(prim.name, []).append(step)
    for word in written.values():
        for steps in word.values():
            steps.sort()
    return written
